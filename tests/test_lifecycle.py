"""The life of a classification on a real SQLite file: the guards of every decision (定密权限,
the leading group, the law's periods), register numbers and dates of issue, change and
declassification (drafter → office → leading group), expiry exactly once, marked copies and
approval forms read back from their files, the due list and the annual review."""

from __future__ import annotations

import io
import threading
from datetime import date, timedelta

import pytest

from classifier.catalogue import Level
from classifier.config import DecisionPolicy
from classifier.errors import (
    IllegalTransitionError,
    NotSettledError,
    OriginalNotKeptError,
    PeriodRequiredError,
    PeriodTooLongError,
    PermissionDeniedError,
)
from classifier.store import Store
from classifier.workflow import Classification, ReasonCode, Status, Workflow
from classifier.workflow.outputs import review_to_xlsx
from classifier.workflow.states import TRANSITIONS, Action
from tests import builders

TITLE = "关于拟任干部人选的请示"
SECRET_TEXT = (f"{TITLE}\n经部务会研究，拟提名张某某同志为市财政局局长人选，"
               "李某某同志为市发改委副主任人选。以上人选尚未公布，请严格控制知悉范围。")
JIMI_43 = Classification(Level.JIMI, "4.3", None, "任免正式公布后")
JIMI_43_10 = Classification(Level.JIMI, "4.3", 10)
_n = iter(range(10_000))


def _docx(text: str = SECRET_TEXT) -> bytes:
    from docx import Document

    doc = Document()
    for line in text.split("\n"):
        doc.add_paragraph(line)
    doc.add_paragraph(f"（第{next(_n)}稿）")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _pdf() -> bytes:
    top = 842 - 37 * 72 / 25.4 - 22
    return builders.pdf_bytes([[(79.0, top, TITLE), (79.0, top - 40, f"拟提名张某某同志。{next(_n)}")]],
                              size=16.0)


@pytest.fixture()
def kept(tmp_path, catalogue):
    """A workflow over a SQLite file that keeps originals (marked copies need them)."""
    store = Store.from_url(f"sqlite:///{tmp_path / 'kept.sqlite3'}", store_originals=True)
    yield Workflow(store, catalogue)
    store.close()


@pytest.fixture()
def kp(kept):
    """The people of ``kept``'s database, one per role."""
    from types import SimpleNamespace

    return SimpleNamespace(**{k: kept.add_user(n, r) for k, n, r in (
        ("drafter", "张承办", "drafter"), ("director", "李主任", "director"),
        ("leader", "王组长", "leading_group"), ("clerk", "陈机要", "clerk"),
        ("auditor", "安全审计员", "auditor"))})


def _proposed(wf, people, suggester, c=JIMI_43, data=None, name="请示.docx"):
    doc = wf.upload(people.drafter.id, data or _docx(), name, suggester.suggest_upload).document
    return wf.propose(people.drafter.id, doc.id, c, scope="部务会成员")


def _confirmed(wf, people, suggester, c=JIMI_43_10, **kw):
    doc = _proposed(wf, people, suggester, c, **kw)
    return wf.confirm(people.director.id, doc.id, issued_on=date(2026, 3, 1))


# --- guards -----------------------------------------------------------------------------


@pytest.mark.parametrize("c, reason", [
    (Classification(Level.JIMI, "4.12", 20), "catch_all_clause"),     # 其它保密事项
    (Classification(Level.JIMI, "4.8", 20), "above_clause_level"),    # 4.8 is 秘密
    (Classification(Level.MIMI, "4.3", 10), "below_clause_level"),    # 4.3 is 机密, no code
])
def test_guard_director_cannot_confirm_alone_it_goes_to_the_leading_group(
        workflow, people, suggester, c, reason):
    doc = _proposed(workflow, people, suggester, c)
    new = workflow.confirm(people.director.id, doc.id)
    assert new.status == Status.ESCALATED
    assert (new.level, new.register_number) == (c.level.label, None)  # the proposal, unsettled
    last = workflow.store.decisions(doc.id)[-1]
    assert last.kind == "escalate" and "领导小组" in last.reason
    ev = workflow.store.events(doc.id)[-1]
    assert ev.detail["requested"] == "confirm" and any(reason in r for r in ev.detail["route"])
    # the leading group settles it
    done = workflow.decide(people.leader.id, doc.id, c, reason_codes=["other"], reason="属于该条款")
    assert done.status == Status.DECIDED and done.register_number


def test_guard_below_the_clause_with_a_reason_code_is_the_directors(workflow, people, suggester):
    doc = _proposed(workflow, people, suggester, Classification(Level.MIMI, "4.3", 10))
    new = workflow.confirm(people.director.id, doc.id, reason_code=ReasonCode.WORK_MATTER)
    assert new.status == Status.CONFIRMED
    assert workflow.store.decisions(doc.id)[-1].reason_code == "work_matter"


def test_guard_drafter_director_disagreement_goes_to_the_leading_group(workflow, people,
                                                                       suggester):
    doc = _proposed(workflow, people, suggester, JIMI_43)
    new = workflow.override(people.director.id, doc.id, Classification(Level.MIMI, "4.5", 10),
                            reason="范围较窄", reason_code="wrong_clause")
    assert new.status == Status.ESCALATED and new.level == "机密"   # still handled as proposed
    d = workflow.store.decisions(doc.id)[-1]
    assert (d.kind, d.level, d.clause) == ("escalate", "秘密", "4.5")  # what the director wanted


@pytest.mark.parametrize("settle", ["confirm", "decide"])
def test_guard_above_authority_is_referred_and_handled_at_that_level(workflow, people, suggester,
                                                                    settle):
    juemi = Classification(Level.JUEMI, "4.3", 30)
    doc = _proposed(workflow, people, suggester, juemi if settle == "confirm" else JIMI_43)
    if settle == "confirm":
        new = workflow.confirm(people.director.id, doc.id)
    else:
        workflow.escalate(people.director.id, doc.id, question="是否绝密？")
        new = workflow.decide(people.leader.id, doc.id, juemi, reason_codes=["other"], reason="涉及主要负责人")
    assert new.status == Status.REFERRED and Status.REFERRED.label == "报请上级定密"
    assert (new.level, new.mark) == ("绝密", "绝密★30年")
    assert new.register_number  # handled as a secret at once: numbered and markable
    assert not Status(new.status).is_final
    rec = next(r for r in workflow.records(people.clerk.id) if r.id == doc.id)
    assert rec.status == "报请上级定密"
    done = workflow.record_superior(people.director.id, doc.id, juemi, reason="上级复函〔2026〕3号")
    assert (done.status, done.register_number) == (Status.DECIDED, new.register_number)


def test_guard_authority_is_configurable(store, catalogue, people, suggester):
    wf = Workflow(store, catalogue, decision=DecisionPolicy(authority_max_level="绝密"))
    juemi = Classification(Level.JUEMI, "4.3", 30)
    doc = _proposed(wf, people, suggester, juemi)
    doc = wf.confirm(people.director.id, doc.id)   # above 4.3's 机密: the leading group's
    assert doc.status == Status.ESCALATED
    assert wf.decide(people.leader.id, doc.id, juemi, reason_codes=["other"], reason="是").status == Status.DECIDED


@pytest.mark.parametrize("c, error", [
    (Classification(Level.MIMI, "4.5", 11), PeriodTooLongError),
    (Classification(Level.JIMI, "4.3", 21), PeriodTooLongError),
    (Classification(Level.JUEMI, "4.3", 31), PeriodTooLongError),
    (Classification(Level.JIMI, "4.3"), PeriodRequiredError),
])
def test_guard_period_beyond_the_law_or_missing_is_refused(workflow, people, suggester, c, error):
    doc = _proposed(workflow, people, suggester)
    workflow.escalate(people.director.id, doc.id, question="期限？")
    with pytest.raises(error, match=rf"\[{error.code}\]"):
        workflow.decide(people.leader.id, doc.id, c, reason_codes=["other"], reason="理由")
    with pytest.raises(error):
        workflow.propose(people.drafter.id, doc.id, c, scope="x") if error is PeriodTooLongError \
            else Classification(c.level, c.clause).normalized(require_period=True)
    assert workflow.store.document(doc.id).status == Status.ESCALATED
    assert len(workflow.store.decisions(doc.id)) == 1  # nothing half-written


# --- register numbers and dates of issue -----------------------------------------------


def test_register_numbers_sequential_per_year_and_date_of_issue(workflow, people, suggester):
    a = _confirmed(workflow, people, suggester)
    b = _confirmed(workflow, people, suggester)
    pub = _proposed(workflow, people, suggester, Classification(Level.GONGKAI))
    pub = workflow.confirm(people.director.id, pub.id)
    year = date.today().year
    assert a.register_number == f"组密〔{year}〕0001号"
    assert b.register_number == f"组密〔{year}〕0002号"
    assert pub.register_number is None                       # only secrets are numbered
    assert (a.issued_on, a.period_ends_on) == (date(2026, 3, 1), date(2036, 3, 1))
    assert a.declassify_to == "内部"
    d = workflow.store.decisions(a.id)[-1]
    assert (d.register_number, d.issued_on) == (a.register_number, date(2026, 3, 1))
    rec = next(r for r in workflow.records(people.clerk.id) if r.id == a.id)
    assert (rec.register_number, rec.issued_on, rec.period_ends_on) == (
        a.register_number, "2026-03-01", "2036-03-01")
    assert workflow.audit_verify(people.auditor.id).ok


def test_register_numbers_never_collide_under_concurrent_decisions(tmp_path, catalogue, people,
                                                                  workflow, suggester):
    other = Workflow(Store.from_url(workflow.store.db_engine.url.render_as_string(False)),
                     catalogue)
    try:
        docs = [_proposed(workflow, people, suggester) for _ in range(4)]
        barrier = threading.Barrier(4)
        out: list[str] = []

        def go(wf, uid, d):
            barrier.wait()
            out.append(wf.confirm(uid, d.id).register_number)

        ts = [threading.Thread(target=go, args=(w, u, d)) for w, u, d in zip(
            (workflow, other, workflow, other),
            (people.director.id, people.director2.id) * 2, docs, strict=True)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(timeout=60)
        assert len(out) == 4 and len(set(out)) == 4
    finally:
        other.store.close()


# --- change and declassification -------------------------------------------------------


def test_change_goes_drafter_office_leading_group(workflow, people, suggester):
    doc = _confirmed(workflow, people, suggester)
    number = doc.register_number
    with pytest.raises(PermissionDeniedError):          # the director does not propose
        workflow.request_change(people.director.id, doc.id, JIMI_43, reason="x")
    doc = workflow.request_change(people.drafter.id, doc.id, Classification(Level.JIMI, "4.3", 5),
                                  reason="情况变化，缩短期限")
    assert doc.status == Status.CHANGE_PROPOSED and doc.mark == "机密★10年"  # still in force
    with pytest.raises(IllegalTransitionError):        # the leading group waits for the office
        workflow.approve_change(people.leader.id, doc.id, reason="同意")
    doc = workflow.check_change(people.director.id, doc.id, opinion="同意，报领导小组审批")
    assert doc.status == Status.CHANGE_CHECKED
    doc = workflow.approve_change(people.leader.id, doc.id, reason="同意")
    assert (doc.status, doc.mark, doc.register_number) == (Status.CHANGED, "机密★5年", number)
    assert (doc.issued_on, doc.period_ends_on) == (date(2026, 3, 1), date(2031, 3, 1))
    kinds = [d.kind for d in workflow.store.decisions(doc.id)]
    assert kinds == ["confirm", "check_change", "approve_change"]
    approve, confirm = workflow.store.decisions(doc.id)[-1], workflow.store.decisions(doc.id)[0]
    assert approve.supersedes_id == confirm.id
    assert [e.action for e in workflow.store.events(doc.id)][-3:] == [
        "request_change", "check_change", "approve_change"]
    assert workflow.audit_verify(people.auditor.id).ok


def test_declassification_goes_drafter_office_leading_group(workflow, people, suggester):
    doc = _confirmed(workflow, people, suggester)
    doc = workflow.request_declassification(people.drafter.id, doc.id, reason="已正式公布",
                                            to_level=Level.GONGKAI)
    doc = workflow.check_change(people.director.id, doc.id, opinion="属实")
    doc = workflow.approve_change(people.leader.id, doc.id, reason="同意解密")
    assert (doc.status, doc.level, doc.mark) == (Status.DECLASSIFIED, "公开", "")
    assert doc.declassified_on == date.today()
    assert workflow.store.decisions(doc.id)[-1].kind == "declassify"
    assert not Status(doc.status).is_final  # never trains as 公开


def test_refused_change_returns_where_it_was(workflow, people, suggester):
    doc = _proposed(workflow, people, suggester, JIMI_43)
    doc = workflow.override(people.director.id, doc.id, JIMI_43_10, reason_codes=["other"], reason="定期限")
    assert doc.status == Status.OVERRIDDEN
    doc = workflow.request_change(people.drafter.id, doc.id, Classification(Level.JIMI, "4.3", 20),
                                  reason="延长")
    doc = workflow.check_change(people.director.id, doc.id, opinion="同意")
    doc = workflow.reject_change(people.leader.id, doc.id, reason="不宜延长")
    assert (doc.status, doc.mark) == (Status.OVERRIDDEN, "机密★10年")


# --- expiry ----------------------------------------------------------------------------


def test_expire_declassifies_exactly_once(workflow, people, suggester):
    due = _confirmed(workflow, people, suggester, Classification(Level.MIMI, "4.5", 1))
    later = _confirmed(workflow, people, suggester)
    ends = due.period_ends_on
    assert ends == date(2027, 3, 1)
    assert workflow.expire_due(people.clerk.id, today=ends).declassified == ()  # last day: secret
    run = workflow.expire_due(people.clerk.id, today=ends + timedelta(days=1))
    assert [d.id for d in run.declassified] == [due.id]
    doc = workflow.store.document(due.id)
    assert (doc.status, doc.level, doc.declassified_on) == ("declassified", "内部",
                                                            date(2027, 3, 2))
    again = workflow.expire_due(people.clerk.id, today=ends + timedelta(days=400))
    assert due.id not in [d.id for d in again.declassified]
    assert [e.action for e in workflow.store.events(due.id)].count("expire") == 1
    assert workflow.store.document(later.id).status == "confirmed"
    with pytest.raises(PermissionDeniedError):
        workflow.expire_due(people.drafter.id)
    assert workflow.audit_verify(people.auditor.id).ok


def test_two_expiry_runs_at_once_declassify_once(workflow, people, suggester, catalogue):
    docs = [_confirmed(workflow, people, suggester, Classification(Level.MIMI, "4.5", 1))
            for _ in range(3)]
    other = Workflow(Store.from_url(workflow.store.db_engine.url.render_as_string(False)),
                     catalogue)
    try:
        barrier = threading.Barrier(2)
        runs = []

        def go(wf):
            barrier.wait()
            runs.append(wf.expire_due(people.clerk.id, today=date(2030, 1, 1)))

        ts = [threading.Thread(target=go, args=(w,)) for w in (workflow, other)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(timeout=60)
        done = sorted(d.id for r in runs for d in r.declassified)
        assert done == sorted(d.id for d in docs)
        assert all(workflow.store.events(d.id)[-1].action == "expire" for d in docs)
    finally:
        other.store.close()


def test_due_list_and_annual_review(workflow, people, suggester, catalogue):
    soon = _confirmed(workflow, people, suggester, Classification(Level.MIMI, "4.5", 1))
    far = _confirmed(workflow, people, suggester)
    cond = _confirmed(workflow, people, suggester, JIMI_43)
    items = workflow.due(people.clerk.id, within_days=90, today=date(2027, 1, 1))
    assert [(i.id, i.days_left) for i in items] == [(soon.id, 59)]
    with pytest.raises(PermissionDeniedError):
        workflow.due(people.drafter.id)
    review = {r.id: r for r in workflow.annual_review(people.leader.id, today=date(2027, 1, 1))}
    assert set(review) == {soon.id, far.id, cond.id}
    assert review[soon.id].remaining == "剩余 59 天"
    assert review[cond.id].remaining == "解密条件：任免正式公布后"
    assert review_to_xlsx(list(review.values()))[:2] == b"PK"


# --- marked copies and approval forms --------------------------------------------------


def _docx_lines(data: bytes) -> list[str]:
    from docx import Document

    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def _pdf_lines(data: bytes) -> list[str]:
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(data)).pages[0].extract_text(extraction_mode="layout")
    return [" ".join(ln.split()) for ln in text.splitlines() if ln.strip()]


def test_marked_docx_carries_copy_number_register_number_and_mark(kept, kp, suggester):
    data = _docx()
    doc = _confirmed(kept, kp, suggester, data=data)
    copy = kept.marked_copy(kp.director.id, doc.id, copy_number=3)
    lines = _docx_lines(copy.data)
    assert lines[0].startswith("000003") and doc.register_number in lines[0]
    assert lines[1] == "机密★10年"
    assert lines[2] == TITLE
    assert kept.store.original(doc.id) == data        # the original is unchanged
    assert kept.store.events(doc.id)[-1].action == "mark_copy"


def test_marked_pdf_carries_the_marks_on_its_first_lines(kept, kp, suggester):
    doc = _confirmed(kept, kp, suggester, data=_pdf(), name="请示.pdf")
    lines = _pdf_lines(kept.marked_copy(kp.clerk.id, doc.id).data)
    assert lines[0].startswith("000001") and doc.register_number in lines[0].replace(" ", "")
    assert lines[1].replace(" ", "") == "机密★10年"


@pytest.mark.parametrize("level", [Level.NEIBU, Level.GONGKAI])
def test_marked_internal_and_public_carry_no_star(kept, kp, suggester, level):
    doc = _confirmed(kept, kp, suggester, Classification(level))
    lines = _docx_lines(kept.marked_copy(kp.director.id, doc.id).data)
    assert not any("★" in ln for ln in lines)
    assert (lines[0] == "内部") == (level is Level.NEIBU)


def test_marked_copy_after_change_and_declassification_voids_the_old_mark(kept, kp,
                                                                          suggester):
    doc = _confirmed(kept, kp, suggester)
    for step in (lambda: kept.request_change(kp.drafter.id, doc.id,
                                             Classification(Level.MIMI, "4.3", 5), reason="降"),
                 lambda: kept.check_change(kp.director.id, doc.id, opinion="同意"),
                 lambda: kept.approve_change(kp.leader.id, doc.id, reason="同意")):
        step()
    spec = kept.mark_spec(kept.store.document(doc.id))
    assert (spec.previous.text, spec.level) == ("机密★10年", Level.MIMI)
    lines = _docx_lines(kept.marked_copy(kp.director.id, doc.id).data)
    assert "机密★10年" in lines[1] and "秘密★5年" in lines[1]


def test_marked_copy_needs_a_settled_decision_and_a_kept_original(kept, kp, workflow, people,
                                                                 suggester):
    doc = _proposed(kept, kp, suggester)
    with pytest.raises(NotSettledError, match=r"\[not_settled\]"):
        kept.marked_copy(kp.director.id, doc.id)
    gone = _confirmed(workflow, people, suggester)
    with pytest.raises(OriginalNotKeptError, match=r"\[original_not_kept\]"):
        workflow.marked_copy(people.director.id, gone.id)
    with pytest.raises(PermissionDeniedError):
        workflow.marked_copy(people.auditor.id, gone.id)


def test_approval_form_shows_the_decision(workflow, people, suggester):
    doc = _proposed(workflow, people, suggester, Classification(Level.JIMI, "4.12", 20))
    doc = workflow.confirm(people.director.id, doc.id, reason="请领导小组研究")  # routed
    doc = workflow.decide(people.leader.id, doc.id, Classification(Level.JIMI, "4.12", 20),
                          reason_codes=["other"], reason="属于其它保密事项", issued_on=date(2026, 4, 1))
    from docx import Document

    d = Document(io.BytesIO(workflow.approval_form(people.leader.id, doc.id)))
    rows = {r.cells[0].text: r.cells[1].text for r in d.tables[0].rows}
    assert rows["登记编号"] == doc.register_number
    assert rows["文件标题"] == TITLE
    assert rows["确定密级"] == "机密★20年"
    assert rows["制发日期"] == "2026年4月1日"
    assert "属于其它保密事项" in rows["保密领导小组意见"] and "王组长" in rows["保密领导小组意见"]
    assert "李主任" in rows["办公室审核意见"]
    assert d.paragraphs[0].text == "机密★20年"


def test_transition_table_covers_the_new_states():
    reached = {t.target for t in TRANSITIONS.values()}
    for s in (Status.REFERRED, Status.CHANGE_PROPOSED, Status.CHANGE_CHECKED, Status.CHANGED,
              Status.DECLASSIFIED):
        assert s in reached
    assert TRANSITIONS[Action.REJECT_CHANGE].target is None
