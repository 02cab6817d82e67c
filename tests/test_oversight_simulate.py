"""classifier.oversight.simulate: replaying recorded decisions through a candidate (issue 14 §5)."""

from __future__ import annotations

import json

import pytest

from classifier.catalogue import Level
from classifier.engine import Classifier
from classifier.oversight import RecordedDecision, replay, simulate


@pytest.fixture(scope="module")
def golden_records(repo_dir) -> list[RecordedDecision]:
    """The golden set as recorded decisions (never trained on)."""
    out = []
    for line in (repo_dir / "corpus" / "eval" / "golden.jsonl").read_text("utf-8").splitlines():
        r = json.loads(line)
        out.append(RecordedDecision(r["id"], r["text"], Level.from_label(r["level"]),
                                    r.get("clause")))
    return out


@pytest.fixture(scope="module")
def strict_candidate(suggester) -> Classifier:
    """The session model under another policy: a state secret only when P(secret) ≥ 0.9."""
    c = suggester.classifier
    return Classifier.from_model(c.catalogue, c.tokenizer, c.model, secret_threshold=0.9)


def _outcome(clf: Classifier, text: str) -> tuple[Level, str | None]:
    s = clf.suggest(text)
    return s.level, s.clause


def test_replay_equals_suggest(suggester, golden_records):
    clf = suggester.classifier
    for rec, out in replay(golden_records[:40], clf):
        assert (out.level, out.clause) == _outcome(clf, rec.text), rec.doc_id


def test_simulate_lists_exactly_the_documents_whose_suggestion_differs(
        suggester, strict_candidate, golden_records):
    base = suggester.classifier
    expected = {r.doc_id for r in golden_records
                if _outcome(base, r.text) != _outcome(strict_candidate, r.text)}
    assert expected, "the changed policy must change some suggestions for the test to mean much"

    rep = simulate(golden_records, strict_candidate, baseline=base)
    assert rep.n == len(golden_records)
    assert {r.doc_id for r in rep.changed} == expected
    assert rep.baseline == f"model {base.model.version}"
    # A higher secret threshold only lowers levels.
    assert rep.vs_baseline.up == 0 and rep.vs_baseline.down == len(expected)
    # Would-be under-classifications first, largest gap first.
    flags = [r.under for r in rep.changed]
    assert flags == sorted(flags, reverse=True)
    gaps = [r.gap for r in rep.changed if r.under]
    assert gaps == sorted(gaps)
    assert rep.under and all(r.after.level < r.decided.level for r in rep.under)
    assert {r.doc_id for r in rep.newly_under} <= expected
    # Per clause figures add up.
    assert sum(c.n for c in rep.per_clause) == rep.n
    assert sum(c.changed for c in rep.per_clause) == len(expected)
    assert sum(c.under for c in rep.per_clause) == len(rep.under) == rep.vs_decision.down


def test_simulate_against_stored_suggestions(suggester, strict_candidate, golden_records):
    """Without a baseline classifier the suggestion stored with each record is the baseline."""
    base = suggester.classifier
    records = []
    for r in golden_records:
        lv, cl = _outcome(base, r.text)
        records.append(RecordedDecision(r.doc_id, r.text, r.level, r.clause, lv, cl))
    stored = simulate(records, strict_candidate)
    replayed = simulate(golden_records, strict_candidate, baseline=base)
    assert stored.baseline == "stored"
    assert [r.doc_id for r in stored.changed] == [r.doc_id for r in replayed.changed]
    assert stored.vs_baseline == replayed.vs_baseline


def test_simulate_same_classifier_changes_nothing(suggester, golden_records):
    clf = suggester.classifier
    rep = simulate(golden_records[:30], clf, baseline=clf)
    assert rep.changed == () and rep.vs_baseline.same == 30
