"""One pass over a document's text shared by training and serving: passages, tokens, cues.

Training and serving must see exactly the same features, so both call :func:`analyse`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from classifier.engine.marking import Marking, find_marking, mask_marking
from classifier.engine.matcher import ClauseMatch, Matcher
from classifier.engine.passages import Passage, split_passages
from classifier.engine.signals import Signal, find_publication_signals
from classifier.nlp.normalize import fold
from classifier.nlp.segment import Tokenizer

#: Dense features appended to the tf-idf columns: one match score per clause id, then these.
EXTRA_DENSE = ("qualifiers", "counter_cues")


@dataclass(frozen=True)
class Analysis:
    """What the engine reads from one text.

    Attributes
    ----------
    passages : list of Passage
        Passages of the text (:func:`classifier.engine.passages.split_passages`) with the
        printed marking blanked out.
    passage_tokens : list of list of str
        Tokens per passage (as the classifier sees them).
    matches : dict of str -> ClauseMatch
        Catalogue matching per clause id (its evidence are passages).
    marking : Marking or None
        The marking printed on the document.
    signals : list of Signal
        Publication signals found in the text (counter-evidence to a secret).
    """

    passages: list[Passage]
    passage_tokens: list[list[str]]
    matches: dict[str, ClauseMatch]
    marking: Marking | None
    signals: list[Signal]

    @property
    def sentences(self) -> list[Passage]:
        """The passages (the unit of evidence; the name of the first version)."""
        return self.passages

    @property
    def tokens(self) -> list[str]:
        """All tokens of the document, in order."""
        return [t for ts in self.passage_tokens for t in ts]

    def dense(self, names: list[str]) -> np.ndarray:
        """Dense features in ``names`` order, shape (len(names),); unknown names give 0.

        ``m:<clause>`` is the clause's match score; ``qualifiers`` / ``counter_cues`` are
        ``log1p`` of the sentences carrying them next to a cue (summed over clauses).
        """
        out = np.zeros(len(names))
        q = math.log1p(sum(m.qualifiers for m in self.matches.values()))
        c = math.log1p(sum(m.counter_cues for m in self.matches.values()))
        for i, n in enumerate(names):
            if n.startswith("m:"):
                m = self.matches.get(n[2:])
                out[i] = m.score if m else 0.0
            elif n == "qualifiers":
                out[i] = q
            elif n == "counter_cues":
                out[i] = c
        return out


def analyse(text: str, tokenizer: Tokenizer, matcher: Matcher | None) -> Analysis:
    """Split into passages, tokenise and match one extracted text.

    Parameters
    ----------
    text : str
        The extracted text (offsets of the result index it).
    tokenizer : Tokenizer
    matcher : Matcher or None
        None skips catalogue matching (``matches`` is empty): training without dense
        catalogue features needs only the tokens.

    Returns
    -------
    Analysis
    """
    marking = find_marking(text)
    masked = mask_marking(text, marking)
    passages = split_passages(masked)
    folded = [fold(p.text) for p in passages]  # once, for the tokenizer and the matcher
    toks = tokenizer.tokens_many(folded, folded=True)  # one backend cut for all passages
    matches: dict[str, ClauseMatch] = {}
    if matcher is not None:
        matches = {m.clause: m for m in matcher.match(list(passages), folded)}
    return Analysis(passages, toks, matches, marking, find_publication_signals(masked))
