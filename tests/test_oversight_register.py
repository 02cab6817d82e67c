"""classifier.workflow.oversight and .overview: agreement, the consistency alarm and the
leading group's overview over a real SQLite register (issue 14 §2, §4, §6)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from classifier.errors import PermissionDeniedError
from classifier.oversight import cohen_kappa
from classifier.workflow.oversight import (
    ConsistencyMonitor,
    agreement_overview,
    alarm,
    person_differs,
    recorded_decisions,
    similar_notices,
)
from classifier.workflow.overview import overview, overview_xlsx
from tests.registers import Entry, invented_register, near_duplicate, store_register

LEVELS = ["公开", "内部", "秘密", "机密", "绝密"]
CLAUSES = {"秘密": "4.5", "机密": "4.3", "绝密": "4.1"}


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """1,000 invented, mutually dissimilar documents."""
    return invented_register(1000, seed=41, chars=600)


def _entries(texts: list[str]) -> list[Entry]:
    return [Entry(t, LEVELS[i % 5], CLAUSES.get(LEVELS[i % 5])) for i, t in enumerate(texts)]


def _store(workflow, people, entries: list[Entry]) -> list[int]:
    return store_register(workflow.store, entries, drafter_id=people.drafter.id,
                          director_id=people.director.id)


@pytest.mark.parametrize(("copy_level", "found"), [("公开", True), ("机密", False)])
def test_alarm_in_a_register_of_1000(workflow, people, texts, copy_level, found):
    """A near-identical copy of a 机密 document settled as 公开 is found; as 机密, nothing is."""
    entries = _entries(texts[:999])
    orig = 3  # 机密, 4.3
    assert entries[orig].level == "机密"
    entries.append(Entry(near_duplicate(texts[orig], edits=3), copy_level,
                         CLAUSES.get(copy_level), filename="同一通知（复制）.txt"))
    ids = _store(workflow, people, entries)
    assert len(ids) == 1000

    monitor = ConsistencyMonitor(workflow)
    views = alarm(monitor, people.leader.id)
    if not found:
        assert views == []
        return
    assert len(views) == 1
    v = views[0]
    assert v.ids == (ids[orig], ids[-1])  # the higher level first
    assert (v.pair.level_a.label, v.pair.level_b.label) == ("机密", "公开")
    assert v.pair.title_b == "同一通知（复制）.txt"
    assert v.pair.jaccard is not None and v.pair.jaccard >= 0.8
    assert v.readable_a and v.readable_b


def test_monitor_follows_the_register(workflow, people, texts):
    ids = _store(workflow, people, _entries(texts[:20]))
    monitor = ConsistencyMonitor(workflow)
    assert monitor.refresh() == 20 and len(monitor) == 20
    assert monitor.refresh() == 0  # nothing new: nothing rehashed
    copy = _store(workflow, people, [Entry(near_duplicate(texts[2], seed=5), "公开")])
    assert monitor.refresh() == 1
    assert [(int(p.doc_a), int(p.doc_b)) for p in monitor.conflicts()] == [(ids[2], copy[0])]


def test_notice_at_decision_time(workflow, people, texts):
    """The director deciding a near-copy is told how the settled original was decided; a
    document outside the director's need to know is not named."""
    [secret, hidden] = _store(workflow, people, [
        Entry(texts[0], "秘密", "4.5", filename="人选情况.txt"),
        Entry(texts[1], "机密", "4.3", filename="名单.txt", scope="王组长")])
    [pending] = _store(workflow, people, [
        Entry(near_duplicate(texts[0], seed=1), "秘密", "4.5",
              status="proposed")])
    notes = similar_notices(ConsistencyMonitor(workflow), people.director2.id, pending)
    assert len(notes) == 1
    assert notes[0].startswith("《人选情况.txt》与本件相似度 ")
    assert notes[0].endswith("%，已定为秘密（依据 4.5）")

    [pending2] = _store(workflow, people, [
        Entry(near_duplicate(texts[1], seed=2), "机密", "4.3", status="proposed")])
    notes = similar_notices(ConsistencyMonitor(workflow), people.director2.id, pending2)
    assert len(notes) == 1 and notes[0].startswith("一份文件与本件相似度")
    assert "名单" not in notes[0] and hidden and secret


def test_agreement_from_the_register(workflow, people, texts):
    """κ of the stored judgements equals κ of the same labels worked by hand; overrides
    are counted in their direction."""
    entries = [
        Entry(texts[0], "机密", "4.3", suggested=("机密", "4.3"), proposed=("机密", "4.3")),
        Entry(texts[1], "机密", "4.3", suggested=("内部", None), proposed=("秘密", "4.5"),
              kind="override", reason="涉及尚未公布的人选"),
        Entry(texts[2], "公开", None, suggested=("秘密", "4.5"), proposed=("公开", None)),
        Entry(texts[3], "秘密", "4.5", suggested=("秘密", "4.5"), proposed=("秘密", "4.5")),
        Entry(texts[4], "内部", None, suggested=("内部", None), proposed=("内部", None)),
        Entry(texts[5], "秘密", "4.5", suggested=("秘密", "4.5"), proposed=("秘密", "4.5"),
              status="proposed"),
    ]
    _store(workflow, people, entries)
    ag = agreement_overview(workflow, people.leader.id)
    md = ag.level[("model", "decision")]
    settled = [e for e in entries if e.status is None]
    assert md.overall.n == 5
    assert md.overall.kappa == pytest.approx(cohen_kappa(
        [e.suggested[0] for e in settled], [e.level for e in settled]))
    assert md.overall.observed == pytest.approx(3 / 5)
    assert list(md.by_person) == ["李主任"]
    # model → drafter includes the document still waiting for the director
    assert ag.level[("model", "drafter")].overall.n == 6
    assert ag.level[("drafter", "decision")].overall.observed == pytest.approx(4 / 5)
    o = ag.overrides.overall
    assert (o.n, o.up, o.down, o.same) == (5, 1, 1, 3)
    assert ag.drafter_overrides.overall.up == 1


def test_person_differs_filter(workflow, people, texts):
    ids = _store(workflow, people, [
        Entry(texts[0], "机密", "4.3", suggested=("机密", "4.3")),
        Entry(texts[1], "机密", "4.3", suggested=("机密", "4.9")),
        Entry(texts[2], "秘密", "4.5", suggested=("秘密", "4.5"), proposed=("内部", None),
              status="proposed")])
    rows = {s.id: person_differs(s) for s in workflow.store.summaries()}
    assert rows == {ids[0]: False, ids[1]: True, ids[2]: True}


def test_overview_counts_and_xlsx(workflow, people, texts):
    entries = _entries(texts[:10])
    entries += [Entry(texts[10], "秘密", "4.5", years=1),
                Entry(texts[11], "机密", "4.3", proposed=("秘密", "4.5"), kind="override",
                      reason="=属于市管干部汇总名单", reason_code="higher_level"),
                Entry(texts[12], "秘密", "4.5", status="proposed")]
    ids = _store(workflow, people, entries)
    today = date.today() + timedelta(days=340)
    ov = overview(workflow, people.director.id, today=today)
    assert ov.total == 13 and ov.settled == 12
    assert ov.by_level == {"公开": 2, "内部": 2, "秘密": 3, "机密": 3, "绝密": 2}
    assert ov.by_clause == {"公开": 2, "内部": 2, "4.1": 2, "4.3": 3, "4.5": 3}
    assert sum(n for _, _, n in ov.by_month) == 12
    assert [w.id for w in ov.pending] == [ids[12]]
    assert [w.id for w in ov.overdue] == [ids[12]]  # 340 days is well over 10 working days
    assert [d.id for d in ov.due] == [ids[10]] and ov.due[0].days_left < 30
    [change] = ov.changes
    assert (change.id, change.direction, change.proposed, change.decided) == (
        ids[11], "up", "秘密 4.5", "机密 4.3")
    assert change.reason_label == "应定更高密级"
    assert ov.reasons == [("4.3", "应定更高密级", 1)]

    wb = load_workbook(io.BytesIO(overview_xlsx(ov)))
    assert wb.sheetnames[:4] == ["概况", "按密级", "按条款", "按月份"]
    assert [c.value for c in wb["按密级"]["B"][1:]] == [2, 2, 3, 3, 2]
    assert wb["改定及理由"]["I2"].value == "应定更高密级"
    assert list(wb["各条款常见理由"].iter_rows(min_row=2, values_only=True)) == [
        ("4.3", "应定更高密级", 1)]
    reason = wb["改定及理由"]["J2"]
    assert reason.value == "=属于市管干部汇总名单" and reason.data_type == "s"  # never a formula


def test_only_directors_and_the_leading_group(workflow, people):
    for who in (people.drafter, people.clerk, people.auditor):
        with pytest.raises(PermissionDeniedError, match=r"\[permission_denied\]"):
            overview(workflow, who.id)
        with pytest.raises(PermissionDeniedError):
            agreement_overview(workflow, who.id)
        with pytest.raises(PermissionDeniedError):
            recorded_decisions(workflow, who.id)
