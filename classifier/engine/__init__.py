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
from classifier.engine.decide import (  # noqa: F401  (reason codes re-exported: stable names)
    CATCH_ALL,
    HIGHER_LEVEL_POSSIBLE,
    INSUFFICIENT_TEXT,
    LOW_CONFIDENCE,
    MARKING_CONFLICT,
    MODEL_MISSING_CLAUSE,
    NON_SECRET_LABELS,
    POSSIBLE_SECRET_PASSAGE,
    SECRET_UNCERTAIN,
    SIGNALS_DISAGREE,
    Decision,
    DocScores,
    Policy,
    Stacker,
    decide,
    secret_score,
)
from classifier.engine.evidence import rank_evidence, with_context
from classifier.engine.marking import Marking
from classifier.engine.matcher import Matcher
from classifier.engine.model import TextModel, TokenBag
from classifier.nlp.segment import Tokenizer

#: Default secret threshold of a model that carries none (trained without cross-validation).
DEFAULT_SECRET_THRESHOLD = Policy().secret_threshold
#: See :attr:`Policy.min_known_words`.
MIN_KNOWN_WORDS = Policy().min_known_words

NON_SECRET = NON_SECRET_LABELS


@dataclass(frozen=True)
class Evidence:
    """A passage that triggered a candidate: ``text == doc_text[start:end]``.

    ``kind`` is ``"passage"`` for a passage scored by the models, ``"context"`` for the caption
    of a table whose rows are evidence (:func:`classifier.engine.evidence.with_context`),
    ``"counter"`` for a publication signal arguing for 公开 (see
    :mod:`classifier.engine.signals`).
    """

    text: str
    start: int
    end: int
    kind: str = "passage"


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
        Probability in [0, 1] of the suggested level (calibrated on leave-writers-out CV).
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
    p_secret: float = 0.0
    counter_evidence: tuple[Evidence, ...] = ()

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
                 "evidence": [{"text": e.text, "start": e.start, "end": e.end, "kind": e.kind}
                              for e in c.evidence]}
                for c in self.candidates
            ],
            "marking": {
                "found": self.marking.text if self.marking else None,
                "level": self.marking.level.label if self.marking else None,
                "conflict": self.marking_conflict,
            },
            "model_version": self.model_version,
            "catalogue_version": self.catalogue_version,
            "p_secret": round(self.p_secret, 4),
            "counter_evidence": [{"text": e.text, "start": e.start, "end": e.end}
                                 for e in self.counter_evidence],
        }


class Classifier:
    """Suggest level, clause and period for extracted texts.

    Parameters
    ----------
    catalogue : Catalogue
    tokenizer : Tokenizer
    model : TextModel
        The document model, with its passage model (``model.passage``) when trained with one.
    policy : Policy, optional
        Thresholds of the decision rule; by default the ones stored with the model.
    secret_threshold, review_below : float, optional
        Override the policy's values (probabilities in [0, 1]).

    Notes
    -----
    Every passage is scored by the passage model and the whole text by the document model;
    :func:`classifier.engine.decide.decide` (the rule ``dingmi train`` measured) turns the
    scores into the suggestion. Source: issue 9; levels and periods from the catalogue.
    """

    def __init__(self, catalogue: Catalogue, tokenizer: Tokenizer, model: TextModel, *,
                 policy: Policy | None = None, secret_threshold: float | None = None,
                 review_below: float | None = None) -> None:
        self.catalogue = catalogue
        self.tokenizer = tokenizer
        self.model = model
        meta = model.metadata
        pol = policy or Policy.from_dict(meta.get("policy") or meta.get("thresholds"))
        changes: dict[str, float] = {}
        if secret_threshold is not None:
            changes["secret_threshold"] = float(secret_threshold)
        if review_below is not None:
            changes["review_below"] = float(review_below)
        if changes:
            from dataclasses import replace

            pol = replace(pol, **changes)
        self.policy = pol
        self.stacker = Stacker.from_dict(meta.get("stacker"))
        self.matcher = Matcher(catalogue)
        levels: list[Level | None] = []
        for c in model.classes:
            if c in NON_SECRET:
                levels.append(NON_SECRET[c])
            elif c in catalogue and catalogue.get(c).level is not None:
                levels.append(catalogue.get(c).level)
            else:
                levels.append(None)  # clause unknown to this catalogue: ignored
        self._class_level = tuple(levels)

    @property
    def secret_threshold(self) -> float:
        """P(secret) at or above which a state secret is suggested (see :class:`Policy`)."""
        return self.policy.secret_threshold

    @property
    def review_below(self) -> float:
        """Confidence under which a suggestion goes to a person (see :class:`Policy`)."""
        return self.policy.review_below

    @classmethod
    def load(cls, catalogue: Catalogue, tokenizer: Tokenizer, model_dir: Path, *, key: bytes,
             **kwargs: Any) -> Classifier:
        """Load the model in ``model_dir``, its manifest checked with the signing ``key`` (see
        :meth:`TextModel.load` for errors)."""
        return cls.from_model(catalogue, tokenizer, TextModel.load(model_dir, key=key), **kwargs)

    @classmethod
    def from_model(cls, catalogue: Catalogue, tokenizer: Tokenizer, model: TextModel,
                   **kwargs: Any) -> Classifier:
        """A classifier over a loaded model, with the policy stored in its metadata."""
        return cls(catalogue, tokenizer, model, **kwargs)

    def analyse(self, text: str) -> Analysis:
        """Passages, tokens, cue matches, publication signals and printed marking of ``text``."""
        return analyse(text, self.tokenizer, self.matcher)

    def _mask(self, p: np.ndarray) -> np.ndarray:
        """Zero the columns of classes unknown to the catalogue and renormalise each row."""
        mask = np.array([lv is not None for lv in self._class_level])
        p = np.where(mask, p, 0.0)
        s = p.sum(axis=-1, keepdims=True)
        return np.divide(p, s, out=np.zeros_like(p), where=s > 0)

    def proba(self, a: Analysis, *, bag: TokenBag | None = None) -> np.ndarray:
        """Document model probabilities over ``model.classes``, shape (K,); classes unknown
        to the catalogue get 0 and the rest are renormalised. ``bag``: the passages' tokens
        as a :class:`TokenBag`, if already built."""
        return self._mask(self.model.predict_proba(a.tokens, a.dense(self.model.dense_names),
                                                   bag=bag))

    def scores(self, a: Analysis) -> DocScores:
        """Everything :func:`decide` reads about one analysed text."""
        pm = self.model.passage or self.model
        # The tokens featurised once for both models (when both use the same features).
        bag = TokenBag(a.passage_tokens, chars=pm.char_features)
        pp = self._mask(pm.predict_proba_many(a.passage_tokens, bag=bag))
        if pm.char_features != self.model.char_features:
            bag = TokenBag(a.passage_tokens, chars=self.model.char_features)
        # Distinct tokens the document model knows (its unigram columns, looked up once).
        known = sum(1 for t, c in zip(bag.words, bag.word_columns(self.model.vocabulary).tolist(),
                                      strict=True) if c >= 0 and not t.startswith("<"))
        return DocScores(
            classes=tuple(self.model.classes), levels=self._class_level,
            p_doc=self.proba(a, bag=bag),
            p_passages=pp, publication=len(a.signals),
            printed=a.marking.level if a.marking else None, known_words=known,
            cue_support={c: m.score for c, m in a.matches.items()})

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
        sc = self.scores(a)
        catch_all = self.catalogue.catch_all
        d = decide(sc, self.policy, self.stacker, catch_all=catch_all.id if catch_all else None)
        cl = self.catalogue.get(d.clause) if d.clause else None
        level = d.level
        period_years = cl.period_years if cl and cl.level else None
        condition = cl.condition if cl and cl.level else None
        if cl is not None and cl.level is None:
            period_years = level.max_period_years  # catch-all: the longest period of its level
        candidates = self._candidates(a, sc, d)
        if cl is not None and cl.level is None:
            candidates = (Candidate(cl.id, level, d.confidence, candidates[0].evidence),
                          *candidates[:4])
        return Suggestion(
            level=level,
            clause=d.clause,
            clause_title=cl.title if cl else None,
            period_years=period_years,
            condition=condition,
            mark=format_mark(level, period_years, condition),
            confidence=d.confidence,
            needs_review=bool(d.reasons),
            reasons=d.reasons,
            candidates=candidates,
            marking=a.marking,
            marking_conflict=MARKING_CONFLICT in d.reasons,
            model_version=self.model.version,
            catalogue_version=self.catalogue.version,
            tokens=a.tokens,
            p_secret=d.p_secret,
            counter_evidence=tuple(Evidence(g.text, g.start, g.end, "counter") for g in a.signals),
        )

    def _candidates(self, a: Analysis, sc: DocScores, d: Decision, n: int = 5
                    ) -> tuple[Candidate, ...]:
        """The suggested class first, then the best-scored others, each with its evidence."""
        out = []
        for i in d.ranking[:n]:
            label = self.model.classes[i]
            lv = self._class_level[i]
            assert lv is not None
            clause = None if label in NON_SECRET else label
            out.append(Candidate(clause, lv, float(d.class_scores[i]),
                                 self._evidence(a, sc, int(i), clause)))
        return tuple(out)

    def _evidence(self, a: Analysis, sc: DocScores, k: int, clause: str | None
                  ) -> tuple[Evidence, ...]:
        """The evidence passages of class column ``k`` (:func:`rank_evidence`), best first,
        each table's caption before its rows (:func:`with_context`)."""
        return tuple(Evidence(a.passages[j].text, a.passages[j].start, a.passages[j].end, kind)
                     for j, kind in with_context(a, rank_evidence(a, sc, k, clause)))
