"""Derived classification (派生定密): find the registered secrets a draft reproduces or quotes.

A draft that is the same as, quotes, compiles or reproduces a registered secret is classified
consistently with its source, at the source's level and period, and the sources are recorded
with the decision; this is not limited by the office's own classification authority
(定密权限). Two measurements find the sources, both over the text with whitespace removed and
full-width ASCII folded (the same folding as the consistency alarm):

- **Near-duplicates** (the draft reproduces a record with edits): candidates from the MinHash
  LSH of :class:`classifier.oversight.consistency.SimilarityIndex`, then the exact Jaccard
  similarity of the character 5-shingle sets.
- **Quoted passages** (the draft quotes parts of a record among new text): every common
  substring of at least ``min_quote_chars`` characters, with its offsets in both texts for
  side-by-side highlighting. Candidates come from an inverted index of *winnowing*
  fingerprints (Schleimer, Wilkerson and Aiken 2003, the MOSS algorithm): with k-grams of
  ``k`` characters and windows of ``w = min_quote_chars − k + 1`` k-grams, any common
  substring of ``min_quote_chars`` characters shares at least one fingerprint, so no quotation
  of that length is missed and only records sharing one are compared. Passages are then the
  maximal runs of equal k-gram hashes on one diagonal, checked character by character.

A draft that merely treats the same topic shares short phrases (拟任, 后备干部, the names of
units) but no passage of 30 characters and a low Jaccard similarity: it is not linked. A
draft that *summarises* a secret in other words shares neither; that is left to the engine's
own suggestion and to the person deciding.

Source: issue 13 §6; 派生国家秘密定密管理暂行办法 (2023) and 国家秘密定密管理规定 (2025)
art. 2 and 11 (derived classification, not limited by authority); "an excerpt or quotation
of secret content carries the highest level and longest period it quotes" (law-notes,
compilations and excerpts).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from classifier.catalogue import Level, format_mark
from classifier.handling.records import SecretRecord
from classifier.oversight.consistency import (
    RegisteredDocument,
    SimilarityIndex,
    exact_jaccard,
    shingle_hashes,
)

#: Reason codes of a link (why a record is named as a source).
NEAR_DUPLICATE = "near_duplicate"
QUOTES = "quotes"
COMPILES = "compiles"
#: Reason code of a suggestion whose top sources carry different periods or conditions.
MIXED_PERIODS = "mixed_periods"

#: k-gram length of the fingerprints and passage hashes, characters (after folding).
_K = 10
#: Polynomial base of the k-gram hash (the 64-bit FNV prime).
_BASE = np.uint64(0x100000001B3)
#: A k-gram repeated more often than this in one source is layout (rows of 、、、, dashes),
#: not content: its positions are not paired.
_MAX_REPEATS = 8


# --- Folding and hashing ---------------------------------------------------------------------


def _fold(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Code points of ``text`` without whitespace, full-width ASCII folded, and where each
    came from. Returns ``(cp, offsets)``, both of shape (n_chars,): cp uint64, offsets int64
    (index of the character in ``text``)."""
    offsets = np.fromiter((i for i, ch in enumerate(text) if not ch.isspace()), dtype=np.int64)
    kept = "".join(text[i] for i in offsets)
    cp = np.frombuffer(kept.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    wide = (cp >= 0xFF01) & (cp <= 0xFF5E)
    cp[wide] -= np.uint64(0xFEE0)
    return cp, offsets


def _kgram_hashes(cp: np.ndarray, k: int) -> np.ndarray:
    """Hash of the k-gram starting at each position: shape (max(n − k + 1, 0),), uint64."""
    n = cp.size - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        h = h * _BASE + cp[j:j + n]
    # splitmix64 finaliser: neighbouring k-grams get unrelated hashes (winnowing needs it).
    h = h ^ (h >> np.uint64(30))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    h = h ^ (h >> np.uint64(27))
    h = h * np.uint64(0x94D049BB133111EB)
    return h ^ (h >> np.uint64(31))


def _winnow(hashes: np.ndarray, w: int) -> np.ndarray:
    """Winnowing fingerprints: the minimum hash of every window of ``w`` consecutive k-grams.

    Returns the distinct values, shape (n_fingerprints,), uint64. A text shorter than one
    window gives its single minimum (it cannot hold a full-length quotation anyway).
    """
    if hashes.size == 0:
        return hashes
    if hashes.size <= w:
        return hashes.min(keepdims=True)
    return np.unique(np.lib.stride_tricks.sliding_window_view(hashes, w).min(axis=1))


# --- Results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedPassage:
    """A passage the draft and a source have in common (equal after whitespace folding).

    Attributes
    ----------
    draft_start, draft_end : int
        Character offsets in the draft's text (``draft[draft_start:draft_end]``).
    source_start, source_end : int
        Character offsets in the source record's ``text``.
    n_chars : int
        Length of the common passage in characters, whitespace not counted.
    text : str
        ``draft[draft_start:draft_end]``, for display.
    common : bool
        True when every fingerprint of the passage is found in more than ``common_df``
        registered records: office boilerplate (保密纪律 reminders, distribution lines), shown
        but never a reason to link on its own.
    """

    draft_start: int
    draft_end: int
    source_start: int
    source_end: int
    n_chars: int
    text: str
    common: bool = False


@dataclass(frozen=True)
class SourceMatch:
    """A registered secret that a draft reproduces, quotes or compiles.

    Attributes
    ----------
    record : SecretRecord
    passages : tuple of SharedPassage
        Non-overlapping in the draft, in the draft's order.
    jaccard : float
        Exact Jaccard similarity of the two sets of character 5-shingles, in [0, 1].
    containment : float
        Share of the source's 5-shingles found in the draft, in [0, 1] (1.0: the draft holds
        all of the source).
    quoted_chars : int
        Characters of the draft inside non-common passages (whitespace not counted).
    reasons : tuple of str
        Why it is linked: :data:`NEAR_DUPLICATE`, :data:`QUOTES`, :data:`COMPILES`.
    """

    record: SecretRecord
    passages: tuple[SharedPassage, ...]
    jaccard: float
    containment: float
    quoted_chars: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class DerivedSuggestion:
    """The derived classification of a draft: its sources and the level and period they give.

    Attributes
    ----------
    sources : tuple of SourceMatch
        Highest level first, then most quoted, then most similar.
    level : Level
        The highest level of the sources.
    period_years : int or None
        Proposed period in years; None when ``condition`` applies.
    condition : str or None
        Proposed declassification condition (when every top-level source carries the same one).
    clause : str or None
        The clause of the first top-level source (the derived decision's basis is the source
        record itself; the clause is shown beside it).
    needs_review : bool
        True when the proposal could not be read off the sources unambiguously.
    reasons : tuple of str
        :data:`MIXED_PERIODS` when the top-level sources carry different periods or
        conditions; the longest period of the level is then proposed.

    Notes
    -----
    The level is **not** capped by the office's 定密权限: a derived 绝密 stays 绝密 (2025 rules
    art. 11). A workflow that checks authority must skip that check for a derived decision.
    """

    sources: tuple[SourceMatch, ...]
    level: Level
    period_years: int | None
    condition: str | None
    clause: str | None
    needs_review: bool = False
    reasons: tuple[str, ...] = ()

    @property
    def source_ids(self) -> tuple[str, ...]:
        """The record ids to store with the decision, in ``sources`` order."""
        return tuple(s.record.record_id for s in self.sources)

    @property
    def mark(self) -> str:
        """The proposed marking, e.g. ``"机密★20年"``."""
        return format_mark(self.level, self.period_years, self.condition)

    def message(self) -> str:
        """The line shown with the suggestion, e.g. ``"本件引用《…》（机密★20年），应派生定为机密★20年"``."""
        names = "、".join(f"《{s.record.title or s.record.record_id}》（{s.record.mark}）"
                         for s in self.sources)
        return f"本件引用或复制{names}，应派生定为{self.mark}，并记录来源"


# --- The index -------------------------------------------------------------------------------


class DerivedIndex:
    """The register's secrets, indexed to find the sources of a new draft.

    Parameters
    ----------
    min_quote_chars : int
        Shortest common passage that counts as a quotation, characters without whitespace
        (default 30: about one sentence of an official document; a shared phrase such as
        ``市管后备干部名单`` or a unit's name is far shorter).
    near_duplicate : float
        Jaccard similarity of 5-shingle sets, in (0, 1], from which a draft reproduces a record
        (default 0.5: half of the union of shingles shared, a reworked copy; the consistency
        alarm uses 0.8 for "the same document").
    min_containment : float
        Share of a record's 5-shingles found in the draft, in (0, 1], from which the draft
        compiles the record (default 0.5).
    common_df : int or None
        A fingerprint found in more than this many registered records is boilerplate; a
        passage made only of boilerplate does not link (default 50; None: never).
    num_perm, seed
        See :class:`classifier.oversight.consistency.SimilarityIndex`.

    Raises
    ------
    ValueError
        If a parameter is out of range.

    Notes
    -----
    Memory: a 128-permutation signature (512 B) and about one fingerprint per 11 characters
    per record. :meth:`add` and :meth:`remove` keep the index current as records are
    registered, declassified or destroyed; the index holds the texts it compares.
    """

    def __init__(self, *, min_quote_chars: int = 30, near_duplicate: float = 0.5,
                 min_containment: float = 0.5, common_df: int | None = 50,
                 num_perm: int = 128, seed: int = 1) -> None:
        if min_quote_chars < 2:
            raise ValueError(f"min_quote_chars must be ≥ 2, not {min_quote_chars}")
        for name, v in (("near_duplicate", near_duplicate), ("min_containment", min_containment)):
            if not 0.0 < v <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], not {v}")
        if common_df is not None and common_df < 1:
            raise ValueError(f"common_df must be ≥ 1 or None, not {common_df}")
        self.min_quote_chars, self.near_duplicate = min_quote_chars, near_duplicate
        self.min_containment, self.common_df = min_containment, common_df
        self._k = min(_K, min_quote_chars)
        self._w = min_quote_chars - self._k + 1
        self._similar = SimilarityIndex(threshold=near_duplicate, num_perm=num_perm, seed=seed)
        self._records: dict[str, SecretRecord] = {}
        self._fingerprints: dict[str, np.ndarray] = {}
        self._postings: dict[int, set[str]] = {}

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._records

    def add(self, record: SecretRecord) -> None:
        """Index ``record`` (replacing a record of the same id)."""
        if record.record_id in self._records:
            self.remove(record.record_id)
        rid = record.record_id
        self._records[rid] = record
        self._similar.add(RegisteredDocument(rid, record.text, record.level, record.clause,
                                             record.title))
        fps = _winnow(_kgram_hashes(_fold(record.text)[0], self._k), self._w)
        self._fingerprints[rid] = fps
        for f in fps.tolist():
            self._postings.setdefault(f, set()).add(rid)

    def remove(self, record_id: str) -> None:
        """Drop a record (declassified, destroyed).

        Raises
        ------
        KeyError
            If ``record_id`` is not indexed.
        """
        del self._records[record_id]
        self._similar.remove(record_id)
        for f in self._fingerprints.pop(record_id).tolist():
            ids = self._postings[f]
            ids.discard(record_id)
            if not ids:
                del self._postings[f]

    def _is_common(self, fingerprint: int) -> bool:
        """True for a boilerplate fingerprint (in more than ``common_df`` records)."""
        return self.common_df is not None and len(self._postings.get(fingerprint, ())) > self.common_df

    def _candidates(self, draft: str, fps: np.ndarray, exclude: frozenset[str]) -> list[str]:
        """Records sharing a non-common fingerprint with the draft, or near-identical to it."""
        found: dict[str, None] = {}
        for f in fps.tolist():
            if not self._is_common(f):
                for rid in self._postings.get(f, ()):
                    found[rid] = None
        for hit in self._similar.similar_to(draft, limit=len(self._records) or 1,
                                            min_similarity=self.near_duplicate):
            found[hit.doc_id] = None
        return sorted(r for r in found if r not in exclude)

    def find_sources(self, draft: str, *, exclude: Iterable[str] = ()) -> list[SourceMatch]:
        """The registered secrets that ``draft`` reproduces, quotes or compiles.

        Parameters
        ----------
        draft : str
            The draft's extracted text; passage offsets index this string.
        exclude : iterable of str
            Record ids to leave out (the draft itself, when it is already registered).

        Returns
        -------
        list of SourceMatch
            Highest level first, then most quoted characters, then most similar; empty
            when nothing is linked.
        """
        cp, offsets = _fold(draft)
        hashes = _kgram_hashes(cp, self._k)
        fps = _winnow(hashes, self._w)
        draft_shingles = shingle_hashes(draft)
        out = []
        for rid in self._candidates(draft, fps, frozenset(exclude)):
            rec = self._records[rid]
            passages = self._passages(draft, cp, offsets, hashes, rec)
            src_shingles = shingle_hashes(rec.text)
            jac = exact_jaccard(draft_shingles, src_shingles)
            inter = np.intersect1d(draft_shingles, src_shingles, assume_unique=True).size
            cont = inter / src_shingles.size if src_shingles.size else 0.0
            quoted = sum(p.n_chars for p in passages if not p.common)
            reasons = tuple(code for code, hit in (
                (NEAR_DUPLICATE, jac >= self.near_duplicate),
                (QUOTES, quoted >= self.min_quote_chars),
                (COMPILES, cont >= self.min_containment)) if hit)
            if reasons:
                out.append(SourceMatch(rec, passages, jac, cont, quoted, reasons))
        out.sort(key=lambda m: (-int(m.record.level), -m.quoted_chars, -m.jaccard,
                                m.record.record_id))
        return out

    def _passages(self, draft: str, cp: np.ndarray, offsets: np.ndarray, hashes: np.ndarray,
                  rec: SecretRecord) -> tuple[SharedPassage, ...]:
        """Maximal common passages of ≥ ``min_quote_chars`` characters, non-overlapping in
        the draft, in the draft's order."""
        scp, soff = _fold(rec.text)
        shashes = _kgram_hashes(scp, self._k)
        shared = np.intersect1d(hashes, shashes)
        if shared.size == 0:
            return ()
        where: dict[int, list[int]] = {}
        for j in np.flatnonzero(np.isin(shashes, shared)).tolist():
            where.setdefault(int(shashes[j]), []).append(j)
        pi: list[int] = []
        pj: list[int] = []
        for i in np.flatnonzero(np.isin(hashes, shared)).tolist():
            js = where[int(hashes[i])]
            if len(js) <= _MAX_REPEATS:
                pi.extend([i] * len(js))
                pj.extend(js)
        if not pi:
            return ()
        ii, jj = np.asarray(pi, dtype=np.int64), np.asarray(pj, dtype=np.int64)
        diag = jj - ii
        order = np.lexsort((ii, diag))
        ii, diag = ii[order], diag[order]
        # A run: consecutive draft positions on one diagonal (draft i ↔ source i + diag).
        brk = np.flatnonzero((np.diff(diag) != 0) | (np.diff(ii) != 1)) + 1
        starts = np.concatenate(([0], brk))
        ends = np.concatenate((brk, [ii.size]))
        runs = []
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            i0, d = int(ii[s]), int(diag[s])
            n = int(ii[e - 1]) - i0 + self._k
            if n >= self.min_quote_chars and np.array_equal(cp[i0:i0 + n], scp[i0 + d:i0 + d + n]):
                runs.append((n, i0, i0 + d))
        runs.sort(key=lambda r: (-r[0], r[1], r[2]))
        taken: list[tuple[int, int]] = []
        chosen = []
        for n, i0, j0 in runs:
            if all(i0 + n <= a or b <= i0 for a, b in taken):
                taken.append((i0, i0 + n))
                chosen.append((i0, j0, n))
        out = []
        for i0, j0, n in sorted(chosen):
            ds, de = int(offsets[i0]), int(offsets[i0 + n - 1]) + 1
            fps = _winnow(_kgram_hashes(cp[i0:i0 + n], self._k), self._w).tolist()
            common = bool(fps) and all(self._is_common(f) for f in fps)
            out.append(SharedPassage(ds, de, int(soff[j0]), int(soff[j0 + n - 1]) + 1, n,
                                     draft[ds:de], common))
        return tuple(out)

    def suggest(self, draft: str, *, exclude: Iterable[str] = ()) -> DerivedSuggestion | None:
        """The derived classification of ``draft``, or None when it derives from no record.

        Parameters
        ----------
        draft : str
        exclude : iterable of str
            See :meth:`find_sources`.

        Returns
        -------
        DerivedSuggestion or None
            Level: the highest of the sources. Period: of the sources at that level, the
            longest number of years; their common condition when all carry the same one;
            otherwise (conditions mixed with years or with other conditions) the longest period
            of the level by law, with ``needs_review`` and :data:`MIXED_PERIODS`.

        Notes
        -----
        Source: "an excerpt or quotation of secret content carries the highest level and
        longest period it quotes" (law-notes, compilations and excerpts); a carrier with no
        period marked has the longest of its level (the Law). Whether a condition ends before
        or after a number of years cannot be known, hence the longest period and a person.
        """
        sources = self.find_sources(draft, exclude=exclude)
        return derive_from(sources)


def derive_from(sources: Iterable[SourceMatch]) -> DerivedSuggestion | None:
    """The suggestion :meth:`DerivedIndex.suggest` makes from already found ``sources``.

    Parameters
    ----------
    sources : iterable of SourceMatch

    Returns
    -------
    DerivedSuggestion or None
        None when ``sources`` is empty. See :meth:`DerivedIndex.suggest` for the rule.
    """
    srcs = sorted(sources, key=lambda m: (-int(m.record.level), -m.quoted_chars, -m.jaccard,
                                          m.record.record_id))
    if not srcs:
        return None
    level = srcs[0].record.level
    top = [m.record for m in srcs if m.record.level == level]
    years = {r.effective_years for r in top}
    conditions = {r.condition for r in top if r.effective_years is None}
    if None not in years:
        return DerivedSuggestion(tuple(srcs), level, max(y for y in years if y is not None),
                                 None, top[0].clause)
    if years == {None} and len(conditions) == 1:
        return DerivedSuggestion(tuple(srcs), level, None, conditions.pop(), top[0].clause)
    return DerivedSuggestion(tuple(srcs), level, level.max_period_years, None, top[0].clause,
                             needs_review=True, reasons=(MIXED_PERIODS,))


def suggest_derived(draft: str, records: Iterable[SecretRecord], **params: Any
                    ) -> DerivedSuggestion | None:
    """One-shot :meth:`DerivedIndex.suggest` over ``records`` (builds the index each call).

    Parameters
    ----------
    draft : str
    records : iterable of SecretRecord
    **params
        Keyword arguments of :class:`DerivedIndex`.

    Returns
    -------
    DerivedSuggestion or None
    """
    idx = DerivedIndex(**params)
    for r in records:
        idx.add(r)
    return idx.suggest(draft)
