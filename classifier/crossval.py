"""Leave-writers-out validation of the whole suggestion: models, stacker and decision rule.

Random folds over text from the same writers overstate what happens on other people's
writing (issue 9: 0.970 in random folds against 0.830 on unseen writers). Here every fold
leaves whole writers out (``GroupKFold`` by the record's ``writer``): the document and passage
models are fitted on the other writers, the held-out documents are scored, the stacker is fitted
on those out-of-fold scores (again leaving writers out), and the thresholds of the decision rule
are chosen by calling :func:`classifier.engine.decide.decide` — the function that serves.

Source: issue 9 (§2, §4, §6).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from classifier.catalogue import Level
from classifier.engine.analysis import Analysis
from classifier.engine.decide import (
    NON_SECRET_LABELS,
    OPEN_FEATURES,
    STACK_FEATURES,
    DocScores,
    Policy,
    Stacker,
    decide,
    open_features,
    stack_features,
)
from classifier.engine.evidence import rank_evidence, with_context
from classifier.engine.passages import overlaps
from classifier.evaluation import score_labels

#: Highest cross-validated under-classification rate (share of secret documents suggested
#: 公开/内部) the secret threshold may allow; among thresholds within it, the one with the
#: least over-classification is taken (glossary, 定密不当: the under-classified document leaks
#: secrets, so it is capped first). Issue 9 asks ≤ 0.03 on leave-writers-out CV and ≤ 0.02 on
#: unseen writers; 0.02 keeps that margin.
UNDER_TARGET = 0.02
#: Highest share of secret documents that may be suggested 公开/内部 with no review flag in
#: cross-validation when ``review_low`` is chosen (issue 9: silent_under ≤ 0.5 %).
SILENT_UNDER_TARGET = 0.005
#: Share of documents flagged for review that ``review_below`` aims at (issue 9: ≤ 0.25 on
#: documents nobody on the team wrote; CV on our own writers runs a little lower).
REVIEW_RATE_TARGET = 0.18
#: Grids searched (probabilities).
SECRET_GRID = tuple(round(float(x), 3) for x in np.arange(0.15, 0.651, 0.025))
REVIEW_LOW_GRID = tuple(round(float(x), 3) for x in np.arange(0.02, 0.301, 0.01))
REVIEW_BELOW_GRID = tuple(round(float(x), 3) for x in np.arange(0.2, 0.901, 0.02))
#: Equal-width bins of the expected calibration error (issue 9).
ECE_BINS = 10


@dataclass
class Scored:
    """One document's out-of-fold scores and what is needed to judge the decision on it."""

    scores: DocScores
    analysis: Analysis
    level: Level
    clause: str | None
    keys: list[tuple[int, int]]
    fold: int = -1


def expected_calibration_error(conf: Sequence[float], correct: Sequence[bool],
                               bins: int = ECE_BINS) -> float:
    """Expected calibration error over ``bins`` equal-width bins of confidence in [0, 1].

    ``Σ_b (n_b / N) · |accuracy_b − mean confidence_b|``; 0 for an empty input.
    """
    c = np.asarray(conf, dtype=float)
    ok = np.asarray(correct, dtype=float)
    if c.size == 0:
        return 0.0
    b = np.minimum((c * bins).astype(int), bins - 1)
    total = 0.0
    for k in range(bins):
        m = b == k
        if m.any():
            total += m.sum() / c.size * abs(ok[m].mean() - c[m].mean())
    return float(total)


def decision_metrics(items: Sequence[Scored], policy: Policy,
                     stackers: dict[int, Stacker | None], catch_all: str | None, *,
                     evidence: bool = True) -> dict[str, float]:
    """Score :func:`decide` on out-of-fold items (each judged with its own fold's stacker).

    Returns
    -------
    dict
        :func:`classifier.evaluation.score_labels` figures (``level_acc``, ``macro_f1``,
        ``under``, ``over``, ``clause_top1``) plus ``silent_under`` (count),
        ``silent_under_rate`` (over secret documents), ``review_rate``, ``ece`` and
        ``evidence_hit`` (share of documents with annotated key passages whose first
        candidate's evidence overlaps one; 0 with ``evidence=False``, which the threshold
        search passes: ranking evidence does not depend on the thresholds), ``n``.
    """
    gold, pred, conf, correct = [], [], [], []
    silent = reviewed = n_key = hits = 0
    for it in items:
        d = decide(it.scores, policy, stackers.get(it.fold), catch_all=catch_all)
        gold.append((it.level.label, it.clause))
        pred.append((d.level.label, d.clause))
        conf.append(d.confidence)
        correct.append(d.level == it.level)
        reviewed += bool(d.reasons)
        if it.level.is_secret and not d.level.is_secret and not d.reasons:
            silent += 1
        if evidence and it.keys and it.level.is_secret:
            n_key += 1
            label = it.scores.classes[d.label]
            clause = None if label in NON_SECRET_LABELS else label
            ev = with_context(it.analysis, rank_evidence(it.analysis, it.scores, d.label, clause))
            hits += any(overlaps(it.analysis.passages[j], a, b) for j, _ in ev for a, b in it.keys)
    m = {k: v for k, v in score_labels(gold, pred).items() if not isinstance(v, dict)}
    n_sec = max(1, sum(g[0] in ("秘密", "机密", "绝密") for g in gold))
    m.update(silent_under=float(silent), silent_under_rate=silent / n_sec,
             review_rate=reviewed / max(1, len(items)),
             ece=expected_calibration_error(conf, correct),
             evidence_hit=hits / n_key if n_key else 0.0, n_key=float(n_key))
    return {k: float(v) for k, v in m.items()}


def fit_stacker(x: np.ndarray, y: np.ndarray, xo: np.ndarray | None = None,
                yo: np.ndarray | None = None) -> Stacker:
    """Fit both heads of the stacker.

    Parameters
    ----------
    x : ndarray of shape (N, len(STACK_FEATURES))
    y : ndarray of shape (N,)
        1 for a state secret, 0 otherwise.
    xo : ndarray of shape (M, len(OPEN_FEATURES)), optional
        :func:`open_features` of the 公开/内部 documents.
    yo : ndarray of shape (M,), optional
        1 for 公开, 0 for 内部.
    """
    from sklearn.linear_model import LogisticRegression

    if len(set(y.tolist())) < 2:
        return Stacker(tuple(0.0 for _ in STACK_FEATURES), 10.0 if y.any() else -10.0)
    lr = LogisticRegression(C=1.0, max_iter=2000).fit(x, y)
    head: tuple[tuple[float, ...], float] = ((), 0.0)
    if xo is not None and yo is not None and len(set(yo.tolist())) == 2:
        lo = LogisticRegression(C=1.0, max_iter=2000).fit(xo, yo)
        head = (tuple(float(c) for c in lo.coef_[0]), float(lo.intercept_[0]))
    return Stacker(tuple(float(c) for c in lr.coef_[0]), float(lr.intercept_[0]), *head)


def choose_policy(items: Sequence[Scored], base: Policy, catch_all: str | None,
                  stackers: dict[int, Stacker | None],
                  progress: Callable[[str], None] | None = None) -> tuple[Policy, dict[str, float]]:
    """Pick ``secret_threshold``, then ``review_low``, then ``review_below`` on ``items``.

    1. ``secret_threshold``: the least over-classification among thresholds whose
       under-classification is within ``UNDER_TARGET`` (ties: the lower threshold); if none
       is, the least under-classification.
    2. ``review_low``: the highest value whose silent under-classification stays within
       ``SILENT_UNDER_TARGET`` of the secret documents.
    3. ``review_below``: the highest value whose review rate stays within
       ``REVIEW_RATE_TARGET``.

    Returns
    -------
    policy : Policy
    metrics : dict
        :func:`decision_metrics` at the chosen policy.
    """
    best: tuple[float, float, float] | None = None
    for t in SECRET_GRID:
        m = decision_metrics(items, replace(base, secret_threshold=t, review_low=0.0, review_below=0.0),
                             stackers, catch_all, evidence=False)
        # Within the cap, the least over-classification; beyond it, the least under.
        key = (0.0, m["over"], t) if m["under"] <= UNDER_TARGET else (1.0, m["under"], t)
        if best is None or key < best:
            best = key
    assert best is not None
    pol = replace(base, secret_threshold=best[2])
    n_sec = max(1, sum(it.level.is_secret for it in items))
    review_low = REVIEW_LOW_GRID[0]
    for r in REVIEW_LOW_GRID:
        if r >= pol.secret_threshold:
            break
        m = decision_metrics(items, replace(pol, review_low=r, review_below=0.0), stackers, catch_all,
                             evidence=False)
        if m["silent_under"] / n_sec <= SILENT_UNDER_TARGET:
            review_low = r
    pol = replace(pol, review_low=review_low)
    pol = fit_calibration(items, pol, stackers, catch_all)
    review_below = REVIEW_BELOW_GRID[0]
    for r in REVIEW_BELOW_GRID:
        m = decision_metrics(items, replace(pol, review_below=r), stackers, catch_all, evidence=False)
        if m["review_rate"] <= REVIEW_RATE_TARGET:
            review_below = r
    pol = replace(pol, review_below=review_below)
    return pol, decision_metrics(items, pol, stackers, catch_all)


def fit_calibration(items: Sequence[Scored], policy: Policy, stackers: dict[int, Stacker | None],
                    catch_all: str | None) -> Policy:
    """``policy`` with Platt scaling of the confidence fitted on ``items`` (right level or not)."""
    from sklearn.linear_model import LogisticRegression

    raw = replace(policy, calib_a=1.0, calib_b=0.0, review_below=0.0)
    x, ok = [], []
    for it in items:
        d = decide(it.scores, raw, stackers.get(it.fold), catch_all=catch_all)
        c = min(max(d.confidence, 1e-4), 1 - 1e-4)
        x.append(np.log(c / (1 - c)))
        ok.append(int(d.level == it.level))
    if len(set(ok)) < 2:
        return raw if policy.review_below == 0.0 else replace(raw, review_below=policy.review_below)
    lr = LogisticRegression(C=100.0).fit(np.array(x)[:, None], np.array(ok))
    return replace(policy, calib_a=float(lr.coef_[0][0]), calib_b=float(lr.intercept_[0]))


def key_spans(record: dict[str, Any]) -> list[tuple[int, int]]:
    """The annotated decisive passages of a record, as (start, end) offsets into its text."""
    out = []
    for p in record.get("passages") or []:
        if p.get("kind", "key") == "key" and isinstance(p.get("start"), int) and isinstance(p.get("end"), int):
            out.append((int(p["start"]), int(p["end"])))
    return out


def stack_matrix(items: Sequence[Scored], policy: Policy
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stacker inputs of scored items.

    Returns
    -------
    x : ndarray of shape (N, len(STACK_FEATURES))
    y : ndarray of shape (N,)
        1 for a state secret.
    xo : ndarray of shape (N, len(OPEN_FEATURES))
    yo : ndarray of shape (N,)
        1 for 公开 (meaningful where ``not_secret``).
    not_secret : ndarray of bool, shape (N,)
    """
    x = np.vstack([stack_features(it.scores, policy) for it in items]) if items else np.zeros((0, len(STACK_FEATURES)))
    y = np.array([int(it.level.is_secret) for it in items])
    xo = np.vstack([open_features(it.scores) for it in items]) if items else np.zeros((0, len(OPEN_FEATURES)))
    yo = np.array([int(it.level == Level.GONGKAI) for it in items])
    return x, y, xo, yo, y == 0

