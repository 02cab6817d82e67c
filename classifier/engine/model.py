"""The text model as plain arrays, served with numpy only (no scikit-learn, no unpickling).

Training (:mod:`classifier.train`) fits scikit-learn's ``TfidfVectorizer`` +
``LogisticRegression`` and exports the fitted parameters; this module rebuilds the same
computation: term counts → sublinear tf × idf → l2 norm → append dense catalogue features →
``X @ coef.T + intercept`` → softmax.

Files in a model directory (format ``dingmi.tfidf_lr.v1``):

- ``model.npz``: ``idf`` (V,), ``coef`` (K, V + D), ``intercept`` (K,), float64; loaded with
  ``allow_pickle=False``, so a swapped file cannot run code;
- ``vocabulary.json``: the V feature strings in column order;
- ``metadata.json``: format, version, classes (K labels: ``公开``, ``内部`` or a clause id),
  dense feature names (D), catalogue version, training summary and metrics;
- ``manifest.json``: the sha256 of each file above and an HMAC-SHA256 over them keyed by the
  installation's secret (:mod:`classifier.engine.signing`), written last by
  :meth:`TextModel.save` and checked by :meth:`TextModel.load` before anything is parsed (a
  changed file or a recomputed manifest raises ``model_tampered``).

Source: house style §4.8 (models as plain arrays); issue 2 (§8, measured: same labels as the
scikit-learn pipeline on 5,000 documents, cold call ~0.4 s instead of 1.6–2.3 s).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from classifier.engine.signing import (
    MANIFEST,
    MODEL_FILES,
    PASSAGE_FILES,
    file_sha256,
    verify_manifest,
    write_manifest,
)
from classifier.errors import ModelFormatError, ModelNotReadyError

__all__ = ["FORMAT", "MANIFEST", "MODEL_FILES", "PASSAGE_FILES", "TextModel", "TokenBag",
           "doc_features", "file_sha256", "latest_model_dir", "verify_manifest",
           "write_manifest"]

FORMAT = "dingmi.tfidf_lr.v1"


def doc_features(tokens: list[str], *, chars: bool = False) -> list[str]:
    """Features of one text: token unigrams and adjacent-token bigrams (``"a b"``), and with
    ``chars`` the character bigrams of each token of 3+ characters (``"#ab"``).

    Character bigrams of long words let an unseen or OCR-damaged word (后备千部, 考察材枓) still
    share features with the words the model learned (issue 9 §7).

    Parameters
    ----------
    tokens : list of str
        From :meth:`classifier.nlp.segment.Tokenizer.tokens`.
    chars : bool
        Add character bigrams.

    Returns
    -------
    list of str
        ``len(tokens) + max(len(tokens) - 1, 0)`` features, plus the character bigrams.
    """
    out = tokens + list(map(" ".join, zip(tokens, tokens[1:], strict=False)))
    if chars:
        out += [f"#{t[i:i + 2]}" for t in tokens if len(t) >= 3 and t[0] != "<"
                for i in range(len(t) - 1)]
    return out


class TokenBag:
    """The tokens of a document's passages as arrays, featurised once for both models.

    The feature strings of :func:`doc_features` are built once per distinct token (unigram,
    character bigrams) and once per distinct pair of adjacent tokens, instead of once per
    occurrence and per model; each model then looks every distinct string up in its
    vocabulary once (:meth:`columns`) and counts columns with numpy.

    Parameters
    ----------
    token_lists : list of list of str
        Tokens of each passage (:attr:`classifier.engine.analysis.Analysis.passage_tokens`);
        the document is their concatenation.
    chars : bool
        Features include character bigrams (:attr:`TextModel.char_features`).

    Attributes
    ----------
    words : list of str
        The distinct tokens, in order of first occurrence.
    """

    def __init__(self, token_lists: list[list[str]], *, chars: bool) -> None:
        self.chars = chars
        self._word_cols: list[tuple[dict[str, int], np.ndarray]] = []  # word_columns() memo
        ids: dict[str, int] = {}
        tid = [ids.setdefault(t, len(ids)) for ts in token_lists for t in ts]
        self.words = list(ids)
        u = len(self.words)
        self._tid = np.asarray(tid, dtype=np.int64)
        self._lens = np.asarray([len(ts) for ts in token_lists], dtype=np.int64)
        n = self._tid.size
        # Adjacent pairs of the document (passage boundaries included), distinct ones named.
        keys = self._tid[:-1] * u + self._tid[1:] if n >= 2 else np.zeros(0, dtype=np.int64)
        uniq, self._pair_of = np.unique(keys, return_inverse=True)
        w = self.words
        self._pairs = [f"{w[x]} {w[y]}" for x, y in zip((uniq // max(u, 1)).tolist(),
                                                          (uniq % max(u, 1)).tolist(), strict=True)]
        # Character bigrams of each distinct token, and for each occurrence where its run is.
        self._chars: list[str] = []
        n_chars = np.zeros(u, dtype=np.int64)
        if chars:
            for i, t in enumerate(self.words):
                if len(t) >= 3 and t[0] != "<":
                    self._chars += [f"#{t[j:j + 2]}" for j in range(len(t) - 1)]
                    n_chars[i] = len(t) - 1
        first_char = np.cumsum(n_chars) - n_chars
        self._occ_chars = n_chars[self._tid]  # character bigrams per occurrence, (n,)
        total = int(self._occ_chars.sum())
        run_start = np.cumsum(self._occ_chars) - self._occ_chars
        self._char_of = (np.repeat(first_char[self._tid] - run_start, self._occ_chars)
                         + np.arange(total, dtype=np.int64))

    def word_columns(self, vocabulary: dict[str, int]) -> np.ndarray:
        """Column of each of :attr:`words` in ``vocabulary`` (-1: absent), shape (len(words),);
        looked up once per vocabulary."""
        for vocab, cols in self._word_cols:
            if vocab is vocabulary:
                return cols
        cols = _look(vocabulary, self.words)
        self._word_cols.append((vocabulary, cols))
        return cols

    def columns(self, vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Columns (-1: not in ``vocabulary``) of every unigram occurrence (n,), adjacent pair
        (n - 1,) and character bigram occurrence, in document order."""
        return (self.word_columns(vocabulary)[self._tid],
                _look(vocabulary, self._pairs)[self._pair_of],
                _look(vocabulary, self._chars)[self._char_of])

    def document_counts(self, vocabulary: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """In-vocabulary columns of the document's features and their counts, in order of
        first occurrence in :func:`doc_features` of the concatenated tokens."""
        seq = np.concatenate(self.columns(vocabulary))
        return _first_counts(seq[seq >= 0])

    def passage_counts(self, vocabulary: dict[str, int]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Owner passage, in-vocabulary column and count of each passage's features: for
        each passage in turn, its columns in order of first occurrence in
        :func:`doc_features` of its tokens."""
        uni, pair, char = self.columns(vocabulary)
        lens, n, p = self._lens, self._tid.size, self._lens.size
        start = np.cumsum(lens) - lens
        n_pairs = np.maximum(lens - 1, 0)
        char_end = np.cumsum(self._occ_chars)
        char_start = np.r_[0, char_end][start]
        n_chars = np.r_[0, char_end][start + lens] - char_start
        size = lens + n_pairs + n_chars
        base = np.cumsum(size) - size
        owner = np.repeat(np.arange(p, dtype=np.int64), lens)
        seq = np.empty(int(size.sum()), dtype=np.int64)
        at = np.arange(n, dtype=np.int64)
        seq[base[owner] + at - start[owner]] = uni
        inner = np.flatnonzero(owner[1:] == owner[:-1]) if n >= 2 else np.zeros(0, np.int64)
        o = owner[inner]
        seq[base[o] + lens[o] + inner - start[o]] = pair[inner]
        o = np.repeat(owner, self._occ_chars)
        seq[(base + lens + n_pairs - char_start)[o] + np.arange(o.size)] = char
        own = np.repeat(np.arange(p, dtype=np.int64), size)
        keep = seq >= 0
        v = max(len(vocabulary), 1)
        key, counts = _first_counts(own[keep] * v + seq[keep])
        return key // v, key % v, counts


def _look(vocabulary: dict[str, int], strings: list[str]) -> np.ndarray:
    """Column of each string in ``vocabulary`` (-1: absent), shape (len(strings),)."""
    return np.fromiter(map(vocabulary.get, strings, repeat(-1)), dtype=np.int64,
                       count=len(strings))


def _first_counts(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ``keys`` in order of first occurrence, and how often each occurs."""
    uniq, first, counts = np.unique(keys, return_index=True, return_counts=True)
    order = np.argsort(first)
    return uniq[order], counts[order]


def _tf(counts: np.ndarray) -> np.ndarray:
    """``1 + ln(count)`` for each count (sublinear tf), shape (len(counts),), computed with
    :func:`math.log` (as training's scikit-learn figures were reproduced) once per distinct
    count."""
    distinct, at = np.unique(counts, return_inverse=True)
    return np.array([1.0 + math.log(c) for c in distinct.tolist()], dtype=np.float64)[at]


@dataclass
class TextModel:
    """A fitted linear model over tf-idf features plus dense catalogue features.

    Attributes
    ----------
    classes : list of str, length K
        Labels: ``"公开"``, ``"内部"`` or clause ids such as ``"4.5"``.
    vocabulary : dict of str -> int
        Feature string → column (V columns).
    idf : ndarray of shape (V,)
    coef : ndarray of shape (K, V + D)
    intercept : ndarray of shape (K,)
    dense_names : list of str, length D
        Names of the dense features appended after the tf-idf columns.
    metadata : dict
        The parsed ``metadata.json`` (``version``, ``catalogue_version``, metrics …).
    """

    classes: list[str]
    vocabulary: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    dense_names: list[str]
    metadata: dict[str, Any] = field(default_factory=dict)
    #: The passage model (same classes), scoring each passage on its own; None in models
    #: trained before issue 9 (the document model then scores passages too).
    passage: TextModel | None = None
    _coef_t: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def char_features(self) -> bool:
        """Whether features include character bigrams (metadata ``features``)."""
        return self.metadata.get("features") == "tokens12+chars2"

    def features(self, tokens: list[str]) -> list[str]:
        """The feature strings of a token list under this model's feature scheme."""
        return doc_features(tokens, chars=self.char_features)

    def _bag(self, token_lists: list[list[str]], bag: TokenBag | None) -> TokenBag:
        """``bag``, checked against this model's feature scheme, or a new one."""
        if bag is None:
            return TokenBag(token_lists, chars=self.char_features)
        if bag.chars != self.char_features:
            raise ValueError("the TokenBag was built for another feature scheme")
        return bag

    def predict_proba_many(self, token_lists: list[list[str]], *, bag: TokenBag | None = None
                           ) -> np.ndarray:
        """Class probabilities of many texts at once (dense features 0), shape (N, K).

        One vectorised pass: the tf-idf weights of all texts are gathered into one array and
        their class scores summed per text with ``np.add.reduceat``. ``bag``: the texts as a
        :class:`TokenBag` with this model's feature scheme, if already built.
        """
        n, k = len(token_lists), len(self.classes)
        if n == 0:
            return np.zeros((0, k))
        if self._coef_t is None:
            v = self.idf.shape[0]
            self._coef_t = np.ascontiguousarray(self.coef[:, :v].T)
        bag = self._bag(token_lists, bag)
        own, idx, counts = bag.passage_counts(self.vocabulary)
        z = np.tile(self.intercept, (n, 1))
        if idx.size:
            val = _tf(counts) * self.idf[idx]
            norms = np.sqrt(np.bincount(own, weights=val * val, minlength=n))
            val = val / np.where(norms > 0, norms, 1.0)[own]
            contrib = self._coef_t[idx] * val[:, None]
            starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
            z[own[starts]] += np.add.reduceat(contrib, starts, axis=0)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    @property
    def version(self) -> str:
        """The model version (directory name at training time)."""
        return str(self.metadata.get("version", "unknown"))

    def vectorize(self, tokens: list[str], *, bag: TokenBag | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Sparse tf-idf vector of a document, l2-normalised.

        Parameters
        ----------
        tokens : list of str
        bag : TokenBag, optional
            The document's tokens (by passage) with this model's feature scheme, if already
            built; ``tokens`` is then not read.

        Returns
        -------
        idx : ndarray of int64, shape (n,)
            Columns of the features present in the vocabulary.
        val : ndarray of float64, shape (n,)
            Their weights ``(1 + ln tf) * idf``, scaled to unit l2 norm.
        """
        idx, counts = self._bag([tokens], bag).document_counts(self.vocabulary)
        if not idx.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        val = _tf(counts) * self.idf[idx]
        norm = float(np.sqrt(val @ val))
        return idx, (val / norm if norm > 0 else val)

    def decision(self, idx: np.ndarray, val: np.ndarray, dense: np.ndarray) -> np.ndarray:
        """Raw class scores, shape (K,)."""
        v = self.idf.shape[0]
        z = self.coef[:, idx] @ val if idx.size else np.zeros(len(self.classes))
        return z + self.coef[:, v:] @ dense + self.intercept

    def predict_proba(self, tokens: list[str], dense: np.ndarray, *,
                      bag: TokenBag | None = None) -> np.ndarray:
        """Class probabilities of one document.

        Parameters
        ----------
        tokens : list of str
        dense : ndarray of shape (D,)
            Dense features in :attr:`dense_names` order.
        bag : TokenBag, optional
            See :meth:`vectorize`.

        Returns
        -------
        ndarray of shape (K,)
            Softmax probabilities in :attr:`classes` order, summing to 1.
        """
        idx, val = self.vectorize(tokens, bag=bag)
        z = self.decision(idx, val, dense)
        z = z - z.max()
        e = np.exp(z)
        return e / e.sum()

    def top_terms(self, label: str, n: int = 15) -> list[tuple[str, float]]:
        """The ``n`` features with the largest positive weight for class ``label``.

        Returns
        -------
        list of (str, float)
            Feature (a bigram ``"a b"`` is shown joined, ``"ab"``) and its coefficient,
            largest first. What the model has learned, in words a person can check.
        """
        k = self.classes.index(label)
        v = self.idf.shape[0]
        row = self.coef[k, :v]
        top = np.argsort(-row)[:n]
        inv = {i: f for f, i in self.vocabulary.items()}
        return [(inv[int(i)].replace(" ", ""), float(row[i])) for i in top if row[i] > 0]

    # ---------------------------------------------------------------- persistence
    def save(self, directory: Path, *, key: bytes) -> None:
        """Write ``model.npz``, ``vocabulary.json`` and ``metadata.json`` into ``directory``,
        then the signed ``manifest.json``.

        Files are written to temporary names and renamed, so a crash never leaves a
        half-written model. The arrays are stored uncompressed: dense float64 weights do not
        compress (9.6 of 10 MB), and inflating them cost every cold start ~0.1 s.

        Parameters
        ----------
        directory : pathlib.Path
        key : bytes
            The installation's signing key (:func:`classifier.engine.signing.read_model_key`).
        """
        directory.mkdir(parents=True, exist_ok=True)
        vocab = [""] * len(self.vocabulary)
        for f, i in self.vocabulary.items():
            vocab[i] = f
        meta = dict(self.metadata, format=FORMAT, classes=self.classes, dense_names=self.dense_names)
        tmp = directory / "model.tmp.npz"
        np.savez(tmp, idf=self.idf, coef=self.coef, intercept=self.intercept)
        tmp.replace(directory / "model.npz")
        files: list[tuple[str, Any]] = [("vocabulary.json", vocab), ("metadata.json", meta)]
        if self.passage is not None:
            pm = self.passage
            if pm.classes != self.classes:
                raise ValueError("the passage model must have the document model's classes")
            pvocab = [""] * len(pm.vocabulary)
            for f, i in pm.vocabulary.items():
                pvocab[i] = f
            tmp = directory / "passage.tmp.npz"
            np.savez(tmp, idf=pm.idf, coef=pm.coef, intercept=pm.intercept)
            tmp.replace(directory / "passage.npz")
            files.append(("passage_vocabulary.json", pvocab))
        for name, obj in files:
            t = directory / f".{name}.tmp"
            t.write_text(json.dumps(obj, ensure_ascii=False, indent=2 if name == "metadata.json" else None),
                         encoding="utf-8")
            t.replace(directory / name)
        write_manifest(directory, key)

    @classmethod
    def load(cls, directory: Path, *, key: bytes) -> TextModel:
        """Load a model directory written by :meth:`save`.

        Parameters
        ----------
        directory : pathlib.Path
        key : bytes
            The installation's signing key (``Settings.model_key_path``, read with
            :func:`classifier.engine.signing.read_model_key`).

        Raises
        ------
        ModelNotReadyError
            If the directory or a file is missing.
        ModelTamperedError
            If the manifest's signature does not match ``key`` (it was recomputed, or signed
            by another installation), or a file differs from the sha256 it records.
        ModelUnsignedError
            If the manifest carries no signature.
        ModelFormatError
            If the manifest is missing, a file is malformed, of another format, or shapes
            disagree.
        """
        d = Path(directory)
        for name in MODEL_FILES:
            if not (d / name).is_file():
                raise ModelNotReadyError(f"模型目录 {d} 缺少 {name}；请先运行 dingmi train", path=d)
        recorded = verify_manifest(d, key)
        try:
            meta = json.loads((d / "metadata.json").read_text(encoding="utf-8"))
            vocab = json.loads((d / "vocabulary.json").read_text(encoding="utf-8"))
            idf, coef, intercept = _read_arrays(d / "model.npz")
            passage = None
            if PASSAGE_FILES[0] in recorded:
                pvocab = json.loads((d / PASSAGE_FILES[1]).read_text(encoding="utf-8"))
                passage = (pvocab, *_read_arrays(d / PASSAGE_FILES[0]))
        except (OSError, ValueError, KeyError, UnicodeDecodeError) as e:
            raise ModelFormatError(f"模型文件无法读取：{e}", path=d) from e
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ModelFormatError(f"模型格式不符（需要 {FORMAT}）", path=d)
        classes, dense = meta.get("classes"), meta.get("dense_names")
        if (not isinstance(vocab, list) or not isinstance(classes, list) or not isinstance(dense, list)
                or not all(isinstance(x, str) for x in vocab + classes + dense)):
            raise ModelFormatError("模型元数据不完整", path=d)
        k, v = len(classes), len(vocab)
        if idf.shape != (v,) or coef.shape != (k, v + len(dense)) or intercept.shape != (k,):
            raise ModelFormatError("模型数组形状不一致", path=d)
        if not (np.isfinite(coef).all() and np.isfinite(idf).all() and np.isfinite(intercept).all()):
            raise ModelFormatError("模型数组含非有限值", path=d)
        sub = None
        if passage is not None:
            pvocab, pidf, pcoef, pint = passage
            pv = len(pvocab) if isinstance(pvocab, list) else -1
            if (pv < 0 or not all(isinstance(x, str) for x in pvocab) or pidf.shape != (pv,)
                    or pcoef.shape != (k, pv) or pint.shape != (k,)
                    or not (np.isfinite(pcoef).all() and np.isfinite(pidf).all()
                            and np.isfinite(pint).all())):
                raise ModelFormatError("段落模型数组形状不一致", path=d)
            sub = cls(classes=classes, vocabulary={f: i for i, f in enumerate(pvocab)}, idf=pidf,
                      coef=pcoef, intercept=pint, dense_names=[], metadata=meta)
        return cls(classes=classes, vocabulary={f: i for i, f in enumerate(vocab)}, idf=idf,
                   coef=coef, intercept=intercept, dense_names=dense, metadata=meta, passage=sub)


def _read_arrays(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``idf``, ``coef`` and ``intercept`` of one ``.npz`` (no pickles: object arrays refused)."""
    with np.load(path, allow_pickle=False) as z:
        return (np.asarray(z["idf"], dtype=np.float64), np.asarray(z["coef"], dtype=np.float64),
                np.asarray(z["intercept"], dtype=np.float64))


def latest_model_dir(models_dir: Path) -> Path:
    """The current model: ``models_dir/CURRENT`` if present, else the newest subdirectory.

    Raises
    ------
    ModelNotReadyError
        If there is no model.
    """
    cur = models_dir / "CURRENT"
    if cur.is_file():
        name = cur.read_text(encoding="utf-8").strip()
        if name and "/" not in name and (models_dir / name).is_dir():
            return models_dir / name
    dirs = sorted(p for p in models_dir.glob("*") if p.is_dir() and (p / "metadata.json").exists()) \
        if models_dir.is_dir() else []
    if not dirs:
        raise ModelNotReadyError(f"在 {models_dir} 中没有找到已训练的模型；请先运行 dingmi train",
                                 path=models_dir)
    return dirs[-1]
