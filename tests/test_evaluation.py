"""The golden set and its metrics."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from classifier.errors import UsageError
from classifier.evaluation import score_labels
from classifier.train import read_records, text_key
from classifier.training.dataset import read_golden

REPO = Path(__file__).resolve().parent.parent


def test_golden_set_covers_every_clause_and_the_negatives(golden_set, catalogue):
    counts = Counter(r.get("clause") or r["level"] for r in golden_set)
    for c in catalogue.clauses:
        if c.level is not None:
            assert counts[c.id] >= 5, c.id
            assert all(r["level"] == c.level.label for r in golden_set if r.get("clause") == c.id)
    assert counts["公开"] + counts["内部"] >= 40
    genres = {r["genre"] for r in golden_set if r["level"] == "公开"}
    assert {"公示", "任职通知", "新闻稿", "统计公报", "公告", "考试大纲", "考察预告"} <= genres


def test_golden_set_is_never_in_the_training_corpus(golden_set):
    train = {text_key(r["text"]) for r in read_records(REPO / "corpus" / "train")}
    assert not [r["id"] for r in golden_set if text_key(r["text"]) in train]


def test_score_labels_figures():
    gold = [("机密", "4.3"), ("秘密", "4.5"), ("公开", None), ("内部", None)]
    pred = [("机密", "4.3"), ("内部", None), ("秘密", "4.8"), ("内部", None)]
    m = score_labels(gold, pred)
    assert (m["under"], m["over"], m["clause_top1"], m["level_acc"]) == (0.5, 0.5, 0.5, 0.5)
    assert m["confusion"]["4.5"] == {"内部": 1}
    assert m["per_class"]["内部"] == {"precision": 0.5, "recall": 1.0, "support": 1}


@pytest.mark.parametrize("line", ['{"text": "x", "level": "很密"}', "{not json",
                                  '{"text": "x", "level": "机密"}'])
def test_read_golden_rejects_bad_lines(tmp_path, line):
    p = tmp_path / "g.jsonl"
    p.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"\[usage_error\].*第1行"):
        read_golden(p)


def test_default_model_golden_figures(golden_set, suggester):
    """The session model (corpus only, no CV) on the golden set: margins, not exact floats."""
    from classifier.evaluation import golden_metrics

    m = golden_metrics(suggester.classifier, golden_set)
    assert m["under"] <= 0.05 and m["macro_f1"] >= 0.8 and m["clause_top1"] >= 0.9
    assert json.dumps(m, ensure_ascii=False)  # stored in metadata.json as is
