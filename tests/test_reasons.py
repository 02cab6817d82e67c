"""Structured reasons (issue 14 §1) in the service layer: several reason codes on a proposal
that departs from the suggestion, an override, a leading-group decision; stored, audited,
checked, on a real SQLite file with the real engine."""

from __future__ import annotations

import itertools

import pytest

from classifier.catalogue import Level
from classifier.errors import (
    ERROR_CODES,
    EmptyReasonError,
    InvalidDecisionError,
    InvalidReasonCodeError,
    ReasonRequiredError,
)
from classifier.workflow import Classification, Status
from classifier.workflow.reasons import ReasonCode, check_reason_codes, reason_labels

SECRET_TEXT = (
    "关于拟任干部人选的请示\n经部务会研究，拟提名张某某同志为市财政局局长人选，"
    "李某某同志为市发改委副主任人选。以上人选尚未公布，请严格控制知悉范围。"
)
_n = itertools.count()


def _upload(workflow, people, suggester, text=SECRET_TEXT):
    data = f"{text}\n（第{next(_n)}稿）".encode()
    return workflow.upload(people.drafter.id, data, "请示.txt", suggester.suggest_upload)


def _suggested(workflow, doc_id):
    s = workflow.latest_suggestion(doc_id)
    assert s is not None and s.level is not None
    return s


def _other_than(level: str) -> Classification:
    """A proposal whose level differs from ``level``."""
    return (Classification(Level.NEIBU) if level != "内部"
            else Classification(Level.GONGKAI))


@pytest.mark.parametrize("codes", [["already_public", "work_matter"]])
def test_propose_departing_from_the_suggestion_stores_and_audits_codes(
        workflow, people, suggester, codes):
    doc = _upload(workflow, people, suggester).document
    c = _other_than(_suggested(workflow, doc.id).level)
    new = workflow.propose(people.drafter.id, doc.id, c, note="已在门户网站公布",
                           reason_codes=[*codes, codes[0]], suggestion_shown=True)
    assert new.status == Status.PROPOSED
    p = workflow.proposals(doc.id)[-1]
    assert p.reason_codes == codes and p.note == "已在门户网站公布"
    ev = workflow.events(doc.id)[-1]
    assert ev.action == "propose" and ev.detail["reason_codes"] == codes


def test_propose_departing_without_a_code_is_refused(workflow, people, suggester):
    doc = _upload(workflow, people, suggester).document
    c = _other_than(_suggested(workflow, doc.id).level)
    with pytest.raises(ReasonRequiredError, match=r"\[reason_required\]") as e:
        workflow.propose(people.drafter.id, doc.id, c, note="只有文字，没有理由类别",
                         suggestion_shown=True)
    assert isinstance(e.value, EmptyReasonError) and e.value.code in ERROR_CODES
    assert workflow.document(doc.id, people.drafter.id).status == Status.UPLOADED
    assert [x.action for x in workflow.events(doc.id)] == ["upload"]


def test_propose_as_suggested_needs_no_code(workflow, people, suggester):
    doc = _upload(workflow, people, suggester).document
    s = _suggested(workflow, doc.id)
    level = Level.from_label(s.level)
    c = Classification(level, s.clause if level.is_secret else None)
    new = workflow.propose(people.drafter.id, doc.id, c, scope="部务会成员", suggestion_shown=True)
    assert new.status == Status.PROPOSED and workflow.proposals(doc.id)[-1].reason_codes is None
    assert "reason_codes" not in workflow.events(doc.id)[-1].detail


@pytest.mark.parametrize("bad", ["not_a_reason"])
def test_unknown_code_is_refused_with_its_code(workflow, people, suggester, bad):
    doc = _upload(workflow, people, suggester).document
    c = _other_than(_suggested(workflow, doc.id).level)
    with pytest.raises(InvalidReasonCodeError, match=r"\[invalid_reason_code\]") as e:
        workflow.propose(people.drafter.id, doc.id, c, reason_codes=["other", bad])
    assert isinstance(e.value, InvalidDecisionError) and "invalid_reason_code" in ERROR_CODES
    assert workflow.proposals(doc.id) == []


def test_propose_departing_unseen_needs_no_code(workflow, people, suggester):
    """A caller that did not show the suggestion (a script, an import) is not asked why."""
    doc = _upload(workflow, people, suggester).document
    c = _other_than(_suggested(workflow, doc.id).level)
    assert workflow.propose(people.drafter.id, doc.id, c).status == Status.PROPOSED


def _proposed(workflow, people, suggester):
    doc = _upload(workflow, people, suggester).document
    c = Classification(Level.JIMI, "4.3", None, "任免正式公布后")
    s = _suggested(workflow, doc.id)
    codes = ["wrong_clause"] if (s.level, s.clause) != ("机密", "4.3") else None
    return workflow.propose(people.drafter.id, doc.id, c, scope="部务会成员", reason_codes=codes)


def test_override_with_two_codes_stored_and_audited(workflow, people, suggester):
    doc = _proposed(workflow, people, suggester)
    new = workflow.override(people.director.id, doc.id,
                            Classification(Level.JIMI, "4.3", 10, None), reason="期限应为十年",
                            reason_codes=[ReasonCode.WRONG_PERIOD, "other"])
    assert new.status == Status.OVERRIDDEN
    d = workflow.decisions(doc.id)[-1]
    assert d.kind == "override" and d.reason_codes == ["wrong_period", "other"]
    assert d.reason_code == "wrong_period"
    ev = workflow.events(doc.id)[-1]
    assert ev.action == "override" and ev.detail["reason_codes"] == ["wrong_period", "other"]


def test_old_single_reason_code_keyword_still_works(workflow, people, suggester):
    doc = _proposed(workflow, people, suggester)
    workflow.override(people.director.id, doc.id, Classification(Level.JIMI, "4.3", 10, None),
                      reason="期限应为十年", reason_code="wrong_period")
    d = workflow.decisions(doc.id)[-1]
    assert d.reason_code == "wrong_period" and d.reason_codes == ["wrong_period"]


def test_escalated_then_decided_with_codes(workflow, people, suggester):
    doc = _proposed(workflow, people, suggester)
    # 内部 below the clause's 机密, and a drafter–director disagreement: the leading group's
    new = workflow.override(people.director.id, doc.id, Classification(Level.NEIBU),
                            reason="仅属工作秘密", reason_codes=["work_matter", "already_public"])
    assert new.status == Status.ESCALATED
    routed = workflow.decisions(doc.id)[-1]
    assert routed.kind == "escalate" and routed.reason_codes == ["work_matter", "already_public"]
    assert workflow.events(doc.id)[-1].detail["reason_codes"] == ["work_matter", "already_public"]
    new = workflow.decide(people.leader.id, doc.id, Classification(Level.NEIBU),
                          reason="领导小组研究认为属工作秘密",
                          reason_codes=["work_matter", "outside_catalogue"])
    assert new.status == Status.DECIDED and new.level == "内部"
    d = workflow.decisions(doc.id)[-1]
    assert d.kind == "decide" and d.reason_codes == ["work_matter", "outside_catalogue"]
    assert workflow.events(doc.id)[-1].detail["reason_codes"] == ["work_matter",
                                                                  "outside_catalogue"]


def test_unknown_code_on_a_decision_writes_nothing(workflow, people, suggester):
    doc = _proposed(workflow, people, suggester)
    n = len(workflow.events(doc.id))
    with pytest.raises(InvalidReasonCodeError, match=r"\[invalid_reason_code\]"):
        workflow.override(people.director.id, doc.id, Classification(Level.JIMI, "4.3", 10),
                          reason="x", reason_codes=["wrong_period", "nope"])
    assert len(workflow.events(doc.id)) == n and workflow.decisions(doc.id) == []


@pytest.mark.parametrize(("given", "old", "expected"), [
    (["other", "derived", "other"], None, ("other", "derived")),
    (["derived"], "higher_level", ("higher_level", "derived")),
    ("wrong_clause", None, ("wrong_clause",)),
    (None, None, ()),
    (["", None], None, ()),
])
def test_check_reason_codes_orders_and_dedupes(given, old, expected):
    assert tuple(c.value for c in check_reason_codes(given, old)) == expected


def test_reason_labels_are_chinese():
    assert reason_labels(["already_public", "higher_level"]) == "内容已公开、应定更高密级"


def test_overview_counts_every_reason_of_an_override(workflow, people, suggester):
    from classifier.workflow.overview import overview

    doc = _proposed(workflow, people, suggester)
    new = workflow.override(people.director.id, doc.id, Classification(Level.JIMI, "4.1", 10),
                            reason="属换届人事安排", reason_codes=["wrong_clause", "derived"])
    assert new.status == Status.OVERRIDDEN
    ov = overview(workflow, people.leader.id)
    (change,) = [c for c in ov.changes if c.id == doc.id]
    assert change.reason_label == "定密依据条款不对、派生自已定密的来源"
    assert {("4.1", "定密依据条款不对", 1), ("4.1", "派生自已定密的来源", 1)} <= set(ov.reasons)
