"""The suggestion engine: catalogue matching + the text model + the review policy.

Source: issue 2 (§6); the office regulation, sections 四 (catalogue) and 五 (the drafter
proposes, a person decides: every output is a suggestion with its reasons).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from classifier.catalogue import Catalogue, Level, format_mark
from classifier.engine.analysis import Analysis, analyse
from classifier.engine.marking import Marking
from classifier.engine.matcher import Matcher
from classifier.engine.model import TextModel
from classifier.engine.sentences import Sentence
from classifier.nlp.segment import Tokenizer

#: Reason codes attached to a suggestion (stable; shown in the UI and JSON).
LOW_CONFIDENCE = "low_confidence"
CATCH_ALL = "catch_all_clause"
SIGNALS_DISAGREE = "signals_disagree"
SECRET_UNCERTAIN = "secret_uncertain"
MARKING_CONFLICT = "marking_conflict"
MODEL_MISSING_CLAUSE = "clause_unknown_to_model"
INSUFFICIENT_TEXT = "insufficient_text"
HIGHER_LEVEL_POSSIBLE = "higher_level_possible"

#: Default of :attr:`Classifier.secret_threshold` on the :func:`secret_score` scale, used when a
#: model carries none (trained without cross-validation); ``dingmi train`` picks its own.
DEFAULT_SECRET_THRESHOLD = 0.3

#: Fewer distinct known words than this and the model has nothing to judge by: its output is
#: its prior, which leans to the eleven secret classes. Such a draft is not suggested secret on
#: the model's word alone (a printed secret marking still is), and always goes to a person.
MIN_KNOWN_WORDS = 8

NON_SECRET = {"公开": Level.GONGKAI, "内部": Level.NEIBU}


def secret_score(p: np.ndarray, secret_idx: list[int], open_idx: list[int]) -> float:
    """How strongly class probabilities point to a state secret, in [0, 1].

    ``max(p[secret]) / (max(p[secret]) + max(p[open]))``: the likeliest secret clause against
    the likeliest non-secret level. Summing the secret classes instead would favour secret by
    the class count alone (eleven clauses against 公开 and 内部): a draft the model cannot place
    spreads its probability thinly over the clauses and would sum to "secret".

    Parameters
    ----------
    p : ndarray of shape (K,)
        Class probabilities.
    secret_idx, open_idx : list of int
        Columns of the state-secret clauses and of 公开/内部.

    Returns
    -------
    float
        0 when there is no secret class, 1 when there is no non-secret class.
    """
    ms = float(p[secret_idx].max()) if secret_idx else 0.0
    mo = float(p[open_idx].max()) if open_idx else 0.0
    return ms / (ms + mo) if ms + mo > 0 else 0.0


@dataclass(frozen=True)
class Evidence:
    """A sentence that triggered a candidate: ``text == doc_text[start:end]``."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Candidate:
    """One possible answer: a clause (or None for 公开/内部), its level and score in [0, 1]."""

    clause: str | None
    level: Level
    score: float
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    """The engine's answer for one document (never a decision).

    Attributes
    ----------
    level : Level
        Always one of the five levels; when undecidable, the most cautious plausible level.
    clause : str or None
        Classification basis (定密依据): a clause id for state secrets, None for 公开/内部.
    clause_title : str or None
    period_years : int or None
        Secrecy period in years, or None when a declassification condition applies.
    condition : str or None
        Declassification condition (解密条件).
    mark : str
        The marking this suggestion implies, e.g. ``"机密★20年"`` (``""`` for 公开/内部).
    confidence : float
        Probability in [0, 1] of the suggested answer (model probability of the class).
    needs_review : bool
        True when a person must look closely; ``reasons`` says why.
    reasons : tuple of str
        Reason codes (module constants).
    candidates : tuple of Candidate
        Up to 5, best first.
    marking : Marking or None
        The marking printed on the document.
    marking_conflict : bool
        True when the printed level differs from the suggested level (periods not compared).
    """

    level: Level
    clause: str | None
    clause_title: str | None
    period_years: int | None
    condition: str | None
    mark: str
    confidence: float
    needs_review: bool
    reasons: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    marking: Marking | None
    marking_conflict: bool
    model_version: str = ""
    catalogue_version: str = ""
    tokens: list[str] = field(default_factory=list, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of issue 2 (without ``file`` and ``error``)."""
        return {
            "level": self.level.label,
            "clause": self.clause,
            "clause_title": self.clause_title,
            "period": {"years": self.period_years, "condition": self.condition, "mark": self.mark},
            "confidence": round(self.confidence, 4),
            "needs_review": self.needs_review,
            "reasons": list(self.reasons),
            "candidates": [
                {"clause": c.clause, "level": c.level.label, "score": round(c.score, 4),
                 "evidence": [{"text": e.text, "start": e.start, "end": e.end} for e in c.evidence]}
                for c in self.candidates
            ],
            "marking": {
                "found": self.marking.text if self.marking else None,
                "level": self.marking.level.label if self.marking else None,
                "conflict": self.marking_conflict,
            },
            "model_version": self.model_version,
            "catalogue_version": self.catalogue_version,
        }


class Classifier:
    """Suggest level, clause and period for extracted texts.

    Parameters
    ----------
    catalogue : Catalogue
    tokenizer : Tokenizer
    model : TextModel
    secret_threshold : float
        Probability in [0, 1]: a document whose summed state-secret probability reaches it is
        suggested as a state secret. Low on purpose: under-classification leaks secrets and is
        the costliest error (regulation §五; glossary 定密不当).
    review_below : float
        Probability in [0, 1] under which the suggestion is routed to a person.

    Notes
    -----
    Source: thresholds tuned by cross-validation on ``corpus/train`` (see ``dingmi train``'s
    report); levels and periods from the catalogue.
    """

    def __init__(self, catalogue: Catalogue, tokenizer: Tokenizer, model: TextModel, *,
                 secret_threshold: float = DEFAULT_SECRET_THRESHOLD, review_below: float = 0.55) -> None:
        self.catalogue = catalogue
        self.tokenizer = tokenizer
        self.model = model
        self.secret_threshold = secret_threshold
        self.review_below = review_below
        self.matcher = Matcher(catalogue)
        self._class_level: list[Level | None] = []
        for c in model.classes:
            if c in NON_SECRET:
                self._class_level.append(NON_SECRET[c])
            elif c in catalogue and catalogue.get(c).level is not None:
                self._class_level.append(catalogue.get(c).level)
            else:
                self._class_level.append(None)  # clause unknown to this catalogue: ignored

    @classmethod
    def load(cls, catalogue: Catalogue, tokenizer: Tokenizer, model_dir: Path,
             **kwargs: float) -> Classifier:
        """Load the model in ``model_dir`` (see :meth:`TextModel.load` for errors)."""
        return cls.from_model(catalogue, tokenizer, TextModel.load(model_dir), **kwargs)

    @classmethod
    def from_model(cls, catalogue: Catalogue, tokenizer: Tokenizer, model: TextModel,
                   **kwargs: float) -> Classifier:
        """A classifier over a loaded model, with the thresholds stored in its metadata."""
        th = model.metadata.get("thresholds", {})
        kwargs.setdefault("secret_threshold", float(th.get("secret_threshold", DEFAULT_SECRET_THRESHOLD)))
        kwargs.setdefault("review_below", float(th.get("review_below", 0.55)))
        return cls(catalogue, tokenizer, model, **kwargs)

    def analyse(self, text: str) -> Analysis:
        """Sentences, tokens, cue matches and printed marking of ``text``."""
        return analyse(text, self.tokenizer, self.matcher)

    def proba(self, a: Analysis) -> np.ndarray:
        """Model probabilities over ``model.classes``, shape (K,); classes unknown to the
        catalogue get 0 and the rest are renormalised."""
        p = self.model.predict_proba(a.tokens, a.dense(self.model.dense_names))
        mask = np.array([lv is not None for lv in self._class_level])
        p = np.where(mask, p, 0.0)
        s = p.sum()
        return p / s if s > 0 else p

    def suggest(self, text: str) -> Suggestion:
        """Suggest level, clause and period for one extracted text.

        Parameters
        ----------
        text : str
            Extracted text (evidence offsets index it). Empty text yields a 内部 suggestion
            with ``needs_review``; callers normally reject empty files earlier.

        Returns
        -------
        Suggestion
        """
        a = self.analyse(text)
        p = self.proba(a)
        classes = self.model.classes
        levels = self._class_level
        secret_idx = [i for i, lv in enumerate(levels) if lv is not None and lv.is_secret]
        open_idx = [i for i, lv in enumerate(levels) if lv is not None and not lv.is_secret]
        p_secret = secret_score(p, secret_idx, open_idx)
        reasons: list[str] = []
        vocab = self.model.vocabulary
        known = len({t for t in a.tokens if t in vocab and not t.startswith("<")})
        printed = a.marking.level if a.marking else None
        if known < MIN_KNOWN_WORDS:
            reasons.append(INSUFFICIENT_TEXT)
            # No evidence of a secret (the model's prior is not one) unless one is printed.
            p_secret = 1.0 if printed is not None and printed.is_secret else 0.0

        if secret_idx and p_secret >= self.secret_threshold:
            best = max(secret_idx, key=lambda i: p[i])
            confidence = float(p[best])
            if p_secret < 0.6:
                reasons.append(SECRET_UNCERTAIN)
        else:
            best = max(open_idx, key=lambda i: p[i])
            confidence = float(p[best])
            if p_secret >= self.secret_threshold * 0.6:
                reasons.append(SECRET_UNCERTAIN)
        label = classes[best]
        level = levels[best]
        assert level is not None
        clause = None if label in NON_SECRET else label

        # Catalogue matching as a second opinion on the clause.
        strong = [m for m in a.matches.values() if m.score >= 1.5]
        top_match = max(strong, key=lambda m: m.score, default=None)
        if clause and top_match and top_match.clause != clause:
            second = sorted(secret_idx, key=lambda i: -p[i])[:3]
            if top_match.clause not in {classes[i] for i in second}:
                reasons.append(SIGNALS_DISAGREE)
        if confidence < self.review_below:
            reasons.append(LOW_CONFIDENCE)
        # Under-classification is the costliest error: a clause of a higher level that is nearly
        # as probable, or that the catalogue's cue terms point to, sends the draft to a person.
        if clause is not None and level.is_secret:
            rivals = [i for i in secret_idx if i != best and (lv := levels[i]) is not None
                      and lv > level and p[i] >= 0.5 * p[best]]
            cue_level = (self.catalogue.get(top_match.clause).level
                         if top_match and top_match.clause in self.catalogue else None)
            if rivals or (cue_level is not None and cue_level > level):
                reasons.append(HIGHER_LEVEL_POSSIBLE)

        # Catch-all clause (4.12): a secret marking or secret signals with no clause that fits.
        catch_all = self.catalogue.catch_all
        support = a.matches.get(clause).score if clause and clause in a.matches else 0.0
        if clause and catch_all and (INSUFFICIENT_TEXT in reasons
                                     or (confidence < 0.25 and support < 0.5)):
            # Secret signals, but the best clause is both improbable and without a cue term in
            # the text: no clause of section 四 fits, so 其它保密事项 (a person decides).
            clause = catch_all.id
            reasons.append(CATCH_ALL)

        cl = self.catalogue.get(clause) if clause else None
        period_years = cl.period_years if cl and cl.level else None
        condition = cl.condition if cl and cl.level else None
        if cl is not None and cl.level is None:
            # No automatic level: the most cautious plausible one (the highest level among the
            # three likeliest secret clauses and a printed secret marking), its longest period.
            top3 = sorted(secret_idx, key=lambda i: -p[i])[:3]
            plausible = [lv for i in top3 if (lv := levels[i]) is not None]
            if printed is not None and printed.is_secret:
                plausible.append(printed)
                if INSUFFICIENT_TEXT in reasons:  # nothing but the stamp to go by
                    plausible = [printed]
            level = max(plausible, default=Level.MIMI)
            period_years = level.max_period_years
        conflict = printed is not None and printed != level
        if conflict:
            reasons.append(MARKING_CONFLICT)

        candidates = self._candidates(a, p, first=best)
        if cl is not None and cl.level is None:
            candidates = (Candidate(cl.id, level, confidence, candidates[0].evidence),
                          *candidates[:4])
        return Suggestion(
            level=level,
            clause=clause,
            clause_title=cl.title if cl else None,
            period_years=period_years,
            condition=condition,
            mark=format_mark(level, period_years, condition),
            confidence=confidence,
            needs_review=bool(reasons),
            reasons=tuple(dict.fromkeys(reasons)),
            candidates=candidates,
            marking=a.marking,
            marking_conflict=conflict,
            model_version=self.model.version,
            catalogue_version=self.catalogue.version,
            tokens=a.tokens,
        )

    def _candidates(self, a: Analysis, p: np.ndarray, first: int, n: int = 5) -> tuple[Candidate, ...]:
        """The suggested class first, then the most probable others."""
        rest = [int(i) for i in np.argsort(-p) if self._class_level[i] is not None and i != first]
        order = [first, *rest][:n]
        out = []
        for i in order:
            label = self.model.classes[i]
            lv = self._class_level[i]
            assert lv is not None
            clause = None if label in NON_SECRET else label
            out.append(Candidate(clause, lv, float(p[i]), self._evidence(a, int(i), clause)))
        return tuple(out)

    def _evidence(self, a: Analysis, k: int, clause: str | None, n: int = 3) -> tuple[Evidence, ...]:
        """Best sentences for class ``k``: catalogue cue score + model term contributions."""
        coef = self.model.coef[k]
        vocab = self.model.vocabulary
        scores: dict[int, float] = {}
        m = a.matches.get(clause) if clause else None
        by_start = {s.start: j for j, s in enumerate(a.sentences)}
        if m:
            for s, sc in m.evidence:
                j = by_start.get(s.start)
                if j is not None:
                    scores[j] = scores.get(j, 0.0) + sc
        for j, toks in enumerate(a.sentence_tokens):
            w = sum(max(0.0, float(coef[vocab[t]])) for t in set(toks) if t in vocab)
            if w > 0:
                scores[j] = scores.get(j, 0.0) + 0.3 * w
        best: list[int] = []
        seen: set[str] = set()
        for j in sorted(scores, key=lambda j: -scores[j]):
            key = "".join(a.sentences[j].text.split())
            if key in seen:  # the same sentence repeated (running header, cover page)
                continue
            seen.add(key)
            best.append(j)
            if len(best) == n:
                break
        sents: list[Sentence] = [a.sentences[j] for j in sorted(best)]
        return tuple(Evidence(s.text, s.start, s.end) for s in sents)
