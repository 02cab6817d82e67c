"""classifier.handling.derived: derived classification (派生定密, issue 13 §6).

Every name, unit and figure is invented."""

from __future__ import annotations

import random

import pytest

from classifier.catalogue import Level
from classifier.handling import (
    COMPILES,
    MIXED_PERIODS,
    NEAR_DUPLICATE,
    QUOTES,
    DerivedIndex,
    SecretRecord,
    suggest_derived,
)
from tests.registers import invented_register, invented_text

PARA_1 = ("经部务会研究，拟将苍岭县财政局副局长赵明华同志、澄州市教育局办公室主任钱晓峰同志列入"
          "市管后备干部名单，作为县级领导班子正职人选重点培养，年内安排到乡镇党委书记岗位墩苗历练。")
PARA_2 = ("考察组认为，赵明华同志政治坚定，熟悉财税业务，但在重大项目协调中魄力不足；"
          "钱晓峰同志作风扎实，群众基础较好，群众测评优秀率百分之八十七点五，建议暂缓提拔一年。")
PARA_3 = ("请各考察组于十一月十五日前将考察材料报干部一科，材料实行专人保管，"
          "不得复制、摘抄，阅后收回。")
PLAN = "关于二〇二六年度市管后备干部调整的工作方案\n" + "\n".join([PARA_1, PARA_2, PARA_3])

NEW_OPENING = ("各位部务会成员：根据年度工作安排，现将后备干部队伍建设推进情况报告如下，"
               "请审阅后提出意见。今年以来，我们围绕优化结构、提升质量，开展了三轮专题调研。")
NEW_CLOSING = ("下一步，干部一科将会同干部监督室继续跟踪培养对象的现实表现，"
               "每季度形成一次综合分析，及时向部务会报告动态情况。")
SAME_TOPIC = ("关于后备干部队伍建设的几点思考\n当前，市管后备干部储备总体充足，但年轻干部比例偏低，"
              "乡镇岗位历练不够。建议进一步拓宽来源渠道，把墩苗历练作为培养的必经环节，"
              "完善动态调整机制，对考察中发现的不足及时跟踪，对表现突出的优先使用。"
              "后备干部名单实行动态管理，每年调整一次，调整意见报部务会审定。")


def _record(rid: str, text: str, level: Level = Level.JIMI, years: int | None = 20,
            condition: str | None = None, clause: str | None = "4.9",
            title: str = "") -> SecretRecord:
    return SecretRecord(rid, title or rid, level, years, condition, clause, text)


@pytest.fixture(scope="module")
def register() -> list[SecretRecord]:
    """200 unrelated invented secrets plus the 机密 plan."""
    levels = (Level.MIMI, Level.JIMI, Level.JUEMI)
    out = [_record(f"doc-{i:03d}", t, levels[i % 3], (10, 20, 30)[i % 3])
           for i, t in enumerate(invented_register(200, seed=13, chars=500))]
    out.append(_record("plan", PLAN, Level.JIMI, 20, title="市管后备干部调整工作方案"))
    return out


@pytest.fixture(scope="module")
def index(register) -> DerivedIndex:
    idx = DerivedIndex()
    for r in register:
        idx.add(r)
    return idx


def test_derived_draft_quoting_two_paragraphs_names_the_source(index):
    draft = "\n".join([NEW_OPENING, PARA_1, "另据考察反馈：", PARA_2, NEW_CLOSING])
    s = index.suggest(draft)
    assert s is not None
    assert s.source_ids == ("plan",)
    assert (s.level, s.period_years, s.condition, s.clause) == (Level.JIMI, 20, None, "4.9")
    assert s.mark == "机密★20年" and not s.needs_review
    m = s.sources[0]
    assert QUOTES in m.reasons and NEAR_DUPLICATE not in m.reasons
    assert len(m.passages) == 2
    for p, para in zip(m.passages, (PARA_1, PARA_2), strict=True):
        # Offsets in both texts, for the side-by-side view.
        assert draft[p.draft_start:p.draft_end] == para == p.text
        assert PLAN[p.source_start:p.source_end] == para
        assert not p.common
    assert m.quoted_chars == len(PARA_1) + len(PARA_2)
    assert "《市管后备干部调整工作方案》（机密★20年）" in s.message()


def test_derived_quotation_found_across_changed_line_breaks_and_spaces(index):
    folded = PARA_2[:40] + "\n  " + PARA_2[40:]
    draft = NEW_OPENING + "另据考察反馈：" + folded + NEW_CLOSING
    m = index.find_sources(draft)[0]
    p = m.passages[0]
    assert m.record.record_id == "plan"
    assert draft[p.draft_start:p.draft_end] == folded
    assert PLAN[p.source_start:p.source_end] == PARA_2 and p.n_chars == len(PARA_2)


def test_derived_same_topic_without_quotation_is_not_linked(index):
    assert index.find_sources(SAME_TOPIC + NEW_OPENING + NEW_CLOSING) == []
    assert index.suggest(SAME_TOPIC) is None


def test_derived_short_shared_phrases_do_not_link(index):
    # Names and a 29-character fragment of the plan: below the 30-character quotation.
    draft = NEW_OPENING + "赵明华同志、钱晓峰同志" + PARA_1[:29] + NEW_CLOSING
    assert index.find_sources(draft) == []


def test_derived_two_sources_propose_the_higher_level_and_its_period(register):
    other = invented_register(1, seed=99, chars=400)[0]
    records = [*register, _record("top", other, Level.JUEMI, 30, clause="4.1",
                                  title="换届人事安排方案")]
    quote = other.split("\n")[1][:60]
    draft = NEW_OPENING + PARA_1 + quote + NEW_CLOSING
    s = suggest_derived(draft, records)
    assert s is not None
    assert s.source_ids == ("top", "plan")
    assert (s.level, s.period_years, s.clause) == (Level.JUEMI, 30, "4.1")


@pytest.mark.parametrize(("periods", "expected"), [
    ([(10, None), (20, None)], (20, None, False)),              # longest of the years
    ([(None, "考试结束后"), (None, "考试结束后")], (None, "考试结束后", False)),
    ([(None, None), (5, None)], (20, None, False)),             # bare mark: the level's longest
    ([(5, None), (None, "任免正式公布后")], (20, None, True)),   # years vs condition: a person
    ([(None, "考试结束后"), (None, "任免正式公布后")], (20, None, True)),
])
def test_derived_period_of_several_sources_at_one_level(periods, expected):
    rng = random.Random(5)
    texts = [invented_text(rng, 300) for _ in periods]
    records = [_record(f"r{i}", t, Level.JIMI, y, c) for i, (t, (y, c)) in
               enumerate(zip(texts, periods, strict=True))]
    draft = NEW_OPENING + "".join(t.split("\n")[1][:40] for t in texts) + NEW_CLOSING
    s = suggest_derived(draft, records)
    assert s is not None and len(s.sources) == len(records)
    assert (s.period_years, s.condition, s.needs_review) == expected
    assert (MIXED_PERIODS in s.reasons) == expected[2]


def test_derived_near_duplicate_and_compilation(index):
    edited = PLAN.replace("十一月十五日", "十一月二十日").replace("一年", "两年")
    m = index.find_sources(edited)[0]
    assert m.record.record_id == "plan"
    assert set(m.reasons) == {NEAR_DUPLICATE, QUOTES, COMPILES}
    assert m.jaccard > 0.7 and m.containment > 0.8
    assert index.find_sources(PLAN, exclude=["plan"]) == []


def test_derived_boilerplate_does_not_link():
    formula = "本材料属于涉密文件，请严格遵守保密纪律，不得擅自扩大知悉范围，不得复制、摘抄或转发。"
    rng = random.Random(7)
    records = [_record(f"r{i}", invented_text(rng, 300) + formula) for i in range(4)]
    idx = DerivedIndex(common_df=3)
    for r in records:
        idx.add(r)
    assert idx.find_sources(NEW_OPENING + formula) == []
    idx.remove("r0")                                     # now in 3 records: no longer common
    assert sorted(m.record.record_id for m in idx.find_sources(NEW_OPENING + formula)) == [
        "r1", "r2", "r3"]


def test_derived_index_replace_and_remove():
    idx = DerivedIndex()
    idx.add(_record("plan", PLAN))
    idx.add(_record("plan", PLAN, Level.MIMI, 10))       # re-decided: replaced
    assert len(idx) == 1 and idx.suggest(PLAN).level == Level.MIMI
    idx.remove("plan")
    assert "plan" not in idx and idx.suggest(PLAN) is None
    with pytest.raises(KeyError):
        idx.remove("plan")


@pytest.mark.parametrize("kwargs", [{"min_quote_chars": 1}, {"near_duplicate": 0.0},
                                    {"min_containment": 1.5}, {"common_df": 0}])
def test_derived_index_rejects_bad_parameters(kwargs):
    with pytest.raises(ValueError):
        DerivedIndex(**kwargs)


@pytest.mark.parametrize(("level", "years"), [(Level.NEIBU, None), (Level.JIMI, 0)])
def test_secret_record_validates(level, years):
    with pytest.raises(ValueError):
        _record("x", "正文", level, years)
