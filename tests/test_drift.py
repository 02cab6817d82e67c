"""Drift: the office's corrections teach the model a kind of draft it got wrong.

The kind: informal notes and work-chat messages about leadership changes still under
approval (clause 4.3, 机密), written the way people talk ("位子基本定了", "会还没上，先别声张")
rather than the way a 请示 or 方案 is written. corpus/train has little of it (a few writers wrote
chat-style notes): the first model gets about half of them right (measured: 11 of 20 held-out
notes; the first version's template corpus got 1 of 20). The director overrides 30 of them
through the real workflow on a real SQLite file, the model is retrained, and held-out notes
of the same kind (other people, places and posts) must come out right.
"""

from __future__ import annotations

import random

import pytest

from classifier.catalogue import Level
from classifier.config import Settings
from classifier.store import Store
from classifier.suggest import Suggester
from classifier.training.registry import Registry
from classifier.training.retrain import retrain
from classifier.workflow import Classification, Workflow

SURNAMES = "韩钱孙周吴郑冯陈褚卫蒋沈杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏窦章苏潘葛奚范彭鲁韦马苗方俞任袁柳"
GIVEN = ["建国", "海涛", "晓燕", "志刚", "丽华", "文博", "新民", "春梅", "国庆", "玉兰", "立军", "秀英",
         "明辉", "红霞", "振宇", "雪松", "子涵", "宏伟", "静怡", "永强", "一帆", "思远", "嘉怡", "浩然"]
PLACES = ["青禾县", "石桥县", "云岭区", "枫林县", "沙河区", "北坪县", "江口县", "南溪区", "龙泉县", "桃源区",
          "梅山县", "凤台区"]
POSTS = ["县委副书记", "常务副县长", "县委组织部部长", "县纪委书记", "副区长", "区委宣传部部长",
         "县政府办主任", "县财政局局长", "县委政法委书记", "区发改局局长", "县长", "区委秘书长"]
TEMPLATES = [
    "{a}：{p}那个{post}的位子，上面基本定了让{n1}过去，{n2}挪到市里。会还没上，你先别声张，名单我晚上发你。",
    "群里说一下：{p}{post}换人的事，部长刚碰过头，倾向{n1}接，原来的{n2}去人大。批文没下来之前都别往外讲。",
    "{a}，跟你透个底，{p}准备动一下，{post}让{n1}干，{n2}平调。书记点头了，下周常委会过。这事就咱俩知道。",
    "听说没？{p}{post}这次要换，{n1}呼声最高，{n2}大概率交流出去。材料今天刚报上去，还在走程序。",
    "{a}：{n1}上{post}的事，{p}已经报过来了，我们这边同意，等市委批。{n2}那边的安排也一起走，先别透露给本人。",
    "{a}：{p}{post}的事上午碰了，{n1}去，{n2}回市直，先压着，等通知再说，别让本人知道。",
    "{a}你好，{p}的{post}空出来了，领导的意思是{n1}顶上，{n2}调开发区。还没定稿，别转给别人。",
    "记一下：{p}{post}人选，目前考虑{n1}，{n2}作备选，月底前报上去，批下来之前一个字都不要漏。",
]


def notes(n: int, seed: int) -> list[str]:
    """``n`` distinct notes of the drift kind (seeded)."""
    r = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        def name() -> str:
            return r.choice(SURNAMES) + r.choice(GIVEN)
        out.add(r.choice(TEMPLATES).format(
            a=r.choice(SURNAMES) + r.choice(["科", "处", "主任", "部长"]), p=r.choice(PLACES),
            post=r.choice(POSTS), n1=name(), n2=name()))
    return sorted(out)


def right(sg: Suggester, texts: list[str]) -> float:
    """Share of texts suggested exactly as 机密, clause 4.3."""
    hits = 0
    for t in texts:
        s = sg.suggest_text(t)
        hits += s.level == Level.JIMI and s.clause == "4.3"
    return hits / len(texts)


@pytest.mark.parametrize("n_overrides", [30])
def test_drift_corrections_teach_a_new_phrasing(tmp_path, catalogue, n_overrides):
    settings = Settings(home=tmp_path)
    first = retrain(settings, cv_folds=0, with_decisions=False)
    assert first.promoted
    sg1 = Suggester.load(settings)

    taught = notes(n_overrides, seed=1)
    held_out = [t for t in notes(40, seed=2) if t not in taught][:20]
    assert len(held_out) == 20
    before = right(sg1, held_out)
    assert before <= 0.7  # the first model often gets this kind wrong

    store = Store.open(settings)  # the real SQLite file under the data home
    try:
        wf = Workflow(store, catalogue)
        drafter = wf.add_user("张承办", "drafter")
        director = wf.add_user("李主任", "director")
        leader = wf.add_user("王组长", "leading_group")
        settled = Classification(Level.JIMI, "4.3", None, "任免正式公布后")
        for i, text in enumerate(taught):
            up = wf.upload(drafter.id, text.encode("utf-8"), f"便笺{i}.txt", sg1.suggest_upload)
            sug = up.suggestion
            assert sug is not None and sug.model_version == first.report.version
            # the drafter takes the model's suggestion; the director corrects it
            wf.propose(drafter.id, up.document.id,
                       Classification(Level.from_label(sug.level), sug.clause), scope="县委常委")
            doc = wf.override(director.id, up.document.id, settled,
                              reason_codes=["other"], reason="审批中的干部任免事项，属第4.3条")
            if doc.status == "escalated":  # the drafter proposed another level (issue 12)
                wf.decide(leader.id, doc.id, settled, reason_codes=["other"], reason="审批中的干部任免事项，属第4.3条")
        corrections = sum(s.suggested_clause != "4.3"
                          for s in store.summaries(statuses=["overridden", "decided"]))
    finally:
        store.close()
    assert corrections >= n_overrides * 0.25  # many of them really were corrections

    second = retrain(settings, cv_folds=0)
    counts = second.report.counts
    assert counts["decisions"] == n_overrides and counts["corrections"] == n_overrides
    assert second.promoted, second.reasons
    assert Registry(settings.models_dir).active().version == second.report.version

    sg2 = Suggester.load(settings)
    after = right(sg2, held_out)
    assert after >= max(0.8, before + 0.2)
    g1, g2 = first.report.golden, second.report.golden
    assert g2["under"] <= g1["under"]
    assert g2["macro_f1"] >= g1["macro_f1"] - 0.02
    assert g2["clause_top1"] >= g1["clause_top1"] - 0.02
