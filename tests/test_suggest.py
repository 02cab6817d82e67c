"""Suggestions per clause and on hard negatives, on drafts written for the tests (not training)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifier.catalogue import Level

CASES = [json.loads(x) for x in (Path(__file__).parent / "data" / "suggest_cases.jsonl")
         .read_text(encoding="utf-8").splitlines() if x.strip()]
SECRET = [c for c in CASES if c["clause"]]
NEGATIVE = [c for c in CASES if not c["clause"]]


@pytest.mark.parametrize("case", SECRET, ids=[f"{c['clause']}-{i}" for i, c in enumerate(SECRET)])
def test_secret_draft_gets_its_clause_level_and_period(suggester, catalogue, case):
    s = suggester.suggest_text(case["text"])
    assert s.level.label == case["level"]
    assert s.clause == case["clause"]
    clause = catalogue.get(case["clause"])
    assert (s.period_years, s.condition) == (clause.period_years, clause.condition)
    assert s.mark == clause.mark
    top = s.candidates[0]
    assert top.clause == case["clause"] and top.evidence
    for e in top.evidence:
        assert case["text"][e.start:e.end] == e.text


@pytest.mark.parametrize("case", NEGATIVE, ids=[f"neg-{i}" for i in range(len(NEGATIVE))])
def test_hard_negative_is_not_a_state_secret(suggester, case):
    s = suggester.suggest_text(case["text"])
    assert not s.level.is_secret, (s.level, s.clause)
    assert s.clause is None and s.mark == ""


def test_secret_recall_on_test_drafts(suggester):
    under = sum(not suggester.suggest_text(c["text"]).level.is_secret for c in SECRET)
    assert under == 0


def test_marking_conflict_is_flagged(suggester):
    text = "内部\n" + SECRET[0]["text"]
    s = suggester.suggest_text(text)
    assert s.marking is not None and s.marking.level is Level.NEIBU
    assert s.marking_conflict and s.needs_review


def test_agreeing_marking_is_not_a_conflict(suggester, catalogue):
    case = next(c for c in SECRET if c["clause"] == "4.9")
    s = suggester.suggest_text(catalogue.get("4.9").mark + "\n" + case["text"])
    assert s.marking is not None and not s.marking_conflict


def test_marking_does_not_decide_the_level(suggester):
    """The label is by content: a routine notice stamped 秘密 stays non-secret, flagged."""
    s = suggester.suggest_text("秘密\n" + NEGATIVE[-2]["text"])
    assert not s.level.is_secret and s.marking_conflict and s.needs_review


def test_suggestion_json_contract(suggester):
    d = suggester.suggest_text(SECRET[0]["text"]).to_dict()
    assert set(d) >= {"level", "clause", "clause_title", "period", "confidence", "needs_review",
                      "candidates", "marking", "model_version", "catalogue_version"}
    assert d["level"] in {"公开", "内部", "秘密", "机密", "绝密"}
    assert 0.0 <= d["confidence"] <= 1.0
    assert 1 <= len(d["candidates"]) <= 5
    scores = [c["score"] for c in d["candidates"]]
    assert d["candidates"][0]["clause"] == d["clause"]  # the suggestion first, then the others
    assert scores[1:] == sorted(scores[1:], reverse=True)
    assert set(d["period"]) == {"years", "condition", "mark"}


@pytest.mark.parametrize("text", ["", "   ", "。。。", "a", "\x00\x01", "机密", "12345"])
def test_odd_texts_never_raise(suggester, text):
    s = suggester.suggest_text(text)
    assert s.level in set(Level)


def test_catch_all_clause_takes_the_most_cautious_level(catalogue, tokenizer):
    """Secret-looking, no clause probable and no cue in the text: 4.12, cautious level, review."""
    import numpy as np

    from classifier.engine import CATCH_ALL, Classifier
    from classifier.engine.model import TextModel

    text = "请各位同志认真阅读以下有关材料并于本周五之前按时交回办公室，阅后收回。"
    words = sorted(set(tokenizer.tokens(text)))
    classes = ["公开", "内部", "4.1", "4.2", "4.3", "4.5"]  # an undecided model: uniform
    model = TextModel(classes, {w: i for i, w in enumerate(words)}, np.ones(len(words)),
                      np.zeros((6, len(words))), np.zeros(6), [], {"version": "uniform"})
    s = Classifier(catalogue, tokenizer, model).suggest("秘密\n" + text)
    assert s.clause == "4.12" and CATCH_ALL in s.reasons and s.needs_review
    assert s.level is Level.JIMI  # the highest of the likeliest clauses (4.1, 4.3: 机密)
    assert s.period_years == 20 and s.mark == "机密★20年"
    assert s.candidates[0].clause == "4.12"
    assert s.marking_conflict  # printed 秘密, suggested 机密


@pytest.mark.parametrize("text", ["关于开会的通知", "def main():\n    return 0\n", "Hello world, this is a test.",
                                  "123 456 789"])
def test_too_little_text_is_not_suggested_secret(suggester, text):
    """No evidence is not evidence of a secret: short or foreign texts go to a person as 内部/公开."""
    from classifier.engine import INSUFFICIENT_TEXT

    s = suggester.suggest_text(text)
    assert not s.level.is_secret and s.needs_review and INSUFFICIENT_TEXT in s.reasons


def test_too_little_text_with_a_secret_marking_stays_secret(suggester):
    from classifier.engine import INSUFFICIENT_TEXT

    s = suggester.suggest_text("机密★20年\n见附件。")
    assert s.level is Level.JIMI and s.clause == "4.12" and INSUFFICIENT_TEXT in s.reasons


# --- issue 15 §3: OCR progress through the reading child, and its warm-up ------------------


def _two_page_scan() -> bytes:
    from tests import builders as b

    scan = b.scan_image(b.draft_pdf(), dpi=200, noise=False)
    page = b.image_bytes(scan.crop((0, 120, scan.width, 420)), "PDF", resolution=200.0)
    return b.merge_pdfs(page, page)


def test_upload_reports_ocr_progress_from_the_reading_child(suggester):
    """``on_page(k, K)`` reaches the caller from the isolated child, page by page, and the
    record is the same as without a callback."""
    from classifier.extract import ocr

    if not ocr.available():
        pytest.skip("rapidocr-onnxruntime not installed")
    assert suggester._isolated()  # the app's default: the document is read in a child
    calls: list[tuple[int, int]] = []
    data = _two_page_scan()
    result = suggester.suggest_upload(data, "两页扫描件.pdf",
                                      on_page=lambda k, n: calls.append((k, n)))
    assert calls == [(1, 2), (2, 2)]
    assert result.error is None and result.format == "pdf" and result.record["pages"] == 2
    plain = suggester.suggest_upload(data, "两页扫描件.pdf")
    assert plain.text == result.text


def test_warm_up_starts_the_reading_child(suggester):
    suggester.warm_up()
    (worker,) = suggester.pool().workers
    assert worker.alive
    pid = worker.proc.pid
    suggester.warm_up()  # again: the same child, nothing reloaded
    assert worker.proc.pid == pid
