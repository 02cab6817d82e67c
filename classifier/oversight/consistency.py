"""The consistency alarm: near-identical documents whose decisions differ.

Two drafts that say the same thing should carry the same level and clause; when the register
holds the same announcement as 公开 and as 绝密, one of them is 定密不当. Documents are compared
as sets of character shingles (k consecutive characters of the text with whitespace removed,
full-width ASCII folded): Chinese has no spaces, so character k-grams are the robust unit. Each set is
sketched by a MinHash (``datasketch``, scheme ``affine32``) and candidate pairs come from
``datasketch.MinHashLSH``; the exact Jaccard similarity of each candidate pair is then computed
from the texts, so what is listed is measured, not estimated.

The index (:class:`SimilarityIndex`) grows one document at a time, changes a decision without
rehashing, and is saved as plain arrays (``.npz`` loaded with ``allow_pickle=False``: the
signatures as a uint32 matrix, the rest as JSON) — never pickled. A signature is 4 × num_perm
bytes (512 B by default), so the store can keep it per document (:meth:`SimilarityIndex.signature`
at registration, :meth:`SimilarityIndex.add_signature` to rebuild) and never rehash the register.

Source: issue 14 §4; Broder (1997), "On the resemblance and containment of documents";
datasketch's MinHash and MinHashLSH (affine32 scheme: MurmurHash3 fmix32, then
``a·h + b mod 2³²``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from classifier.catalogue import Level
from classifier.errors import IndexFormatError

#: Version of the text → shingle-hash function (normalisation, k-gram hash). Signatures and
#: saved indexes of another version are refused: they would not compare.
SIGNATURE_VERSION = 1
#: datasketch permutation scheme of every signature.
SCHEME = "affine32"
_FORMAT = "dingmi-minhash-index"
_U32 = np.dtype("<u4")
#: Polynomial base of the rolling k-gram hash (the 64-bit FNV prime; any odd constant works).
_BASE = np.uint64(0x100000001B3)
#: Rows of the shingle × permutation product computed at once (bounds memory for long texts).
_CHUNK = 4096



# --- Shingles --------------------------------------------------------------------------------


def _code_points(text: str) -> np.ndarray:
    """Code points of ``text`` without whitespace, full-width ASCII folded (ｘ → x, ０ → 0):
    layout and full-width variants do not count as differences. Kangxi radicals and
    compatibility ideographs are already mapped by extraction. Shape (n_chars,), uint64."""
    cp = np.frombuffer("".join(text.split()).encode("utf-32-le"), dtype=_U32).astype(np.uint64)
    wide = (cp >= 0xFF01) & (cp <= 0xFF5E)
    cp[wide] -= np.uint64(0xFEE0)
    return cp


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, element-wise on uint64 (wrapping arithmetic)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser on uint32 (what datasketch's affine32 applies first)."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def shingle_hashes(text: str, k: int = 5) -> np.ndarray:
    """The set of character k-shingles of ``text`` as distinct 64-bit hashes.

    Parameters
    ----------
    text : str
    k : int
        Shingle length in characters (after whitespace removal and full-width folding). A text
        shorter than ``k`` is one shingle.

    Returns
    -------
    ndarray of shape (n_shingles,), dtype uint64
        Sorted, distinct; empty for a text without visible characters.

    Raises
    ------
    ValueError
        If ``k < 1``.
    """
    if k < 1:
        raise ValueError(f"shingle length must be ≥ 1, not {k}")
    cp = _code_points(text)
    if cp.size == 0:
        return np.empty(0, dtype=np.uint64)
    k = min(k, cp.size)
    n = cp.size - k + 1
    h = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        h = h * _BASE + cp[j:j + n]
    return np.unique(_splitmix64(h + np.uint64(k)))


def exact_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity |A ∩ B| / |A ∪ B| of two shingle sets from :func:`shingle_hashes`.

    Parameters
    ----------
    a, b : ndarray of shape (n,), dtype uint64
        Distinct hashes.

    Returns
    -------
    float
        In [0, 1]; 1.0 for two empty sets.
    """
    inter = np.intersect1d(a, b, assume_unique=True).size
    union = a.size + b.size - inter
    return inter / union if union else 1.0


# --- Records and results ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegisteredDocument:
    """A decided document of the register, with its stored extracted text.

    Attributes
    ----------
    doc_id : str
    text : str
    level : Level
        The final decision's level.
    clause : str or None
        The final decision's clause, None for 公开/内部.
    title : str
        For display only.
    """

    doc_id: str
    text: str
    level: Level
    clause: str | None = None
    title: str = ""


def _clause_label(level: Level, clause: str | None) -> str:
    """The clause compared between two decisions (the level's name for 公开/内部)."""
    return clause if level.is_secret and clause else level.label


@dataclass(frozen=True)
class ConflictPair:
    """Two near-identical documents with different decisions: candidates of 定密不当.

    Attributes
    ----------
    doc_a, doc_b : str
        Document ids; ``doc_a`` has the higher (or equal) level.
    level_a, level_b : Level
    clause_a, clause_b : str or None
    title_a, title_b : str
    estimated : float
        MinHash estimate of the Jaccard similarity, in [0, 1].
    jaccard : float or None
        Exact Jaccard similarity of the shingle sets, in [0, 1]; None when the texts were
        not available.
    """

    doc_a: str
    doc_b: str
    level_a: Level
    level_b: Level
    clause_a: str | None
    clause_b: str | None
    title_a: str
    title_b: str
    estimated: float
    jaccard: float | None

    @property
    def similarity(self) -> float:
        """The exact Jaccard similarity when known, else the estimate."""
        return self.jaccard if self.jaccard is not None else self.estimated

    @property
    def kind(self) -> str:
        """``"level"`` when the levels differ, ``"clause"`` when only the clauses do."""
        return "level" if self.level_a != self.level_b else "clause"

    @property
    def level_gap(self) -> int:
        """How many levels apart the two decisions are (0 for a clause-only conflict)."""
        return abs(int(self.level_a) - int(self.level_b))


@dataclass(frozen=True)
class SimilarDecision:
    """A decided document similar to a text being decided.

    Attributes
    ----------
    doc_id : str
    level : Level
    clause : str or None
    title : str
    estimated : float
        MinHash estimate of the Jaccard similarity, in [0, 1].
    jaccard : float or None
        Exact Jaccard similarity, in [0, 1], when the text was available.
    """

    doc_id: str
    level: Level
    clause: str | None
    title: str
    estimated: float
    jaccard: float | None

    @property
    def similarity(self) -> float:
        """The exact Jaccard similarity when known, else the estimate."""
        return self.jaccard if self.jaccard is not None else self.estimated

    def message(self) -> str:
        """The line shown at decision time, e.g. ``"一份相似度 96% 的文件已定为秘密（依据 4.5）"``."""
        basis = f"（依据 {self.clause}）" if self.level.is_secret and self.clause else ""
        name = f"《{self.title}》" if self.title else "一份文件"
        pct = math.floor(self.similarity * 100)
        return f"{name}与本件相似度 {pct}%，已定为{self.level.label}{basis}"


# --- The index -------------------------------------------------------------------------------


@dataclass
class _Entry:
    """One indexed document: its signature and decision."""

    signature: np.ndarray
    level: Level
    clause: str | None
    title: str


TextSource = Callable[[str], str] | Mapping[str, str]


class SimilarityIndex:
    """MinHash LSH over the register's documents, with their decisions.

    Parameters
    ----------
    threshold : float
        Jaccard similarity in (0, 1] from which two documents count as near-identical
        (default 0.8: about a fifth of the shingles may differ, i.e. a few changed names,
        dates or numbers in a page of text).
    num_perm : int
        MinHash permutations (signature length); the estimate's standard error is about
        ``sqrt(J (1 − J) / num_perm)`` (0.035 at J = 0.8 with 128).
    shingle : int
        Shingle length in characters (5: long enough that two unrelated Chinese texts share
        few shingles, short enough that one changed character breaks only five).
    seed : int
        Seed of the permutations; signatures made with another seed do not compare.

    Raises
    ------
    ValueError
        If a parameter is out of range.

    Notes
    -----
    Building: :meth:`add` per document (or :meth:`add_signature` with stored signatures);
    :meth:`set_decision` changes a decision; :meth:`remove` drops a document. Reading:
    :meth:`conflicts` (the alarm) and :meth:`similar_to` (at decision time). Saving:
    :meth:`save` / :meth:`load` (no pickle).
    """

    def __init__(self, *, threshold: float = 0.8, num_perm: int = 128, shingle: int = 5,
                 seed: int = 1, _bands: tuple[int, int] | None = None) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {threshold}")
        if num_perm < 16:
            raise ValueError(f"num_perm must be ≥ 16, not {num_perm}")
        if shingle < 1:
            raise ValueError(f"shingle must be ≥ 1, not {shingle}")
        # datasketch imports scipy (≈ 1 s): only an index pays for it, not agreement reports.
        from datasketch import MinHash, MinHashLSH

        self.threshold, self.num_perm, self.shingle, self.seed = threshold, num_perm, shingle, seed
        self._MinHash = MinHash
        template = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME)
        self._perm = template.permutations
        a, b = self._perm
        self._a = np.asarray(a, dtype=np.uint32)
        self._b = np.asarray(b, dtype=np.uint32)
        self._lsh = (MinHashLSH(threshold=threshold, num_perm=num_perm) if _bands is None
                     else MinHashLSH(threshold=threshold, num_perm=num_perm, params=_bands))
        self.bands: tuple[int, int] = (self._lsh.b, self._lsh.r)
        self._entries: dict[str, _Entry] = {}

    # -- signatures --

    def signature_of_hashes(self, hashes: np.ndarray) -> np.ndarray:
        """The MinHash signature of a shingle set from :func:`shingle_hashes`.

        Equal to datasketch's ``MinHash(scheme="affine32").update_batch`` fed the top 32 bits
        of each shingle hash, computed in numpy without a Python loop over shingles.

        Parameters
        ----------
        hashes : ndarray of shape (n_shingles,), dtype uint64

        Returns
        -------
        ndarray of shape (num_perm,), dtype uint32
            All ``2**32 - 1`` for an empty set.
        """
        sig = np.full(self.num_perm, np.iinfo(np.uint32).max, dtype=np.uint32)
        hv = _fmix32((hashes >> np.uint64(32)).astype(np.uint32))
        for i in range(0, hv.size, _CHUNK):
            # (num_perm, chunk), in place: a third of the time of the broadcast expression.
            part = np.multiply.outer(self._a, hv[i:i + _CHUNK])
            part += self._b[:, None]
            np.minimum(sig, part.min(axis=1), out=sig)
        return sig

    def signature(self, text: str) -> np.ndarray:
        """The MinHash signature of ``text``: shape (num_perm,), dtype uint32.

        Keep it with the document (:meth:`signature_bytes`) to rebuild the index without
        rehashing (:meth:`add_signature`).
        """
        return self.signature_of_hashes(shingle_hashes(text, self.shingle))

    @staticmethod
    def signature_bytes(signature: np.ndarray) -> bytes:
        """A signature as bytes (little-endian uint32) for a database column."""
        return np.ascontiguousarray(signature, dtype=_U32).tobytes()

    def signature_from_bytes(self, data: bytes) -> np.ndarray:
        """The signature stored by :meth:`signature_bytes`.

        Raises
        ------
        IndexFormatError
            If ``data`` is not ``4 × num_perm`` bytes long.
        """
        if len(data) != 4 * self.num_perm:
            raise IndexFormatError(f"签名长度 {len(data)} 字节，应为 {4 * self.num_perm} 字节；"
                                   "请按当前参数重新计算")
        return np.frombuffer(data, dtype=_U32).astype(np.uint32)

    def _minhash(self, signature: np.ndarray) -> Any:
        """A datasketch MinHash over ``signature`` (sharing this index's permutations)."""
        return self._MinHash(seed=self.seed, hashvalues=signature, permutations=self._perm,
                             scheme=SCHEME)

    # -- building --

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._entries

    @property
    def doc_ids(self) -> tuple[str, ...]:
        """Indexed document ids, in insertion order."""
        return tuple(self._entries)

    def add(self, doc: RegisteredDocument) -> None:
        """Index ``doc`` (replacing a document of the same id).

        A text without visible characters is kept with its decision but never matched.
        """
        self.add_signature(doc.doc_id, self.signature(doc.text), doc.level, doc.clause,
                           doc.title)

    def add_signature(self, doc_id: str, signature: np.ndarray, level: Level,
                      clause: str | None = None, title: str = "") -> None:
        """Index a document by its stored signature (see :meth:`signature`).

        Parameters
        ----------
        doc_id : str
        signature : ndarray of shape (num_perm,), dtype uint32
        level : Level
        clause : str or None
        title : str

        Raises
        ------
        TypeError
            If ``level`` is not a :class:`Level`.
        IndexFormatError
            If the signature has the wrong shape.
        """
        if not isinstance(level, Level):
            raise TypeError(f"level must be a Level, not {type(level).__name__}")
        sig = np.asarray(signature)
        if sig.shape != (self.num_perm,):
            raise IndexFormatError(f"签名形状 {sig.shape}，应为 ({self.num_perm},)")
        sig = sig.astype(np.uint32, copy=False)
        if doc_id in self._entries:
            self.remove(doc_id)
        self._entries[doc_id] = _Entry(sig, level, clause, title)
        if not _is_empty(sig):
            self._lsh.insert(doc_id, self._minhash(sig), check_duplication=False)

    def set_decision(self, doc_id: str, level: Level, clause: str | None = None) -> None:
        """Record a new decision for an indexed document (its text is unchanged).

        Raises
        ------
        KeyError
            If ``doc_id`` is not indexed.
        """
        e = self._entries[doc_id]
        e.level, e.clause = level, clause

    def remove(self, doc_id: str) -> None:
        """Drop a document from the index.

        Raises
        ------
        KeyError
            If ``doc_id`` is not indexed.
        """
        e = self._entries.pop(doc_id)
        if not _is_empty(e.signature):
            self._lsh.remove(doc_id)

    # -- reading --

    def estimate(self, doc_a: str, doc_b: str) -> float:
        """MinHash estimate of the Jaccard similarity of two indexed documents, in [0, 1]."""
        return _estimate(self._entries[doc_a].signature, self._entries[doc_b].signature)

    def conflicts(self, texts: TextSource | None = None, *,
                  min_similarity: float | None = None) -> list[ConflictPair]:
        """Pairs of near-identical documents whose level or clause differ (the alarm).

        Parameters
        ----------
        texts : callable or mapping from doc_id to str, optional
            The stored texts; with them every candidate pair's exact Jaccard similarity is
            computed and pairs under ``min_similarity`` (LSH false positives) are dropped.
            Without them the MinHash estimate decides.
        min_similarity : float, optional
            Default: the index's ``threshold``.

        Returns
        -------
        list of ConflictPair
            Largest level gap first, then most similar first.
        """
        cut = self.threshold if min_similarity is None else min_similarity
        get = _text_getter(texts)
        shingles: dict[str, np.ndarray] = {}
        order = {d: i for i, d in enumerate(self._entries)}
        out = []
        for doc_id, e in self._entries.items():
            if _is_empty(e.signature):
                continue
            for other in self._lsh.query(self._minhash(e.signature)):
                if order[other] <= order[doc_id]:
                    continue
                f = self._entries[other]
                if (e.level == f.level
                        and _clause_label(e.level, e.clause) == _clause_label(f.level, f.clause)):
                    continue
                pair = self._pair(doc_id, e, other, f, get, shingles)
                if pair.similarity >= cut:
                    out.append(pair)
        out.sort(key=lambda p: (-p.level_gap, -p.similarity, order[p.doc_a], order[p.doc_b]))
        return out

    def _pair(self, id_a: str, a: _Entry, id_b: str, b: _Entry,
              get: Callable[[str], str] | None, cache: dict[str, np.ndarray]) -> ConflictPair:
        """A conflict pair, the higher level first, with the exact similarity if texts exist."""
        est = _estimate(a.signature, b.signature)
        jac = None
        if get is not None:
            for d in (id_a, id_b):
                if d not in cache:
                    cache[d] = shingle_hashes(get(d), self.shingle)
            jac = exact_jaccard(cache[id_a], cache[id_b])
        if b.level > a.level:
            id_a, a, id_b, b = id_b, b, id_a, a
        return ConflictPair(id_a, id_b, a.level, b.level, a.clause, b.clause, a.title, b.title,
                            est, jac)

    def similar_to(self, text: str, *, texts: TextSource | None = None, limit: int = 5,
                   exclude: str | None = None, min_similarity: float | None = None
                   ) -> list[SimilarDecision]:
        """Decided documents near-identical to ``text`` (shown at decision time).

        Parameters
        ----------
        text : str
            The extracted text being decided.
        texts : callable or mapping from doc_id to str, optional
            The stored texts, for the exact similarity (see :meth:`conflicts`).
        limit : int
            At most this many, most similar first.
        exclude : str, optional
            A document id to leave out (the document itself, when already registered).
        min_similarity : float, optional
            Default: the index's ``threshold``.

        Returns
        -------
        list of SimilarDecision
        """
        cut = self.threshold if min_similarity is None else min_similarity
        hashes = shingle_hashes(text, self.shingle)
        sig = self.signature_of_hashes(hashes)
        if _is_empty(sig):
            return []
        get = _text_getter(texts)
        out = []
        for doc_id in self._lsh.query(self._minhash(sig)):
            if doc_id == exclude:
                continue
            e = self._entries[doc_id]
            est = _estimate(sig, e.signature)
            jac = exact_jaccard(hashes, shingle_hashes(get(doc_id), self.shingle)) if get else None
            hit = SimilarDecision(doc_id, e.level, e.clause, e.title, est, jac)
            if hit.similarity >= cut:
                out.append(hit)
        out.sort(key=lambda h: (-h.similarity, -int(h.level), h.doc_id))
        return out[:limit]

    # -- persistence --

    def save(self, path: Path | str) -> None:
        """Write the index to ``path`` (``.npz``: signatures as uint32, the rest as JSON).

        Parameters
        ----------
        path : pathlib.Path or str
            numpy appends ``.npz`` if missing.
        """
        ids = list(self._entries)
        sigs = (np.stack([self._entries[d].signature for d in ids]) if ids
                else np.empty((0, self.num_perm), dtype=np.uint32))
        meta = {
            "format": _FORMAT, "signature_version": SIGNATURE_VERSION, "scheme": SCHEME,
            "threshold": self.threshold, "num_perm": self.num_perm, "shingle": self.shingle,
            "seed": self.seed, "bands": list(self.bands), "doc_ids": ids,
            "levels": [int(self._entries[d].level) for d in ids],
            "clauses": [self._entries[d].clause for d in ids],
            "titles": [self._entries[d].title for d in ids],
        }
        np.savez(Path(path), signatures=sigs.astype(_U32),
                 meta=np.array(json.dumps(meta, ensure_ascii=False)))

    @classmethod
    def load(cls, path: Path | str) -> SimilarityIndex:
        """Read an index written by :meth:`save` (``allow_pickle=False``: nothing is unpickled).

        Raises
        ------
        IndexFormatError
            If the file is not such an index, is damaged, or was made by another
            signature version.
        FileNotFoundError
            If ``path`` does not exist.
        """
        p = Path(path)
        try:
            with np.load(p, allow_pickle=False) as z:
                sigs = np.asarray(z["signatures"])
                meta = json.loads(str(z["meta"]))
        except FileNotFoundError:
            raise
        except (OSError, ValueError, KeyError, EOFError) as e:
            raise IndexFormatError(f"相似文件索引《{p.name}》无法读取，请重建", path=p) from e
        if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
            raise IndexFormatError(f"《{p.name}》不是相似文件索引", path=p)
        if meta.get("signature_version") != SIGNATURE_VERSION or meta.get("scheme") != SCHEME:
            raise IndexFormatError(f"相似文件索引《{p.name}》由另一版本生成，请重建", path=p)
        try:
            idx = cls(threshold=float(meta["threshold"]), num_perm=int(meta["num_perm"]),
                      shingle=int(meta["shingle"]), seed=int(meta["seed"]),
                      _bands=(int(meta["bands"][0]), int(meta["bands"][1])))
            ids, levels = meta["doc_ids"], meta["levels"]
            clauses, titles = meta["clauses"], meta["titles"]
            if not (sigs.ndim == 2 and sigs.shape == (len(ids), idx.num_perm)
                    and len(levels) == len(clauses) == len(titles) == len(ids)):
                raise ValueError("lengths differ")
            for i, d in enumerate(ids):
                idx.add_signature(str(d), sigs[i], Level(int(levels[i])), clauses[i],
                                  str(titles[i]))
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise IndexFormatError(f"相似文件索引《{p.name}》内容不完整，请重建", path=p) from e
        return idx


def _is_empty(signature: np.ndarray) -> bool:
    """True for the signature of an empty shingle set."""
    return bool(np.all(signature == np.iinfo(np.uint32).max))


def _estimate(a: np.ndarray, b: np.ndarray) -> float:
    """Share of equal MinHash values: the estimate of the Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / a.size


def _text_getter(texts: TextSource | None) -> Callable[[str], str] | None:
    """A callable doc_id → text from a mapping or callable."""
    if texts is None or callable(texts):
        return texts
    return texts.__getitem__


def consistency_alarm(documents: Iterable[RegisteredDocument], *, threshold: float = 0.8,
                      num_perm: int = 128, shingle: int = 5, seed: int = 1
                      ) -> list[ConflictPair]:
    """Near-identical documents of a register whose level or clause differ.

    Builds a :class:`SimilarityIndex` over ``documents`` and lists its conflicts with their
    exact Jaccard similarity (computed from the texts given).

    Parameters
    ----------
    documents : iterable of RegisteredDocument
        Document ids must be distinct (a repeated id replaces the earlier document).
    threshold, num_perm, shingle, seed
        See :class:`SimilarityIndex`.

    Returns
    -------
    list of ConflictPair
        Largest level gap first, then most similar first.
    """
    idx = SimilarityIndex(threshold=threshold, num_perm=num_perm, shingle=shingle, seed=seed)
    texts: dict[str, str] = {}
    for d in documents:
        idx.add(d)
        texts[d.doc_id] = d.text
    return idx.conflicts(texts)
