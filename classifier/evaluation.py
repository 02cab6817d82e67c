"""Golden-set evaluation: how a model's suggestions compare with hand-labelled drafts.

The golden set (``corpus/eval/golden.jsonl``, same schema as ``corpus/train``) is written
apart from the training drafts and never trained on. Every model version is scored on it
at training time (the figures go into its ``metadata.json``), and the registry compares
those figures before it lets a new version replace the active one.

:func:`score_labels` is the one scorer: cross-validation (:mod:`classifier.crossval`) and
the golden set use it alike. This module joins :mod:`classifier.training` (as ``metrics``)
together with ``train.py`` and ``crossval.py``, its other importers; the golden set is read by
:func:`classifier.training.dataset.read_golden`.

Source: issue 4 (golden set, registry metrics); the default catalogue's hard negatives.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from classifier.catalogue import Level

if TYPE_CHECKING:
    from classifier.engine import Classifier

LEVELS = {lv.label: lv for lv in Level}

#: Chinese name and one-line explanation of each figure of :func:`score_labels`, for every
#: page and report a person reads (the keys stay the stable names of ``metadata.json``).
METRIC_LABELS: dict[str, tuple[str, str]] = {
    "level_acc": ("密级准确率", "系统建议的密级与正确密级相同的文件所占比例，越高越好。"),
    "macro_f1": ("密级宏平均F1值", "各密级查准与查全的综合得分再取平均，不受各密级篇数多少影响，越高越好。"),
    "clause_top1": ("条款首选准确率", "国家秘密文件中，系统首选的定密依据条款正确的比例，越高越好。"),
    "under": ("漏定率", "应定为国家秘密、系统却建议为公开或内部的比例，越低越好，是最要紧的指标。"),
    "over": ("过度定密率", "不属于国家秘密、系统却建议定密的比例，越低越好。"),
    "precision": ("精确率", "系统建议为该类的文件中，确属该类的比例。"),
    "recall": ("召回率", "确属该类的文件中，被系统建议为该类的比例。"),
}


def metric_name(key: str) -> str:
    """The Chinese name of a metric key of :func:`score_labels` (the key itself if unknown)."""
    return METRIC_LABELS.get(key, (key, ""))[0]


def golden_sha256(records: Sequence[dict[str, Any]]) -> str:
    """A hash of the golden set's texts and labels (metrics are comparable only when equal)."""
    h = hashlib.sha256()
    for r in records:
        h.update(f"{r['text']}\t{r['level']}\t{r.get('clause') or ''}\n".encode())
    return h.hexdigest()


def _label(level: str, clause: str | None) -> str:
    return clause if LEVELS[level].is_secret and clause else level


def score_labels(gold: Sequence[tuple[str, str | None]], pred: Sequence[tuple[str, str | None]]
                 ) -> dict[str, Any]:
    """Metrics of predicted (level, clause) pairs against gold ones.

    Parameters
    ----------
    gold, pred : sequence of (level label, clause or None), length N

    Returns
    -------
    dict
        ``n``, ``n_secret``, ``n_open``; ``level_acc``; ``macro_f1`` (F1 averaged over the
        levels present in ``gold``); ``under`` (share of secret drafts suggested 公开/内部);
        ``over`` (share of 公开/内部 drafts suggested secret); ``clause_top1`` (share of
        secret drafts whose suggested clause is the gold one); ``confusion`` (gold class →
        predicted class → count, a class being a clause id or 公开/内部); ``per_class``
        (class → precision, recall, support).
    """
    gl = [LEVELS[g[0]] for g in gold]
    pl = [LEVELS[p[0]] for p in pred]
    pairs = list(zip(gl, pl, strict=True))
    n_sec = sum(g.is_secret for g in gl)
    n_open = len(gl) - n_sec
    f1s = []
    for lv in sorted(set(gl)):
        tp = sum(g == lv and p == lv for g, p in pairs)
        fp = sum(g != lv and p == lv for g, p in pairs)
        fn = sum(g == lv and p != lv for g, p in pairs)
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    gc = [_label(*g) for g in gold]
    pc = [_label(*p) for p in pred]
    confusion: dict[str, dict[str, int]] = {}
    for g, p in zip(gc, pc, strict=True):
        confusion.setdefault(g, {}).setdefault(p, 0)
        confusion[g][p] += 1
    per_class = {}
    for c in sorted(set(gc) | set(pc)):
        tp = sum(g == c and p == c for g, p in zip(gc, pc, strict=True))
        n_pred = pc.count(c)
        n_gold = gc.count(c)
        per_class[c] = {"precision": tp / n_pred if n_pred else 0.0,
                        "recall": tp / n_gold if n_gold else 0.0, "support": n_gold}
    return {
        "n": len(gold), "n_secret": n_sec, "n_open": n_open,
        "level_acc": sum(g == p for g, p in pairs) / len(pairs) if pairs else 0.0,
        "macro_f1": sum(f1s) / len(f1s) if f1s else 0.0,
        "under": sum(g.is_secret and not p.is_secret for g, p in pairs) / n_sec if n_sec else 0.0,
        "over": sum(not g.is_secret and p.is_secret for g, p in pairs) / n_open if n_open else 0.0,
        "clause_top1": sum(g == p for g, p, lv in zip(gc, pc, gl, strict=True) if lv.is_secret)
        / n_sec if n_sec else 0.0,
        "confusion": confusion,
        "per_class": per_class,
    }


def golden_metrics(classifier: Classifier, records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Score a classifier's suggestions (level decision, thresholds, 4.12 and all) on records.

    Returns
    -------
    dict
        :func:`score_labels` plus ``golden_sha256``.
    """
    gold = [(r["level"], r.get("clause") or None) for r in records]
    pred = []
    for r in records:
        s = classifier.suggest(r["text"])
        pred.append((s.level.label, s.clause))
    return {**score_labels(gold, pred), "golden_sha256": golden_sha256(records)}
