"""classifier.handling.release: release on an event (issue 13 §7).

Every person, unit and post is invented."""

from __future__ import annotations

import pytest

from classifier.catalogue import Level
from classifier.handling import (
    ConditionKind,
    PublicDocument,
    ReleaseTracker,
    SecretRecord,
    UnparsableConditionError,
    UntrackableConditionError,
    fulfilments,
    parse_condition,
    track,
)

PLAN = """关于苍岭县部分领导干部调整的方案
经部务会研究，提出以下调整意见：
一、拟任赵明华同志为苍岭县财政局局长（正科级）。
二、钱晓峰同志拟任苍岭县教育局局长。
三、建议任命孙丽娟同志为澄州市统计局副局长。
以上人选须经市委常委会审议，审批前严格控制知悉范围。"""


def _gongshi(name: str, sex: str, born: str, now: str, post: str, n: int = 1) -> PublicDocument:
    """A published 任前公示 in the usual form."""
    text = (f"根据《党政领导干部选拔任用工作条例》有关规定，现将拟任职干部情况予以公示：\n"
            f"{name}，{sex}，汉族，{born}生，大学学历，中共党员，现任{now}，拟任{post}。\n"
            "公示期为2026年3月2日至3月8日（5个工作日）。监督电话：12380。")
    return PublicDocument(f"gs-{n}", "干部任前公示", text)


def _plan(condition: str = "任免正式公布后", text: str = PLAN) -> SecretRecord:
    return SecretRecord("plan", "部分领导干部调整方案", Level.JIMI, None, condition, "4.3", text)


ZHAO = _gongshi("赵明华", "男", "1979年4月", "苍岭县财政局副局长", "苍岭县财政局局长", 1)
QIAN = _gongshi("钱晓峰", "男", "1982年11月", "苍岭县教育局副局长", "苍岭县教育局局长", 2)
SUN = _gongshi("孙丽娟", "女", "1985年6月", "澄州市统计局办公室主任", "澄州市统计局副局长", 3)
OTHERS = _gongshi("李建国", "男", "1976年2月", "白石镇镇长", "白石镇党委书记", 4)


def test_release_done_when_one_of_three_then_all_three():
    tracker = ReleaseTracker()
    st = tracker.track(_plan())
    assert [t.label for t in st.tracked.targets] == [
        "赵明华（苍岭县财政局局长）", "钱晓峰（苍岭县教育局局长）", "孙丽娟（澄州市统计局副局长）"]
    assert (st.k, st.n, st.proposed) == (0, 3, False)

    changed = tracker.observe(ZHAO)
    assert [s.record_id for s in changed] == ["plan"]
    st = tracker.state("plan")
    assert (st.k, st.n, st.proposed, st.summary()) == (1, 3, False, "1 of 3 published")
    assert st.message() == "解密条件“任免正式公布后”：3 项中已公布 1 项"
    assert [t.name for t in st.pending] == ["钱晓峰", "孙丽娟"]
    assert tracker.proposals() == []

    assert tracker.observe(OTHERS) == []                 # other people change nothing
    assert tracker.state("plan").k == 1

    tracker.observe(QIAN)
    tracker.observe(SUN)
    st = tracker.state("plan")
    assert (st.k, st.proposed) == (3, True)
    assert st.evidence_docs == ("gs-1", "gs-2", "gs-3")
    assert [p.record_id for p in tracker.proposals()] == ["plan"]
    ev = st.evidence[1]
    assert ev is not None and ev.form == "任前公示"
    assert ev.quote == QIAN.text[ev.start:ev.end].strip()
    assert ev.quote.startswith("钱晓峰，男") and "拟任苍岭县教育局局长" in ev.quote
    assert "已全部满足" in st.message()


def test_release_same_document_twice_changes_nothing_more():
    tracker = ReleaseTracker()
    tracker.track(_plan())
    assert len(tracker.observe(ZHAO)) == 1
    assert tracker.observe(ZHAO) == []


def test_release_same_name_other_post_is_not_fulfilment():
    other = _gongshi("赵明华", "男", "1990年1月", "望江市审计局科员", "望江市审计局副科长", 9)
    t = track(_plan())
    assert fulfilments(t, other) == []


def test_release_appointment_notice_fulfils():
    notice = PublicDocument("rz-1", "关于赵明华等同志职务任免的通知",
                            "经研究决定：\n赵明华同志任苍岭县财政局局长；\n"
                            "孙丽娟同志任澄州市统计局副局长。")
    evs = fulfilments(track(_plan()), notice)
    assert [e.target_key.split(":")[1] for e in evs] == ["赵明华", "孙丽娟"]
    assert {e.form for e in evs} == {"任职通知"}


def test_release_news_or_draft_naming_people_is_not_a_publication():
    # No publication form: a draft or a news item mentioning the plan's people.
    memo = PublicDocument("n-1", "工作简报", "赵明华同志拟任苍岭县财政局局长一事正在研究。")
    assert fulfilments(track(_plan()), memo) == []


def test_release_unresolved_appointment_sentence_blocks_the_proposal():
    text = PLAN + "\n四、拟任人员另行研究确定。"
    tracker = ReleaseTracker()
    st = tracker.track(_plan(text=text))
    assert st.tracked.unresolved == ("四、拟任人员另行研究确定。",)
    for d in (ZHAO, QIAN, SUN):
        tracker.observe(d)
    st = tracker.state("plan")
    assert (st.k, st.n, st.proposed) == (3, 3, False)
    assert "需人工核对" in st.message()


@pytest.mark.parametrize(("text", "kind", "subject"), [
    ("任免正式公布后", ConditionKind.APPOINTMENT, None),
    ("机密★任免正式公布后", ConditionKind.APPOINTMENT, None),
    ("干部任命公布以后", ConditionKind.APPOINTMENT, None),
    ("考试结束后", ConditionKind.EXAM, None),
    ("2026年事业单位招聘考试结束后", ConditionKind.EXAM, "2026年事业单位招聘"),
    ("选举结果公布后", ConditionKind.ELECTION, None),
    ("正式印发后", ConditionKind.PUBLICATION, None),
    ("正式公布后", ConditionKind.PUBLICATION, None),
])
def test_parse_condition(text, kind, subject):
    c = parse_condition(text)
    assert (c.kind, c.subject) == (kind, subject)


@pytest.mark.parametrize("text", ["2027年6月30日", "工作结束后", "会议开始前", ""])
def test_parse_condition_unreadable_raises(text):
    with pytest.raises(UnparsableConditionError, match=r"\[unparsable_condition\]"):
        parse_condition(text)


def test_release_plan_without_names_is_untrackable():
    with pytest.raises(UntrackableConditionError, match=r"\[untrackable_condition\]"):
        track(_plan(text="关于班子调整的初步考虑，具体人选待定。"))


EXAM = SecretRecord("exam", "2026年苍岭县事业单位公开招聘考试笔试试题", Level.JIMI, None,
                    "考试结束后", "4.6", "第一部分 公共基础知识\n一、单项选择题……")


@pytest.mark.parametrize(("title", "text", "fulfils"), [
    ("2026年苍岭县事业单位公开招聘考试笔试顺利结束", "6月10日，苍岭县事业单位公开招聘考试笔试已顺利结束，"
     "共有3120名考生参加。", True),
    ("关于2026年苍岭县事业单位公开招聘考试成绩查询的公告", "现将笔试成绩公布如下。", True),
    # Instructions before the exam: "考试结束后" is future, not news that it is over.
    ("2026年苍岭县事业单位公开招聘考试考生须知", "考试结束后，考生应立即停止答题。", False),
    # Another year's exam.
    ("2025年苍岭县事业单位公开招聘考试顺利结束", "考试已顺利结束。", False),
])
def test_release_exam_over(title, text, fulfils):
    t = track(EXAM)
    assert [x.label for x in t.targets] == ["2026年苍岭县事业单位公开招聘考试"]
    evs = fulfilments(t, PublicDocument("p", title, text))
    assert bool(evs) is fulfils
    if evs:
        assert evs[0].form == "考试结束"


def test_release_election_result():
    rec = SecretRecord("el", "苍岭县第十八届人民代表大会换届选举人事安排方案", Level.JIMI, None,
                       "选举结果公布后", "4.1", "建议人选：……")
    t = track(rec)
    assert t.targets[0].action == "election"
    result = PublicDocument("r", "苍岭县第十八届人民代表大会选举结果公告",
                            "苍岭县第十八届人民代表大会第一次会议选举产生了县人大常委会主任。")
    assert [e.form for e in fulfilments(t, result)] == ["选举结果"]
    other = PublicDocument("o", "白石镇第九届人民代表大会选举结果公告", "选举产生了镇长。")
    assert fulfilments(t, other) == []


def test_release_publication_of_the_final_text():
    rec = SecretRecord("pol", "关于加强年轻干部培养的实施意见（征求意见稿）", Level.MIMI, None,
                       "正式印发后", "4.2", "……")
    t = track(rec)
    final = PublicDocument("f", "中共苍岭县委组织部关于印发《关于加强年轻干部培养的实施意见》的通知",
                           "现将《关于加强年轻干部培养的实施意见》印发给你们，请认真贯彻落实。")
    draft = PublicDocument("d", "关于加强年轻干部培养的实施意见（讨论稿）", "……")
    assert len(fulfilments(t, final)) == 1
    assert fulfilments(t, draft) == []
