"""Passages, publication signals, the one decision rule and leave-writers-out validation (issue 9).

The documents here are written for these tests (invented offices, names and places).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.catalogue import Level
from classifier.crossval import Scored, decision_metrics, expected_calibration_error
from classifier.engine import Classifier
from classifier.engine.decide import POSSIBLE_SECRET_PASSAGE, decide
from classifier.engine.passages import split_passages
from classifier.engine.signals import find_publication_signals


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("一二三、。\n\t 机密会议纪要(1)ab")), max_size=300))
def test_passages_index_the_text_and_cover_it(text):
    prev = 0
    covered = set()
    for p in split_passages(text):
        assert text[p.start:p.end] == p.text and p.text == p.text.strip() and p.text
        assert p.start >= prev
        prev = p.end
        covered.update(range(p.start, p.end))
    assert {i for i, c in enumerate(text) if not c.isspace()} <= covered


def test_passages_keep_items_rows_and_headings():
    text = ("关于做好年度考核工作的通知\n各科室：\n一、考核范围\n本部机关全体干部。\n"
            "序号\t姓名\t职务\n1\t甲\t科长\n2\t乙\t副科长\n3\t丙\t科员\n4\t丁\t科员\n"
            + "这是一段很长的说明文字，用来检验长段落会按整句切成窗口。" * 12)
    ps = split_passages(text)
    kinds = [p.kind for p in ps]
    assert ps[0].text == "关于做好年度考核工作的通知" and kinds[0] == "title"
    assert any(p.text == "一、考核范围\n本部机关全体干部。" and p.kind == "item" for p in ps)
    tables = [p for p in ps if p.kind == "table"]
    assert [t.text.count("\n") + 1 for t in tables] == [3, 2]
    long = [p for p in ps if p.text.startswith("这是")]
    assert len(long) > 1 and all(len(p.text) <= 200 for p in long)
    assert all(p.text.endswith("。") for p in long)


@pytest.mark.parametrize("text,names", [
    ("新华社北京3月10日电 会议选举产生了新一届领导人。", {"news_byline"}),
    ("来源：青川日报\n责任编辑：王小明\n打印本页 关闭窗口", {"source_line", "editor_line", "web_furniture"}),
    ("现将拟任职干部情况予以公示。公示期为5个工作日。举报电话：12380", {"public_notice"}),
    ("（此件公开发布）", {"published_mark"}),
    ("会议研究了干部调整事项，拟推荐张某为副县长人选。", set()),
])
def test_publication_signals(text, names):
    found = find_publication_signals(text)
    assert {s.name for s in found} == names
    assert all(text[s.start:s.end] == s.text for s in found)


def test_ece_is_zero_when_confidence_matches_accuracy_and_large_when_not():
    assert expected_calibration_error([0.75] * 4, [True, True, True, False]) == pytest.approx(0.0)
    assert expected_calibration_error([0.95] * 10, [False] * 10) == pytest.approx(0.95)
    assert expected_calibration_error([], []) == 0.0


# --- documents a clerk writes every week -------------------------------------------------

ROUTINE = [
    "传达学习省委全会精神。会议要求各科室结合分管工作，在本月底前各自组织一次专题学习，办公室汇总学习情况后报部领导。",
    "研究机关食堂和车辆管理有关事项。会议同意对机关食堂餐具进行更换，所需经费从办公经费中列支，由办公室负责采购。",
    "听取上半年重点工作推进情况汇报。会议指出，各项工作总体按计划推进，党员教育培训进度略慢，组织科要加快进度。",
    "研究防汛值班安排。会议同意汛期实行领导带班和24小时值班制度，值班表由办公室排定后印发，各科室不得缺岗。",
    "研究文明单位创建工作。会议要求做好办公区环境整治和志愿服务活动，下周三前完成楼道宣传栏更新。",
    "研究机关档案整理工作。会议要求各科室在十月底前将年度文书档案整理归档，办公室组织一次档案业务培训。",
    "研究节能降耗工作。会议要求下班随手关灯关空调，办公室每月通报一次各科室用电情况。",
    "研究第三季度理论学习中心组学习安排。会议确定学习专题为基层治理，由办公室拟定学习计划报部长审定。",
]
SECRET_ITEM = ("研究干部调整事项。经部务会酝酿，拟推荐梅川镇党委书记柯振华同志为青溪县人民政府副县长人选，"
               "拟免去其梅川镇党委书记职务，以上意见按程序报市委审批，在正式批复前不得外传。")
NUMERALS = "一二三四五六七八九"


def _minutes(items: list[str]) -> tuple[str, list[tuple[int, int]]]:
    head = "中共青溪县委组织部部务会议纪要\n\n2025年9月12日上午，部长主持召开部务会议，研究以下事项：\n\n"
    spans = []
    text = head
    for i, item in enumerate(items):
        line = f"{NUMERALS[i]}、{item}\n\n"
        spans.append((len(text), len(text) + len(line)))
        text += line
    return text + "出席：部务会成员\n记录：办公室\n", spans


@pytest.fixture(scope="module")
def classifier(suggester) -> Classifier:
    return suggester.classifier


@pytest.mark.parametrize("n_routine", [3, 5, 7])
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_minutes_with_one_secret_item_take_its_level_and_evidence(classifier, n_routine, where):
    routine = ROUTINE[:n_routine]
    pos = {"start": 0, "middle": n_routine // 2, "end": n_routine}[where]
    items = [*routine[:pos], SECRET_ITEM, *routine[pos:]]
    text, spans = _minutes(items)
    s = classifier.suggest(text)
    assert s.level is Level.JIMI and s.clause == "4.3"
    a, b = spans[pos]
    ev = s.candidates[0].evidence
    assert ev and a <= ev[0].start and ev[0].end <= b, (ev, (a, b))


@pytest.mark.parametrize("n_routine", [3, 5, 8])
def test_all_routine_minutes_are_internal(classifier, n_routine):
    text, _ = _minutes(ROUTINE[:n_routine])
    s = classifier.suggest(text)
    assert s.level is Level.NEIBU


PUBLISHED = {
    "4.1": "青川日报讯（记者 苏明）1月18日，青川市第十六届人民代表大会第一次会议举行第三次全体会议，"
           "选举产生了市十六届人大常委会主任、副主任、秘书长和委员，选举产生了市长、副市长。"
           "会议应到代表412名，实到405名，符合法定人数。大会主席团常务主席主持会议。\n来源：青川日报\n责任编辑：林晓",
    "4.3": "青川市市管干部任前公示\n根据《党政领导干部选拔任用工作条例》有关规定，经市委研究，现将拟任职干部予以公示。"
           "祝明远，男，1978年5月生，现任市财政局副局长，拟任市审计局局长。公示期为2025年6月3日至6月9日。"
           "如有情况反映，请在公示期内向市委组织部反映。举报电话：12380。\n中共青川市委组织部\n2025年6月2日",
    "4.7": "本报讯 6月25日，市委常委班子召开专题民主生活会。会议通报了上年度民主生活会整改措施落实情况，"
           "班子成员逐一作对照检查发言，开展批评和自我批评。市委书记作总结讲话，要求抓好整改落实。"
           "省委督导组到会指导。\n来源：青川新闻网 责任编辑：周敏\n打印本页 关闭窗口",
    "4.8": "2024年青川市党内统计公报\n（此件公开发布）\n截至2024年12月31日，全市共有党员21.6万名，比上年净增0.3万名。"
           "全市共有基层党组织8,412个。2024年全市共发展党员3,905名。\n中共青川市委组织部\n2025年6月30日",
    "4.6": "青川市2025年公开遴选公务员公告\n根据公务员法和有关规定，市公务员局决定面向全市公开遴选公务员40名。"
           "报名时间为7月1日至7月7日，笔试时间另行通知，考试大纲见附件。本公告由市公务员局负责解释。"
           "咨询电话：0000-1234567。特此公告。\n青川市公务员局\n2025年6月20日",
    "4.9": "新华社北京5月8日电 记者从有关部门获悉，各地近年来持续加强优秀年轻干部培养选拔工作，"
           "注重在重大斗争一线考察识别干部，推动年轻干部到基层和艰苦地区经受锻炼，干部队伍结构不断优化。"
           "有关负责人表示，将坚持德才兼备、以德为先，把好政治关。\n责任编辑：刘一",
}


@pytest.mark.parametrize("clause", sorted(PUBLISHED))
def test_published_news_on_secret_sounding_topics_is_public(classifier, clause):
    s = classifier.suggest(PUBLISHED[clause])
    assert s.level is Level.GONGKAI, (s.level, s.p_secret, s.reasons)
    assert s.counter_evidence  # the lines that argue it is published are shown


def test_serving_and_training_use_one_decision_rule(classifier):
    """The suggestion is decide() on the classifier's scores, and the CV metric of the same
    scores under the same policy counts the same level."""
    text, _ = _minutes([ROUTINE[0], SECRET_ITEM, ROUTINE[1]])
    a = classifier.analyse(text)
    sc = classifier.scores(a)
    d = decide(sc, classifier.policy, classifier.stacker, catch_all="4.12")
    s = classifier.suggest(text)
    assert (d.level, d.clause, d.reasons) == (s.level, s.clause, s.reasons)
    assert d.confidence == pytest.approx(s.confidence)
    item = Scored(sc, a, s.level, s.clause, [], fold=0)
    m = decision_metrics([item], classifier.policy, {0: classifier.stacker}, "4.12")
    assert m["level_acc"] == 1.0 and m["clause_top1"] == 1.0


def test_possible_secret_passage_flags_a_quiet_secret(classifier):
    """A 内部 suggestion whose P(secret) sits in the review band is never silent."""
    text, _ = _minutes(ROUTINE[:4])
    sc = classifier.scores(classifier.analyse(text))
    from dataclasses import replace

    d = decide(sc, replace(classifier.policy, review_low=0.0, secret_threshold=1.01), classifier.stacker)
    assert not d.level.is_secret and POSSIBLE_SECRET_PASSAGE in d.reasons


def test_model_metadata_keeps_leave_writers_out_figures(trained_model):
    meta = json.loads((trained_model / "metadata.json").read_text(encoding="utf-8"))
    cv = meta["cv_by_writer"]
    for k in ("level_acc", "under", "silent_under", "silent_under_rate", "over", "clause_top1",
              "evidence_hit", "ece", "review_rate", "writers"):
        assert k in cv and np.isfinite(cv[k])
    assert cv["grouped"] == 1.0 and cv["writers"] >= 12
    assert meta["stacker"]["features"] and meta["policy"]["secret_threshold"] > 0


ROSTER = ("中共青川市委组织部\n青川市正处级后备干部人选名单\n（共6名，按出生年月排序）\n"
          "序号\t姓名\t出生年月\t现任职务\n1\t葛明川\t1981.03\t市发展改革委副主任\n"
          "2\t温若岚\t1982.07\t市财政局副局长\n3\t庞立新\t1983.01\t西城区副区长\n"
          "4\t侯静远\t1984.05\t市商务局副局长\n5\t褚一鸣\t1985.09\t东林县副县长\n"
          "6\t钱慕白\t1986.02\t市教育局副局长\n注：本名单仅供市委常委会研究使用。\n")


def test_table_evidence_carries_its_caption_and_note(classifier):
    """Rows of a roster are shown with the lines that say what the roster is (issue 9, §3)."""
    from classifier.engine.evidence import caption_of, with_context

    a = classifier.analyse(ROSTER)
    rows = [j for j, p in enumerate(a.passages) if p.kind == "table"]
    assert len(rows) == 3
    texts = [a.passages[c].text for c in caption_of(a, rows[1])]
    assert any("后备干部人选名单" in t for t in texts) and any("（共6名" in t for t in texts)
    assert texts[-1].startswith("注：")
    assert caption_of(a, 0) == []  # not a table passage
    ev = with_context(a, [rows[2], rows[0]])
    assert [j for j, _ in ev].count(rows[0]) == 1 and len(ev) == len({j for j, _ in ev})
    assert {k for _, k in ev} == {"context", "passage"}
    s = classifier.suggest(ROSTER)
    kinds = [e.kind for e in s.candidates[0].evidence]
    if "passage" in kinds and any(a.passages[r].start == s.candidates[0].evidence[kinds.index("passage")].start
                                  for r in rows):
        assert "context" in kinds
    for e in s.candidates[0].evidence:
        assert ROSTER[e.start:e.end] == e.text
    assert s.to_dict()["candidates"][0]["evidence"][0]["kind"] in ("context", "passage")


def test_context_passages_of_a_secret_are_weak_internal_examples(classifier):
    """The undecisive passages of an annotated secret teach the passage model 内部, with the
    total weight asked for; the decisive ones keep the clause (issue 9, §1)."""
    from classifier.train import passage_examples

    text, spans = _minutes([ROUTINE[0], SECRET_ITEM, ROUTINE[1]])
    a = classifier.analyse(text)
    key = [spans[1]]
    ex = passage_examples(a, key, "4.3", 1.0, True, context_weight=0.0)
    assert ex and {lab for _, lab, _ in ex} == {"4.3"}
    ex = passage_examples(a, key, "4.3", 2.0, True, context_weight=1.0)
    ctx = [w for _, lab, w in ex if lab == "内部"]
    assert ctx and sum(ctx) == pytest.approx(2.0)
    assert all(w == 2.0 for _, lab, w in ex if lab == "4.3")


@pytest.mark.parametrize(("line", "row"), [
    ("21,002013,青川市财政局,葛明川,男,1969-10-05,汉族,中共党员", True),  # a roster saved as CSV
    ("马塘乡 9 8 1 0 1 2 无", True),  # a PDF table whose tabs were lost
    ("序号\t姓名\t职务", True),
    ("2024 年全市发展党员 5618 名。其中,女性 2191 名,占", False),  # prose from a PDF
    ("2019 年 3 月 5 日", False),  # a date line
    ("答:听说他有个亲戚开公司,具体不清楚,我们镇和他们,没有来往,也不认识,就是这样", False),
])
def test_table_rows_without_tabs(line, row):
    kinds = {p.kind for p in split_passages("标题\n" + line + "\n")}
    assert ("table" in kinds) is row, kinds


def test_evidence_shows_at_most_two_row_groups_of_one_table_before_other_passages(classifier):
    """A roster's rows all look secret; after two row groups (and the caption) the next
    evidence slot goes to the best passage outside the table (issue 9, §3)."""
    from classifier.engine.evidence import ROWS_PER_TABLE, rank_evidence, table_runs

    rows = "".join(f"{i}\t人选{i}\t19{70 + i}.0{1 + i % 9}\t市某局副局长\n" for i in range(1, 16))
    text = ("青川市正处级后备干部人选名单\n序号\t姓名\t出生年月\t现任职务\n" + rows
            + "经部务会研究，拟将上述同志列为正处级后备干部人选，报市委常委会审定。\n")
    a = classifier.analyse(text)
    sc = classifier.scores(a)
    k = int(np.argmax(sc.p_passages.max(axis=0)))
    ev = rank_evidence(a, sc, k, sc.classes[k], n=4)
    run = table_runs(a)
    assert len(ev) == 4 and len(set(ev)) == 4
    # Six row groups, two passages outside the table: two groups, then the other two.
    assert sum(run[j] >= 0 for j in ev) == ROWS_PER_TABLE
    assert ev == rank_evidence(a, sc, k, sc.classes[k], n=4)  # deterministic


def test_hard_wrapped_lines_join_into_one_passage():
    # A PDF page's text: one paragraph broken at the line width, a numbered item after it.
    text = ("关于做好2026年度干部选拔任用工作的几点意见，经部务会研究，现将有关\n"
            "事项说明如下，请各科室结合工作实际认真抓好落实，确保各项任务按时完成。\n"
            "1.各科室于本月底前报送人选建议。\n")
    ps = split_passages(text)
    assert [p.kind for p in ps] == ["title", "item"]
    assert "现将有关\n事项说明如下" in ps[0].text
    assert ps[0].text == text[ps[0].start:ps[0].end]


def test_plain_text_with_one_paragraph_per_line_is_not_joined():
    text = ("会议听取了办公室关于上半年工作的汇报。\n"
            "会议研究了下半年重点工作安排，原则同意所提意见\n"
            "姓名\t职务\t出生年月\n"
            "张某\t副局长\t1975.03\n"
            "（一）抓好学习。\n")
    ps = split_passages(text)
    # The line without a stop is long enough to be wrapped, but a table row follows it.
    assert [p.kind for p in ps] == ["title", "para", "table", "item"]


def test_a_heading_brings_the_passage_it_heads_as_context(classifier):
    from classifier.engine.evidence import body_of, with_context

    text = ("2026年某县公开选拔副科级领导干部结构化面试题本\n"
            "面试日期：2026年6月6日。每名考生答题时间15分钟。\n"
            "第 1 题（综合分析能力，25 分）\n"
            "有人说，基层治理最要紧的是把群众的小事当大事办。谈谈你的看法，并结合岗位说明怎样做。\n"
            "评分要点：观点明确，分析全面。\n")
    a = classifier.analyse(text)
    j = next(i for i, p in enumerate(a.passages) if p.text.startswith("第 1 题"))
    assert body_of(a, j) == j + 1
    assert a.passages[j + 1].text.startswith("有人说")
    assert (j + 1, "context") in with_context(a, [j])
    # A sentence is no heading, and a heading over another heading brings nothing.
    assert body_of(a, j + 1) is None
