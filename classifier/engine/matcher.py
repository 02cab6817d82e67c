"""Catalogue matching: which clauses' cue terms a draft's sentences carry, and where.

Each clause's cues (and the words of its own text) are looked up in every folded sentence.
A cue listed by fewer clauses weighs more (an inverse clause frequency, like IDF); qualifiers
(酝酿, 拟, 未公布 …) in a sentence that carries a cue strengthen it; counter-cues (公示, 已公布,
新闻 …) weaken it. The result is explainable by construction: every point comes from a term
in a sentence, and the sentences are the evidence.

Source: section 四 of the office regulation (the clauses), corpus/catalogue.toml (the cues),
section 五(二) ("对号入座": match the matter to the catalogue).
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field

from classifier.catalogue import Catalogue
from classifier.engine.sentences import Sentence
from classifier.nlp.normalize import fold

#: Joins the folded sentences of a document for one scan; no term may hold it.
_SEP = "\x00"
#: A trie of terms: character -> subtrie; the key ``""`` marks the end of a term.
_Trie = dict[str, "_Trie"]


@dataclass(frozen=True)
class ClauseMatch:
    """How strongly one clause matches a document.

    Attributes
    ----------
    clause : str
        Clause id.
    score : float
        Non-negative match score (sum over sentences; unbounded, ~0–30 in practice).
    evidence : tuple of (Sentence, float)
        Up to 3 best sentences with their own scores, best first.
    cues : tuple of str
        Distinct cue terms found.
    qualifiers, counter_cues : int
        Number of sentences carrying a qualifier / counter-cue next to a cue.
    """

    clause: str
    score: float
    evidence: tuple[tuple[Sentence, float], ...] = ()
    cues: tuple[str, ...] = ()
    qualifiers: int = 0
    counter_cues: int = 0


@dataclass
class Matcher:
    """Cue matcher for one catalogue.

    Parameters
    ----------
    catalogue : Catalogue
        The scope catalogue whose clauses are matched.

    Attributes
    ----------
    weights_ : dict
        ``clause id -> {folded cue: weight}`` where ``weight = 1 / n_clauses_listing_cue``.
    """

    catalogue: Catalogue
    weights_: dict[str, dict[str, float]] = field(default_factory=dict)
    qualifiers_: dict[str, tuple[str, ...]] = field(default_factory=dict)
    counters_: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Every term (cue, qualifier, counter-cue) as one trie-shaped regex that matches the
    # longest term starting at a position, and each term -> all terms inside it (itself too).
    _terms_rx: re.Pattern[str] | None = field(default=None, init=False, repr=False)
    _within: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        lists = {c.id: {fold(t) for t in c.cues if fold(t)} for c in self.catalogue.clauses}
        df: dict[str, int] = {}
        for terms in lists.values():
            for t in terms:
                df[t] = df.get(t, 0) + 1
        for cid, terms in lists.items():
            # Longer cues are more specific: weight by length too (2 chars: 1.0, 5+: 1.6).
            self.weights_[cid] = {
                t: (1.0 / df[t]) * (0.7 + 0.15 * min(len(t), 6)) for t in terms
            }
        for c in self.catalogue.clauses:
            self.qualifiers_[c.id] = tuple({fold(t) for t in c.qualifiers if fold(t)})
            self.counters_[c.id] = tuple({fold(t) for t in c.counter_cues if fold(t)})
        terms = {t for d in (self.weights_, self.qualifiers_, self.counters_)
                 for ts in d.values() for t in ts}
        if terms and not any(_SEP in t for t in terms):
            self._terms_rx = re.compile(_trie_pattern(terms))
            self._within = {t: tuple(u for u in terms if u in t) for t in terms}

    def _terms_in(self, folded: list[str]) -> list[frozenset[str]]:
        """The terms (cues, qualifiers, counter-cues) inside each folded sentence.

        One regex scan of the joined sentences instead of a substring test per term and
        sentence. At each position the scan finds the longest term starting there; every
        term found at that position is a prefix of it, so the terms inside a sentence are
        exactly the terms inside the longest terms found in it (``_within``). Terms never
        hold ``_SEP``, so no match spans two sentences.
        """
        rx = self._terms_rx
        if rx is None:  # no terms, or a term holding the separator: test each one
            terms = {t for d in (self.weights_, self.qualifiers_, self.counters_)
                     for ts in d.values() for t in ts}
            return [frozenset(t for t in terms if t in f) for f in folded]
        starts: list[int] = []
        pos = 0
        for f in folded:
            starts.append(pos)
            pos += len(f) + 1
        doc = _SEP.join(folded)
        found: list[set[str]] = [set() for _ in folded]
        within, search = self._within, rx.search
        pos = 0
        while (m := search(doc, pos)) is not None:
            i = m.start()
            found[bisect_right(starts, i) - 1].update(within[m.group()])
            pos = i + 1
        return [frozenset(s) for s in found]

    def match(self, sentences: list[Sentence], folded: list[str] | None = None) -> list[ClauseMatch]:
        """Score every clause against the sentences of one document.

        Parameters
        ----------
        sentences : list of Sentence
            From :func:`classifier.engine.sentences.split_sentences`.
        folded : list of str, optional
            ``fold(s.text)`` for each sentence, if already computed.

        Returns
        -------
        list of ClauseMatch
            One per clause with cues, in catalogue order.
        """
        if folded is None:
            folded = [fold(s.text) for s in sentences]
        if len(folded) != len(sentences):
            raise ValueError("folded must hold one string per sentence")
        inside = self._terms_in(folded)
        # Sentences with at least one term, in text order (the others score nothing).
        with_terms = [(s, t) for s, t in zip(sentences, inside, strict=True) if t]
        out: list[ClauseMatch] = []
        for cid, weights in self.weights_.items():
            if not weights:
                continue
            cues = weights.keys()
            quals, counters = self.qualifiers_[cid], self.counters_[cid]
            total = 0.0
            scored: list[tuple[Sentence, float]] = []
            found: set[str] = set()
            n_qual = n_counter = 0
            for s, terms in with_terms:
                if terms.isdisjoint(cues):
                    continue
                # Exactly [t for t in weights if t in fold(s.text)], in that order.
                hits = [t for t in weights if t in terms]
                # Drop a hit contained in a longer hit (人事安排 inside 人事安排方案).
                hits = [t for t in hits if not any(t != u and t in u for u in hits)]
                sc = sum(weights[t] for t in hits)
                if len(hits) > 1:
                    sc *= 1.0 + 0.25 * (len(hits) - 1)
                if not terms.isdisjoint(quals):
                    sc *= 1.5
                    n_qual += 1
                if not terms.isdisjoint(counters):
                    sc *= 0.5
                    n_counter += 1
                found.update(hits)
                scored.append((s, sc))
                total += sc
            scored.sort(key=lambda x: -x[1])
            out.append(ClauseMatch(
                clause=cid,
                score=math.log1p(total),
                evidence=tuple(scored[:3]),
                cues=tuple(sorted(found)),
                qualifiers=n_qual,
                counter_cues=n_counter,
            ))
        return out


def _trie_pattern(terms: set[str]) -> str:
    """A regex matching the longest of ``terms`` that starts at a position.

    The terms are laid out as a trie (``人事(?:安排(?:方案)?)?``): optional tails are greedy,
    so the longest term wins, and the first characters form one alternation, which the regex
    engine skips through with a character set instead of trying each term.
    """
    trie: _Trie = {}
    for t in terms:
        node = trie
        for ch in t:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        alts = [re.escape(ch) + build(node[ch]) for ch in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)
