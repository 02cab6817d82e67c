"""The only module that imports jieba (or rjieba): segmentation with the domain dictionary.

Two backends cut identically (same algorithm, same dictionary, same user words):

- ``rjieba`` (jieba-rs): the default where installed; starts in ~0.17 s and cuts ~20× faster.
- ``jieba`` 0.42 (the reference): used where rjieba is missing, or on request.

``tests/test_segment.py`` proves identical tokens over all of ``corpus/`` with the same user
dictionary before rjieba may be the default.

Source: issue 2 (§4); house style §4.11 (own tokenizer instance, tamed once, no global state
touched, logging quiet).
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from classifier.errors import UsageError
from classifier.nlp.normalize import fold

log = logging.getLogger(__name__)

#: Tokens the classifier sees for numbers (all digit runs fold to this one token).
NUM_TOKEN = "<num>"
_NUM = re.compile(r"^[0-9]+([.,][0-9]+)*%?$")
_WORDISH = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")
# ASCII punctuation is cut out before either backend sees the text: jieba and jieba-rs group
# runs such as "regulation-2023.txt" or "4.5" differently, and they carry no signal here.
_ASCII_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def _read_word_list(path: Path) -> list[tuple[str, int | None, str | None]]:
    """Read a jieba-style user dictionary: ``word [freq] [tag]`` per line, ``#`` comments.

    Raises
    ------
    UsageError
        If the file cannot be read or a frequency is not an integer.
    """
    out: list[tuple[str, int | None, str | None]] = []
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"无法读取词表 {path}：{e}", path=path) from e
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        word, freq, tag = parts[0], None, None
        if len(parts) > 1:
            if not parts[1].isdigit():
                raise UsageError(f"词表 {path.name} 第{n}行：词频应为整数，得到 {parts[1]!r}", path=path)
            freq = int(parts[1])
        if len(parts) > 2:
            tag = parts[2]
        out.append((unicodedata.normalize("NFKC", word).lower(), freq, tag))
    return out


class Tokenizer:
    """jieba precise-mode tokenizer with the domain dictionary, folding and stop words.

    Parameters
    ----------
    words : iterable of (word, freq or None, tag or None)
        User words added after the default dictionary, in order (the order matters for
        words without a frequency, as in jieba's ``load_userdict``).
    stopwords : iterable of str
        Tokens dropped from :meth:`tokens`.
    backend : {"auto", "rjieba", "jieba"}
        ``auto`` takes rjieba where installed, else jieba.
    cache_dir : pathlib.Path, optional
        Where jieba keeps its dictionary cache (so a second start is fast). Only used by the
        jieba backend.

    Notes
    -----
    Thread-safe: the dictionary is built once under a lock; cutting is read-only.
    """

    def __init__(
        self,
        words: Iterable[tuple[str, int | None, str | None]] = (),
        stopwords: Iterable[str] = (),
        *,
        backend: str = "auto",
        cache_dir: Path | None = None,
    ) -> None:
        self.words = tuple(words)
        self.stopwords = frozenset(fold(w) for w in stopwords)
        self.backend = backend
        self.cache_dir = cache_dir
        self._impl: Any = None
        self._lock = threading.Lock()
        self.backend_: str | None = None

    def _load(self) -> Any:
        if self._impl is not None:
            return self._impl
        with self._lock:
            if self._impl is not None:
                return self._impl
            impl: Any
            name = self.backend
            if name in ("auto", "rjieba"):
                try:
                    import rjieba

                    impl = rjieba.Jieba()
                    name = "rjieba"
                except ImportError:
                    if self.backend == "rjieba":
                        raise
                    name = "jieba"
            if name == "jieba":
                logging.getLogger("jieba").setLevel(logging.WARNING)
                import jieba

                jieba.setLogLevel(logging.WARNING)
                impl = jieba.Tokenizer()
                if self.cache_dir is not None:
                    self.cache_dir.mkdir(parents=True, exist_ok=True)
                    impl.tmp_dir = str(self.cache_dir)
                impl.initialize()
            elif name != "rjieba":
                raise UsageError(f"未知的分词后端 {self.backend!r}（可选 auto、rjieba、jieba）")
            for word, freq, tag in self.words:
                impl.add_word(word, freq, tag)
            self.backend_ = name
            self._impl = impl
            log.debug("tokenizer ready: backend=%s, %d user words", name, len(self.words))
        return self._impl

    def cut(self, text: str, *, folded: bool = False) -> list[str]:
        """Cut folded ``text`` in jieba's precise mode (HMM on); whitespace tokens dropped.

        Parameters
        ----------
        text : str
            Raw text; it is folded first (:func:`classifier.nlp.normalize.fold`).
        folded : bool
            ``text`` is already the output of ``fold`` (skip folding it again).

        Returns
        -------
        list of str
            Every non-whitespace token, in order; ``"".join`` gives the folded text without
            whitespace.
        """
        impl = self._load()
        out: list[str] = []
        rust = self.backend_ == "rjieba"
        for chunk in _ASCII_PUNCT.split(text if folded else fold(text)):
            if not chunk.strip():
                continue
            if len(chunk) == 1 and _ASCII_PUNCT.match(chunk):
                out.append(chunk)
                continue
            toks = impl.cut(chunk, True) if rust else impl.lcut(chunk, HMM=True)
            out.extend(t for t in toks if t.strip())
        return out

    def tokens(self, text: str, *, folded: bool = False) -> list[str]:
        """The token list exactly as the classifier sees it.

        Cut, then: punctuation and symbols dropped, stop words dropped, every number folded
        to ``"<num>"``.

        Parameters
        ----------
        text : str
        folded : bool
            ``text`` is already folded (see :meth:`cut`).

        Returns
        -------
        list of str
        """
        out: list[str] = []
        for t in self.cut(text, folded=folded):
            if _NUM.match(t):
                out.append(NUM_TOKEN)
            elif t in self.stopwords or not _WORDISH.search(t):
                continue
            else:
                out.append(t)
        return out


def build_words(
    userdict_path: Path | None,
    extra_terms: Iterable[str] = (),
    extra_userdicts: Iterable[Path] = (),
    extra_words: Iterable[tuple[str, int | None, str | None]] = (),
) -> list[tuple[str, int | None, str | None]]:
    """Assemble the user words: the domain list, catalogue terms, then an office's own lists.

    Parameters
    ----------
    userdict_path : pathlib.Path or None
        ``corpus/userdict.txt``.
    extra_terms : iterable of str
        Catalogue cue terms; only multi-character terms are added (single characters such as
        拟 would distort segmentation), without a frequency (jieba's ``suggest_freq`` rule).
    extra_userdicts : iterable of pathlib.Path
        ``--userdict`` files.
    extra_words : iterable of (word, freq or None, tag or None)
        Words already read (those a model was trained with, from its metadata).

    Raises
    ------
    UsageError
        If a word list cannot be read.
    """
    words: list[tuple[str, int | None, str | None]] = []
    seen: set[str] = set()
    if userdict_path is not None and userdict_path.exists():
        for w in _read_word_list(userdict_path):
            if w[0] not in seen:
                seen.add(w[0])
                words.append(w)
    for term in sorted(set(extra_terms)):
        t = fold(term)
        if len(t) >= 2 and t not in seen and not t.isascii():
            seen.add(t)
            words.append((t, None, None))
    listed = [w for p in extra_userdicts for w in _read_word_list(Path(p))]
    for word, freq, tag in [*extra_words, *listed]:
        if word not in seen:
            seen.add(word)
            words.append((word, freq, tag))
    return words


def read_stopwords(path: Path | None) -> list[str]:
    """Read ``corpus/stopwords.txt`` (one per line, ``#`` comments); empty if missing."""
    if path is None or not path.exists():
        return []
    return [ln.split("#", 1)[0].strip() for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.split("#", 1)[0].strip()]


_shared: dict[tuple[Any, ...], Tokenizer] = {}
_shared_lock = threading.Lock()


def get_tokenizer(
    userdict_path: Path | None,
    stopwords_path: Path | None,
    extra_terms: Iterable[str] = (),
    extra_userdicts: Iterable[Path] = (),
    *,
    backend: str = "auto",
    cache_dir: Path | None = None,
    extra_words: Iterable[tuple[str, int | None, str | None]] = (),
) -> Tokenizer:
    """Return the process-wide tokenizer for this configuration (built once, then reused).

    Raises
    ------
    UsageError
        If a word list cannot be read.
    """
    terms = tuple(sorted(set(extra_terms)))
    extras = tuple(str(Path(p).resolve()) for p in extra_userdicts)
    words = tuple((str(w), f, t) for w, f, t in extra_words)
    key = (str(userdict_path), str(stopwords_path), terms, extras, words, backend, str(cache_dir))
    with _shared_lock:
        tk = _shared.get(key)
        if tk is None:
            tk = Tokenizer(build_words(userdict_path, terms, [Path(p) for p in extras], words),
                           read_stopwords(stopwords_path), backend=backend, cache_dir=cache_dir)
            _shared[key] = tk
    return tk
