"""The one decision rule: scores of a document and its passages → level, clause, review.

``dingmi train`` picks its thresholds by calling :func:`decide` on cross-validated scores, and
serving calls the same function on live scores, so the rule that was measured is the rule that
runs (issue 9 §2). Every threshold and band lives in :class:`Policy`, each with its source.

Source: issue 9; the office regulation §五 (a person decides; unclear cases go to the leading
group) and the glossary (定密不当: under-classification leaks secrets and is the costliest
error); 载体标志 (a document is as secret as its most secret part).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from classifier.catalogue import Level

#: Reason codes attached to a suggestion (stable; shown in the UI and JSON).
LOW_CONFIDENCE = "low_confidence"
CATCH_ALL = "catch_all_clause"
SIGNALS_DISAGREE = "signals_disagree"
SECRET_UNCERTAIN = "secret_uncertain"
MARKING_CONFLICT = "marking_conflict"
MODEL_MISSING_CLAUSE = "clause_unknown_to_model"
INSUFFICIENT_TEXT = "insufficient_text"
HIGHER_LEVEL_POSSIBLE = "higher_level_possible"
POSSIBLE_SECRET_PASSAGE = "possible_secret_passage"

#: What each reason code means, in the words shown to users (CLI and app).
REASON_LABELS = {
    LOW_CONFIDENCE: "把握不大",
    CATCH_ALL: "无明确对应条款，按“其它保密事项”提请决定",
    SIGNALS_DISAGREE: "目录关键词指向另一条款",
    SECRET_UNCERTAIN: "是否属于国家秘密把握不大",
    MARKING_CONFLICT: "文中已标密级与建议不一致",
    MODEL_MISSING_CLAUSE: "模型未学过该条款",
    INSUFFICIENT_TEXT: "文字过少，难以判断",
    HIGHER_LEVEL_POSSIBLE: "可能应定更高密级",
    POSSIBLE_SECRET_PASSAGE: "有段落疑似涉密",
}

NON_SECRET_LABELS = {"公开": Level.GONGKAI, "内部": Level.NEIBU}
#: Highest confidence of a suggestion made on too little text (``insufficient_text``): the
#: model's output there is mostly its prior, so the answer is never presented as sure.
INSUFFICIENT_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Policy:
    """Thresholds and bands of :func:`decide`; probabilities are in [0, 1].

    Attributes
    ----------
    secret_threshold : float
        P(secret) (the stacker's output) at or above which a state secret is suggested.
        Source: chosen by ``dingmi train`` on leave-writers-out cross-validation: the least
        over-classification whose under-classification stays within ``UNDER_TARGET``
        (:func:`classifier.crossval.choose_policy`); a model trained without
        cross-validation uses :data:`DEFAULT_POLICY`.
    review_low : float
        A document suggested 公开/内部 with P(secret) at or above this goes to a person
        (``possible_secret_passage``). Source: set by ``dingmi train`` so that no more than
        ``SILENT_UNDER_TARGET`` of the secret documents are left silent in cross-validation.
    passage_alarm : float
        A passage whose own secret probability reaches this flags a 公开/内部 suggestion for
        review, and marks a clause as reached by a passage. Source: same search as
        ``review_low``.
    secret_sure : float
        A secret suggestion with P(secret) below this carries ``secret_uncertain``. Source: the
        first version's band (0.6), kept: it sends borderline secrets to a person.
    review_below : float
        Confidence (probability of the suggested level) under which ``low_confidence`` is set.
        Source: set by ``dingmi train`` from the cross-validated confidence distribution so that
        the review rate stays near ``REVIEW_RATE_TARGET``.
    clause_doc_weight : float
        Weight of the whole-document model in the clause ranking; the rest goes to the best
        passage of each clause. Source: leave-writers-out CV on corpus/train (clause top-1).
    higher_level_ratio : float
        A clause of a higher level than the best one, reached by a passage and scoring at least
        this share of the best clause's score, decides the level (a document is as secret as
        its most secret part). Source: 载体标志 rule; value from the first version's rival test.
    catch_all_below, catch_all_support : float
        A secret whose best clause has a normalised score below ``catch_all_below`` and a
        catalogue cue score below ``catch_all_support`` is routed to the catch-all clause
        (4.12). Source: the first version (issue 2); ``catch_all_below`` raised from 0.25 to
        0.3 because scores are now normalised over the secret clauses (0.25 is an even split
        over four).
    min_known_words : int
        Fewer distinct known words and the model's output is only its prior: no secret on the
        model's word alone (a printed secret marking still counts). Source: issue 5.
    calib_a, calib_b : float
        Platt scaling of the confidence (:meth:`calibrated`). Source: fitted by ``dingmi
        train`` on leave-writers-out cross-validation (issue 9: ECE ≤ 0.05).
    """

    secret_threshold: float = 0.35
    review_low: float = 0.15
    passage_alarm: float = 0.6
    secret_sure: float = 0.6
    review_below: float = 0.45
    clause_doc_weight: float = 0.5
    higher_level_ratio: float = 0.5
    catch_all_below: float = 0.3
    catch_all_support: float = 0.5
    min_known_words: int = 8
    calib_a: float = 1.0
    calib_b: float = 0.0

    def calibrated(self, raw: float) -> float:
        """Confidence in [0, 1] from a raw one: ``sigmoid(calib_a · logit(raw) + calib_b)``.

        Platt scaling fitted by ``dingmi train`` on leave-writers-out confidences against
        whether the suggested level was right; the identity by default.
        """
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, self.calib_a * _logit(raw) + self.calib_b))))

    def to_dict(self) -> dict[str, float]:
        """The policy as plain numbers (stored in the model's metadata)."""
        return {k: float(v) for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Policy:
        """A policy from stored numbers; unknown keys are ignored, missing ones default."""
        d = d or {}
        kw: dict[str, Any] = {}
        for f in cls.__dataclass_fields__.values():
            if f.name in d:
                kw[f.name] = int(d[f.name]) if f.type in ("int", int) else float(d[f.name])
        return cls(**kw)


#: Names of the stacker's inputs, in order (see :func:`stack_features`).
STACK_FEATURES = ("doc_secret", "passage_max", "passage_2nd", "passages_alarm", "doc_public",
                  "publication", "printed_secret", "n_passages")
#: Inputs of the stacker's second head, 公开 against 内部 (see :func:`open_features`).
OPEN_FEATURES = ("doc_open_vs_internal", "publication")


@dataclass(frozen=True)
class Stacker:
    """Logistic combination of the document-level and passage-level evidence into P(secret).

    Attributes
    ----------
    coef : tuple of float, length len(STACK_FEATURES)
    intercept : float
    open_coef : tuple of float, length len(OPEN_FEATURES), or empty
    open_intercept : float
        The second head: P(公开) of a document that is not a state secret, from the document
        model's 公开/内部 odds and the publication signals (:func:`open_features`); empty
        ``open_coef`` leaves 公开/内部 to the document model alone.

    Notes
    -----
    Fitted by ``dingmi train`` on out-of-fold scores (folds leave writers out), so its output
    is a calibrated probability on writers the models have not seen.
    """

    coef: tuple[float, ...]
    intercept: float
    open_coef: tuple[float, ...] = ()
    open_intercept: float = 0.0

    def p_secret(self, x: np.ndarray) -> float:
        """P(secret) in [0, 1] of one feature row, shape (len(STACK_FEATURES),)."""
        return _sigmoid(float(np.dot(self.coef, x) + self.intercept))

    def p_open(self, x: np.ndarray) -> float | None:
        """P(公开 | not secret) of one row of :func:`open_features`, or None without the head."""
        if not self.open_coef:
            return None
        return _sigmoid(float(np.dot(self.open_coef, x) + self.open_intercept))

    def to_dict(self) -> dict[str, Any]:
        """Plain numbers for the model's metadata."""
        return {"features": list(STACK_FEATURES), "coef": list(self.coef), "intercept": self.intercept,
                "open_features": list(OPEN_FEATURES), "open_coef": list(self.open_coef),
                "open_intercept": self.open_intercept}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Stacker | None:
        """The stored stacker, or None when absent or made for other features."""
        if not d or list(d.get("features", [])) != list(STACK_FEATURES):
            return None
        head = list(d.get("open_features", [])) == list(OPEN_FEATURES) and d.get("open_coef")
        return cls(tuple(float(c) for c in d["coef"]), float(d["intercept"]),
                   tuple(float(c) for c in d["open_coef"]) if head else (),
                   float(d.get("open_intercept", 0.0)) if head else 0.0)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


#: The decision rule of a model trained without cross-validation (``dingmi train`` with
#: ``cv_folds=0``): the stacker and policy that leave-writers-out CV chose on the shipped
#: corpus (corpus/train: 19 writers and the table templates; README, "Model").
#: Source: ``dingmi train`` of this release.
DEFAULT_STACKER = Stacker(coef=(1.293, 0.987, -0.496, 0.673, -0.417, -0.275, 1.381, -0.736),
                          intercept=-1.622, open_coef=(2.133, 0.195),
                          open_intercept=-0.219)
DEFAULT_POLICY = Policy(secret_threshold=0.275, review_low=0.14, review_below=0.76,
                        calib_a=1.01, calib_b=1.015)


@dataclass(frozen=True)
class DocScores:
    """Everything the decision rule reads about one document.

    Attributes
    ----------
    classes : tuple of str, length K
        Labels: ``公开``, ``内部`` or clause ids.
    levels : tuple of (Level or None), length K
        Level of each class under the catalogue; None for a clause the catalogue does not know
        (ignored) or has no automatic level for.
    p_doc : ndarray of shape (K,)
        Whole-document model probabilities (0 for ignored classes, renormalised).
    p_passages : ndarray of shape (P, K)
        Passage model probabilities of each passage (P ≥ 0).
    publication : int
        Number of publication signal groups found (:mod:`classifier.engine.signals`).
    printed : Level or None
        The level of the marking printed on the document.
    known_words : int
        Distinct tokens of the document that the model knows.
    cue_support : dict of str -> float
        Catalogue cue score per clause (:class:`classifier.engine.matcher.ClauseMatch`).
    """

    classes: tuple[str, ...]
    levels: tuple[Level | None, ...]
    p_doc: np.ndarray
    p_passages: np.ndarray
    publication: int = 0
    printed: Level | None = None
    known_words: int = 100
    cue_support: dict[str, float] = field(default_factory=dict)

    @property
    def secret_idx(self) -> list[int]:
        """Columns of the state-secret clauses."""
        return [i for i, lv in enumerate(self.levels) if lv is not None and lv.is_secret]

    @property
    def open_idx(self) -> list[int]:
        """Columns of 公开 and 内部."""
        return [i for i, lv in enumerate(self.levels) if lv is not None and not lv.is_secret]

    def passage_secret(self) -> np.ndarray:
        """Secret probability of each passage, shape (P,): the sum over secret clauses."""
        if self.p_passages.shape[0] == 0:
            return np.zeros(0)
        return self.p_passages[:, self.secret_idx].sum(axis=1)


@dataclass(frozen=True)
class Decision:
    """The output of :func:`decide`.

    Attributes
    ----------
    label : int
        Column of the suggested class (a clause, or 公开/内部); for the catch-all clause, the
        column of the clause it replaced.
    level : Level
    clause : str or None
        The suggested clause id (may be the catch-all clause), None for 公开/内部.
    confidence : float
        Probability in [0, 1] of the suggested level.
    p_secret : float
        Probability in [0, 1] that the document is a state secret.
    reasons : tuple of str
        Reason codes, in order of discovery, without repeats.
    ranking : tuple of int
        Columns, best first (the suggested one first).
    class_scores : ndarray of shape (K,)
        The scores the ranking sorts by.
    """

    label: int
    level: Level
    clause: str | None
    confidence: float
    p_secret: float
    reasons: tuple[str, ...]
    ranking: tuple[int, ...]
    class_scores: np.ndarray


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def secret_score(p: np.ndarray, secret_idx: list[int], open_idx: list[int]) -> float:
    """How strongly class probabilities point to a state secret, in [0, 1].

    ``max(p[secret]) / (max(p[secret]) + max(p[open]))``: the likeliest secret clause against
    the likeliest non-secret level (summing eleven clauses would favour secret by the class
    count alone).

    Parameters
    ----------
    p : ndarray of shape (K,)
    secret_idx, open_idx : list of int

    Returns
    -------
    float
        0 when there is no secret class, 1 when there is no non-secret class.
    """
    ms = float(p[secret_idx].max()) if secret_idx else 0.0
    mo = float(p[open_idx].max()) if open_idx else 0.0
    return ms / (ms + mo) if ms + mo > 0 else 0.0


def stack_features(s: DocScores, policy: Policy) -> np.ndarray:
    """The stacker's inputs for one document, shape (len(STACK_FEATURES),), in that order.

    Logits are clipped to ±9.2 (probabilities 1e-4 … 1 − 1e-4).
    """
    sec, opn = s.secret_idx, s.open_idx
    ps = np.sort(s.passage_secret())[::-1]
    p_open = float(s.p_doc[[i for i in opn if s.classes[i] == "公开"]].sum()) if opn else 0.0
    return np.array([
        _logit(secret_score(s.p_doc, sec, opn)),
        _logit(float(ps[0]) if ps.size else 0.0),
        _logit(float(ps[1]) if ps.size > 1 else 0.0),
        math.log1p(int((ps >= policy.passage_alarm).sum())),
        _logit(p_open),
        float(min(s.publication, 4)),
        1.0 if s.printed is not None and s.printed.is_secret else 0.0,
        math.log1p(ps.size),
    ])


def open_features(s: DocScores) -> np.ndarray:
    """Inputs of the 公开/内部 head, shape (len(OPEN_FEATURES),): the logit of the document
    model's ``p(公开) / (p(公开) + p(内部))`` and the publication signal count (capped at 4)."""
    po = sum(float(s.p_doc[i]) for i in s.open_idx if s.classes[i] == "公开")
    pi = sum(float(s.p_doc[i]) for i in s.open_idx if s.classes[i] == "内部")
    return np.array([_logit(po / (po + pi) if po + pi > 0 else 0.5), float(min(s.publication, 4))])


def p_secret_of(s: DocScores, policy: Policy, stacker: Stacker | None) -> float:
    """P(secret) of a document: the stacker's output, or without one the larger of the
    document score and the best passage's secret probability."""
    if stacker is not None:
        return stacker.p_secret(stack_features(s, policy))
    ps = s.passage_secret()
    return max(secret_score(s.p_doc, s.secret_idx, s.open_idx), float(ps.max()) if ps.size else 0.0)


def clause_scores(s: DocScores, policy: Policy) -> tuple[np.ndarray, np.ndarray]:
    """Scores of every class for ranking, and each class's best passage probability.

    Returns
    -------
    scores : ndarray of shape (K,)
        Secret clauses: ``w × p_doc[c] / Σ p_doc[secret] + (1 − w) × best_c / Σ best``
        where ``best_c`` is the highest probability of clause c over the passages and ``w`` is
        ``policy.clause_doc_weight``; 公开/内部: ``p_doc``.
    best : ndarray of shape (K,)
        ``max_j p_passages[j, c]`` (0 without passages).
    """
    k = len(s.classes)
    best = s.p_passages.max(axis=0) if s.p_passages.shape[0] else np.zeros(k)
    out = np.array(s.p_doc, dtype=float)
    sec = s.secret_idx
    if sec:
        d = s.p_doc[sec]
        b = best[sec]
        dn = d / d.sum() if d.sum() > 0 else d
        bn = b / b.sum() if b.sum() > 0 else b
        out[sec] = policy.clause_doc_weight * dn + (1 - policy.clause_doc_weight) * bn
    for i, lv in enumerate(s.levels):
        if lv is None:
            out[i] = 0.0
    return out, best


def decide(s: DocScores, policy: Policy, stacker: Stacker | None, *,
           catch_all: str | None = None) -> Decision:
    """Turn a document's scores into a suggested level, clause and review flags.

    Parameters
    ----------
    s : DocScores
    policy : Policy
    stacker : Stacker or None
        From the model's metadata; None for a model trained without one.
    catch_all : str, optional
        Id of the catalogue's catch-all clause (4.12), if any.

    Returns
    -------
    Decision

    Notes
    -----
    1. P(secret) from the stacker (:func:`p_secret_of`); with too little known text, only a
       printed secret marking makes a secret.
    2. A secret when P(secret) ≥ ``secret_threshold``: the best clause by :func:`clause_scores`,
       raised to a higher-level clause that a passage reaches (``passage_alarm``) and that scores
       ``higher_level_ratio`` of the best; else 公开 or 内部 by the document model.
    3. Never silently under-classify: a 公开/内部 suggestion with P(secret) ≥ ``review_low`` or a
       passage at ``passage_alarm`` carries ``possible_secret_passage``.
    Source: issue 9 (§1, §2, §4); :class:`Policy` gives each number's source.
    """
    sec, opn = s.secret_idx, s.open_idx
    reasons: list[str] = []
    scores, best = clause_scores(s, policy)
    p_sec = p_model = p_secret_of(s, policy, stacker)
    printed = s.printed
    insufficient = s.known_words < policy.min_known_words
    if insufficient:
        reasons.append(INSUFFICIENT_TEXT)
        p_sec = 1.0 if printed is not None and printed.is_secret else 0.0
    ps = s.passage_secret()
    max_passage = float(ps.max()) if ps.size else 0.0

    if sec and p_sec >= policy.secret_threshold:
        top = max(sec, key=lambda i: scores[i])
        lv_top = s.levels[top]
        assert lv_top is not None
        higher = [i for i in sec if (lv := s.levels[i]) is not None and lv > lv_top
                  and best[i] >= policy.passage_alarm]
        raise_to = [i for i in higher if scores[i] >= policy.higher_level_ratio * scores[top]]
        if raise_to:
            top = max(raise_to, key=lambda i: (s.levels[i], scores[i]))
        elif higher:
            reasons.append(HIGHER_LEVEL_POSSIBLE)
        level = s.levels[top]
        assert level is not None
        sec_total = float(scores[sec].sum()) or 1.0
        share = sum(float(scores[i]) for i in sec if s.levels[i] == level) / sec_total
        confidence = p_sec * share
        if p_sec < policy.secret_sure:
            reasons.append(SECRET_UNCERTAIN)
        # A rival clause of a higher level nearly as likely: a person must look.
        if any((lv := s.levels[i]) is not None and lv > level and scores[i] >= 0.5 * scores[top]
               for i in sec):
            reasons.append(HIGHER_LEVEL_POSSIBLE)
        cue_top = max(s.cue_support, key=lambda c: s.cue_support[c], default=None)
        if (cue_top is not None and s.cue_support[cue_top] >= 1.5
                and cue_top not in {s.classes[i] for i in sorted(sec, key=lambda i: -scores[i])[:3]}):
            reasons.append(SIGNALS_DISAGREE)
    else:
        top = max(opn, key=lambda i: s.p_doc[i]) if opn else int(np.argmax(scores))
        open_total = float(s.p_doc[opn].sum()) if opn else 1.0
        share = float(s.p_doc[top]) / open_total if open_total > 0 else 1.0
        p_open = stacker.p_open(open_features(s)) if stacker is not None else None
        both = {s.classes[i]: i for i in opn}
        if p_open is not None and {"公开", "内部"} <= set(both):
            # 公开 or 内部 from the document model's odds and the signs of publication.
            top = both["公开"] if p_open >= 0.5 else both["内部"]
            share = max(p_open, 1.0 - p_open)
        lv_open = s.levels[top]
        level = lv_open if lv_open is not None else Level.NEIBU
        confidence = (1.0 - p_sec) * share
        if insufficient:
            # Too little text to judge: never a confident answer, and a note whose few words
            # look secret still says so (a person decides).
            confidence = min(confidence, INSUFFICIENT_CONFIDENCE)
            if max(p_model, max_passage) >= policy.passage_alarm:
                reasons.append(POSSIBLE_SECRET_PASSAGE)
        elif p_sec >= policy.review_low or max_passage >= policy.passage_alarm:
            reasons.append(POSSIBLE_SECRET_PASSAGE)
    confidence = policy.calibrated(confidence)
    if insufficient:
        confidence = min(confidence, INSUFFICIENT_CONFIDENCE)
    if confidence < policy.review_below:
        reasons.append(LOW_CONFIDENCE)

    label = s.classes[top]
    clause: str | None = None if label in NON_SECRET_LABELS else label
    if clause and catch_all and (insufficient or (
            scores[top] < policy.catch_all_below
            and s.cue_support.get(clause, 0.0) < policy.catch_all_support)):
        # Secret signals, but no clause of section 四 fits: 其它保密事项, a person decides, at
        # the most cautious plausible level (the three best clauses and a printed marking).
        plausible = [lv for i in sorted(sec, key=lambda i: -scores[i])[:3]
                     if (lv := s.levels[i]) is not None]
        if printed is not None and printed.is_secret:
            plausible = [printed] if insufficient else [*plausible, printed]
        level = max(plausible, default=Level.MIMI)
        clause = catch_all
        reasons.append(CATCH_ALL)
    if printed is not None and printed != level:
        reasons.append(MARKING_CONFLICT)
    rest = [int(i) for i in np.argsort(-scores, kind="stable") if s.levels[i] is not None and i != top]
    return Decision(label=top, level=level, clause=clause, confidence=float(confidence),
                    p_secret=float(p_model if insufficient else p_sec), reasons=tuple(dict.fromkeys(reasons)),
                    ranking=(top, *rest), class_scores=scores)
