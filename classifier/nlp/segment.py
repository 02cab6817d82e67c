"""The only module that imports jieba (or rjieba): segmentation with the domain dictionary.

Two backends cut identically (same algorithm, same dictionary, same user words):

- ``rjieba`` (jieba-rs): the default where installed; starts in ~0.17 s and cuts ~20× faster.
- ``jieba`` 0.42 (the reference): used where rjieba is missing, or on request.

``tests/test_segment.py`` proves identical tokens over all of ``corpus/`` with the same user
dictionary before rjieba may be the default. Word lists are read exactly as jieba's
``load_userdict`` reads them; words with spaces or symbols (``WPS Office``, ``秘密★10年``) are
kept whole by :class:`Tokenizer` itself, identically for both backends.

Source: issue 2 (§4), issue 8 (item 4: word lists); house style §4.11 (own tokenizer instance, tamed once, no global state
touched, logging quiet).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from classifier.errors import UsageError, WordListError
from classifier.nlp.normalize import fold

log = logging.getLogger(__name__)

#: Tokens the classifier sees for numbers (all digit runs fold to this one token).
NUM_TOKEN = "<num>"
_NUM = re.compile(r"^[0-9]+([.,][0-9]+)*%?$")
_WORDISH = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")
# ASCII punctuation is cut out before either backend sees the text: jieba and jieba-rs group
# runs such as "regulation-2023.txt" or "4.5" differently, and they carry no signal here.
_ASCII_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")
#: :meth:`Tokenizer.tokens_many` joins texts with ``_SEP`` and writes ``_BREAK`` for each ASCII
#: punctuation mark: control characters that are neither whitespace nor in jieba's or jieba-rs's
#: word blocks (``re_han``), so both backends yield each one as a token of its own and no word,
#: HMM run or user word spans one. A cut of the joined text is the cuts of the parts.
_SEP, _BREAK = "\x00", "\x01"
_PUNCT_TO_BREAK = str.maketrans({chr(c): _BREAK for c in range(0x21, 0x7F)
                                 if _ASCII_PUNCT.fullmatch(chr(c))})
#: Bound of :attr:`Tokenizer._kept` (distinct tokens remembered); past it the memo starts over.
_KEPT_MAX = 200_000


#: jieba 0.42's user-dictionary line pattern (``jieba.re_userdict``), copied so that a word list
#: is read exactly as ``Tokenizer.load_userdict`` reads it: the word is everything before an
#: optional `` <digits>`` frequency and an optional `` <a-z letters>`` tag, each after exactly
#: one space. A word may hold spaces and symbols (``WPS Office 1000 nz``, ``秘密★10年``).
_USERDICT_LINE = re.compile("^(.+?)( [0-9]+)?( [a-z]+)?$", re.U)
#: Largest accepted frequency. jieba (Python ints, float logs) takes any; jieba-rs keeps
#: frequencies and their total in 64-bit integers and rejects 2**64 and above, and from 2**53
#: up float logarithms stop being exact, so the two backends could cut differently.
MAX_WORD_FREQ = 2**53 - 1
#: A folded word either backend can cut as one token: ideographs of jieba's own range, Latin
#: letters and digits. Anything else (a space, ★, ·, ASCII punctuation, rarer ideographs) is
#: split off by jieba's block regex, by jieba-rs's, or by :data:`_ASCII_PUNCT` before either
#: backend sees the text, so such words are matched by :class:`Tokenizer` itself.
_BACKEND_WORD = re.compile(r"[\u4e00-\u9fd5a-z0-9]+")


def _read_word_list(path: Path) -> list[tuple[str, int | None, str | None]]:
    """Read a jieba user dictionary exactly as jieba 0.42's ``load_userdict`` does.

    One entry per line: ``word [freq] [tag]``, where the frequency is ASCII digits and the tag
    ASCII lower-case letters, each after exactly one space, and the word is the rest, spaces
    and symbols included (``WPS Office 1000 nz`` is the word ``WPS Office``, frequency 1000,
    tag ``nz``). Lines are split on ``\\n`` and stripped of ASCII whitespace; blank lines are
    skipped; a UTF-8 byte-order mark is ignored. The word is then folded as text is
    (:func:`classifier.nlp.normalize.fold`), so that it matches folded text.

    One addition to jieba: a line whose first character is ``#`` is a comment (jieba would add
    it as a word). A ``#`` later in a line belongs to the word (``C# 100 nz``), as in jieba.

    Parameters
    ----------
    path : pathlib.Path
        The word list, UTF-8.

    Returns
    -------
    list of (word, freq or None, tag or None)

    Raises
    ------
    WordListError
        If the file cannot be read, a line is not valid UTF-8 (jieba refuses the whole file),
        or a frequency exceeds :data:`MAX_WORD_FREQ` (jieba-rs refuses it); the message names
        the line.
    """
    out: list[tuple[str, int | None, str | None]] = []
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise WordListError(f"无法读取词表 {path}：{e.strerror or e}", path=path) from e
    for n, bline in enumerate(raw.split(b"\n"), 1):
        bline = bline.strip()
        try:
            line = bline.decode("utf-8").lstrip("\ufeff")
        except UnicodeDecodeError as e:
            raise WordListError(f"词表 {path.name} 第{n}行不是有效的 UTF-8 编码"
                                f"（第{e.start + 1}个字节），请将词表另存为 UTF-8", path=path) from e
        if not line or line.startswith("#"):
            continue
        m = _USERDICT_LINE.match(line)
        if m is None:  # pragma: no cover - ".+?" matches any non-empty line without "\n"
            raise WordListError(f"词表 {path.name} 第{n}行无法识别：{line!r}", path=path)
        word, freq_s, tag_s = m.groups()
        freq = int(freq_s) if freq_s is not None else None
        if freq is not None and freq > MAX_WORD_FREQ:
            raise WordListError(f"词表 {path.name} 第{n}行：词频 {freq} 过大"
                                f"（不得超过 {MAX_WORD_FREQ}）", path=path)
        out.append((fold(word), freq, tag_s.strip() if tag_s is not None else None))
    return out


def _whole_word_pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    """A regex finding ``words`` in folded text, longest first, leftmost first.

    A run of whitespace inside a word matches any run of whitespace in the text; a word that
    starts (ends) with a Latin letter or digit does not match inside a longer Latin word.
    """
    alts = []
    for w in sorted(set(words), key=lambda w: (-len(w), w)):
        body = r"\s+".join(re.escape(p) for p in w.split())
        if not body:
            continue
        head = r"(?<![a-z0-9])" if w[0].isascii() and w[0].isalnum() else ""
        tail = r"(?![a-z0-9])" if w[-1].isascii() and w[-1].isalnum() else ""
        alts.append(f"{head}{body}{tail}")
    return re.compile("|".join(alts)) if alts else None


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
        # Words the backends cannot cut whole (spaces, symbols) are matched here, before them;
        # a frequency of 0 means "never one token" in jieba, so those are left to the backends.
        self._whole = _whole_word_pattern(
            w for w, f, _ in self.words if f != 0 and not _BACKEND_WORD.fullmatch(w))
        self.backend = backend
        self.cache_dir = cache_dir
        self._impl: Any = None
        # Token -> what tokens() keeps of it (None: dropped); a memo of _keep() (same result).
        self._kept: dict[str, str | None] = {}
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
                if not _BACKEND_WORD.fullmatch(word):
                    continue
                # Re-adding a known word: jieba-rs replaces its frequency in the total, jieba
                # 0.42 adds the new one on top; the total weighs every route, so jieba is
                # brought to jieba-rs's rule (a catalogue term such as 不足 is in both
                # dictionaries already and cut 滨江步道 differently before).
                old = impl.FREQ.get(word, 0) if name == "jieba" else 0
                impl.add_word(word, freq, tag)
                if old:
                    impl.total -= old
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
            whitespace, except that a user word holding spaces (``wps office``) is one token
            with its whitespace runs written as one space.

        Notes
        -----
        User words that neither backend can cut whole, because jieba's and jieba-rs's block
        regexes split text at spaces and at symbols such as ★ and · (jieba ``Tokenizer.cut``,
        ``re_han_default``), are found first, longest and leftmost first, and kept as one
        token; the text between them is cut by the backend. So both backends give the same
        tokens for them, and without such words the cut is exactly the backend's.
        """
        impl = self._load()
        s = text if folded else fold(text)
        if self._whole is None:
            return self._cut_plain(impl, s)
        out: list[str] = []
        pos = 0
        for m in self._whole.finditer(s):
            out += self._cut_plain(impl, s[pos:m.start()])
            out.append(" ".join(m.group().split()))
            pos = m.end()
        out += self._cut_plain(impl, s[pos:])
        return out

    def _cut_plain(self, impl: Any, s: str) -> list[str]:
        """Cut folded ``s`` with the backend, ASCII punctuation split off first."""
        out: list[str] = []
        rust = self.backend_ == "rjieba"
        for chunk in _ASCII_PUNCT.split(s):
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
        return self._filter(self.cut(text, folded=folded))

    def tokens_many(self, texts: Iterable[str], *, folded: bool = False) -> list[list[str]]:
        """:meth:`tokens` of each text, with one backend cut over all of them.

        Parameters
        ----------
        texts : iterable of str
        folded : bool
            The texts are already folded (see :meth:`cut`); otherwise each is folded on its
            own, as :meth:`tokens` would.

        Returns
        -------
        list of list of str
            ``[self.tokens(t, folded=folded) for t in texts]``, exactly.

        Notes
        -----
        Cutting a passage at a time cost a backend call per ASCII punctuation mark and per
        passage (~500 calls for a 5-page draft). Here the folded texts are joined with a
        separator and every ASCII punctuation mark becomes a break character (see ``_SEP``):
        both backends cut at them exactly as at the ends of separate texts, so one call cuts
        the document. Punctuation tokens are dropped by :meth:`tokens` anyway. If a text holds
        the separator itself, or the cut does not give back one separator per join, each text
        is cut on its own. ``tests/test_segment.py`` proves equality over all of ``corpus/``.
        """
        fs = list(texts) if folded else [fold(t) for t in texts]
        if len(fs) <= 1 or any(_SEP in f for f in fs):
            return [self.tokens(f, folded=True) for f in fs]
        impl = self._load()
        s = _SEP.join(fs)
        pieces: list[str] = []
        pos = 0
        if self._whole is not None:
            for m in self._whole.finditer(s):
                pieces += self._cut_joined(impl, s[pos:m.start()])
                pieces.append(" ".join(m.group().split()))
                pos = m.end()
        pieces += self._cut_joined(impl, s[pos:])
        if pieces.count(_SEP) != len(fs) - 1:  # pragma: no cover - both backends keep it whole
            log.debug("tokens_many: separator not kept, cutting %d texts one by one", len(fs))
            return [self.tokens(f, folded=True) for f in fs]
        out: list[list[str]] = []
        a = 0
        for _ in range(len(fs) - 1):
            b = pieces.index(_SEP, a)
            out.append(self._filter(pieces[a:b]))
            a = b + 1
        out.append(self._filter(pieces[a:]))
        return out

    def _cut_joined(self, impl: Any, s: str) -> list[str]:
        """Cut folded ``s`` (no user word of :attr:`_whole` in it) in one backend call, ASCII
        punctuation written as ``_BREAK``. Whitespace and ``_BREAK`` tokens are left in:
        :meth:`_filter` drops them, as :meth:`tokens` drops punctuation."""
        if not s:
            return []
        s = s.translate(_PUNCT_TO_BREAK)
        return list(impl.cut(s, True) if self.backend_ == "rjieba" else impl.lcut(s, HMM=True))

    def _filter(self, cut: list[str]) -> list[str]:
        """What :meth:`tokens` keeps of a cut: numbers as ``<num>``, no stop words or symbols."""
        kept = self._kept
        if len(kept) > _KEPT_MAX:
            kept.clear()
        out: list[str] = []
        for t in cut:
            try:
                k = kept[t]
            except KeyError:
                k = kept[t] = self._keep(t)
            if k is not None:
                out.append(k)
        return out

    def _keep(self, t: str) -> str | None:
        """The token :meth:`tokens` keeps for cut token ``t``, or None if it is dropped."""
        if _NUM.match(t):
            return NUM_TOKEN
        if t in self.stopwords or not _WORDISH.search(t):
            return None
        return t


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
    WordListError
        If a word list cannot be read or has a line jieba would refuse.
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
    WordListError
        If a word list cannot be read or has a line jieba would refuse.
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
