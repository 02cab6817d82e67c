"""Invented registers for the oversight tests and bench (issue 14): varied official-sounding
Chinese text, none of it real, seeded so every run builds the same documents."""

from __future__ import annotations

import random
from dataclasses import dataclass

PLACES = ["苍岭县", "澄州市", "临川区", "白石镇", "青禾乡", "云溪县", "北塘区", "望江市", "石门镇",
          "柳河县", "东坪乡", "安澜区"]
UNITS = ["组织部", "宣传部", "发展和改革局", "财政局", "教育局", "卫生健康委员会", "统计局",
         "人力资源和社会保障局", "自然资源局", "审计局", "机关事务管理局", "信访局", "应急管理局",
         "农业农村局", "住房和城乡建设局"]
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜谢邹喻柏水窦章云苏潘葛"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰振海德厚建国志成春燕红梅晓峰"
TOPICS = ["干部考察", "年度预算", "项目招标", "信访积案", "安全生产检查", "统计数据核查", "人才引进",
          "土地征收", "校舍改造", "医疗保障", "防汛准备", "巡察整改", "机构编制调整", "档案整理",
          "会议筹备", "绩效考核", "民生实事", "营商环境", "乡村振兴", "公务接待"]
VERBS = ["研究部署", "认真落实", "统筹推进", "组织开展", "督促检查", "严格执行", "及时报告", "协调解决",
         "抓紧完善", "稳步实施"]
OBJECTS = ["工作方案", "实施细则", "责任清单", "问题台账", "考核办法", "应急预案", "调研报告",
           "整改措施", "资金计划", "名单材料"]
# A pool of common characters for invented project names: no two documents share many shingles.
POOL = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产"
        "种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点"
        "从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看"
        "原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象"
        "员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几"
        "九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油"
        "思术极交受联什认六共权收证改清美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报"
        "斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低")


def _name(rng: random.Random) -> str:
    """An invented person's name."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _coined(rng: random.Random, n: int) -> str:
    """An invented n-character name (a project, a place in the text)."""
    return "".join(rng.choice(POOL) for _ in range(n))


def _sentence(rng: random.Random) -> str:
    """One sentence from a template with random fill-ins."""
    k = rng.randrange(8)
    if k == 0:
        return (f"{rng.choice(PLACES)}{rng.choice(UNITS)}于{rng.randint(2019, 2026)}年{rng.randint(1, 12)}月"
                f"{rng.randint(1, 28)}日召开专题会议，{rng.choice(VERBS)}{rng.choice(TOPICS)}工作。")
    if k == 1:
        return (f"{_name(rng)}同志，{rng.randint(1965, 1995)}年{rng.randint(1, 12)}月生，"
                f"现任{rng.choice(PLACES)}{rng.choice(UNITS)}{rng.choice(['副局长', '科长', '主任', '局长'])}。")
    if k == 2:
        return (f"“{_coined(rng, 4)}”项目计划投资{rng.randint(120, 98000)}万元，"
                f"由{_name(rng)}负责{rng.choice(OBJECTS)}的{rng.choice(VERBS)}。")
    if k == 3:
        return (f"截至{rng.randint(1, 12)}月底，全{rng.choice(['县', '市', '区'])}共排查"
                f"{rng.choice(TOPICS)}问题{rng.randint(3, 900)}个，已办结{rng.randint(1, 800)}个，"
                f"办结率{rng.randint(40, 100)}.{rng.randint(0, 9)}%。")
    if k == 4:
        return (f"请{rng.choice(UNITS)}会同{rng.choice(UNITS)}于{rng.randint(1, 30)}个工作日内"
                f"{rng.choice(VERBS)}{rng.choice(OBJECTS)}，并报{_name(rng)}同志审定。")
    if k == 5:
        return f"{_coined(rng, rng.randint(6, 14))}，{_coined(rng, rng.randint(5, 12))}。"
    if k == 6:
        return (f"联系人：{_name(rng)}，电话：{rng.randint(5000000, 8999999)}；"
                f"地址：{rng.choice(PLACES)}{_coined(rng, 2)}路{rng.randint(1, 300)}号。")
    return (f"关于{rng.choice(TOPICS)}的{rng.choice(OBJECTS)}（{_coined(rng, 3)}稿）"
            f"经{rng.choice(['常委会', '党组会', '办公会', '领导小组会议'])}第{rng.randint(1, 60)}次会议审议。")


def invented_text(rng: random.Random, chars: int = 600) -> str:
    """A document of about ``chars`` characters: a title line, then paragraphs of sentences."""
    title = f"{rng.choice(PLACES)}{rng.choice(UNITS)}关于{rng.choice(TOPICS)}的{rng.choice(OBJECTS)}"
    paras, para, total = [title], [], len(title)
    while total < chars:
        s = _sentence(rng)
        para.append(s)
        total += len(s)
        if len(para) >= rng.randint(2, 5):
            paras.append("".join(para))
            para = []
    if para:
        paras.append("".join(para))
    return "\n".join(paras)


def invented_register(n: int, *, seed: int = 0, chars: int = 600) -> list[str]:
    """``n`` invented, mutually dissimilar document texts (seeded)."""
    rng = random.Random(seed)
    return [invented_text(rng, chars) for _ in range(n)]


def near_duplicate(text: str, *, seed: int = 0, edits: int = 3) -> str:
    """``text`` with ``edits`` characters replaced (a changed date, name or figure)."""
    rng = random.Random(seed)
    chars = list(text)
    for _ in range(edits):
        i = rng.randrange(len(chars))
        chars[i] = rng.choice(POOL)
    return "".join(chars)


@dataclass(frozen=True)
class Entry:
    """One settled document to write into a real store (see :func:`store_register`).

    ``suggested`` and ``proposed`` are (level label, clause) pairs; ``level``/``clause`` the
    final decision; ``kind`` ``confirm`` or ``override``; ``status`` ``proposed`` leaves it
    waiting for the director (no decision).
    """

    text: str
    level: str
    clause: str | None = None
    suggested: tuple[str, str | None] | None = None
    proposed: tuple[str, str | None] | None = None
    kind: str = "confirm"
    reason: str = ""
    years: int | None = None
    status: str | None = None
    filename: str = ""
    scope: str = ""
    reason_code: str | None = None


def store_register(store, entries, *, drafter_id: int, director_id: int,
                   model_version: str = "m-test") -> list[int]:
    """Write documents with a suggestion, a proposal and a final decision into ``store``.

    One transaction through the store's own write API (the real tables, triggers and
    constraints), because the workflow's one transaction per action would take minutes for
    a register of 10,000. Returns the document ids, in order.
    """
    import hashlib

    ids = []
    with store.transaction() as tx:
        for i, e in enumerate(entries):
            data = e.text.encode()
            doc = tx.add_document(sha256=hashlib.sha256(data).hexdigest(),
                                  filename=e.filename or f"文件{i:05d}.txt", size_bytes=len(data),
                                  format="txt", text=e.text, original=None,
                                  uploaded_by=drafter_id, status="uploaded")
            sl, sc = e.suggested or (e.level, e.clause)
            sg = tx.add_suggestion(doc.id, {"level": sl, "clause": sc, "confidence": 0.9,
                                            "needs_review": False, "model_version": model_version,
                                            "catalogue_version": "2023.1", "error": None})
            pl, pc = e.proposed or (e.level, e.clause)
            secret = pl in ("秘密", "机密", "绝密")
            tx.add_proposal(document_id=doc.id, drafter_id=drafter_id, suggestion_id=sg.id,
                            level=pl, clause=pc, period_years=e.years if secret else None,
                            condition=None, mark=pl, scope=e.scope, note="")
            doc = tx.update_document(doc.id, doc.version, status="proposed", level=pl,
                                     clause=pc, period_years=e.years if secret else None,
                                     mark=pl, scope=e.scope or None)
            if e.status == "proposed":
                ids.append(doc.id)
                continue
            secret = e.level in ("秘密", "机密", "绝密")
            fields = {"level": e.level, "clause": e.clause,
                      "period_years": e.years if secret else None, "condition": None,
                      "mark": e.level}
            tx.add_decision(document_id=doc.id, kind=e.kind, actor_id=director_id,
                            actor_role="director", reason=e.reason, passages=None,
                            reason_code=e.reason_code, **fields)
            status = {"confirm": "confirmed", "override": "overridden"}[e.kind]
            tx.update_document(doc.id, doc.version, status=status, **fields)
            ids.append(doc.id)
    return ids
