"""Derived classification, release on an event and destruction through the workflow (issue 13),
on a real SQLite file with the session model. Every person, unit and post is invented."""

from __future__ import annotations

import sqlite3

import pytest

from classifier.catalogue import Level
from classifier.errors import HandlingError, PermissionDeniedError
from classifier.training.decisions import decision_records
from classifier.workflow import Classification
from classifier.workflow.audit import verify_record

LETTER = """关于请赵某某同志说明有关问题的函
赵某某同志：
近期，我部收到反映你在担任苍岭县交通运输局局长期间，违规干预工程招投标、为亲属承揽项目提供便利的信访举报材料。
根据《领导干部报告个人有关事项规定》和干部监督工作有关要求，请你在收到本函后十五日内，就上述问题作出书面说明，并由所在单位主要负责同志签署意见后报送我部干部监督室。
经初步核查，举报所涉白石镇道路硬化工程的中标单位法定代表人系你的妻弟钱某某，相关情况尚待进一步核实。
请严格遵守保密纪律，不得擅自向他人透露本函内容。"""

DRAFT = """关于赵某某同志有关问题核查情况的报告
部领导：
按照部务会安排，干部监督室对有关信访举报进行了核查，现将情况报告如下。
近期，我部收到反映你在担任苍岭县交通运输局局长期间，违规干预工程招投标、为亲属承揽项目提供便利的信访举报材料。
核查组调阅了县交通运输局2024年以来的项目档案，并与十二名干部职工进行了谈话。
经初步核查，举报所涉白石镇道路硬化工程的中标单位法定代表人系你的妻弟钱某某，相关情况尚待进一步核实。
下一步，拟请县纪委监委协助调取有关资金往来凭证，核查结果另行报告。"""

SAME_TOPIC = """关于加强干部监督信访举报核查工作的通知
各科室：
为进一步做好干部监督工作，规范信访举报核查程序，现就有关事项通知如下。
一、对反映领导干部违规干预工程招投标问题的举报，应当认真核实，及时向部领导报告。
二、核查工作应当严格遵守保密纪律，核查材料按规定登记、保管。"""

PLAN = """关于苍岭县部分领导干部调整的方案
经部务会研究，提出以下调整意见：
一、拟任赵明华同志为苍岭县财政局局长（正科级）。
二、钱晓峰同志拟任苍岭县教育局局长。
三、建议任命孙丽娟同志为澄州市统计局副局长。
以上人选须经市委常委会审议，审批前严格控制知悉范围。"""


def _gongshi(name, sex, born, now, post):
    return ("干部任前公示\n根据《党政领导干部选拔任用工作条例》有关规定，现将拟任职干部情况予以公示：\n"
            f"{name}，{sex}，汉族，{born}生，大学学历，中共党员，现任{now}，拟任{post}。\n"
            "公示期为2026年3月2日至3月8日（5个工作日）。监督电话：12380。")


def _settled(workflow, people, suggester, text, name, c, scope="部务会成员"):
    doc = workflow.upload(people.drafter.id, text.encode(), name, suggester.suggest_upload).document
    workflow.propose(people.drafter.id, doc.id, c, scope=scope if c.level.is_secret else "")
    return workflow.confirm(people.director.id, doc.id, reason="同意")


def test_draft_quoting_two_paragraphs_derives_from_the_registered_secret(
        workflow, people, suggester, handling):
    source = _settled(workflow, people, suggester, LETTER, "函询函.txt",
                      Classification(Level.JIMI, "4.10", 20), scope="张承办、李主任")
    assert source.level == "机密" and source.mark == "机密★20年"
    draft = workflow.upload(people.drafter.id, DRAFT.encode(), "核查报告.txt",
                            suggester.suggest_upload).document
    view = handling.derived_for(people.drafter.id, draft.id)
    assert view is not None and view.source_ids == (source.id,)
    s = view.suggestion
    assert (s.level, s.period_years, s.mark, s.clause) == (Level.JIMI, 20, "机密★20年", "4.10")
    (match,) = s.sources
    assert len(match.passages) == 2 and "quotes" in match.reasons
    for p in match.passages:                        # the same words, side by side
        assert DRAFT[p.draft_start:p.draft_end] == LETTER[p.source_start:p.source_end]
    assert view.readable == (True,) and not view.recorded
    assert "函询函" in s.message() and "机密★20年" in s.message()

    assert handling.record_derived(people.director.id, draft.id) == [source.id]
    assert handling.record_derived(people.director.id, draft.id) == []
    (stored,) = handling.reads.derived_sources(draft.id)
    assert (stored.source_document_id, stored.mark) == (source.id, "机密★20年")
    assert len(stored.passages) == 2
    assert handling.derived_for(people.director.id, draft.id).recorded

    other = workflow.upload(people.drafter.id, SAME_TOPIC.encode(), "通知.txt",
                            suggester.suggest_upload).document
    assert handling.derived_for(people.drafter.id, other.id) is None


def test_source_outside_the_readers_need_to_know_is_named_not_shown(
        workflow, people, suggester, handling):
    source = _settled(workflow, people, suggester, LETTER, "函询函.txt",
                      Classification(Level.JIMI, "4.10", 20), scope="李主任")
    draft = workflow.upload(people.director2.id, DRAFT.encode(), "核查报告.txt",
                            suggester.suggest_upload).document
    view = handling.derived_for(people.director2.id, draft.id)
    assert view is not None and view.source_ids == (source.id,) and view.readable == (False,)


def test_release_one_of_three_then_all_three_and_others_change_nothing(
        workflow, people, suggester, handling):
    plan = _settled(workflow, people, suggester, PLAN, "调整方案.txt",
                    Classification(Level.JIMI, "4.3", None, "任免正式公布后"))
    assert plan.mark == "机密★任免正式公布后"
    public = Classification(Level.GONGKAI)

    def publish(name, *args):
        doc = _settled(workflow, people, suggester, _gongshi(name, *args), f"{name}任前公示.txt",
                       public)
        return doc, handling.observe_public(people.drafter.id, doc.id)

    zhao, changed = publish("赵明华", "男", "1979年4月", "苍岭县财政局副局长", "苍岭县财政局局长")
    assert [v.document_id for v in changed] == [plan.id]
    view = handling.release_state(people.director.id, plan.id)
    assert (view.state.k, view.state.n, view.state.proposed) == (1, 3, False)
    assert view.state.message() == "解密条件“任免正式公布后”：3 项中已公布 1 项"
    with pytest.raises(HandlingError, match="尚未全部满足"):
        handling.review_release(people.director.id, plan.id, accept=True)

    _, changed = publish("李建国", "男", "1976年2月", "白石镇镇长", "白石镇党委书记")
    assert changed == []
    assert handling.release_state(people.director.id, plan.id).state.k == 1

    qian, _ = publish("钱晓峰", "男", "1982年11月", "苍岭县教育局副局长", "苍岭县教育局局长")
    sun, _ = publish("孙丽娟", "女", "1985年6月", "澄州市统计局办公室主任", "澄州市统计局副局长")
    view = handling.release_state(people.director.id, plan.id)
    assert view.state.proposed and view.awaiting_review
    assert view.state.evidence_docs == (str(zhao.id), str(qian.id), str(sun.id))
    assert [e.public_document_id for e in handling.reads.release_evidence(plan.id)] == [
        zhao.id, qian.id, sun.id]
    with pytest.raises(PermissionDeniedError):
        handling.review_release(people.clerk.id, plan.id, accept=True)
    with pytest.raises(PermissionDeniedError, match="办公室主任审定"):
        handling.review_release(people.leader.id, plan.id, accept=True)
    assert workflow.store.document(plan.id).status == "confirmed"
    review = handling.review_release(people.director.id, plan.id, accept=True)
    assert review.evidence_documents == [zhao.id, qian.id, sun.id]
    assert not handling.release_state(people.director.id, plan.id).awaiting_review
    # accepting starts the lifecycle's declassification: filed and checked by the office,
    # waiting for the leading group, the 公示 named as its grounds
    doc = workflow.store.document(plan.id)
    assert (doc.status, doc.level) == ("change_checked", "机密")   # still secret until approved
    events = [e for e in workflow.store.events(plan.id)][-3:-1]   # then release_accept
    assert [(e.action, e.actor_role) for e in events] == [("request_change", "director"),
                                                           ("check_change", "director")]
    assert events[0].detail["evidence"] == [zhao.id, qian.id, sun.id]
    assert "任免正式公布后" in events[0].reason and "赵明华任前公示" in events[0].reason
    doc = workflow.approve_change(people.leader.id, plan.id, reason="任免已正式公布，同意解密")
    assert (doc.status, doc.level) == ("declassified", "内部")
    assert verify_record(workflow.store).ok
    assert handling.release_state(people.director.id, plan.id) is None  # no longer tracked
    # a secret is never treated as public evidence
    assert handling.observe_public(people.drafter.id, plan.id) == []


def test_destruction_erases_text_keeps_the_record_lists_backups_and_stays_out_of_training(
        workflow, people, suggester, handling, store, tmp_path):
    doc = _settled(workflow, people, suggester, LETTER, "函询函.txt",
                   Classification(Level.JIMI, "4.10", 20), scope="张承办、李主任、陈机要")
    copy_of_text = workflow.upload(people.drafter.id, (LETTER + "\n").encode(), "函询函副本.txt",
                                   suggester.suggest_upload).document
    workflow.propose(people.drafter.id, copy_of_text.id,
                     Classification(Level.JIMI, "4.10", 20), scope="李主任")
    workflow.confirm(people.director.id, copy_of_text.id)
    assert {r["id"] for r in decision_records(store)} >= {f"db-{doc.id}"}

    backups = tmp_path / "backups"
    backups.mkdir()
    src = sqlite3.connect(store.db_engine.url.database)     # a consistent copy (WAL included)
    dst = sqlite3.connect(backups / "dingmi-2026-03-01.sqlite3")
    src.backup(dst)
    src.close()
    dst.close()
    handling.policy = type(handling.policy)(backup_dirs=(str(backups),))
    line = handling.register(people.clerk.id, direction="internal", title="函询函", level="机密",
                             period_years=20, copies=1, document_id=doc.id)
    rep = handling.destroy(people.clerk.id, line.id, witnesses=["王某", "冯某"], note="已办结")
    assert rep.erased_document_id == doc.id
    assert rep.backups == [str(backups / "dingmi-2026-03-01.sqlite3")]
    gone = store.document(doc.id)
    assert gone.text == "" and not gone.has_original and gone.sha256 == doc.sha256
    assert [d.kind for d in store.decisions(doc.id)] == ["confirm"]       # decisions stay
    assert handling.line(people.clerk.id, line.id).status == "destroyed"
    ids = {r["id"] for r in decision_records(store)}
    assert f"db-{doc.id}" not in ids
    # the same text under another record is kept out of training too (by the kept hash)
    if store.document(copy_of_text.id).text.strip() == LETTER.strip():
        assert f"db-{copy_of_text.id}" not in ids
    assert verify_record(store).ok, verify_record(store).problems
    view = handling.derived_for(people.drafter.id, copy_of_text.id)   # no longer a source
    assert view is None or doc.id not in view.source_ids


def test_handling_on_postgresql(pg_url, catalogue, clock):
    """The register, a loan and a destruction on PostgreSQL: same schema, same rules."""
    from classifier.store import Store
    from classifier.workflow import Workflow
    from classifier.workflow.handling import Handling
    from tests.conftest import PASSWORD

    store = Store.from_url(pg_url)
    try:
        wf = Workflow(store, catalogue, clock=clock)
        tag = str(id(clock))[-6:]
        clerk = wf.add_user(f"机要{tag}", "clerk", password=PASSWORD, must_change_password=False)
        director = wf.add_user(f"主任{tag}", "director", password=PASSWORD,
                               must_change_password=False)
        h = Handling(wf)
        line = h.register(clerk.id, direction="in", title="关于换届考察的通知", level="机密",
                          copies=2, number=f"收PG-{tag}")
        c1, c2 = h.copies(clerk.id, line.id)
        h.hand_over(clerk.id, c1.id, from_holder="办公室", to_holder="刘科长")
        sheet = h.circulate(clerk.id, c2.id, ["周干事", "吴部长"])
        clock.advance(days=32)
        assert {o.copy.id for o in h.overdue(clerk.id)} >= {c1.id, c2.id}
        h.circulation_back(clerk.id, sheet.id)
        h.hand_over(clerk.id, c1.id, from_holder="刘科长", to_holder="办公室")
        assert h.line(clerk.id, line.id).status == "closed"
        loan = h.request_loan(clerk.id, c1.id, borrower="周干事", purpose="参考",
                              due_on=clock.now.date())
        h.approve_loan(director.id, loan.id)
        h.return_loan(clerk.id, h.lend(clerk.id, loan.id).id)
        rep = h.destroy(clerk.id, line.id, witnesses=["王某", "冯某"])
        assert rep.line.status == "destroyed"
        from sqlalchemy import text
        from sqlalchemy.exc import DBAPIError

        with pytest.raises(DBAPIError, match="append-only"), store.db_engine.begin() as c:
            c.execute(text("DELETE FROM copy_transfers"))
    finally:
        store.close()
