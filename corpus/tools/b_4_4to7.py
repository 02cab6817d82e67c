#!/usr/bin/env python3
"""Seeded generator for corpus/train/b_4_4to7.jsonl.

Clauses 4.4 (市管/部管干部汇总名单), 4.5 (干部档案、干部考察材料), 4.6 (公开选拔干部的试题、
答案、评分标准, before the exam) and 4.7 (市管领导班子民主生活会情况), plus 14 hard negatives
(公开 / 内部, clause null): published 任前公示 and 考察预告, open-selection 公告 and 考试大纲,
news that a 民主生活会 was held, internal logistics notices, 干部档案 training notices.

Every base draft is hand-written as a function of a Ctx (seeded rng) that fills names, places,
units, dates and numbers and toggles optional paragraphs / alternative wording. The first call
of each base is recorded as synthetic:hand, further calls as synthetic:gen. All names, places,
units and numbers are invented. Standard library only; deterministic for a given SEED.
"""
import datetime
import json
import os
import random
import sys

SEED = 440407
STEM = "b_4_4to7"
PREFIX = "b"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "train", STEM + ".jsonl"))

LEVEL = {"4.4": "秘密", "4.5": "秘密", "4.6": "机密", "4.7": "秘密"}
MARKS = {
    "4.4": ["秘密★10年", "秘密★10年", "秘密", "秘密★"],
    "4.5": ["秘密★10年", "秘密★10年", "秘密★", "秘密"],
    "4.6": ["机密★考试结束后", "机密★考试结束后", "机密★", "机密"],
    "4.7": ["秘密★10年", "秘密★10年", "秘密", "秘密★"],
}

CITIES = [
    {"name": "澄川市", "s": "澄", "counties": ["清漪县", "梧溪县", "松泽县", "澄东区", "澄西区"]},
    {"name": "溪岚市", "s": "岚", "counties": ["芷川县", "桐岭县", "潆水县", "岚北区", "岚南区"]},
    {"name": "泓江市", "s": "泓", "counties": ["石岚县", "禾丰县", "沅坪县", "泓北区", "江湾区"]},
    {"name": "霁阳市", "s": "霁", "counties": ["栖云县", "柘溪县", "望岭县", "霁城区", "新滩区"]},
    {"name": "沂泽市", "s": "沂", "counties": ["蓼川县", "荻港县", "苍岩县", "沂中区", "泽东区"]},
]
TOWNS = ["柳塘镇", "望溪乡", "石坪镇", "青禾镇", "白鹭乡", "云岗镇", "槐林镇", "双河镇",
         "花桥乡", "新埠镇", "竹溪镇", "杉木乡", "黄泥塘镇", "岭口镇"]
UNITS = [
    ("市发展和改革委员会", "党组书记、主任", "党组成员、副主任"),
    ("市教育局", "党组书记、局长", "党组成员、副局长"),
    ("市财政局", "党组书记、局长", "党组成员、副局长"),
    ("市交通运输局", "党组书记、局长", "党组成员、副局长"),
    ("市自然资源和规划局", "党组书记、局长", "党组成员、副局长"),
    ("市卫生健康委员会", "党组书记、主任", "党组成员、副主任"),
    ("市应急管理局", "党委书记、局长", "党委委员、副局长"),
    ("市市场监督管理局", "党组书记、局长", "党组成员、副局长"),
    ("市农业农村局", "党组书记、局长", "党组成员、副局长"),
    ("市住房和城乡建设局", "党组书记、局长", "党组成员、副局长"),
    ("市商务局", "党组书记、局长", "党组成员、副局长"),
    ("市人力资源和社会保障局", "党组书记、局长", "党组成员、副局长"),
    ("市生态环境局", "党组书记、局长", "党组成员、副局长"),
    ("市水利局", "党组书记、局长", "党组成员、副局长"),
    ("市文化广电新闻出版旅游局", "党组书记、局长", "党组成员、副局长"),
    ("市民政局", "党组书记、局长", "党组成员、副局长"),
    ("市司法局", "党组书记、局长", "党组成员、副局长"),
    ("市审计局", "党组书记、局长", "党组成员、副局长"),
    ("市统计局", "党组书记、局长", "党组成员、副局长"),
    ("市医疗保障局", "党组书记、局长", "党组成员、副局长"),
    ("市委宣传部", "常务副部长", "副部长"),
    ("市委统战部", "常务副部长", "副部长"),
    ("市委政法委员会", "常务副书记", "副书记"),
    ("市直机关工作委员会", "常务副书记", "副书记"),
    ("市总工会", "党组书记、常务副主席", "党组成员、副主席"),
    ("市妇女联合会", "党组书记、主席", "党组成员、副主席"),
    ("市信访局", "党组书记、局长", "党组成员、副局长"),
    ("市城市管理局", "党组书记、局长", "党组成员、副局长"),
    ("市机关事务管理局", "党组书记、局长", "党组成员、副局长"),
    ("市退役军人事务局", "党组书记、局长", "党组成员、副局长"),
]
SOE = ["市城市建设投资集团有限公司", "市交通投资集团有限公司", "市国有资本运营有限公司",
       "市水务集团有限公司", "市农业发展投资有限公司", "市文化旅游发展集团有限公司"]
INST = ["市第一人民医院", "市中医院", "市职业技术学院", "市第一中学", "市广播电视台",
        "市农业科学研究院", "市公共资源交易中心", "市妇幼保健院"]
SURN = list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢"
            "蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯"
            "邵孟龙万段钱汤尹黎易常武乔贺赖龚文柯祝甘")
GIVEN = list("伟芳敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国志红玉兰斌辉海波宁峰鹏飞凯晓东雪"
             "梅琳宇浩俊博晨阳立新永春庆德卫家荣光思远泽清松林振宏正文武忠诚胜利利民燕萍颖")
EDU = ["大学", "大学", "研究生", "在职研究生", "中央党校大学", "省委党校研究生", "大学（在职）",
       "硕士研究生", "大专（在职大学）"]
DEGREE = ["", "", "法学学士", "管理学硕士", "经济学学士", "工学学士", "公共管理硕士", "文学学士"]
FEMALE_CHARS = set("芳敏静丽艳霞桂英红玉兰雪梅琳燕萍颖秀娟")
FEMALE_GIVEN = list("芳敏静丽艳霞桂英红玉兰雪梅琳燕萍颖秀娟婷慧晓春宁洁")
NATIONS = ["回族", "满族", "土家族", "壮族", "苗族", "蒙古族", "畲族"]


def tab(*cells):
    return "\t".join(str(x) for x in cells)


def table(headers, rows):
    return "\n".join([tab(*headers)] + [tab(*r) for r in rows])


class Ctx:
    def __init__(self, r):
        self.r = r
        c = r.choice(CITIES)
        self.city = c["name"]
        self.s = c["s"]
        self.counties = r.sample(c["counties"], len(c["counties"]))
        self.year = r.randint(2019, 2026)
        self.units = r.sample(UNITS, len(UNITS))
        self.towns = r.sample(TOWNS, len(TOWNS))
        self._names = set()
        self.org = f"中共{self.city}委组织部"
        self.area = f"0{r.randint(510, 898)}"

    def pick(self, seq):
        return self.r.choice(seq)

    def sample(self, seq, k):
        return self.r.sample(list(seq), k)

    def ri(self, a, b):
        return self.r.randint(a, b)

    def ch(self, p=0.5):
        return self.r.random() < p

    def opt(self, text, p=0.5):
        return text if self.r.random() < p else ""

    def name(self, sex=None):
        pool = FEMALE_GIVEN if sex == "女" else [g for g in GIVEN if g not in FEMALE_CHARS] if sex == "男" else GIVEN
        while True:
            n = self.pick(SURN) + "".join(self.pick(pool) for _ in range(1 if self.ch(0.3) else 2))
            if n not in self._names and len(set(n)) == len(n):
                self._names.add(n)
                self._last = n
                return n

    def gender(self, pf=0.25):
        """Sex of the most recently generated name (names with typically female characters are mostly 女)."""
        last = getattr(self, "_last", "")
        if any(ch in FEMALE_CHARS for ch in last[1:]):
            return "女" if self.ch(0.9) else "男"
        return "女" if self.ch(pf * 0.3) else "男"

    def zhen(self):
        return self.pick([t for t in self.towns if t.endswith("镇")])

    def nation(self):
        return "汉族" if self.ch(0.9) else self.pick(NATIONS)

    def nation_short(self):
        n = self.nation()
        return n[:-1] if n.endswith("族") else n

    def ym(self, lo, hi):
        hi = min(hi, self.year)
        lo = min(lo, hi)
        return f"{self.ri(lo, hi)}.{self.ri(1, 12):02d}"

    def birth(self, lo_age=36, hi_age=57):
        return self.ym(self.year - hi_age, self.year - lo_age)

    def after(self, ym, lo, hi):
        y = int(ym[:4])
        return self.ym(y + lo, y + hi)

    def date(self, y=None, mlo=1, mhi=12):
        y = y or self.year
        return f"{y}年{self.ri(mlo, mhi)}月{self.ri(1, 28)}日"

    def md(self, mlo=1, mhi=12):
        return f"{self.ri(mlo, mhi)}月{self.ri(1, 28)}日"

    def county(self, i=None):
        return self.counties[i] if i is not None else self.pick(self.counties)

    def cprefix(self, county):
        return county[0]

    def docno(self, kind="通", pre=None):
        return f"{pre or self.s}组{kind}〔{self.year}〕{self.ri(2, 96)}号"

    def phone(self):
        return f"{self.area}-{self.ri(2, 8)}{self.ri(100000, 999999)}"

    def dt(self, y=None, mlo=1, mhi=12):
        return datetime.date(y or self.year, self.ri(mlo, mhi), self.ri(1, 28))

    def later(self, d, lo, hi):
        return d + datetime.timedelta(days=self.ri(lo, hi))

    @staticmethod
    def f(d):
        return f"{d.year}年{d.month}月{d.day}日"

    @staticmethod
    def fmd(d):
        return f"{d.month}月{d.day}日"

    @staticmethod
    def cn_ym(ym):
        y, m = ym.split(".")
        return f"{y}年{int(m)}月"

    @property
    def prev(self):
        return max(2019, self.year - 1)

    @staticmethod
    def dep(u):
        return u[2].split("、")[-1]

    def mid(self, u):
        if u[0].startswith("市委") or u[0].startswith("市直") or u[0] in ("市总工会", "市妇女联合会"):
            return self.pick(["办公室主任", "二级调研员", "一级主任科员", "办公室副主任"])
        return self.pick(["办公室主任", "规划科科长", "财务科科长", "政策法规科科长", "综合科科长", "二级调研员"])

    def native(self):
        c = self.pick(CITIES)
        return c["name"][:2] + self.pick(c["counties"])[:2]

    def edu(self):
        return self.pick(EDU)

    def unit_post(self, u, senior):
        return u[0] + (u[1] if senior else u[2])

    def town(self):
        return self.pick(self.towns)

    def num_cn(self, n):
        return "零一二三四五六七八九十"[n] if n <= 10 else str(n)


def county_posts(cty):
    L = "县" if cty.endswith("县") else "区"
    return [f"{cty}委书记", f"{cty}委副书记、{L}长", f"{cty}委副书记", f"{cty}人大常委会主任",
            f"{cty}政协主席", f"{cty}委常委、常务副{L}长", f"{cty}委常委、{L}纪委书记、{L}监委主任",
            f"{cty}委常委、组织部部长", f"{cty}委常委、宣传部部长", f"{cty}委常委、政法委书记",
            f"{cty}人民政府副{L}长", f"{cty}人民政府副{L}长"]


CN_NUM = "零一二三四五六七八九十"


# ---------------------------------------------------------------------------
# 4.4 市管干部和部管干部汇总名单 (秘密, 10 years)
# ---------------------------------------------------------------------------

def _cadre_row(c, post, senior=False):
    b = c.birth(46, 58) if senior else c.birth(38, 56)
    row = [c.name(), c.gender(), c.nation(), b, c.native(), c.after(b, 20, 28), c.edu(), post,
           c.ym(c.year - 5, c.year - 1)]
    return row


def _earlier(c, ym, max_years=6):
    y, m = int(ym[:4]), int(ym[5:])
    y2 = c.ri(y - max_years, y)
    m2 = c.ri(1, m) if y2 == y else c.ri(1, 12)
    return f"{y2}.{m2:02d}"


def b44_01(c):
    units = c.sample(c.units, c.ri(5, 7))
    rows, i = [], 0
    for u in units:
        for j in range(c.ri(1, 3)):
            i += 1
            r = _cadre_row(c, c.unit_post(u, j == 0), j == 0)
            rows.append([i] + r + [_earlier(c, r[-1])])
    hd = ["序号", "姓名", "性别", "民族", "出生年月", "籍贯", "入党时间", "学历", "现任职务", "任现职时间", "任同级时间"]
    vol = c.pick(["一", "二", "三"])
    foot = c.opt("\n4.本名册仅供部领导及干部科室工作使用，不得复印、拍照，用毕交还干部一科。", 0.6)
    return "名册", f"""{c.city}市管干部名册
（市直党政群机关 第{vol}分册）
{c.city}委组织部干部一科编　{c.year}年{c.ri(1, 12)}月
{table(hd, rows)}
注：1.本分册按单位序列、职务排列，信息截至{c.date()}。
2.“任同级时间”指任现职级（含同级职级）的时间。
3.本分册共{i}人，涉及{len(units)}个单位。{foot}"""


def b44_02(c):
    units = c.sample(c.units, c.ri(8, 12))
    depts = [("办公室", "主任"), ("人事科", "科长"), ("规划科", "科长"), ("财务科", "科长"), ("政策法规科", "科长"),
             ("综合科", "科长"), ("执法支队", "支队长"), ("信息中心", "主任"), ("机关党委办公室", "主任")]
    rows = []
    for i, u in enumerate(units, 1):
        d, t = c.pick(depts)
        nm = c.name()
        b = c.birth(33, 55)
        rows.append([i, u[0], nm, c.gender(0.35), b, c.edu(), d + t,
                     c.pick(["一级主任科员", "二级主任科员", "四级调研员", "正科级"]), c.ym(c.year - 6, c.year)])
    hd = ["序号", "单位", "姓名", "性别", "出生年月", "学历", "职务", "职级", "任现职时间"]
    return "名册", f"""部管干部汇总名单
（市直单位内设机构主要负责人）
填报单位：{c.city}委组织部干部二科　　统计时点：{c.year}年{c.pick(['6月30日', '12月31日', '3月31日'])}
{table(hd, rows)}
说明：本名单汇总市委组织部管理的市直单位内设机构主要负责人，共{len(rows)}人（本页为节选部分，全表另见附页）。{c.opt('名单内人员信息以干部管理信息系统为准，如有出入请及时告知干部二科。', 0.7)}"""


def b44_03(c):
    cty = c.county()
    pre = c.cprefix(cty)
    posts = county_posts(cty)[: c.ri(8, 11)]
    rows = []
    for i, p in enumerate(posts, 1):
        b = c.birth(40, 57)
        rows.append([i, c.name(), c.gender(0.2), b, c.edu(), p, c.ym(c.year - 5, c.year)])
    hd = ["序号", "姓名", "性别", "出生年月", "学历", "现任职务", "任现职时间"]
    return "函", f"""中共{cty}委组织部
关于报送本{cty[-1]}市管干部名单的函
{pre}组函〔{c.year}〕{c.ri(3, 40)}号

市委组织部干部一科：
　　根据《关于做好{c.year}年度市管干部信息集中校核工作的通知》要求，我部对本{cty[-1]}范围内的市管干部情况进行了逐人核对，现将名单报送你们。{c.opt('经核对，有' + str(c.ri(1, 3)) + '名同志学历信息与干部管理信息系统记载不一致，已在名单中予以更正。', 0.6)}
　　{c.pick(['名单按纸质件密封报送，电子件通过机要渠道传输。', '请查收。名单已按涉密件登记，纸质件由专人送达。', '特此函告。'])}

附件：{cty}市管干部名单（共{len(rows)}人）

{table(hd, rows)}

中共{cty}委组织部
{c.date()}
（联系人：{c.name()}，电话：{c.phone()}）"""


def b44_04(c):
    rows = []
    pool = c.sample(c.units, 6)
    n = c.ri(9, 13)
    zheng = 0
    for i in range(1, n + 1):
        party = c.pick(["中共党员", "中共党员", "中共党员", "中共党员", "民盟盟员", "无党派"])
        if i <= len(pool):
            senior = c.ch(0.3) and party == "中共党员"
            post = c.unit_post(pool[i - 1], senior)
            if party != "中共党员":
                post = pool[i - 1][0] + c.dep(pool[i - 1])
        else:
            senior = False
            post = c.pick(county_posts(c.county())[5:]) if party == "中共党员" else c.county() + "人民政府副" + c.pick(["县长", "区长"])
            if "人民政府副" in post:
                cty = post.split("人民政府")[0]
                post = cty + "人民政府副" + cty[-1] + "长"
        zheng += senior
        nm = c.name("女")
        b = c.birth(40, 57) if senior else c.birth(36, 55)
        rows.append([i, nm, c.nation(), b, c.edu(), post, c.ym(c.year - 5, c.year), party])
    hd = ["序号", "姓名", "民族", "出生年月", "学历", "现任职务", "任现职时间", "政治面貌"]
    return "名册", f"""{c.city}市管女干部名单
（{c.year}年{c.ri(1, 12)}月）
{table(hd, rows)}
备注：{c.pick(['本名单为全市市管女干部汇总，共计' + str(n) + '人，按单位序列排序。', '本名单由干部一科、干部二科合并汇总，共' + str(n) + '人，其中正县级' + str(zheng) + '人、副县级' + str(n - zheng) + '人。'])}"""


def b44_05(c):
    blocks = []
    total = 0
    for cty in c.counties[: c.ri(2, 3)]:
        posts = county_posts(cty)[: c.ri(6, 9)]
        rows = []
        for i, p in enumerate(posts, 1):
            b = c.birth(40, 57)
            rows.append([i, c.name(), b, c.edu(), p, c.ym(c.year - 6, c.year)])
        total += len(rows)
        blocks.append(f"{cty}（{len(rows)}人）\n" + table(["序号", "姓名", "出生年月", "学历", "职务", "任职时间"], rows))
    body = "\n\n".join(blocks)
    return "名册", f"""市管干部花名册
（县区党政领导班子部分）
{c.org}　{c.year}年{c.ri(1, 12)}月

{body}

以上合计{total}人。{c.opt('其余县（区）名单见续页。', 0.7)}{c.opt('本册仅限干部科室查阅，借阅须经分管部领导同意并登记。', 0.5)}"""


def b44_06(c):
    rows = []
    for i in range(1, c.ri(10, 14) + 1):
        u = c.pick(c.units)
        senior = c.ch(0.4)
        nm = c.name()
        g = c.gender()
        b = c.birth(46, 58) if senior else c.birth(37, 56)
        w = c.after(b, 18, 24)
        rows.append([i, f"SG{c.ri(1000, 9999):05d}", nm, g,
                     b.replace(".", "-"), w.replace(".", "-"), c.pick(["大学", "大学", "大专", "研究生"]),
                     c.pick(["在职研究生", "无", "中央党校大学", "无"]), c.unit_post(u, senior),
                     "正县级" if senior else c.pick(["副县级", "副县级", "副县级", "正县级"]), c.ym(c.year - 6, c.year).replace(".", "-"), "市委管理"])
    hd = ["序号", "人员编码", "姓名", "性别", "出生日期", "参加工作时间", "全日制学历", "在职学历", "现任职务",
          "职务层次", "任职时间", "管理类别"]
    return "名册", f"""市管干部基本信息汇总表
导出时间：{c.year}-{c.ri(1, 12):02d}-{c.ri(1, 28):02d} {c.ri(8, 17):02d}:{c.ri(0, 59):02d}　导出人：干部一科　数据来源：干部管理信息系统（涉密内网）
筛选条件：管理类别=市委管理；在职状态=在职
{table(hd, rows)}
共{len(rows)}条记录（第1页）"""


def b44_07(c):
    lines = []
    for i, u in enumerate(c.sample(c.units, c.ri(6, 9)), 1):
        lines.append(f"{i}. {c.name()}　{u[0]}{u[1].split('、')[-1]}（{c.birth(42, 57)}）")
    head = c.pick(["科长", "部长", "主任"])
    return "便笺", f"""{c.name()[0]}{head}：
　　按您要求，将市直单位正职中的市管干部名单摘出如下（共{len(lines)}人，按单位序列）：
{chr(10).join(lines)}
　　全市市管干部汇总名单（完整版）在干部一科保密柜，需要时我送过来。
{c.name()}
{c.md()}"""


def b44_08(c):
    rows = []
    i = 0
    order = ["党委书记、董事长", "党委副书记、总经理", "党委副书记、工会主席", "纪委书记", "副总经理"]
    for soe in c.sample(SOE, c.ri(3, 4)):
        sel = sorted(c.sample(order, c.ri(2, 3)), key=order.index)
        for p in sel:
            i += 1
            senior = p in order[:2]
            rows.append([i, c.city[:2] + soe, c.name(), c.gender(0.15), c.birth(45, 58) if senior else c.birth(38, 56), p,
                         c.ym(c.year - 6, c.year), "市委管理" if senior else c.pick(["市委管理", "市委组织部管理"])])
    hd = ["序号", "企业名称", "姓名", "性别", "出生年月", "现任职务", "任职时间", "管理权限"]
    return "名册", f"""市管国有企业领导人员汇总名单
（截至{c.date()}）
{table(hd, rows)}
注：管理权限为“市委组织部管理”的人员纳入部管干部名单统一管理，本表合并列示。"""


def b44_09(c):
    rows = []
    for _ in range(c.ri(12, 18)):
        u = c.pick(c.units + [(x, "院长", "副院长") for x in INST[:2]])
        rows.append(f"{c.name()}\t{c.gender()}\t{c.birth()}\t{c.unit_post(u, c.ch(0.4))}")
    rows.sort()
    return "名册", f"""市管干部名单索引
（按姓氏排序 · 供干部工作内部检索）
姓名\t性别\t出生年月\t现任职务
{chr(10).join(rows)}
（本索引随市管干部名册同步更新，更新日期：{c.date()}）"""


def b44_10(c):
    u = c.pick(c.units)
    n = c.ri(4, 6)
    rows = []
    for i in range(1, n + 1):
        b = c.birth(46, 58) if i == 1 else c.birth(38, 56)
        rows.append([i, c.name(), c.gender(), b, c.after(b, 20, 27), c.edu(), c.unit_post(u, i == 1),
                     c.ym(c.year - 5, c.year), ""])
    hd = ["序号", "姓名", "性别", "出生年月", "入党时间", "学历", "现任职务", "任现职时间", "核对意见"]
    d = c.dt(mhi=11)
    return "通知", f"""{c.org}
关于核对市管干部基础信息的通知
{c.docno('干')}

{u[0]}党组（党委）：
　　为确保市管干部名册信息准确，现将你单位市管干部名单及基础信息反馈你们，请逐项核对，在“核对意见”栏填写“无误”或具体更正内容，经主要负责同志签字后于{c.fmd(c.later(d, 5, 12))}前由专人报送市委组织部干部一科。
　　{c.opt('核对中发现出生年月、入党时间与档案记载不一致的，请附档案原始材料复印件。', 0.7)}请严格控制知悉范围，不得复制留存。

附：{u[0]}市管干部名单

{table(hd, rows)}

{c.org}
{c.f(d)}"""


def b44_11(c):
    rows = []
    for i, ins in enumerate(c.sample(INST, c.ri(5, 7)), 1):
        head = "院长" if ("院" in ins and "学院" not in ins) else ("校长" if ("学" in ins) else "台长")
        if "研究院" in ins:
            head = "院长"
        if "中心" in ins:
            head = "主任"
        for k in range(c.ri(1, 2)):
            post = (c.pick(["党委书记、", "党委副书记、", ""]) + head) if k == 0 else ("党委委员、副" + head)
            rows.append([len(rows) + 1, c.city[:2] + ins, c.name(), c.gender(0.3), c.birth(40, 57),
                         c.pick(["研究生", "大学", "博士研究生"]), post, c.pick(["正县级", "副县级"]), c.ym(c.year - 7, c.year)])
    hd = ["序号", "单位", "姓名", "性别", "出生年月", "学历", "职务", "级别", "任现职时间"]
    return "名册", f"""市管干部名册
（市属事业单位 · 高校医院文化类）
{table(hd, rows)}
制表：干部二科　　审核：{c.name()}　　{c.date()}"""


def b44_12(c):
    groups = [("1965年及以前出生", 57, 61), ("1966—1970年出生", 52, 56), ("1971—1975年出生", 47, 51),
              ("1976—1980年出生", 42, 46), ("1981年及以后出生", 35, 41)]
    out = []
    tot = 0
    for g, lo, hi in groups[c.ri(0, 1):]:
        k = c.ri(2, 5)
        tot += k
        ppl = "；".join(f"{c.name()}（{c.unit_post(c.pick(c.units), c.ch(0.4))}）" for _ in range(k))
        out.append(f"{g}（{k}人）：{ppl}。")
    return "名册", f"""市管干部按年龄段分类名单
（{c.pick(['市直机关', '市直单位正职', '全市'])}部分，截至{c.year}年{c.pick(['6', '9', '12'])}月底）
{chr(10).join(out)}
以上共{tot}人。名单用于干部队伍结构分析，{c.pick(['不得外传。', '请注意保管。', '阅后交回。'])}"""


def b44_13(c):
    rows = []
    for i in range(1, c.ri(8, 11) + 1):
        u = c.pick(c.units)
        party = c.pick(["民革", "民盟", "民建", "民进", "农工党", "致公党", "九三学社", "无党派"])
        rows.append([i, c.name(), c.gender(0.35), c.nation(), c.birth(38, 56), party, c.pick(["研究生", "大学", "博士研究生"]),
                     u[0] + c.dep(u), c.ym(c.year - 5, c.year)])
    hd = ["序号", "姓名", "性别", "民族", "出生年月", "党派", "学历", "现任职务", "任职时间"]
    return "名册", f"""市管党外干部汇总名单
{c.city}委组织部干部一科　{c.pick(['会同市委统战部', '根据干部管理信息系统'])}整理　{c.year}年{c.ri(1, 12)}月
{table(hd, rows)}
说明：1.本表列市管党外干部{len(rows)}人，不含在人大、政协任职的党外干部；2.“党派”栏无党派人士注“无党派”。"""


def b44_14(c):
    rows = []
    for i, u in enumerate(c.sample(c.units, c.ri(5, 7)), 1):
        for j in range(c.ri(1, 3)):
            rows.append([len(rows) + 1, u[0], c.name(), c.unit_post(u, j == 0).replace(u[0], ""),
                         "副职" if j else "正职", c.pick(["", "", "挂职", "试用期"]) if j else ""])
    hd = ["序号", "单位", "姓名", "职务", "类别", "备注"]
    return "名册", f"""{c.prev}年度市管干部年度考核对象名单（汇总）
{table(hd, rows)}
注：本名单为市管干部年度考核对象汇总（节选），共{len(rows)}人；{c.pick(['新提任不满一年的参加考核，不评定等次。', '挂职干部由派出单位考核。', '试用期干部一并考核。'])}"""


def b44_15(c):
    add = [[c.name(), c.unit_post(c.pick(c.units), c.ch(0.3)), c.ym(c.year, c.year), c.pick(["新提任", "交流进入", "转任"])]
           for _ in range(c.ri(2, 4))]
    sub = [[c.name(), c.unit_post(c.pick(c.units), c.ch(0.3)), c.pick(["退休", "调出本市", "改任职级", "免职"])]
           for _ in range(c.ri(2, 4))]
    n0 = c.ri(560, 880)
    return "说明", f"""关于市管干部名册第{c.ri(2, 4)}季度更新情况的说明

　　本季度市管干部名册共更新{len(add) + len(sub)}人次。更新后全市市管干部汇总名单共{n0 + len(add) - len(sub)}人（上季度末{n0}人）。具体变动如下：
一、新增人员（{len(add)}人）
{table(['姓名', '职务', '任职时间', '变动类型'], add)}
二、减少人员（{len(sub)}人）
{table(['姓名', '原任职务', '减少原因'], sub)}
三、其他
　　{c.pick(['更新后的汇总名单已同步至干部管理信息系统，纸质名册替换页由干部一科统一发放，旧页收回销毁。', '各科室持有的旧版名册请于本周内交回办公室统一销毁，并办理登记手续。'])}

干部一科
{c.date()}"""


def b44_16(c):
    rows = []
    for i in range(1, c.ri(9, 13) + 1):
        u = c.pick(c.units)
        rows.append([i, c.name(), c.gender(), c.birth(45, 59), u[0], c.pick(["一级调研员", "二级调研员", "二级巡视员", "三级调研员"]),
                     c.ym(c.year - 4, c.year), c.pick(["", "", "原任" + u[2].split("、")[-1]])])
    hd = ["序号", "姓名", "性别", "出生年月", "单位", "职级", "晋升时间", "备注"]
    return "名册", f"""市管职级干部汇总名单
（市直机关县处级职级公务员）
{table(hd, rows)}
本表共{len(rows)}人。填表：{c.name()}　复核：{c.name()}　{c.date()}"""


def b44_17(c):
    cty = c.county()
    rows = []
    for i, t in enumerate(c.sample(c.towns, c.ri(4, 6)), 1):
        for p in ["党委书记", "镇长" if t.endswith("镇") else "乡长"]:
            rows.append([len(rows) + 1, t, c.name(), p, c.birth(33, 52), c.pick(["大学", "研究生", "大学（在职）"]),
                         c.ym(c.year - 5, c.year - 1), c.pick(["正科级", "正科级", "四级调研员"])])
    hd = ["序号", "乡镇", "姓名", "职务", "出生年月", "学历", "任现职时间", "职级"]
    return "名册", f"""部管干部花名册
（{cty}乡镇党政正职 · 市委组织部备案管理）
{table(hd, rows)}
备注：{c.pick(['乡镇党委书记、乡镇长由市委组织部备案管理，纳入部管干部名单。', '本表根据' + cty + '委组织部报送材料汇总，与市级名册合并保管。'])}"""


B44 = [b44_01, b44_02, b44_03, b44_04, b44_05, b44_06, b44_07, b44_08, b44_09, b44_10, b44_11,
       b44_12, b44_13, b44_14, b44_15, b44_16, b44_17]


# ---------------------------------------------------------------------------
# 4.5 干部档案、干部考察材料 (秘密, 10 years)
# ---------------------------------------------------------------------------

PROJECTS = ["老旧小区改造三年行动", "营商环境优化提升专项行动", "高标准农田建设", "城区雨污分流改造",
            "“一网通办”政务服务改革", "乡村振兴示范片区建设", "国企改革深化提升行动", "重大项目征地拆迁",
            "河湖长制落实", "医保基金监管专项整治", "安全生产大排查大整治", "县域医共体建设"]
FLAWS = ["工作节奏快，有时对下属要求过急，批评人方式不够注意", "抓落实时统筹兼顾不够，精力偏重业务工作",
         "性格较为直率，与个别同志沟通方式有待改进", "基层工作经历相对较少，处理复杂矛盾的经验还需积累",
         "理论学习的系统性还不够强", "对分管领域的长远谋划还需加强", "在大胆使用年轻干部方面还可以更放手",
         "有时存在事必躬亲的情况，放手让科室负责人担当不够"]


def _votes(c, n):
    bad = c.ri(0, 1) if c.ch(0.35) else 0
    bc = c.ri(0, max(1, n // 15))
    ex = min(c.ri(int(n * 0.6), int(n * 0.9)), n - bad - bc)
    return ex, n - ex - bc - bad, bc, bad


def b45_01(c):
    u = c.pick(c.units)
    nm = c.name()
    g = c.gender()
    b = c.birth(38, 50)
    join = c.after(b, 19, 24)
    party = c.after(b, 21, 28)
    post = c.pick([u[2], c.mid(u), u[2]])
    target = c.pick(["拟提拔", "拟进一步使用", "拟交流任职"])
    n = c.ri(18, 36)
    tot = c.ri(40, 90)
    v = c.ri(int(tot * 0.62), int(tot * 0.92))
    ex, cm, bc, bad = _votes(c, tot)
    proj = c.sample(PROJECTS, 2)
    d1 = c.dt(mlo=3, mhi=9)
    d2 = c.later(d1, 3, 8)
    d3 = c.later(d2, 2, 10)
    d4 = c.later(d3, 1, 6)
    py = c.prev
    kh = c.pick(["优秀、称职、优秀", "称职、优秀、优秀", "优秀、优秀、称职", "称职、称职、优秀"])
    aff = c.opt(f"\n　　个人有关事项报告查核情况：经查核，该同志{py}年度个人有关事项报告与查核结果一致。", 0.7)
    extra = c.opt(f"""
　　（五）履职实绩。近三年年度考核结果分别为{kh}。{c.pick(['分管的' + c.pick(['规划', '财务', '执法', '项目']) + '工作连续两年在全市综合考评中位列前三', '牵头起草的' + c.pick(['产业扶持办法', '专项整治方案', '三年行动计划']) + '被市委、市政府采纳实施', '所在单位' + str(py) + '年度被评为全市目标管理考核先进单位'])}。""", 0.7)
    opinion = c.opt(f"""
　　六、考察组意见
　　综合考察情况，考察组认为，{nm}同志政治素质好，工作能力较强，实绩比较突出，群众公认度较高，{c.pick(['符合拟任职务的任职条件和资格', '适合担任拟任职务'])}。{c.pick(['建议按程序提交部务会研究。', '同时建议其在今后工作中注意改进工作方法。'])}""", 0.75)
    return "考察材料", f"""关于{nm}同志的考察报告

市委组织部：
　　根据市委安排，考察组于{c.f(d1)}至{c.fmd(d2)}，对{u[0]}{post}{nm}同志进行了{target}考察。考察采取民主推荐、民主测评、个别谈话、查阅干部档案、征求纪检监察机关意见、实地走访等方式进行，共与{n}名干部群众进行了个别谈话。现将考察情况报告如下：
　　一、基本情况
　　{nm}，{g}，{c.nation()}，{c.cn_ym(b)}出生，{c.native()}人，{c.cn_ym(join)}参加工作，{c.cn_ym(party)}加入中国共产党，{c.edu()}学历，{c.cn_ym(c.ym(c.year - 4, c.year - 1))}任现职。
　　二、主要表现
　　（一）政治素质好。该同志理想信念坚定，能够自觉在思想上政治上行动上同党中央保持高度一致，认真执行党组（党委）议事规则，在重大问题上立场坚定、旗帜鲜明。谈话中，干部普遍反映其“讲政治、守规矩、敢担当”。
　　（二）工作能力较强。熟悉分管业务，思路清晰，善于抓统筹、抓协调。牵头推进{proj[0]}，协调解决了一批历史遗留问题；在{proj[1]}工作中，坚持一线调度，相关指标在全省考核中位居前列。
　　（三）工作作风扎实。工作投入，经常深入基层调研，能够带头加班加点，对科室工作要求严、抓得细。
　　（四）廉洁自律。能够严格遵守中央八项规定精神，注重管好身边人，考察中未听到有关廉洁方面的不良反映。{extra}
　　三、主要缺点和不足
　　个别谈话中，有{c.ri(2, 5)}名同志反映该同志{c.pick(FLAWS)}。
　　四、民主推荐和民主测评情况
　　{u[0]}参加会议推荐{tot}人，{nm}同志得{v}票，得票率{v * 100 // tot}%，位列第{c.ri(1, 2)}名。民主测评中，评价“优秀”{ex}票、“称职”{cm}票、“基本称职”{bc}票、“不称职”{bad}票。
　　五、党风廉政意见及其他
　　市纪委监委{c.fmd(d3)}回复，未发现该同志有违反党风廉政建设规定的问题。{aff}
　　干部人事档案经审核，出生时间、参加工作时间、入党时间和学历、工作经历记载清楚，无涂改。{opinion}

考察组组长：{c.name()}
考察组成员：{c.name()}　{c.name()}
{c.f(d4)}"""


def b45_02(c):
    u = c.pick(c.units)
    n = c.ri(38, 86)
    items = ["政治建设", "思想建设", "组织建设", "作风建设", "党风廉政建设", "推动高质量发展", "工作实绩"]
    rows = []
    for it in c.sample(items, c.ri(5, 7)):
        a = c.ri(int(n * 0.55), int(n * 0.85))
        b = c.ri(0, n - a)
        d = c.ri(0, n - a - b)
        rows.append([it, a, b, d, n - a - b - d, f"{(a + b) * 100 / n:.1f}%"])
    members = []
    for i, p in enumerate([u[1]] + [u[2]] * c.ri(3, 5)):
        ex, cm, bc, bad = _votes(c, n)
        members.append([c.name(), p.split("、")[-1], ex, cm, bc, bad, f"{ex * 100 / n:.1f}%"])
    members.sort(key=lambda r: -r[2])
    members = [m + [i] for i, m in enumerate(members, 1)]
    return "统计表", f"""{u[0]}领导班子和领导干部年度考核民主测评结果统计表
测评时间：{c.date()}　应到{n + c.ri(2, 6)}人，实到{n}人，有效票{n}张
一、领导班子测评
{table(['测评项目', '好', '较好', '一般', '差', '好和较好率'], rows)}
二、班子成员测评
{table(['姓名', '职务', '优秀', '称职', '基本称职', '不称职', '优秀率', '排序'], members)}
计票人：{c.name()}　{c.name()}　　监票人：{c.name()}
（{c.pick(['测评结果仅供考核组和部务会研究使用。', '本表由考核组当场封存带回。', '统计结果不向单位反馈排序。'])}）"""


def b45_03(c):
    u = c.pick(c.units)
    tgt = c.name()
    who = c.name()
    wpost = c.pick([c.mid(u), c.mid(u), "退休老干部", "二级主任科员", u[2]])
    t1, t2 = c.name(), c.name()
    q = c.pick(["是否适合担任单位主要负责人", "能否胜任更重要的岗位", "是否适宜交流到县（区）任职"])
    ans_bad = c.pick(["有时候脾气急了一点，开会批评人不太留面子，但事后也会找人谈心。",
                      "抓具体事情多，有时候我们科里的事他直接插手，放权不够。",
                      "理论水平还可以再提高，讲话稿基本靠办公室，自己下功夫不多。",
                      "缺点不明显，硬要说的话，是对基层一些实际困难了解得还不够细。"])
    return "谈话记录", f"""考察谈话记录
考察对象：{tgt}（{u[0]}{c.pick([u[2], c.mid(u)])}）
谈话对象：{who}，{u[0]}{wpost}
谈话时间：{c.date()} {c.ri(8, 16)}:{c.pick(['00', '15', '30', '40'])}　地点：{u[0]}{c.pick(['三楼小会议室', '党员活动室', '考察组谈话室'])}
谈话人：{t1}、{t2}　记录人：{t2}

问：请您谈谈对{tgt}同志德、能、勤、绩、廉方面的看法。
答：{tgt}同志{c.pick(['来我们单位', '分管我们科'])}{c.ri(2, 6)}年了，政治上靠得住，上面的要求传达得及时。业务很熟，{c.pick(PROJECTS)}这件事基本是他牵头推下来的，{c.pick(['群众评价也不错', '市里通报表扬过两次', '省里来检查时对我们评价较高'])}。平时来得早走得晚，周末也经常在单位。廉洁方面没听到什么议论，{c.pick(['家属也比较低调', '请他吃饭基本请不动', '工程上的事他从不打招呼'])}。
问：您认为他有哪些缺点和不足？
答：{ans_bad}
问：您认为他{q}？
答：{c.pick(['我认为合适，他在单位威信比较高。', '可以，但建议再压压担子，多到基层历练一下。', '比较合适，大家心服口服。', '我个人觉得能胜任，具体还是组织上把握。'])}
问：对本单位领导班子和其他同志还有什么意见建议？
答：{c.pick(['班子总体团结，就是年轻干部提拔有点慢。', '没有别的了。', '希望组织上尽快把空缺的副职配上。'])}

谈话对象确认签字：{who}
（谈话内容严格保密，不得向考察对象透露。）"""


def b45_04(c):
    n = c.ri(12, 30)
    k = c.ri(3, 5)
    probs = [("出生时间", "档案中《干部履历表》与入团志愿书记载出生时间相差{}个月", "按最早记载认定，并报部务会备案"),
             ("学历学位", "在职研究生学历证书未见学籍档案，需补充学信网验证材料", "暂缓认定，限期补充材料"),
             ("入党时间", "入党志愿书缺少预备党员转正审批意见", "由所在党组织出具说明并补充材料"),
             ("工作经历", "{}年—{}年工作经历无任免文件佐证", "向原单位函调任职文件"),
             ("参加工作时间", "招工审批表与履历表记载不一致", "按招工审批时间认定"),
             ("干部身份", "转干审批表缺少主管部门审批印章", "函请原审批机关出具证明")]
    rows = []
    for i, (t, d, r) in enumerate(c.sample(probs, k), 1):
        yy = c.ri(1990, 2005)
        d = d.format(c.ri(2, 18)) if "个月" in d else (d.format(yy, yy + c.ri(1, 3)) if "{}年" in d else d)
        u = c.pick(c.units)
        rows.append([i, c.name(), u[0] + c.pick([c.mid(u), c.dep(u)]), t, d, r])
    d1 = c.dt(mhi=10)
    d2 = c.later(d1, 5, 15)
    d3 = c.later(d2, 1, 5)
    return "报告", f"""关于拟提拔干部人选档案专项审核情况的报告

部务会：
　　按照“凡提必审”要求，干部档案室会同干部一科、干部二科，于{c.fmd(d1)}至{c.fmd(d2)}对{n}名拟提拔县处级干部人选的干部人事档案进行了专项审核，重点审核“三龄二历一身份”、奖惩情况和个人有关事项报告材料。现将情况报告如下：
　　一、总体情况
　　{n}名人选中，档案材料齐全、记载一致、可以认定的{n - k}人；存在问题需进一步核实的{k}人。{c.opt('未发现涂改、造假档案材料的情况。', 0.7)}
　　二、需核实人员及问题
{table(['序号', '姓名', '单位及职务', '问题类型', '具体问题', '处理意见'], rows)}
　　三、下一步意见
　　对上述{k}名同志，建议在问题核实认定前暂缓提交部务会研究；核实结果由档案室形成书面认定意见，经本人签字确认后装入本人档案。{c.opt('同时建议对相关单位档案材料收集归档不及时的问题进行通报。', 0.5)}

干部档案室
{c.f(d3)}"""


def b45_05(c):
    nm = c.name()
    u = c.pick(c.units)
    b = c.birth(36, 48)
    work = c.after(b, 20, 24)
    res = []
    y0 = int(work[:4])
    posts = [c.pick(["科员", "办事员"]), c.pick(["副科长", "副主任科员"]), c.pick(["科长", "办公室主任"]), c.dep(u)]
    yrs = sorted(c.sample(range(y0, c.year), 4))
    yrs[0] = y0
    for y, p in zip(yrs, posts):
        res.append(f"{y}.{c.ri(1, 12):02d}　{u[0] if p == c.dep(u) else c.pick([u[0], c.county() + '人民政府办公室'])}{p}")
    return "考察材料", f"""{nm}同志考察材料

　　{nm}，{c.gender()}，{c.nation()}，{c.cn_ym(b)}出生，{c.cn_ym(c.after(b, 20, 26))}入党，{c.cn_ym(work)}参加工作，{c.edu()}学历，现任{c.unit_post(u, False)}。
　　该同志政治立场坚定，认真学习贯彻习近平新时代中国特色社会主义思想，{c.pick(['政治判断力、政治领悟力、政治执行力较强', '对党忠诚，组织观念强', '讲政治、顾大局、守纪律'])}。熟悉{u[0][1:]}业务，{c.pick(['综合协调能力强，文字功底扎实', '抓落实能力强，善于解决复杂问题', '思路开阔，敢于创新'])}。分管{c.pick(['规划和项目建设', '财务和审计', '执法和安全生产', '人事和机关党建'])}工作以来，{c.pick(PROJECTS)}等工作取得明显成效，{c.prev}年度考核被评为{c.pick(['优秀', '称职'])}等次。工作勤勉敬业，作风务实。廉洁自律，严格落实中央八项规定精神。
　　主要不足：{c.pick(FLAWS)}。
　　{c.opt('民主推荐中，该同志得票位列第一；民主测评“优秀”率' + str(c.ri(72, 95)) + '%。', 0.6)}
　　{c.opt('简要经历：' + '；'.join(res) + '。', 0.6)}

{c.city}委组织部考察组
{c.date()}"""


def b45_06(c):
    u = c.pick(c.units)
    post = c.dep(u)
    n = c.ri(22, 45)
    cands = [c.name() for _ in range(c.ri(4, 7))]
    votes = sorted([c.ri(1, n) for _ in cands], reverse=True)
    rows = [[i, nm, c.mid(u), v, f"{v * 100 / n:.1f}%"] for i, (nm, v) in enumerate(zip(cands, votes), 1)]
    return "统计表", f"""{u[0]}{post}人选个别谈话推荐情况汇总表
谈话时间：{c.date()}　　谈话范围：单位领导班子成员、内设机构主要负责人及部分干部，共{n}人
推荐职位：{u[0]}{post}（{c.pick(['1名', '1名，空缺职位'])}）
{table(['序号', '被推荐人', '现任职务', '推荐票数', '得票率'], rows)}
　　谈话中，{c.ri(3, 9)}名同志未推荐人选；{c.pick(['多数同志认为' + cands[0] + '业务能力强，但基层经历较少。', '推荐意见较为集中，' + cands[0] + '、' + cands[1] + '得票明显领先。', '有同志建议从外单位交流人选。'])}
　　{c.opt('另有' + str(c.ri(2, 5)) + '名同志推荐了本单位以外人员，未列入本表。', 0.5)}{c.opt('谈话推荐结果与会议推荐结果基本一致。', 0.5)}
　　考察组初步意见：{c.pick(['将' + cands[0] + '列为考察对象', '建议' + cands[0] + '、' + cands[1] + '进行差额考察', '推荐意见较分散，建议扩大谈话范围后再行研究'])}。
考察组：{c.name()}、{c.name()}"""


def b45_07(c):
    nm = c.name()
    y = c.ri(1966, 1982)
    m1, m2 = c.ri(1, 12), c.ri(1, 12)
    return "考察材料", f"""干部人事档案专项审核认定表（出生时间）

姓名：{nm}　　单位及职务：{c.unit_post(c.pick(c.units), False)}
档案中有关出生时间的记载：
{table(['序号', '材料名称', '形成时间', '记载出生时间'], [[1, '入团志愿书', f'{y + 15}.{c.ri(1, 12):02d}', f'{y}.{m1:02d}'], [2, '高考报名登记表', f'{y + 18}.{c.ri(3, 6):02d}', f'{y}.{m1:02d}'], [3, '招录（聘）审批表', f'{y + 22}.{c.ri(1, 12):02d}', f'{y}.{m2:02d}'], [4, '干部履历表', f'{y + 25}.{c.ri(1, 12):02d}', f'{y}.{m2:02d}'], [5, '身份证（复印件）', '—', f'{y}.{m2:02d}']])}
审核意见：档案中出生时间记载不一致。经查，最早记载为{y}年{m1}月（入团志愿书），{c.pick(['本人提供的户籍底册亦为' + str(y) + '年' + str(m1) + '月', '本人未能提供更早的有效证明材料'])}。依据干部人事档案专项审核有关规定，认定其出生时间为{y}年{m1}月。
审核人：{c.name()}　　复核人：{c.name()}　　{c.date()}
部务会审定意见：{c.pick(['同意。', '同意审核意见，本人已签字确认。', '（待审定）'])}"""


def b45_08(c):
    parts = []
    for i in range(c.ri(3, 4)):
        nm = c.name()
        u = c.pick(c.units)
        tot = c.ri(35, 80)
        v = c.ri(int(tot * 0.5), tot)
        parts.append(f"　　{CN_NUM[i + 1]}、{nm}（{u[0]}{c.pick([c.mid(u), c.dep(u)])}，{c.cn_ym(c.birth(35, 48))}出生）。会议推荐得票{v}票（参会{tot}人），谈话推荐得票居第{c.ri(1, 3)}位。优点：{c.pick(['政治素质好，综合协调能力强', '熟悉业务，敢抓敢管', '工作扎实，群众基础好'])}。不足：{c.pick(FLAWS)}。档案审核{c.pick(['无问题', '入党时间已补充材料认定'])}，纪委回复无问题。考察组意见：{c.pick(['建议提拔使用', '建议平职交流', '建议暂缓使用，继续培养'])}。")
    d1 = c.dt()
    return "报告", f"""考察组向部务会汇报提纲
（{c.city}{c.pick(['市直单位副县级干部', '县（区）党政副职', '市属国企领导人员'])}考察人选）

　　部务会：考察组于{c.fmd(d1)}至{c.fmd(c.later(d1, 4, 12))}对{len(parts)}名人选进行了考察，现将有关情况简要汇报：
{chr(10).join(parts)}
　　以上汇报，请部务会研究。
{c.opt('（本提纲会后收回，不得带出会场。）', 0.6)}"""


def b45_09(c):
    cty = c.county()
    L = cty[-1]
    return "考察材料", f"""{cty}委领导班子{c.prev}年度考核综合分析评价

　　一、班子总体评价。{cty}委班子政治站位较高，落实上级决策部署坚决有力。班子运行总体良好，民主集中制执行较好，“三重一大”事项均经集体研究。年度考核民主测评“好”的评价率为{c.ri(78, 95)}%，较上年{c.pick(['提高', '下降'])}{c.ri(1, 6)}个百分点。
　　二、班子存在的主要问题。谈话中反映：{c.pick(['班子成员之间分工协作有待加强，个别领域推诿扯皮', '对县域经济发展后劲不足的问题研究不深', '干部队伍年龄结构老化问题解决不够有力', '党政主要负责同志在个别问题上沟通不够顺畅'])}。
　　三、班子成员评价
　　{c.name()}（{L}委书记）：把方向、管大局能力强，{c.pick(['但有时决策过快，听取不同意见不够充分', '工作要求严，干部普遍认可'])}。测评优秀率{c.ri(70, 96)}%。
　　{c.name()}（{L}长）：熟悉经济工作，{c.pick(['抓项目招商有办法', '执行力强'])}，{c.pick(['对分管部门督促检查不够', '基层群众评价较好'])}。测评优秀率{c.ri(60, 92)}%。
　　{c.name()}（常务副{L}长）：{c.pick(['工作细致，但开拓创新不足', '敢于碰硬，在征地拆迁中作用突出'])}。测评优秀率{c.ri(55, 90)}%。
　　{c.name()}（组织部部长）：{c.pick(['抓基层党建有思路', '干部工作规范'])}，{c.pick(['个别谈话中有同志认为其与基层沟通偏少', '评价较好'])}。测评优秀率{c.ri(58, 93)}%。
　　四、考核组建议：{c.pick(['班子结构总体合理，建议保持稳定，适时补充一名熟悉城建工作的副职。', '建议对测评排名靠后的一名副职进行提醒谈话。', '建议加大年轻干部交流力度，优化班子结构。'])}

市委第{CN_NUM[c.ri(1, 6)]}考核组
{c.date(mlo=1, mhi=3)}"""


def b45_10(c):
    tgt = c.name()
    u = c.pick(c.units)
    said = [
        "工作思路清楚，抓工作有一股韧劲，分管的科室干部都服气。",
        "人比较实在，不搞花架子，就是有时候批评人太直接。",
        "政治上没问题，业务上是行家。缺点是对年轻人压担子不够。",
        "为人低调，廉洁方面口碑好，从没听说收礼吃请。",
        "对上沟通很到位，但下基层少了点，有些情况掌握得不够细。",
        "能力没问题，提拔是应该的。要说意见，就是会议多了一点。",
        "作风扎实，疫情那段时间一直住在单位。",
        "考虑问题周全，但决断有时偏慢。",
    ]
    lines = []
    for i, s in enumerate(c.sample(said, c.ri(5, 7)), 1):
        lines.append(f"{i}.{c.pick(['班子成员', '中层正职', '中层副职', '一般干部', '退休干部', '下属单位负责人'])}{c.name()}：{s}")
    return "谈话记录", f"""{tgt}同志考察谈话情况摘录
（{u[0]}，谈话{c.ri(15, 32)}人，摘录{len(lines)}人）
{chr(10).join(lines)}
　　综合谈话情况，多数同志对{tgt}同志评价较高，{c.ri(1, 4)}人提出了缺点意见，主要集中在{c.pick(['工作方法', '沟通方式', '基层经历'])}方面；未发现影响使用的问题。
整理：{c.name()}　{c.date()}　（此件阅后交考察组组长）"""


def b45_11(c):
    nm = c.name()
    cty = c.county()
    return "考察材料", f"""{nm}同志政治素质考察情况

　　考察对象：{nm}，{cty}委常委、{c.pick(['常务副县长', '组织部部长', '宣传部部长', '政法委书记'])}。
　　考察组通过个别谈话、查阅近三年民主生活会对照检查材料、调阅其在重大任务中的表现记录等方式，对其政治素质进行了重点考察。
　　（一）政治忠诚。能够坚决贯彻落实中央和省委、市委决策部署，在{c.pick(['耕地保护', '防范化解债务风险', '生态环境整改', '安全生产'])}等重大问题上态度坚决、行动迅速。
　　（二）政治担当。在{c.pick(PROJECTS)}中主动请缨，{c.pick(['化解信访积案' + str(c.ri(3, 12)) + '件', '推动问题整改销号', '带队驻点攻坚两个月'])}。
　　（三）政治能力。对意识形态工作责任制落实较好，{c.pick(['但对网络舆情研判的前瞻性还需加强', '能够及时处置突发舆情'])}。
　　（四）政治自律。未发现违反政治纪律和政治规矩的问题。
　　负面清单比对情况：对照政治素质考察负面清单{c.ri(10, 20)}项逐项比对，{c.pick(['均未发现', '有1项（调研不深入）存在轻微表现，已在谈话中提醒'])}。
　　政治素质评价等次：{c.pick(['好', '较好'])}。

考察组　{c.date()}"""


def b45_12(c):
    rows = []
    for i in range(1, c.ri(5, 8) + 1):
        rows.append([i, c.name(), c.pick(["任职考察", "档案专项审核", "干部审计", "个人事项核查", "职级晋升"]), c.pick(["查阅", "摘抄", "复印"]),
                     c.pick(["履历表、任免审批表", "学历学位材料", "入党材料", "奖惩材料", "年度考核登记表"]), c.pick(["无问题", "无问题", "缺少转正材料", "出生时间不一致", "学历证书待核"]),
                     c.name()])
    return "统计表", f"""干部人事档案查（借）阅登记及审核记录
（干部档案室　{c.year}年第{c.ri(1, 4)}季度）
{table(['序号', '档案人姓名', '查阅事由', '方式', '查阅材料', '发现问题', '经办人'], rows)}
　　本季度查阅档案{len(rows)}卷次，均经分管部领导审批；复印材料均加盖“复印件”章并登记页数。发现问题的{c.ri(1, 3)}卷已按程序转干部科室核实。"""


def b45_13(c):
    nm = c.name()
    u = c.pick(c.units)
    lead = c.name()
    return "谈话记录", f"""考察对象征求分管市领导意见记录

考察对象：{nm}，{u[0]}{c.pick([u[2], c.mid(u)])}
征求意见对象：{lead}同志（分管{u[0][1:]}工作的{c.pick(['副市长', '市委常委', '市人大常委会副主任'])}）
时间：{c.date()}　方式：{c.pick(['当面听取', '电话听取', '书面征求'])}　记录人：{c.name()}

　　{lead}同志谈了以下意见：{nm}同志我比较了解，{c.pick(['在' + c.pick(PROJECTS) + '中表现突出，能扛事', '文字综合能力强，材料把关很严', '处理突发事件沉着，有办法'])}。{c.pick(['缺点是有时候顾虑多，放不开手脚。', '不足是对财务、审计方面的业务还需熟悉。', '就是性子急，需要注意方法。'])}从我分管的角度看，{c.pick(['该同志可以提拔使用', '建议放到更重要的岗位上锻炼', '建议先交流到县区历练一下'])}。
　　{c.opt('另外，' + lead + '同志提出，该单位班子年龄偏大，建议组织上统筹考虑。', 0.5)}

（本记录作为考察材料存档，不对外提供。）"""


def b45_14(c):
    nm = c.name()
    comm = c.pick(["锦绣社区", "东门社区", "荷塘社区", "新河社区", "文昌社区"])
    return "考察材料", f"""延伸考察情况记录
（考察对象：{nm}）

　　时间：{c.date()}　地点：{c.city}{comm}居委会、{nm}同志居住小区{c.opt('及其原工作单位' + c.county() + '人民政府办公室', 0.5)}
　　参加人员：考察组{c.name()}、{c.name()}
　　情况：考察组到{comm}走访社区干部和邻居{c.ri(3, 6)}人，了解考察对象“八小时以外”表现。社区书记反映，{nm}同志一家{c.pick(['按时参加社区志愿服务', '在社区报到后参加过义务植树和防汛值守', '与邻里关系融洽'])}；邻居反映其{c.pick(['生活简朴，平时骑电动车上下班', '为人随和，没见过有人上门送礼', '家里老人由其夫妇照顾，孝顺'])}。{c.opt('物业反映其车辆无违规停放、欠缴物业费等情况。', 0.5)}{c.opt('考察组还向其原单位' + str(c.ri(2, 4)) + '名退休同志了解情况，均反映该同志在原单位期间口碑较好，没有与管理服务对象不正当交往的情况。', 0.6)}
　　结论：未发现不良社会交往和生活作风方面的问题。{c.opt('有1名邻居反映其' + c.pick(['工作太忙，家里的事顾不上', '有时深夜才回家']) + '，属正常情况。', 0.4)}
记录人：{c.name()}"""


def b45_15(c):
    nm = c.name()
    b = c.birth(40, 56)
    by = int(b[:4])
    items = [("第五类", "毕业生登记表", by + 22), ("第六类", "政审表", by + 22), ("第一类", "干部履历表", by + 23),
             ("第七类", "入党志愿书", by + c.ri(21, 27)), ("第二类", "个人自传", by + c.ri(23, 26)),
             ("第九类", "干部任免审批表", by + c.ri(28, 36)), ("第九类", "工资变动审批表", by + c.ri(30, 38)),
             ("第四类", "任职考察材料", by + c.ri(36, 42)), ("第四类", "年度考核登记表", min(c.year - 1, by + 44))]
    items.sort(key=lambda x: x[2])
    rows = []
    for i, (a, m, y) in enumerate(items, 1):
        rows.append([i, a, m, f"{min(y, c.year)}.{c.ri(1, 12):02d}", c.ri(1, 6), c.pick(["", "", "", "原件缺失，存复印件", "无组织盖章"])])
    return "考察材料", f"""干部人事档案目录审核表
档案人：{nm}　　出生年月：{b}　　现任职务：{c.unit_post(c.pick(c.units), c.ch(0.3))}　　档案编号：{c.s}{c.ri(10000, 99999)}
{table(['序号', '类别', '材料名称', '形成时间', '页数', '审核情况'], rows)}
审核结论：档案材料基本齐全，{c.pick(['个别材料需补充完善，已通知本人及所在单位。', '符合要求。', '需补充学历学位认证材料。'])}
审核人：{c.name()}　　{c.date()}"""


def b45_16(c):
    nm = c.name()
    u = c.pick(c.units)
    n = c.ri(30, 70)
    ex, cm, bc, bad = _votes(c, n)
    start = c.dt(y=c.prev)
    kh = c.later(start, 360, 380)
    return "考察材料", f"""关于{nm}同志试用期满考核情况的报告

市委组织部：
　　{nm}同志于{start.year}年{start.month}月任{u[0]}{c.dep(u)}（试用期一年）。按照规定，我们于{c.f(kh)}对其进行了试用期满考核。
　　考核采取个人述职、民主测评和个别谈话方式进行。参加测评{n}人，评价“称职以上”{ex + cm}票，其中“优秀”{ex}票；“基本称职”{bc}票；“不称职”{bad}票。个别谈话{c.ri(10, 20)}人，普遍认为该同志{c.pick(['适应岗位快，分管工作有起色', '工作积极主动，作风踏实'])}，不足是{c.pick(FLAWS)}。
　　试用期内，该同志分管{c.pick(['行政审批和政务服务', '规划和项目', '执法监督', '机关党建和人事'])}工作，{c.pick(['推动审批时限压缩' + str(c.ri(20, 50)) + '%', '完成年度重点项目' + str(c.ri(5, 14)) + '个', '组织开展专项执法检查' + str(c.ri(3, 9)) + '次'])}。{c.opt('经查阅，试用期内无受到问责和信访举报的情况。', 0.7)}
　　考核组意见：该同志试用期内表现{c.pick(['良好', '较好'])}，{c.pick(['胜任现职，建议正式任职。', '建议正式任职，同时提醒其注意改进工作方法。'])}

考核组组长：{c.name()}
{c.f(c.later(kh, 3, 12))}"""


def b45_17(c):
    cty = c.county()
    n = c.ri(40, 110)
    rows = []
    for i in range(1, c.ri(4, 6) + 1):
        y = c.ri(int(n * 0.7), n)
        no = c.ri(0, n - y)
        t = c.pick(c.towns)
        h = "镇长" if t.endswith("镇") else "乡长"
        rows.append([i, c.name(), t + c.pick([f"党委副书记、{h}", f"党委委员、副{h}"]), c.pick(["乡镇党委书记", f"{cty[-1]}直部门主要负责人", "乡镇长"]), y, no, n - y - no, f"{y * 100 / n:.1f}%"])
    low = min(rows, key=lambda r: r[4])
    return "统计表", f"""拟任人选民主测评情况统计
（{cty}委组织部　{c.date()}）
测评范围：{cty}四套班子成员、{cty[-1]}直部门和乡镇主要负责人，应到{n + c.ri(1, 6)}人，实到{n}人
{table(['序号', '姓名', '现任职务', '拟任职务类别', '赞成', '不赞成', '弃权', '赞成率'], rows)}
　　分析：{len(rows)}名拟任人选赞成率均超过70%，其中{low[1]}同志赞成率相对较低（{low[7]}），{c.pick(['主要是其在现单位任职时间较短', '谈话中有同志反映其工作方法简单', '与其近期岗位调整有关'])}。
　　（统计结果已由{c.name()}、{c.name()}核对签字，报市委组织部干部二科备案。）"""


B45 = [b45_01, b45_02, b45_03, b45_04, b45_05, b45_06, b45_07, b45_08, b45_09, b45_10, b45_11,
       b45_12, b45_13, b45_14, b45_15, b45_16, b45_17]


# ---------------------------------------------------------------------------
# 4.6 公开选拔干部的试题、答案、评分标准 (机密, until the exam ends)
# ---------------------------------------------------------------------------

def _exam(c):
    return c.pick([f"{c.city}{c.year}年公开选拔副县级领导干部",
                   f"{c.city}{c.year}年市直机关公开遴选公务员",
                   f"{c.city}{c.year}年公开选拔乡镇党委书记",
                   f"{c.city}{c.year}年市属国有企业经营管理人员竞争性选拔",
                   f"{c.city}{c.year}年公开选调优秀年轻干部"])


SCQ = [
    ("根据《党政领导干部选拔任用工作条例》，提拔担任县处级领导职务的，应当具有（　）年以上工龄。", ["三", "四", "五", "六"], "C"),
    ("干部人事档案审核中的“三龄”不包括（　）。", ["年龄", "工龄", "党龄", "职龄"], "D"),
    ("提拔任用干部实行任职前公示制度，公示期不少于（　）个工作日。", ["三", "五", "七", "十"], "B"),
    ("提拔担任非选举产生的领导职务，试用期为（　）。", ["三个月", "六个月", "一年", "两年"], "C"),
    ("党支部“三会一课”中的“三会”不包括（　）。", ["支部党员大会", "支部委员会", "党小组会", "党员代表大会"], "D"),
    ("预备党员的预备期为（　）。", ["六个月", "一年", "一年半", "两年"], "B"),
    ("县级以上党和国家机关党员领导干部除参加所在党支部组织生活外，还应当参加所在领导班子的（　）。", ["中心组学习", "民主生活会", "述职述廉会", "专题研讨会"], "B"),
    ("干部选拔任用工作中，对拟提拔人选的档案应当（　）。", ["凡提必审", "抽查审核", "本人申报", "事后备案"], "A"),
    ("领导干部个人有关事项报告，一般应当于每年（　）前集中报告。", ["1月31日", "3月31日", "6月30日", "12月31日"], "A"),
    ("“四下基层”不包括（　）。", ["宣传党的路线方针政策下基层", "调查研究下基层", "信访接待下基层", "招商引资下基层"], "D"),
    ("党员领导干部民主生活会一般每年召开（　）。", ["一次", "两次", "三次", "四次"], "A"),
    ("干部交流的对象主要是（　）。", ["一般干部", "党政领导干部", "专业技术人员", "离退休干部"], "B"),
    ("对干部人事档案中的出生时间记载不一致的，一般以（　）为准认定。", ["最近一次填写的材料", "本人申报的时间", "档案中最早记载的时间", "身份证记载的时间"], "C"),
]
MCQ = [
    ("干部考察中，考察组应当通过（　）等方式广泛深入地了解情况。", "A.个别谈话　B.发放征求意见表　C.民主测评　D.实地走访　E.网上公示得票", "ABCD"),
    ("民主生活会召开前，应当做好的准备工作包括（　）。", "A.开展学习研讨　B.广泛征求意见　C.开展谈心谈话　D.撰写对照检查材料　E.确定批评对象名单", "ABCD"),
    ("党组织书记抓基层党建述职评议考核的结果可以作为（　）的重要依据。", "A.评先评优　B.干部选拔任用　C.年度考核　D.党员发展　E.职称评审", "ABC"),
    ("下列情形中，不得列为考察对象的有（　）。", "A.近三年年度考核结果中有基本称职以上等次的　B.受到诫勉处理影响期未满的　C.群众公认度不高的　D.档案记载信息存疑且尚未核实的", "BCD"),
]
TFQ = [
    ("民主推荐结果是选拔任用干部的唯一依据。", "×"),
    ("干部档案实行集中统一、分级负责的管理体制。", "√"),
    ("领导干部在民主生活会上只需开展自我批评，相互批评可以在会后个别进行。", "×"),
    ("对新提任的领导干部，应当在任职前进行任前谈话。", "√"),
    ("党员领导干部个人有关事项报告内容可以由秘书代为填报。", "×"),
    ("后备干部名单应当在一定范围内公开。", "×"),
    ("干部考察中的个别谈话情况应当严格保密。", "√"),
    ("公开选拔领导干部的试题在考试结束前属于国家秘密。", "√"),
    ("党政领导干部任职回避的情形包括夫妻关系、直系血亲关系等。", "√"),
]


def _paper_plan(c):
    case = c.pick([25, 30])
    return {"sc": 10, "mc": 4, "tf": 8, "case": case, "write": 100 - 20 - 12 - 8 - case,
            "case_split": (10, 15) if case == 25 else (12, 18)}


def _essay_bands(total):
    if total == 35:
        return ["30—35", "24—29", "18—23", "17分以下"]
    return ["40—45", "33—39", "25—32", "24分以下"] if total == 45 else ["27—30", "21—26", "15—20", "14分以下"]


ESSAY = ["把好干部选拔任用的政治关、廉洁关", "以高质量党建引领基层治理", "激励干部担当作为的实践路径",
         "推动年轻干部在基层一线磨砺成长", "为基层减负赋能的思考"]


def b46_01(c):
    ex = _exam(c)
    pl = _paper_plan(c)
    s = c.sample(SCQ, pl["sc"])
    m = c.sample(MCQ, pl["mc"])
    t = c.sample(TFQ, pl["tf"])
    cty = c.county()
    sc = "\n".join(f"{i}.{q}\n　　A.{o[0]}　B.{o[1]}　C.{o[2]}　D.{o[3]}" for i, (q, o, _) in enumerate(s, 1))
    mc = "\n".join(f"{i}.{q}\n　　{o}" for i, (q, o, _) in enumerate(m, len(s) + 1))
    tf = "\n".join(f"{i}.{q}（　）" for i, (q, _) in enumerate(t, len(s) + len(m) + 1))
    return "试卷", f"""{ex}笔试试卷
公共科目：领导科学与组织人事工作（{c.pick(['A', 'B'])}卷）
考试时间：{c.pick(['150', '120'])}分钟　　满分：100分

注意事项：1.请在答题卡指定位置填写姓名和准考证号；2.所有答案必须写在答题卡上，写在试卷上无效；3.考试结束后，试卷、答题卡、草稿纸一并交回。

一、单项选择题（每题2分，共{len(s) * 2}分）
{sc}

二、多项选择题（每题3分，共{len(m) * 3}分。多选、错选不得分，少选得1分）
{mc}

三、判断题（每题1分，共{len(t)}分。正确的打“√”，错误的打“×”）
{tf}

四、案例分析题（{pl['case']}分）
　　材料：{cty}{c.pick(c.towns)}党委在村“两委”换届后，发现部分新任村党组织书记年龄偏大、带富能力不强，个别村“两委”成员之间不团结，村级重大事项“四议两公开”流于形式。镇党委书记认为“换届刚结束，先稳一稳再说”。
　　问题：（1）请分析该镇在基层组织建设中存在的主要问题（{pl['case_split'][0]}分）；（2）如果你是新任镇党委组织委员，你将如何推动问题解决？（{pl['case_split'][1]}分）

五、写作题（{pl['write']}分）
　　结合你所在单位或岗位实际，以“{c.pick(ESSAY)}”为主题，写一篇{c.pick(['1200', '1500'])}字左右的文章。要求观点明确、联系实际、条理清楚。"""


def b46_02(c):
    ex = _exam(c)
    pl = _paper_plan(c)
    s = c.sample(SCQ, pl["sc"])
    m = c.sample(MCQ, pl["mc"])
    t = c.sample(TFQ, pl["tf"])
    ans1 = "　".join(f"{i}.{a}" for i, (_, _, a) in enumerate(s, 1))
    ans2 = "　".join(f"{i}.{a}" for i, (_, _, a) in enumerate(m, len(s) + 1))
    ans3 = "　".join(f"{i}.{a}" for i, (_, a) in enumerate(t, len(s) + len(m) + 1))
    a, b = pl["case_split"]
    bands = _essay_bands(pl["write"])
    return "参考答案", f"""{ex}笔试
公共科目参考答案及评分标准（{c.pick(['A', 'B'])}卷）
（阅卷组专用　阅卷结束后随试卷一并封存）

一、单项选择题（每题2分，共{len(s) * 2}分）
{ans1}
二、多项选择题（每题3分，共{len(m) * 3}分，少选得1分）
{ans2}
三、判断题（每题1分，共{len(t)}分）
{ans3}
四、案例分析题评分标准（{pl['case']}分）
　　（1）问题分析（{a}分）：答出以下要点各得{a // 4}—{a // 4 + 1}分，满分为止：①换届人选把关不严，选人用人标准执行不到位；②村“两委”班子团结协作机制不健全；③“四议两公开”等民主决策制度落实不力；④镇党委抓基层党建责任意识不强，存在“换届即结束”的松懈思想。
　　（2）对策措施（{b}分）：①开展村“两委”班子运行情况分析研判，对不胜任的及时调整；②加强新任村干部培训，实施“导师帮带”；③规范“四议两公开”程序，强化镇村两级监督；④压实镇党委书记第一责任人职责，建立常态化督导机制。每点{b // 5}—{b // 4}分，结合实际有创新的酌情加分。
五、写作题评分标准（{pl['write']}分）
　　一类文（{bands[0]}分）：观点正确鲜明，紧扣主题，联系实际紧密，结构严谨，语言流畅；
　　二类文（{bands[1]}分）：观点正确，切合主题，有一定联系实际，结构完整；
　　三类文（{bands[2]}分）：观点基本正确，联系实际不够，论述一般；
　　四类文（{bands[3]}）：偏离主题或内容空泛。字数不足800字的，酌情扣3—5分。"""


IVQ = [
    ("综合分析", "有人说，年轻干部“缺的不是学历，而是经历”。对此你怎么看？", "能辩证分析学历与经历的关系；能结合基层一线、艰苦岗位历练提出观点；有自身体会。"),
    ("组织协调", "市委拟在全市开展“党建引领基层治理”现场观摩活动，由你负责组织筹备，你会如何开展？", "目的明确；观摩点选择、流程设计、安全保障、宣传报道等环节考虑周全；有应急预案。"),
    ("应急应变", "你所在单位刚发布干部任前公示，当天就有群众到单位反映公示对象存在问题并要求当面答复，情绪激动。作为负责同志，你如何处理？", "先稳定情绪、依规受理；按程序登记核实，不当场表态；及时报告；注意保护反映人。"),
    ("人际沟通", "你到新单位任副职，发现分管科室的老科长对你安排的工作消极应付，还在背后议论。你怎么办？", "主动沟通、了解原因；尊重老同志经验；坚持原则、明确要求；注重团结。"),
    ("岗位认知", "如果你被选拔为乡镇党委书记，到任后前三个月你会重点做哪些工作？", "熟悉情况、调查研究；抓班子带队伍；聚焦发展和民生重点；防范风险。"),
    ("综合分析", "有的地方干部考察“唯票取人”，有的地方“不重视票”。请谈谈你对民主推荐结果运用的认识。", "明确民主推荐是重要参考而非唯一依据；防止唯票取人；提出综合运用的办法。"),
    ("计划组织", "组织部门拟对全市机关事业单位干部人事档案开展专项审核，请你拟定一个工作方案的主要内容。", "目标范围、审核重点（三龄二历一身份）、步骤安排、问题处理、保密要求、责任分工。"),
    ("情景模拟", "假设你是县委组织部长，一位落选的考察对象找到你，认为考察“走过场”、要求说明理由。请现场模拟你与他的谈话。", "态度诚恳；政策解释准确；不泄露考察谈话和测评具体情况；做好思想工作。"),
]


def b46_03(c):
    ex = _exam(c)
    qs = c.sample(IVQ, c.ri(3, 4))
    body = "\n".join(f"第{CN_NUM[i]}题（{t}）：{q}" for i, (t, q, _) in enumerate(qs, 1))
    return "面试题本", f"""{ex}
结构化面试题本（考生用 · 第{c.ri(1, 6)}套）
{c.pick(['面试日期：' + c.date(), '使用场次：' + c.pick(['第一天上午', '第一天下午', '第二天上午']) + '　　考场：' + str(c.ri(1, 5)) + '号'])}

　　考生你好！本场面试共{len(qs)}道题，答题时间共{len(qs) * 5}分钟，每题作答前可思考1分钟。请注意把握时间，答题完毕后请示意“回答完毕”。{c.opt('作答过程中请勿透露本人姓名、工作单位等个人信息。', 0.6)}
{body}
{c.opt('　　（附）考生草稿纸一张，面试结束后与题本一并交回，不得带出考场。', 0.5)}
（本题本考生作答结束后当场收回，不得带出考场。面试开始前由主考官当众启封。）"""


def b46_04(c):
    ex = _exam(c)
    sets = [[("综合分析能力", 20), ("计划组织协调能力", 15), ("应急应变能力", 15), ("人际沟通能力", 15), ("岗位匹配性", 15), ("言语表达能力", 10), ("举止仪表", 10)],
            [("政治素质", 20), ("综合分析能力", 20), ("组织协调能力", 20), ("应急应变能力", 15), ("言语表达能力", 15), ("岗位匹配性", 10)],
            [("岗位认知", 15), ("综合分析能力", 25), ("解决问题能力", 25), ("人际沟通能力", 15), ("言语表达与举止", 20)]]
    els = c.pick(sets)
    rows = []
    for e, w in els:
        rows.append([e, w, f"{round(w * 0.85)}—{w}", f"{round(w * 0.65)}—{round(w * 0.85) - 1}", f"{round(w * 0.4)}—{round(w * 0.65) - 1}", f"0—{round(w * 0.4) - 1}"])
    return "评分标准", f"""{ex}
面试评分标准（考官用）
{table(['测评要素', '分值', '好', '中上', '中', '差'], rows)}
合计100分。
评分说明：
1.考官独立评分，不得相互商量；最终成绩去掉一个最高分和一个最低分后取平均值，保留两位小数。
2.{c.pick(['各题观察要点见题本附页，考官不得向考生提示要点。', '同一要素评分档次相差超过' + str(c.ri(8, 15)) + '分的，主考官应提示相关考官复核。'])}
3.对考生回答中明显违反政治原则的，该要素直接评为“差”。"""


def b46_05(c):
    ex = _exam(c)
    opts = c.sample(["推行干部“周例会+月晾晒”制度", "建立年轻干部跟班学习机制", "开展村级集体经济“清零”行动",
                     "建设智慧党建平台", "实施基层干部待遇保障提升计划", "组建重大项目攻坚专班", "开展党员积分制管理"], 5)
    return "面试题本", f"""{ex}
无领导小组讨论题本（第{c.ri(1, 4)}组）

　　背景材料：{c.county()}近年来经济发展较快，但基层干部队伍存在“老的干不动、年轻的接不上”“干多干少一个样”等问题。县委决定拿出{c.ri(300, 800)}万元专项经费，在以下{len(opts)}项措施中选择最重要的三项优先实施：
{chr(10).join(f'　　{i}.{o}' for i, o in enumerate(opts, 1))}
　　讨论要求：
　　1.阅读材料5分钟，每人依次发言不超过3分钟，阐明个人观点；
　　2.自由讨论{c.pick(['30', '35', '40'])}分钟，小组须形成一致意见，并对三项措施排序；
　　3.讨论结束后推选一名代表汇报，汇报时间不超过5分钟。
　　考官观察要点：{c.pick(['论点论据、倾听与回应、推动讨论进程、协调分歧、时间把控', '组织协调、说服影响、团队合作、分析判断'])}。"""


def b46_06(c):
    ex = c.pick([f"{c.city}{c.year}年公开选拔副县级领导干部", f"{c.city}{c.year}年公开选拔市直部门领导干部"])
    post = c.pick([("市财政局副局长", "财政"), ("市自然资源和规划局副局长", "自然资源"), ("市卫生健康委员会副主任", "卫生健康"),
                   ("市教育局副局长", "教育"), ("市商务局副局长", "商务")])
    q = {
        "财政": ["简述全口径预算管理的主要内容。", "当前地方政府隐性债务风险的主要表现有哪些？谈谈化解思路。", "请就“过紧日子”要求下如何保障基层“三保”支出谈谈你的看法。"],
        "自然资源": ["简述国土空间规划“五级三类”体系。", "耕地“进出平衡”与“占补平衡”有何区别？", "结合本市实际，谈谈如何盘活存量建设用地。"],
        "卫生健康": ["简述紧密型县域医共体建设的主要任务。", "公立医院高质量发展的评价指标体系包括哪些方面？", "谈谈如何提升基层医疗卫生服务能力。"],
        "教育": ["简述“双减”政策的主要内容。", "县域普通高中发展面临哪些问题？", "谈谈如何推进义务教育优质均衡发展。"],
        "商务": ["简述县域商业体系建设的主要内容。", "当前外贸企业面临的主要困难有哪些？", "结合实际谈谈促消费的具体举措。"],
    }[post[1]]
    lw = c.pick([35, 40])
    return "试卷", f"""{ex}
专业科目笔试试题（{post[0]}职位）
考试时间：120分钟　满分100分

一、简答题（每题15分，共30分）
1.{q[0]}
2.{q[1]}
二、论述题（{lw}分）
3.{q[2]}
三、材料题（{70 - lw}分）
　　{c.city}某{c.pick(['县', '区'])}在{post[1]}领域{c.pick(['年度目标任务完成率仅为' + str(c.ri(60, 80)) + '%', '被省级督查通报' + str(c.ri(2, 4)) + '个问题', '群众投诉量同比上升' + str(c.ri(20, 50)) + '%'])}。{c.pick(['该' + c.pick(['县', '区']) + '主管部门认为主要是“上级资金不到位”，基层干部则反映“任务层层加码、考核过多”。', '媒体报道后，相关部门互相推诿，问题久拖未决。'])}假如你到任后分管该项工作，请提出具体工作思路和举措（不少于800字）。
（本试题考试结束前属机密级，命题、印制、保管人员不得泄露）"""


def b46_07(c):
    ex = _exam(c)
    chair = c.name()
    return "会议纪要", f"""{ex}命题审题会议纪要

　　时间：{c.date()}　地点：入闱命题点（{c.pick(['市委党校专家楼', '某培训中心', '市委组织部保密会议室'])}）
　　主持：{chair}　参加：命题专家{c.ri(4, 6)}人、考务组{c.ri(2, 3)}人、纪检监督人员1人
　　会议对笔试A、B卷和面试题本初稿逐题审定，议定以下事项：
　　一、笔试A卷单项选择题第{c.ri(3, 12)}题（关于任前公示期限）与B卷重复，B卷改为考查试用期规定；多项选择题第{c.ri(15, 20)}题选项D表述有歧义，改为“受到诫勉处理影响期未满的”。
　　二、案例分析题材料由“村‘两委’换届”调整为“{c.pick(['社区网格党建', '国企党建与生产经营融合', '机关党建“灯下黑”'])}”，分值由25分调至30分，评分要点相应修改。
　　三、写作题主题确定为“{c.pick(['激励干部担当作为的实践路径', '以高质量党建引领基层治理', '把好干部选拔任用的政治关、廉洁关'])}”，不再使用备选题目。
　　四、面试第{c.ri(2, 3)}题（应急应变）情景设置难度偏低，替换为备用题{c.ri(1, 5)}号。
　　五、A卷为正式考试用卷，B卷为备用卷；审定稿于{c.md()}送印，印制全过程由{c.name()}、{c.name()}两人监印。
　　六、全体入闱人员在考试结束前不得离开命题点，不得使用通讯工具。

记录：{c.name()}
（本纪要考试结束前按机密级管理）"""


def b46_08(c):
    ex = _exam(c)
    ab = c.pick(["A", "B"])
    other = "B" if ab == "A" else "A"
    d0 = c.dt(mhi=10)
    return "说明", f"""关于{ex}笔试启用试卷的说明

考务组：
　　经考试工作领导小组{c.fmd(d0)}研究，本次笔试启用{ab}卷，{other}卷作为备用卷封存。
　　{ab}卷共{c.ri(4, 6)}种题型、{c.ri(30, 45)}题，其中案例分析题材料为“{c.pick(['某镇村“两委”换届后班子运行', '某局干部考察“唯票取人”', '某县年轻干部培养选拔'])}”，写作题主题为“{c.pick(ESSAY)}”。试卷已于{c.fmd(c.later(d0, 1, 3))}印制完毕，共{c.ri(300, 900)}份，按考场{c.ri(20, 45)}份/袋分装密封，存放于保密室试卷柜，双人双锁管理，保密室24小时值守。
　　考试当日{c.pick(['7:00', '7:30'])}由{c.name()}、{c.name()}押运至考点，开考前15分钟在监考人员和考生代表监督下启封。{other}卷仅在{ab}卷发生泄密或印制差错时，经领导小组组长批准启用。
　　{c.opt('另：各考场备用试卷' + str(c.ri(2, 5)) + '份，随试卷袋同时押运，考后原封收回。', 0.6)}

考试工作领导小组办公室
{c.f(c.later(d0, 4, 9))}
（此件知悉范围限考务组负责人，考试结束后解密）"""


def b46_09(c):
    u = c.pick(c.units)
    posts = c.sample(["办公室主任", "规划科科长", "财务科科长", "政策法规科科长", "执法支队支队长", "行政审批科科长"], c.ri(2, 3))
    qs = []
    for p in posts:
        qs.append(f"【{p}岗位】\n　　演讲题目：{c.pick(['谈谈我对' + p + '岗位的认识和工作设想', '如果我任' + p])}（5分钟）\n　　答辩题1：{c.pick(['本科室目前最突出的问题是什么？你打算如何解决？', '你如何处理与分管领导意见不一致的情况？', '谈谈你对' + c.pick(PROJECTS) + '的认识。'])}\n　　答辩题2：{c.pick(['你在原岗位上最失败的一件事是什么？从中得到什么教训？', '你如何带动科室中工作积极性不高的同志？', '如果上级检查中发现本科室台账造假，你怎么处理？'])}\n　　参考要点：{c.pick(['对岗位职责认识准确；思路清晰、措施可行；能结合单位实际。', '态度端正；既坚持原则又注重方法；体现担当。'])}")
    return "试卷", f"""{u[0]}{c.year}年中层干部竞争上岗
演讲答辩题目（评委用）

{chr(10).join(qs)}
　　评分：演讲占40%，答辩占60%。评委按“{c.pick(['岗位认知、工作思路、表达能力、应变能力', '思路清晰度、措施可行性、语言表达、仪表举止'])}”评分，去掉最高分、最低分后取平均分。
（{u[0]}竞争上岗工作领导小组　{c.date()}　答辩开始前密封保管，评委入场后启封）"""


def b46_10(c):
    ex = _exam(c)
    qs = c.sample(IVQ, 3)
    parts = []
    for i, (t, q, k) in enumerate(qs, 1):
        parts.append(f"第{CN_NUM[i]}题　{t}\n　　题目：{q}\n　　观察要点：{k}\n　　追问参考：{c.pick(['如果你的方案遇到阻力，你会怎么调整？', '你刚才提到的措施，如何确保落实到位？', '请举一个你亲身经历的例子。', '如果领导不同意你的意见呢？'])}")
    return "面试题本", f"""{ex}
结构化面试考官手册（主考官用）

　　一、面试程序：考生抽签入场→主考官宣读指导语→考生依次作答→考官独立评分→计分员统分。
　　二、指导语：“你好，欢迎参加今天的面试。本场面试共{len(qs)}道题，时间{len(qs) * 5}分钟……”
　　三、试题及观察要点
{chr(10).join(parts)}
　　四、注意事项：主考官追问每题不超过1次；考官不得暗示考生；本手册面试结束后由考务人员统一收回销毁。
{c.opt('（本场使用第' + str(c.ri(1, 5)) + '套题本，其余套题本封存备用）', 0.6)}"""


def b46_11(c):
    ex = _exam(c)
    pl = _paper_plan(c)
    a, b = pl["case_split"]
    return "评分标准", f"""{ex}笔试
主观题阅卷评分细则（阅卷组长用）

一、案例分析题（{pl['case']}分）
　　第1问（{a}分）：找准问题。答出“选人用人标准执行不到位”“民主决策制度流于形式”“班子团结协作不够”“党组织主体责任落实不力”中任意三点即得满分；每少一点扣{a // 3}分。仅罗列材料原话、无归纳的，每点最多得1分。
　　第2问（{b}分）：提出对策。要点为“分析研判、调整不胜任人员”“培训帮带”“规范四议两公开”“压实责任、督导问效”；措施具体、有针对性的每点{b // 4}—{b // 4 + 1}分；空泛表态的每点不超过2分。
二、写作题（{pl['write']}分）
　　1.立意（10分）：围绕“{c.pick(ESSAY)}”展开，观点鲜明；偏题的本项不超过4分。
　　2.内容（{pl['write'] - 20}分）：联系实际紧密、有具体做法和案例的得{pl['write'] - 24}分以上。
　　3.结构与语言（10分）：层次清楚、语言规范。
　　4.扣分项：字数不足1000字扣3分；出现可识别考生身份信息的按零分处理并报考务组。
三、评卷程序：每份试卷由两名阅卷员独立评分，分差超过{c.ri(4, 6)}分的由阅卷组长第三评。
（本细则开考前密封，阅卷前在监督人员见证下启封）"""


def b46_12(c):
    return "试卷", f"""{c.city}{c.year}年市直机关公开遴选公务员
笔试试题（综合知识与能力）

一、公文改错题（15分）
　　下面是一份通知的节选，请指出其中的{c.ri(4, 6)}处错误并改正：
　　“{c.city}{c.pick(['教育局', '民政局', '交通运输局'])}关于召开全市{c.pick(['民政', '教育', '交通'])}工作会议的请示报告　各县区局：经局党组研究，定于{c.md()}召开会议，请各单位一把手和分管领导务必准时参加，特此请示，妥否，请批复。”
二、材料分析题（25分）
　　阅读给定材料（{c.city}“{c.pick(['一窗受理', '街乡吹哨、部门报到', '网格员队伍建设'])}”改革情况），概括改革的主要做法（10分）并分析存在的不足（15分）。
三、对策题（25分）
　　{c.county()}部分村（社区）党组织书记反映“上面千条线，下面一根针”，各类考核检查、填表报数过多。请就为基层减负提出具体建议，要求不超过500字。
四、文稿写作题（35分）
　　假如你是市委组织部工作人员，请以“{c.pick(['推进干部能上能下', '加强年轻干部源头培养', '优化基层干部激励保障'])}”为题，起草一份调研报告提纲（不少于1000字）。
注：本试题{c.pick(['启用前严格保密', '考试结束前按机密级管理'])}。"""


def b46_13(c):
    cty = c.county()
    L = cty[-1]
    items = [("市委办公室紧急通知", f"要求明日上午10时前报送本{L}换届风气监督情况，加急"),
             ("群众来信", f"反映{c.pick(c.towns)}村干部优亲厚友，低保评定不公"),
             (f"{L}长批示件", "对某乡镇安全生产检查通报问题限期3日内整改反馈"),
             ("省委组织部调研函", f"下周二来{L}调研基层党建工作，需准备汇报材料和2个观摩点"),
             ("乡镇党委请示", "申请调整两名村党组织书记人选"),
             (f"{L}委党校函", "商请安排部领导授课"),
             ("媒体采访申请", f"电视台拟采访本{L}年轻干部培养做法"),
             ("机关干部请假条", "一名科长因家中老人病重请假一周")]
    sel = c.sample(items, c.ri(6, 8))
    return "试卷", f"""{_exam(c)}
情景模拟测试：公文筐处理（考生用）

　　情景：假设你是{cty}委组织部常务副部长，部长外出参加省里培训一周。今天是星期一上午8点，你的办公桌上有以下{len(sel)}份待处理文件，你需要在{c.pick(['90', '60'])}分钟内完成处理。
{chr(10).join(f'　　文件{i}：【{a}】{b}。' for i, (a, b) in enumerate(sel, 1))}
　　作答要求：
　　1.对各份文件按轻重缓急排出处理顺序，并说明理由；
　　2.逐件写出处理意见（批示、转办、约谈或亲自办理等），需要起草的写出要点；
　　3.说明哪些事项需要向部长报告、如何报告。
　　评分维度：{c.pick(['判断决策、授权委托、统筹协调、政策把握', '轻重缓急把握、处理意见可行性、政策规范性'])}。"""


def b46_14(c):
    ex = _exam(c)
    qs = c.sample(IVQ, c.ri(3, 5))
    return "面试题本", f"""{ex}
面试备用题清单（第{c.pick(['二', '三'])}套 · 封存件）

　　说明：遇正式题本启封后发现错漏、泄露或考场突发情况需要换题时，经面试工作领导小组组长同意后启用本清单，按序号依次替换。
{chr(10).join(f'备用{i}（{t}）：{q}{chr(10)}　　要点：{k}' for i, (t, q, k) in enumerate(qs, 1))}
启封记录：启封人＿＿＿　监督人＿＿＿　时间＿＿＿
（{c.date()}封装　面试结束后统一销毁）"""


def b46_15(c):
    town = c.zhen()
    return "参考答案", f"""{c.city}{c.year}年公开选拔乡镇党委书记
面试试题及参考答题要点（考官用）

第一题：如果你任{town}党委书记，上任第一周就遇到镇里一个产业项目因土地流转纠纷停工，群众聚集在镇政府门口，你会怎么处理？
　　参考要点：（1）第一时间到现场，与群众面对面，防止事态扩大；（2）组织相关部门查清土地流转合同、补偿标准等情况；（3）依法依规回应合理诉求，对不合理诉求做好解释；（4）及时向县委报告；（5）举一反三，完善土地流转风险防控机制。
第二题：有人认为乡镇党委书记的主要任务是“抓发展”，有人认为是“抓党建”。你怎么看？
　　参考要点：党建和发展不是对立关系；以党建引领发展；结合乡镇实际谈具体做法；体现抓班子带队伍的意识。
第三题：镇里有{c.ri(5, 9)}个村集体经济收入低于{c.ri(5, 10)}万元，请谈谈你的工作思路。
　　参考要点：摸清资源底数；“一村一策”；发挥党组织书记和致富带头人作用；防范村级债务风险；强化收益分配监管。
评分提示：答出要点且结合乡镇实际的为“好”档；仅泛泛表态的不超过“中”档。"""


def b46_16(c):
    ex = _exam(c)
    picks = sorted(c.sample(range(1, 120), c.ri(6, 9)))
    return "会议纪要", f"""{ex}
题库抽题记录

　　时间：{c.date()} {c.ri(8, 20)}:{c.pick(['00', '30'])}　地点：市委组织部保密室
　　抽题人：{c.name()}（考试工作领导小组副组长）　监督人：{c.name()}（驻部纪检监察组）　记录人：{c.name()}
　　抽题方式：从面试题库（共{c.ri(120, 200)}题）中随机抽取，由计算机（离线）生成序号。
　　抽中题号：{'、'.join(str(x) for x in picks)}。
　　组卷结果：第1套题本使用{picks[0]}、{picks[1]}、{picks[2]}号题；第2套题本使用{picks[3]}、{picks[4]}、{picks[5]}号题；其余为备用题。其中{picks[0]}号题为“{c.pick(IVQ)[1].rstrip('。？')}”，{picks[3]}号题为“{c.pick(IVQ)[1].rstrip('。？')}”。
　　抽题全过程录像，录像资料和本记录一并密封，面试结束前任何人不得拆封。组卷后的题本由{c.name()}负责在保密室打印，打印份数{c.ri(20, 40)}份，废页当场粉碎。
签字：＿＿＿＿　＿＿＿＿　＿＿＿＿"""


B46 = [b46_01, b46_02, b46_03, b46_04, b46_05, b46_06, b46_07, b46_08, b46_09, b46_10, b46_11,
       b46_12, b46_13, b46_14, b46_15, b46_16]


# ---------------------------------------------------------------------------
# 4.7 市管领导班子民主生活会情况 (秘密, 10 years)
# ---------------------------------------------------------------------------

def _team(c):
    k = c.ri(0, 2)
    if k == 0:
        u = c.pick(c.units)
        return u[0] + ("党委" if u[1].startswith("党委") else ("党组" if u[1].startswith("党组") else "领导班子")), u
    if k == 1:
        cty = c.county()
        return cty + "委常委班子", (cty, f"{cty[-1]}委书记", f"{cty[-1]}委常委")
    soe = c.city[:2] + c.pick(SOE)
    return soe + "党委", (soe, "党委书记、董事长", "党委委员、副总经理")


def _dlm(c):
    return c.pick([f"{c.prev}年度民主生活会", f"{c.prev}年度专题民主生活会", "巡察整改专题民主生活会", "以案促改专题民主生活会"])


PROBS = [
    "理论学习的系统性不够，以“工作忙”为由挤占中心组学习时间，学用结合不紧",
    "贯彻落实上级决策部署存在“上热中温下冷”现象，部分任务推进滞后",
    "调查研究不够深入，到基层“走过场”多、解剖麻雀少",
    "会议文件仍然偏多，督查检查考核对基层造成一定负担",
    "落实全面从严治党主体责任压力传导不够，对下属单位监督失之于宽松软",
    "干部队伍建设统筹谋划不足，年轻干部储备不够，中层干部年龄偏大",
    "担当作为不够，面对信访积案和历史遗留问题存在等靠思想",
    "落实中央八项规定精神有松懈，公务接待管理不够规范",
    "意识形态工作责任制落实不到位，对网络舆情回应不够及时",
    "民主集中制执行不够严格，个别“三重一大”事项会前沟通不充分",
    "巡察反馈的问题整改不彻底，存在“表面整改”“纸面整改”",
    "对干部的日常教育管理偏软，谈心谈话开展不经常",
]
CRIT = [
    "分管领域的项目推进慢，你开会强调多、现场督办少，建议多到一线解决具体问题。",
    "在班子会上发表意见时往往“随大流”，对分管以外的工作很少提不同意见。",
    "对分管科室干部批评多、关心少，个别年轻干部有情绪。",
    "调研时喜欢看“盆景”，基层反映有的点是专门准备的。",
    "抓理论学习往往“以干代学”，学习笔记基本是应付检查。",
    "对下属单位的财务管理监督不够，巡察发现的违规发放补贴问题你负有领导责任。",
    "讲话稿、汇报材料篇幅过长，文风还需改进。",
    "与班子其他成员沟通不够，有时直接向主要负责同志汇报，越过分管领导。",
    "作为“一把手”，有时在会上先定调子，其他同志不好再发表意见。",
    "对干部担当作为的激励措施不多，“干多干少一个样”的问题没有得到解决。",
]


def _prob_detail(c, p):
    """Concrete example and matching measure for a 4.7 problem statement."""
    table_ = {
        "理论": (["今年班子集体学习安排" + str(c.ri(10, 12)) + "次，实际开展" + str(c.ri(5, 8)) + "次", "个别班子成员全年未在中心组作过交流发言"], "严格落实“第一议题”制度，建立班子理论学习清单"),
        "上热": (["省里督查通报我们" + c.pick(["项目", "安全", "环保"]) + "领域问题" + str(c.ri(2, 5)) + "个", "年度重点任务中有" + str(c.ri(3, 6)) + "项未按期完成"], "建立重点任务月调度、季通报机制"),
        "调查": (["全年班子成员下基层调研" + str(c.ri(30, 60)) + "人次，形成有分量的调研报告仅" + str(c.ri(1, 3)) + "篇", "调研多在城区和交通便利的点"], "推行“四不两直”调研，每人每年形成调研报告不少于2篇"),
        "会议": (["全年发文" + str(c.ri(150, 300)) + "件，仅压减" + str(c.ri(3, 9)) + "%", "征求意见中有" + str(c.ri(5, 15)) + "条反映基层“报表多、检查多”"], "精简文件会议，清理规范督查检查考核事项"),
        "主体": (["对" + str(c.ri(2, 4)) + "名中层干部的苗头性问题没有及时提醒", "下属单位" + str(c.ri(1, 3)) + "名干部受到党纪处分"], "健全“一岗双责”清单，开展下属单位廉政风险排查"),
        "队伍": (["中层干部平均年龄" + str(c.ri(47, 52)) + "岁，35岁以下的仅" + str(c.ri(1, 4)) + "人", "近三年交流轮岗干部仅" + str(c.ri(2, 6)) + "人"], "制定年轻干部培养计划，推进中层干部交流轮岗"),
        "担当": (["信访积案化解率仅" + str(c.ri(50, 75)) + "%", "对" + str(c.ri(2, 4)) + "件历史遗留问题长期“挂账”"], "实行积案领导包案，明确化解时限"),
        "八项": (["巡察发现公务接待超标准" + str(c.ri(2, 6)) + "次", "公务用车使用登记不规范"], "开展公务接待和公车使用专项检查"),
        "意识": (["对一起网络舆情回应滞后" + str(c.ri(2, 5)) + "天", "意识形态工作专题研究全年仅" + str(c.ri(1, 2)) + "次"], "每半年专题研究一次意识形态工作，完善舆情应对机制"),
        "民主": (["有" + str(c.ri(1, 3)) + "项“三重一大”事项会前沟通不充分，会上临时动议", "班子会议讨论时个别同志不发表意见"], "修订“三重一大”决策实施办法，规范会前沟通和表决程序"),
        "巡察": (["巡察反馈的" + str(c.ri(20, 30)) + "个问题中仍有" + str(c.ri(2, 6)) + "个未完成整改", "部分整改台账“以文件落实文件”"], "对巡察整改开展“回头看”，逐项销号"),
        "日常": (["全年班子成员与分管科室干部谈心谈话仅" + str(c.ri(10, 25)) + "人次", "对干部“八小时以外”情况掌握不够"], "建立谈心谈话制度，班子成员每半年与分管科室干部谈心谈话一次"),
    }
    for k, v in table_.items():
        if k in p:
            return c.pick(v[0]), v[1]
    return "具体事例见征求意见汇总", "制定专项整改措施"


def b47_01(c):
    team, u = _team(c)
    m = _dlm(c)
    ps = c.sample(PROBS, c.ri(4, 5))
    det = [_prob_detail(c, p) for p in ps]
    pp = "\n".join(f"　　（{CN_NUM[i]}）{p}。{c.pick(['如', '比如', '具体表现在：'])}{d[0]}。" for i, (p, d) in enumerate(zip(ps, det), 1))
    fx = "；".join(f"{i}.{d[1]}" for i, d in enumerate(det, 1))
    prev = c.opt(f"""
　　一、上年度民主生活会整改落实情况
　　上年度民主生活会查摆问题{c.ri(5, 8)}个，制定整改措施{c.ri(15, 28)}条，目前已完成{c.ri(12, 20)}条，{c.ri(2, 5)}条正在推进。其中，“{c.pick(PROBS)}”问题整改不够彻底，本次继续列入整改清单。""", 0.6)
    k = 1 if prev else 0
    n = ["一", "二", "三", "四"]
    return "对照检查材料", f"""{team}{m}对照检查材料
（{c.pick(['送审稿', '第二稿', '会议用稿'])}）

　　按照市委和市委组织部关于开好{m}的通知要求，{team}认真开展学习研讨，通过{c.pick(['发放征求意见表', '召开座谈会', '设置意见箱', '个别访谈'])}等方式征求意见建议{c.ri(30, 90)}条，班子成员之间、班子成员与分管部门负责人之间开展谈心谈话{c.ri(20, 60)}人次。现将对照检查情况报告如下：{prev}
　　{n[k]}、存在的主要问题
{pp}
　　{n[k + 1]}、产生问题的原因
　　一是理论武装不够深入，对新思想的学习停留在“知”的层面，运用理论指导实践的能力不足；二是宗旨意识有所淡化，“为了谁、依靠谁”的问题思考不深，{c.pick(['有时把完成上级任务看得比解决群众急难愁盼问题更重', '对群众反映强烈的问题回应不够及时'])}；三是全面从严治党责任压得不实，“严”的主基调在班子内部没有一贯到底，{c.pick(['对下属单位存在的问题“睁一只眼闭一只眼”', '批评和自我批评有“好人主义”倾向'])}；四是担当精神不足，怕出错、怕担责的思想在一定程度上存在。
　　{n[k + 2]}、整改措施
　　{fx}；{len(det) + 1}.对征求到的意见建议建立台账，逐条明确责任人和时限，{c.pick(['年底前全部办结', '能立行立改的一个月内完成'])}。
　　以上对照检查，请同志们批评帮助。"""


def b47_02(c):
    team, u = _team(c)
    nm = c.name()
    m = _dlm(c)
    ps = c.sample(PROBS, 3)
    return "对照检查材料", f"""{m}个人对照检查材料
{team}　{nm}

　　根据会议主题，我认真学习了规定篇目，与班子成员、分管部门负责同志逐一谈心谈话，并认真梳理了征求到的对我个人的意见{c.ri(4, 12)}条。现对照检查如下：
　　一、存在的问题
　　1.{ps[0]}。{c.pick(['我本人参加集中学习时有' + str(c.ri(2, 4)) + '次因事请假，补学不及时。', '自学时间难以保证，学习笔记以摘抄为主。'])}
　　2.{ps[1]}。{c.pick(['分管的' + c.pick(PROJECTS) + '年度任务仅完成' + str(c.ri(60, 85)) + '%，我对困难估计不足、调度不力。', '对分管部门报上来的问题，有时批转了事，跟踪问效不够。'])}
　　3.{ps[2]}。{c.pick(['今年到分管领域基层单位调研' + str(c.ri(6, 12)) + '次，多数是陪同检查，自己主动发现问题的少。', '对身边工作人员要求不够严格，曾有工作人员以我的名义催办事项，造成不良影响。'])}
　　二、原因剖析
　　根源在于世界观、人生观、价值观这个“总开关”上拧得还不够紧，党性修养有所放松，{c.pick(['满足于完成任务、不出问题', '习惯于凭经验办事'])}，自我要求有所降低。
　　三、努力方向和整改措施
　　一是{c.pick(['制定个人学习计划，每月精读一本理论著作', '每季度在分管部门讲一次党课'])}；二是{c.pick(['建立分管工作“周调度、月通报”机制', '对分管领域的难点问题实行清单化管理、销号式推进'])}；三是严格执行廉洁自律各项规定，管好家属子女和身边工作人员。
　　以上对照检查，请同志们批评指正。

{nm}
{c.date(mlo=1, mhi=2)}"""


def b47_03(c):
    team, u = _team(c)
    m = _dlm(c)
    names = [c.name() for _ in range(c.ri(4, 6))]
    rows = []
    for i, tgt in enumerate(names):
        for _ in range(c.ri(1, 2)):
            frm = c.pick([x for x in names if x != tgt])
            rows.append([len(rows) + 1, tgt, frm, c.pick(CRIT)])
    return "清单", f"""{team}{m}相互批评意见汇总
（会议记录整理稿）
{table(['序号', '被批评人', '提出人', '批评意见'], rows)}
　　本次会议共提出批评意见{len(rows)}条，其中对主要负责同志{c.ri(2, 4)}条。{c.pick(['督导组认为批评意见较为具体，但个别意见仍有以建议代替批评的现象。', '被批评同志均当场表态接受并作了说明。', '各同志收到的意见将纳入个人整改清单。'])}
整理：{c.name()}　{c.date(mlo=1, mhi=3)}"""


def b47_04(c):
    team, u = _team(c)
    m = _dlm(c)
    rows = []
    for i, p in enumerate(c.sample(PROBS, c.ri(5, 8)), 1):
        ex, fx = _prob_detail(c, p)
        longterm = c.ch(0.25)
        rows.append([i, p, fx, c.name() if c.ch(0.4) else c.pick(["班子主要负责同志", "分管副职", "班子全体成员"]),
                     "长期坚持" if longterm else f"{c.year}年{c.ri(4, 12)}月底前", "长期坚持" if longterm else c.pick(["立行立改", "限期整改"])])
    return "清单", f"""{team}{m}整改清单
{table(['序号', '问题', '整改措施', '责任人', '完成时限', '整改类型'], rows)}
　　备注：整改清单经{team}{c.pick(['会议', '集体'])}研究确定，{c.pick(['报市纪委监委、市委组织部备案', '每季度报送整改进展'])}；整改完成一项、销号一项。"""


def b47_05(c):
    team, u = _team(c)
    m = _dlm(c)
    n = c.ri(5, 11)
    crit = c.ri(n * 2, n * 5)
    return "报告", f"""关于{team}召开{m}情况的报告

市纪委监委、市委组织部：
　　{c.date(mlo=1, mhi=3)}，{team}召开{m}。{c.pick(['市委第' + CN_NUM[c.ri(1, 6)] + '督导组', '市委组织部干部二科'])}到会指导。现将有关情况报告如下：
　　一、会前准备情况
　　班子集中学习研讨{c.ri(2, 5)}次；通过座谈、问卷等方式征求意见{c.ri(30, 120)}条，归纳为{c.ri(5, 12)}个方面；班子成员之间谈心谈话全覆盖；对照检查材料均由本人撰写，经主要负责同志审阅。
　　二、会议召开情况
　　会议通报了上年度民主生活会整改落实情况和本次征求意见情况。{c.pick(['主要负责同志', '书记'])}代表班子作对照检查，并带头开展个人对照检查；班子成员逐一发言，开展批评和自我批评。会上共提出批评意见{crit}条，平均每人{crit // n}条。其中，{c.name()}同志对主要负责同志提出“{c.pick(CRIT)[:-1]}”；{c.name()}同志指出{c.name()}同志“{c.pick(CRIT)[:-1]}”。批评{c.pick(['红脸出汗', '开门见山', '较有辣味'])}，被批评同志虚心接受。
　　三、存在问题及整改
　　会议查摆出班子层面突出问题{c.ri(4, 7)}个，主要是：{c.pick(PROBS)}；{c.pick(PROBS)}。会议确定整改措施{c.ri(12, 25)}条，明确责任人和完成时限。
　　四、下一步打算
　　{c.pick(['将整改清单报备后逐项抓落实，半年后开展“回头看”。', '对个人整改事项实行“一人一单”，年底前向市委组织部报送整改情况。'])}

　　附件：1.领导班子对照检查材料　2.批评意见汇总　3.整改清单

{team}
{c.date(mlo=2, mhi=4)}"""


def b47_06(c):
    team, u = _team(c)
    m = _dlm(c)
    cats = [("理论学习方面", ["学习形式单一，读原文多、研讨交流少", "基层干部参加培训机会少", "中心组学习联系实际不够"]),
            ("工作作风方面", ["会议多、材料多，基层疲于应付", "领导下基层“打招呼”多，暗访少", "部分科室服务意识不强，办事效率低"]),
            ("选人用人方面", ["年轻干部提拔慢，“论资排辈”仍然存在", "干部交流轮岗不够", "职级晋升信息公开不充分"]),
            ("廉洁自律方面", ["下属单位公车管理不规范", "个别领导干部亲属在其分管领域经商的传言较多", "节日期间公务接待仍有超标现象"]),
            ("关心关爱方面", ["基层干部休假难落实", "困难职工帮扶覆盖面不够", "容错纠错机制落实少"])]
    out = []
    tot = 0
    for i, (k, vs) in enumerate(c.sample(cats, c.ri(3, 5)), 1):
        sel = c.sample(vs, c.ri(1, len(vs)))
        tot += len(sel)
        out.append(f"{CN_NUM[i]}、{k}（{len(sel)}条）\n" + "\n".join(f"　　{j}.{v}" for j, v in enumerate(sel, 1)))
    per = c.opt(f"\n{CN_NUM[len(out) + 1]}、对班子成员个人的意见（{c.ri(6, 15)}条，已单独反馈本人）\n　　如：对{c.name()}同志，“{c.pick(CRIT)[:-1]}”；对{c.name()}同志，“{c.pick(CRIT)[:-1]}”。", 0.6)
    return "报告", f"""{team}{m}征求意见建议汇总
（向{c.pick(['下属单位', '服务对象', '“两代表一委员”', '离退休干部'])}等征求，共收到{tot + c.ri(5, 30)}条，合并同类项后{tot}条）
{chr(10).join(out)}{per}
　　意见建议已{c.pick(['原汁原味反馈给班子成员', '分类转交班子成员'])}，作为撰写对照检查材料的重要依据。"""


def b47_07(c):
    team, u = _team(c)
    m = _dlm(c)
    grade = c.pick(["好", "较好", "一般"])
    d = c.dt(mlo=1, mhi=3)
    return "报告", f"""市委第{CN_NUM[c.ri(1, 8)]}督导组关于列席{team}{m}情况的报告

市委组织部：
　　{c.f(d)}，督导组全程列席{team}{m}。总体看，会议{c.pick(['准备充分、主题突出', '程序规范，但批评质量一般', '开得严肃认真'])}。现将有关情况报告如下：
　　一、对照检查情况。班子对照检查材料查摆问题{c.ri(5, 8)}个，{c.pick(['较为具体，但原因剖析“四平八稳”', '针对性强，能直面巡察反馈问题', '部分问题表述笼统，与上年雷同'])}。{c.name()}同志的个人对照检查{c.pick(['问题查摆深刻，举例具体', '存在“以工作问题代替思想问题”的倾向'])}。
　　二、批评和自我批评情况。会上共提出批评意见{c.ri(20, 45)}条。{c.pick(['对主要负责同志的批评较为尖锐，体现了较好的政治生态', '相互批评“辣味”不足，有的以表扬代替批评', '个别同志的批评意见避重就轻，只谈工作方法'])}。如{c.name()}同志对{c.name()}同志的批评“{c.pick(CRIT)[:-1]}”，{c.pick(['切中要害', '流于一般'])}。
　　三、督导组点评意见。督导组肯定了会议成效，同时指出：{c.pick(PROBS)}；{c.pick(['个人对照检查对群众反映强烈的问题回应不够', '对上年度整改未完成事项没有说明原因'])}。
　　四、会议质量评价：{grade}。{'建议对该班子整改情况进行跟踪督导。' if grade != '好' else '建议作为典型在一定范围交流。'}

督导组组长：{c.name()}
{c.f(c.later(d, 2, 10))}"""


def b47_08(c):
    team, u = _team(c)
    a, b = c.name(), c.name()
    role = c.pick(["书记", "主要负责同志", "党组书记" if "党组" in team else "党委书记"])
    return "谈话记录", f"""民主生活会会前谈心谈话记录
谈话双方：{a}（{team}{role}）与{b}（班子成员）
时间：{c.date(mlo=1, mhi=2)}　地点：{a}同志办公室

{a}：今天咱们敞开谈。我先说我对你的意见：{c.pick(CRIT)}另外，{c.pick(['你分管的那个项目资金拨付慢，群众有意见，我听到不止一次了。', '上次巡察反馈的问题你那边整改台账还没报上来。'])}
{b}：书记说得对，我接受。{c.pick(['主要是我对困难估计不足，有畏难情绪。', '有些情况我没有及时向你汇报，这是我的问题。'])}我也给您提一点意见：{c.pick(CRIT)}
{a}：这条我认。会上你可以直接提出来，我带头接受批评。
{b}：好。另外，我在会上准备对{c.name()}同志提一条意见，主要是{c.pick(['分管领域安全生产隐患排查不细', '对科室干部要求不严', '跟班子其他同志沟通少'])}，您看是否合适？
{a}：可以提，要出于公心、讲具体事，不要搞人身攻击。{c.opt('你自己的对照检查材料也要把“' + c.pick(PROBS)[:12] + '”这方面写深一点。', 0.5)}
（记录人：{c.name()}　本记录仅供本人对照检查使用，不得外传）"""


def b47_09(c):
    team, u = _team(c)
    m = _dlm(c)
    host = c.name()
    ms = [c.name() for _ in range(c.ri(3, 4))]
    d = c.dt(mlo=1, mhi=3)
    lines = [f"{host}（主持并代表班子对照检查）：……班子存在的突出问题，一是{c.pick(PROBS)}；二是{c.pick(PROBS)}。我作为主要负责同志负主要责任。下面开展个人对照检查和相互批评。"]
    for x in ms:
        other = c.pick([y for y in ms if y != x] + [host])
        lines.append(f"{x}：（自我批评）{c.pick(PROBS)}。（批评{other}同志）{c.pick(CRIT)}")
    lines.append(f"{c.name()}（督导组）：{c.pick(['会议总体开得好，批评有辣味。建议会后把意见归纳到整改清单里。', '个人对照检查还可以更深入一些，有的问题是工作问题，要从思想上找原因。'])}")
    return "会议纪要", f"""{team}{m}会议记录（摘要）

时间：{c.f(d)} 上午{c.ri(8, 9)}:30　地点：{c.pick(['机关四楼会议室', '党员活动室', '第一会议室'])}
出席：班子成员{len(ms) + 1 + c.ri(1, 3)}人　列席：市委督导组{c.ri(2, 3)}人、市纪委监委派驻纪检监察组{c.ri(1, 2)}人
记录：{c.name()}

{chr(10).join(lines)}
{host}（总结）：今天的会达到了预期目的。请办公室把批评意见梳理成清单，{c.fmd(c.later(d, 3, 10))}前报督导组。
（会议记录不得复印，存档于办公室机要柜）"""


def b47_10(c):
    team, u = _team(c)
    m = _dlm(c)
    n = c.ri(12, 25)
    done = c.ri(n - 6, n)
    d = c.dt(mlo=6, mhi=11)
    return "报告", f"""{team}关于{m}整改落实情况的报告

市委组织部：
　　{m}召开后，{team}对照会上查摆的问题和批评意见，制定整改清单{n}项。截至{c.f(d)}，已完成{done}项，{n - done}项正在推进。具体情况如下：
　　一、班子层面整改。针对“{c.pick(PROBS)}”问题，{c.pick(['修订了党组（党委）工作规则', '出台了《关于进一步精简文件会议的十条措施》', '开展了为期三个月的专项整治'])}，{c.pick(['发文数量同比下降' + str(c.ri(15, 35)) + '%', '清理规范各类考核' + str(c.ri(5, 15)) + '项', '追回违规发放补贴' + str(c.ri(3, 40)) + '万元'])}。
　　二、个人整改。{c.name()}同志针对会上“{c.pick(CRIT)[:-1]}”的批评，{c.pick(['调整了调研方式，上半年开展“四不两直”调研' + str(c.ri(5, 12)) + '次', '主动与分管科室干部逐一谈心', '牵头建立项目周调度机制'])}。{c.name()}同志针对“{c.pick(CRIT)[:-1]}”的批评，{c.pick(['已向班子作出说明并改进', '整改仍在推进，拟于年底前完成'])}。
　　三、未完成事项及原因。{c.pick(['“年轻干部储备不足”问题需结合机构改革统筹解决，属于长期坚持事项。', '“历史遗留信访积案”涉及多部门，已提请市政府协调。'])}

{team}
{c.f(c.later(d, 2, 8))}"""


def b47_11(c):
    n = c.ri(35, 70)
    good, mid = c.ri(n // 3, n // 2), c.ri(5, 15)
    t1, t2 = _team(c)[0], _team(c)[0]
    return "报告", f"""关于市管领导班子{c.prev}年度民主生活会情况的综合报告

市委：
　　根据市委部署，全市{n}个市管领导班子于{c.md(1, 2)}至{c.md(2, 3)}召开了年度民主生活会。市委组织部会同市纪委监委派出督导组{c.ri(6, 12)}个，列席指导了全部班子的会议。现将情况报告如下：
　　一、总体情况。各班子共征求意见建议{c.ri(2000, 5000)}条，查摆班子问题{c.ri(250, 450)}个，个人问题{c.ri(900, 1600)}个；开展批评{c.ri(1500, 2600)}条，制定整改措施{c.ri(1200, 2400)}条。经督导组评估，会议质量“好”的{good}个，“较好”的{n - good - mid}个，“一般”的{mid}个，无“差”等次。
　　二、存在的主要问题。一是部分班子查摆问题“年年相似”，{t1}对照检查材料与上年度雷同度较高；二是批评“辣味”不足，{t2}等{c.ri(3, 8)}个班子相互批评以提建议为主，个别同志“批评上级放礼炮、批评同级放哑炮、批评自己放空炮”；三是整改“虎头蛇尾”，上年度整改事项中有{c.ri(20, 60)}项未按期完成。
　　三、下一步措施。对会议质量“一般”的{mid}个班子，由督导组进行反馈并督促整改；对{t1}等{c.ri(2, 3)}个班子主要负责同志进行提醒谈话；将民主生活会情况纳入领导班子年度考核。

{c.org}
{c.date(mlo=3, mhi=4)}"""


def b47_12(c):
    team, u = _team(c)
    m = _dlm(c)
    return "报告", f"""在{team}{m}上的点评讲话
（督导组组长　{c.name()}　{c.date(mlo=1, mhi=3)}）

同志们：
　　今天的民主生活会，总体上是一次{c.pick(['严肃认真、富有成效', '有一定质量', '较为规范'])}的会议。下面，我代表督导组作个点评：
　　第一，会前准备比较充分。{c.pick(['班子成员谈心谈话实现了全覆盖', '征求意见范围较广'])}，对照检查材料都是本人动笔撰写。
　　第二，对照检查{c.pick(['有深度', '还不够深'])}。{c.name()}书记代表班子查摆了“{c.pick(PROBS)}”等问题，{c.pick(['态度诚恳', '但对原因的剖析还停留在客观层面'])}；{c.name()}同志主动检视了{c.pick(['分管领域安全生产事故的领导责任', '在干部选拔中把关不严的问题', '与班子成员沟通不够的问题'])}，值得肯定。
　　第三，批评和自我批评{c.pick(['有辣味', '还需加辣'])}。会上，{c.name()}同志对{c.name()}同志提出“{c.pick(CRIT)[:-1]}”，点到了问题实质。但也有个别同志批评意见空泛，比如“希望多关注身体”之类，这不是批评。
　　第四，几点要求：一是把会上的{c.ri(15, 30)}条批评意见全部纳入整改清单；二是对“{c.pick(PROBS)}”问题开展专项整治；三是{c.ri(1, 2)}个月内将整改方案报市委组织部。
　　以上点评，供同志们参考。"""


def b47_13(c):
    rows = []
    seen = set()
    while len(rows) < c.ri(6, 9):
        t = _team(c)[0]
        if t in seen:
            continue
        seen.add(t)
        s = [c.ri(12, 20), c.ri(12, 20), c.ri(18, 30), c.ri(18, 30)]
        tot = sum(s)
        rows.append([len(rows) + 1, t] + s + [tot, "好" if tot >= 85 else ("较好" if tot >= 72 else "一般")])
    return "统计表", f"""市管领导班子民主生活会质量评估表（{c.pick(['第一', '第二', '第三'])}督导组汇总）
{table(['序号', '领导班子', '会前准备(20)', '对照检查(20)', '批评与自我批评(30)', '整改措施(30)', '总分', '评估等次'], rows)}
　　评估说明：总分85分以上为“好”，72—84分为“较好”，71分以下为“一般”。评估为“一般”的班子，{c.pick(['由督导组当面反馈，限期整改。', '责成其主要负责同志向市委组织部作出书面说明。'])}
评估人：{c.name()}、{c.name()}　　{c.date(mlo=2, mhi=4)}"""


def b47_14(c):
    team, u = _team(c)
    issues = c.sample([
        ("落实意识形态工作责任制不到位，对所属阵地管理存在薄弱环节", "对所属阵地开展全面排查，建立管理台账"),
        ("违规使用专项资金" + str(c.ri(100, 900)) + "万元用于日常经费支出", "违规使用的资金限期归垫，对相关责任人严肃问责"),
        ("选人用人不规范，存在超职数配备干部问题", "超职数配备问题两年内消化完毕"),
        ("工程项目招投标管理不严，存在化整为零规避招标现象", "修订工程项目管理办法，对" + str(c.ri(3, 8)) + "个项目开展专项审计"),
        ("落实中央八项规定精神不严，存在超标准接待", "超标准接待费用由相关责任人个人承担"),
        ("基层党组织换届不及时，" + str(c.ri(2, 6)) + "个党支部超期未换届", "年底前完成超期党支部换届")], 4)
    return "对照检查材料", f"""{team}巡察整改专题民主生活会对照检查材料

　　市委第{CN_NUM[c.ri(1, 5)]}巡察组于{c.prev}年{c.ri(3, 9)}月对我单位开展了常规巡察，反馈了{c.ri(3, 5)}个方面{c.ri(12, 30)}个具体问题。班子对照巡察反馈意见，深刻检视如下：
　　一、对巡察反馈问题的认领
{chr(10).join(f'　　{i}.{x}。班子负主体责任，{c.pick(["主要负责同志负第一责任", "分管同志负直接领导责任"])}。' for i, (x, _) in enumerate(issues, 1))}
　　二、问题根源
　　班子对全面从严治党的长期性、复杂性认识不足，“一岗双责”落实不到位，对巡察前已经发现的苗头性问题没有及时纠正。
　　三、整改承诺
　　班子成员每人认领整改任务{c.ri(2, 5)}项，实行“清单制+责任制+销号制”。{'；'.join(f for _, f in issues[:c.ri(2, 4)])}。{c.opt('整改情况将在本单位一定范围内通报。', 0.5)}"""


def b47_15(c):
    team, u = _team(c)
    nm = c.name()
    rows = []
    for i, cr in enumerate(c.sample(CRIT, c.ri(3, 5)), 1):
        rows.append([i, c.pick(["会上批评", "谈心谈话", "征求意见"]), cr, c.pick(["完全接受", "接受，会上作了说明", "接受"]),
                     c.pick(["已整改", "整改中", "长期坚持"])])
    return "清单", f"""{nm}同志在{_dlm(c)}中收到的批评意见及整改情况
（{team}）
{table(['序号', '来源', '意见内容', '本人态度', '整改情况'], rows)}
　　说明：{c.pick(['本表由本人填写，经班子主要负责同志审核后报市委组织部', '本表作为个人整改台账，每季度更新一次'])}。{c.opt('其中第1条意见涉及的问题，已在' + c.pick(['班子会议', '党组会议']) + '上作出专门说明。', 0.5)}
本人签字：{nm}　　审核：{c.name()}　　{c.date()}"""


def b47_16(c):
    team, u = _team(c)
    me = c.name()
    tg = [c.name() for _ in range(c.ri(2, 3))]
    return "对照检查材料", f"""民主生活会相互批评发言提纲
（{team}　{me}　供本人使用）

　　一、对{tg[0]}同志（{c.pick(['书记', '主要负责同志'])}）：{c.pick(CRIT)}建议在班子会上多听听不同声音。
　　二、对{tg[1]}同志：{c.pick(CRIT)}{c.pick(['特别是在' + c.pick(PROJECTS) + '中，群众意见较大。', '这个问题巡察时也有反映。'])}
{'　　三、对' + tg[2] + '同志：' + c.pick(CRIT) if len(tg) > 2 else ''}
　　自我批评要点：{c.pick(PROBS)}；{c.pick(['对分管领域的问题有护短思想', '调研多是陪同，主动发现问题少'])}。
　　（注意：讲具体事例，不讲空话套话；不涉及个人隐私；发言控制在{c.ri(8, 12)}分钟以内。）"""


def b47_17(c):
    team, u = _team(c)
    m = _dlm(c)
    d = c.dt(mlo=1, mhi=3)
    d2 = c.later(d, 10, 25)
    return "通知", f"""{c.org}
关于责成{team}重新召开{m}的通知
{c.docno('函')}

{team}：
　　{c.f(d)}，你单位召开{m}。经督导组评估，会议存在以下问题：一是对照检查材料与上年度基本雷同，{c.ri(3, 5)}名班子成员对照检查查摆问题不具体；二是相互批评流于形式，会上{c.ri(18, 30)}条批评意见中{c.ri(10, 17)}条为“希望多注意休息”“工作标准可以再提高”之类；三是对巡察反馈的“{c.pick(PROBS)}”问题回避不谈。经部务会研究，会议质量评估为“{c.pick(['一般', '差'])}”。
　　请你单位认真整改，重新撰写对照检查材料，于{c.fmd(c.later(d2, 20, 40))}前重新召开民主生活会，市委组织部将再次派员列席。

{c.org}
{c.f(d2)}"""


B47 = [b47_01, b47_02, b47_03, b47_04, b47_05, b47_06, b47_07, b47_08, b47_09, b47_10, b47_11,
       b47_12, b47_13, b47_14, b47_15, b47_16, b47_17]


# ---------------------------------------------------------------------------
# Hard negatives: 公开 / 内部, clause null
# ---------------------------------------------------------------------------

def _gongshi_person(c, cty=None):
    nm = c.name()
    g = c.gender()
    b = c.birth(33, 50)
    if cty:
        L = cty[-1]
        cur = c.pick(c.towns) + c.pick(["党委副书记、镇长", "党委委员、副镇长", "党委书记"])
        if "乡" in cur[:cur.index("党")]:
            cur = cur.replace("镇长", "乡长")
        to = c.pick([f"{cty}{c.pick(['发展和改革局', '财政局', '农业农村局', '住房和城乡建设局'])}局长", f"{c.pick(c.towns)}党委书记", f"{cty}委办公室副主任", f"{L}直机关工委副书记"])
        tail = c.pick(["（试用期一年）", ""]) if "局长" not in to else "（提名人选）"
    else:
        u = c.pick(c.units)
        cur = u[0] + c.mid(u)
        if c.ch(0.75):
            to = u[0] + c.pick([u[2], c.dep(u)])
            tail = c.pick(["（试用期一年）", ""])
        else:
            cty2 = c.county()
            to = c.pick([cty2 + "人民政府副" + cty2[-1] + "长", cty2 + "委常委"])
            tail = "（提名人选）" if "人民政府" in to else c.pick(["（试用期一年）", ""])
    return f"　　{nm}，{g}，{c.nation()}，{c.cn_ym(b)}生，{c.pick(['大学', '研究生', '在职研究生'])}学历，中共党员，现任{cur}，拟任{to}{tail}。"


def n01(c):
    ppl = "\n".join(_gongshi_person(c) for _ in range(c.ri(3, 6)))
    d = c.dt()
    return "公开", "公示", f"""{c.city}市管干部任前公示
　　为进一步扩大干部工作民主，提高选人用人公信度，根据《党政领导干部选拔任用工作条例》等有关规定，现将拟提拔任用的市管干部人选予以公示：
{ppl}
　　公示时间：{c.f(d)}至{c.fmd(c.later(d, 6, 7))}（5个工作日）。
　　公示期间，干部群众可通过来信、来电、来访等方式，向市委组织部反映公示对象在德、能、勤、绩、廉等方面的情况和问题。反映问题要实事求是，以个人名义反映的提倡署真实姓名，以单位名义反映的须加盖公章，并提供具体事实或线索，以便调查核实。
　　受理电话：{c.phone()}、12380（举报专用）
　　通信地址：{c.city}{c.pick(['市民中心', '行政中心'])}{c.ri(2, 9)}号楼市委组织部干部监督科，邮编{c.ri(330000, 530000)}

中共{c.city}委组织部
{c.f(d)}"""


def n02(c):
    cty = c.county()
    rows = [_gongshi_person(c, cty).strip() for _ in range(c.ri(3, 5))]
    d = c.dt()
    days = c.pick([5, 7])
    return "公开", "公示", f"""{cty}委组织部关于干部任前公示的公告
来源：{cty}委组织部　发布时间：{d.isoformat()}　阅读次数：{c.ri(300, 3000)}

　　根据干部选拔任用工作有关规定，经{cty}委研究，拟提拔任用下列同志，现予以公示：
{chr(10).join(f'　　{i}.{r}' for i, r in enumerate(rows, 1))}
　　公示期为{days}个工作日（{c.fmd(d)}—{c.fmd(c.later(d, days + 1, days + 2))}）。如对公示对象有异议，请在公示期内向{cty}委组织部反映。
　　联系电话：{c.phone()}（工作日上午8:30—12:00，下午14:30—17:30）
　　举报电话：12380"""


def n03(c):
    nm = c.name()
    u = c.pick(c.units)
    d = c.dt()
    return "公开", "公示", f"""干部考察预告
　　根据工作需要，经市委同意，市委组织部将对以下同志进行考察：
　　{nm}，{c.gender()}，{c.cn_ym(c.birth(35, 48))}生，{c.pick(['大学', '研究生'])}学历，现任{u[0]}{c.pick([c.mid(u), c.dep(u)])}。拟考察任{c.pick(['市直单位正职', '市直单位副职', '县（区）党政副职'])}。
{c.opt('　　' + c.name() + '，' + c.gender() + '，' + c.cn_ym(c.birth(38, 50)) + '生，研究生学历，现任' + c.county() + '委常委。拟考察任县（区）党政正职。', 0.6)}
　　考察预告期为{c.fmd(d)}至{c.fmd(c.later(d, 6, 7))}。在此期间，如对考察对象有意见，可通过来信、来电、来访等方式向市委组织部干部一科或考察组反映，也可在考察期间直接向考察组反映。
　　考察组联系电话：{c.phone()}
　　市委组织部干部一科：{c.phone()}

中共{c.city}委组织部
{c.f(d)}"""


def n04(c):
    cty = c.county()
    L = cty[-1]
    n = c.ri(6, 14)
    d = c.dt()
    return "公开", "公示", f"""{cty}乡镇领导班子换届考察预告
　　{L}委决定，近期派出{c.ri(4, 8)}个考察组，对全{L}{c.ri(8, 16)}个乡镇领导班子及领导干部进行换届考察。考察对象为经民主推荐、{L}委研究确定的{n}名同志（名单见各乡镇政务公开栏）。
　　考察时间：{c.fmd(c.later(d, 2, 5))}起，每个乡镇{c.ri(2, 3)}天。
　　考察期间，广大干部群众可通过以下方式反映考察对象在德、能、勤、绩、廉方面的情况和问题：
　　1.直接向驻乡镇考察组反映；
　　2.拨打{cty}委组织部干部监督电话{c.phone()}或12380；
　　3.来信寄至{cty}委组织部干部监督股。
　　欢迎监督。

中共{cty}委组织部
{c.f(d)}"""


def n05(c):
    n = c.ri(6, 15)
    d = c.dt(mhi=9)
    r1 = c.later(d, 5, 10)
    r2 = c.later(r1, 6, 10)
    return "公开", "通知", f"""{c.city}{c.year}年公开选拔副县级领导干部公告
　　为进一步拓宽选人用人视野，经市委研究决定，面向全市公开选拔{n}名副县级领导干部。现将有关事项公告如下：
　　一、选拔职位
　　市发展和改革委员会副主任、市财政局副局长、市自然资源和规划局副局长等{n}个职位（详见附件职位表）。
　　二、报名条件
　　1.具有良好的政治素质和道德品行；
　　2.现任正科级领导职务两年以上，或任正科级和副科级领导职务累计五年以上；
　　3.具有大学本科以上学历；
　　4.年龄一般不超过{c.pick(['40', '42', '45'])}周岁；
　　5.近三年年度考核均为称职以上等次；
　　6.身体健康。
　　有下列情形之一的，不得报名：受到诫勉、组织处理或者党纪政务处分影响期未满的；涉嫌违纪违法正在接受审查调查尚未作出结论的；其他按规定不得提拔的情形。
　　三、报名方式
　　采取网上报名与资格审查相结合的方式。报名时间为{c.fmd(r1)}至{c.fmd(r2)}，报名者登录{c.city}党建网“公开选拔”专栏下载并填写《报名登记表》，经所在单位党组（党委）签署意见后，报市委组织部干部二科。每人限报一个职位。
　　四、选拔程序
　　按照报名与资格审查、笔试、面试、组织考察、讨论决定、任职前公示等程序进行。笔试时间、地点另行通知，考试大纲在市委组织部网站公布。
　　五、纪律和监督
　　公开选拔工作接受纪检监察机关和社会监督。监督电话：{c.phone()}、12380。

中共{c.city}委组织部
{c.city}人力资源和社会保障局
{c.f(d)}"""


def n06(c):
    n = c.ri(10, 30)
    d = c.dt(mhi=9)
    r1 = c.later(d, 3, 8)
    r2 = c.later(r1, 4, 7)
    return "公开", "通知", f"""{c.city}市直机关{c.year}年公开遴选公务员报名须知
　　一、遴选计划：市直{c.ri(8, 15)}个单位共遴选公务员{n}名，职位及具体要求见《遴选职位表》。
　　二、报名对象：全市县（区）、乡镇机关在编在岗公务员，以及参照公务员法管理机关（单位）工作人员。须在机关工作满两年（含试用期），基层工作经历满{c.pick(['二', '三'])}年。
　　三、报名时间和方式：{c.fmd(r1)}9:00至{c.fmd(r2)}17:00，通过“{c.city}人事考试网”网上报名。报名时须上传近期免冠证件照，并如实填写个人信息，提交虚假信息的取消遴选资格。
　　四、资格初审：报名后{c.ri(1, 2)}个工作日内，遴选单位进行资格初审，考生可登录报名系统查询审核结果。
　　五、笔试：笔试科目为《综合知识与能力》，满分100分，时长150分钟。准考证打印时间另行公告。
　　六、咨询电话：市委组织部公务员管理科{c.phone()}；技术咨询{c.phone()}。
　　七、特别提醒：本次遴选不指定考试辅导用书，不举办也不委托任何机构举办考试辅导培训班。

{c.city}公务员局
{c.f(d)}"""


def n07(c):
    return "公开", "通知", f"""{c.city}{c.year}年公开选拔领导干部笔试考试大纲
　　一、考试性质
　　笔试是公开选拔领导干部的重要环节，主要测查报考者的政治理论水平、领导科学知识和分析解决问题的能力。
　　二、考试科目及时间
　　公共科目《领导科学与组织人事工作》，考试时间{c.pick(['150', '120'])}分钟，满分100分；报考专业性较强职位的，另加试专业科目。
　　三、考试内容
　　1.政治理论：习近平新时代中国特色社会主义思想，党的二十大精神等；
　　2.党的建设：《中国共产党章程》，党内法规基本知识；
　　3.领导科学：领导决策、领导用人、领导方法与艺术；
　　4.组织人事工作：干部选拔任用、干部监督管理、基层组织建设、公务员管理等方面的法规制度；
　　5.公共管理和{c.city}经济社会发展基本情况。
　　四、题型
　　单项选择题、多项选择题、判断题、案例分析题、写作题。{c.opt('各题型分值比例在考试中确定。', 0.5)}
　　五、注意事项
　　考生须携带准考证和有效身份证件参加考试，使用黑色签字笔作答。本大纲不指定参考书目。

{c.city}公开选拔领导干部工作领导小组办公室
{c.date()}"""


def n08(c):
    return "公开", "通知", f"""{c.city}公开遴选公务员面试考试大纲
（{c.year}年版）
　　一、面试形式：采取结构化面试，每名考生面试时间约{c.pick(['15', '20'])}分钟。
　　二、测评要素：综合分析能力、计划组织协调能力、应急应变能力、人际沟通能力、言语表达能力、与遴选职位的匹配性等。
　　三、评分办法：面试考官一般由7名组成，实行百分制，去掉一个最高分和一个最低分后取平均分为考生面试成绩。面试成绩低于{c.pick(['60', '65'])}分的，不得进入考察。
　　四、面试程序：考生按抽签顺序进入考场，由主考官宣读指导语后作答。考生不得透露本人姓名、单位等个人信息，违者面试成绩按零分处理。
　　五、成绩计算：综合成绩=笔试成绩×{c.pick(['50', '40'])}%+面试成绩×{c.pick(['50', '60'])}%。
　　六、本大纲由{c.city}公务员局负责解释，并在{c.city}人事考试网公开发布。

{c.city}公务员局
{c.date()}"""


def n09(c):
    u = c.pick(c.units)
    head = c.name()
    return "公开", "新闻稿", f"""{u[0]}领导班子召开{c.prev}年度民主生活会
　　{c.city[:-1]}新闻网讯（记者 {c.name()} 通讯员 {c.name()}）{c.md(1, 2)}，{u[0]}领导班子召开{c.prev}年度民主生活会。市委第{CN_NUM[c.ri(1, 6)]}督导组到会指导。
　　会前，该{u[0][-1]}领导班子认真开展学习研讨，广泛征求意见建议，深入开展谈心谈话，认真撰写对照检查材料，为开好民主生活会打下了坚实基础。会上，{u[0]}{u[1].split('、')[-1]}{head}代表领导班子作对照检查，并带头作个人对照检查；班子成员逐一作个人对照检查，开展批评和自我批评。
　　督导组对会议进行了点评，认为此次民主生活会准备充分、主题鲜明，达到了统一思想、增进团结、推动工作的目的。{head}表示，将以此次民主生活会为新起点，{c.pick(['抓好问题整改落实', '以实际行动推动各项工作再上新台阶'])}，为{c.city}高质量发展作出新的更大贡献。
（责任编辑：{c.name()}）"""


def n10(c):
    cty = c.county()
    sec = c.name()
    return "公开", "新闻稿", f"""{cty}委常委班子召开专题民主生活会
　　本报讯 {c.md(1, 3)}，{cty}委常委班子召开专题民主生活会。{cty}委书记{sec}主持会议并作总结讲话。市委第{CN_NUM[c.ri(1, 6)]}督导组组长{c.name()}到会指导并点评。
　　会议通报了上年度民主生活会整改落实情况和本次民主生活会征求意见情况。{sec}代表{cty}委常委班子作对照检查，并带头作个人对照检查。{cty}委常委逐一作个人发言，认真开展批评和自我批评。
　　会议强调，要{c.pick(['持续深化理论武装', '坚定不移推进全面从严治党'])}，把民主生活会成果转化为推动{cty}高质量发展的实际行动。{c.opt('会议要求，要对照会上查摆的问题，制定整改措施，明确时限，确保整改到位。', 0.7)}
（{c.city[:-1]}日报 {c.year}年{c.md(1, 3)}第{c.ri(1, 4)}版）"""


def n11(c):
    u = c.pick(c.units)
    d = c.dt(y=c.year, mlo=1, mhi=2)
    mt = c.later(d, 4, 9)
    wd = "一二三四五六日"[mt.weekday()]
    return "内部", "通知", f"""关于做好{c.prev}年度民主生活会会务保障工作的通知

局机关各科室：
　　局党组定于{c.fmd(mt)}（星期{wd}）上午9:00在机关四楼会议室召开年度民主生活会，市委督导组{c.ri(2, 4)}名同志到会指导。为做好会务保障，现将有关事项通知如下：
　　一、会场布置：办公室负责会场座签、桌牌、茶水，会场不摆放鲜花、不制作横幅；8:30前完成话筒和录音设备调试。
　　二、材料准备：党组成员对照检查材料于{c.fmd(c.later(d, 1, 3))}前交办公室统一印制，每份印{c.ri(8, 12)}份，会议结束后当场收回。
　　三、人员安排：办公室{c.name()}负责签到和会议记录，{c.name()}负责督导组接待；会议期间其他同志不进入会场。
　　四、车辆和用餐：督导组由办公室派车接送，工作餐按标准在机关食堂安排。
　　五、会议期间党组成员关闭手机，暂停对外联系工作，紧急事项由办公室值班人员（{c.name()}，{c.phone()}）处理。

{u[0]}办公室
{c.f(d)}"""


def n12(c):
    cty = c.county()
    d = c.dt()
    s1 = c.later(d, 3, 7)
    return "内部", "通知", f"""关于配合市委考察组开展工作有关事项的通知

{cty}委办公室、{cty}人民政府办公室，{cty}委组织部：
　　市委考察组定于{c.fmd(s1)}至{c.fmd(c.later(s1, 2, 5))}到{cty}开展{c.pick(['领导班子和领导干部年度考核', '领导班子运行情况分析研判', '换届考察'])}工作。为保障考察工作顺利进行，现就有关事项通知如下：
　　一、场地安排：请在{cty}委机关大院安排两间相对独立的谈话室和一间工作室，配备桌椅、饮水和打印机（不得连接互联网）。
　　二、人员通知：请{cty}委组织部按考察组提供的谈话名单和时间表，逐一电话通知到人，谈话人员持单位介绍信按时到达，不得委托他人代替。
　　三、生活保障：考察组{c.ri(4, 6)}名同志在机关食堂就餐，住宿由考察组自行安排，不得安排宴请和陪同。
　　四、联络员：请指定一名联络员（副科级以上），于{c.fmd(c.later(d, 1, 2))}前将姓名和手机号报考察组组长{c.name()}（{c.phone()}）。

市委考察组
{c.f(d)}"""


def n13(c):
    d = c.dt(mhi=10)
    t1 = c.later(d, 10, 20)
    days = c.pick([2, 3])
    return "内部", "通知", f"""{c.org}
关于举办全市干部人事档案管理业务培训班的通知
{c.docno('通')}

各县（区）委组织部，市直各单位组织人事部门：
　　为进一步提升干部人事档案工作规范化水平，经部领导同意，决定举办全市干部人事档案管理业务培训班。现将有关事项通知如下：
　　一、培训时间：{c.fmd(t1)}至{c.fmd(c.later(t1, days - 1, days - 1))}，共{days}天。{c.fmd(t1)}上午9:00前报到。
　　二、培训地点：{c.city}委党校（{c.city}{c.pick(['学府路', '滨江大道', '文昌路'])}{c.ri(10, 200)}号）。
　　三、参训对象：各县（区）委组织部档案室负责人，市直各单位干部人事档案专（兼）职管理人员，共约{c.ri(80, 180)}人。
　　四、培训内容：《干部人事档案工作条例》解读；档案材料收集鉴别归档；“三龄二历一身份”专项审核实务；档案数字化与信息系统应用；档案查（借）阅管理和保密要求。
　　五、有关要求：请于{c.fmd(c.later(d, 4, 8))}前将参训人员回执报市委组织部干部档案室，联系人：{c.name()}，电话：{c.phone()}。培训期间不得请假，结业时进行闭卷测试。培训不收取费用，食宿统一安排，差旅费回原单位报销。

{c.org}
{c.f(d)}"""


def n14(c):
    cty = c.county()
    days = [("第一天上午", "开班动员；干部人事档案数字化工作规范解读", c.name()),
            ("第一天下午", "档案整理、扫描、图像处理实操", c.name()),
            ("第二天上午", "数字档案质量检查与验收标准", c.name()),
            ("第二天下午", "信息系统操作演示；数字化外包服务安全管理", c.name()),
            ("第三天上午", "交流讨论、结业考试", c.name())]
    n = c.ri(3, 5)
    return "内部", "通知", f"""{cty}干部人事档案数字化工作培训日程安排

　　时间：{c.fmd(c.dt())}起　地点：{cty}委组织部{c.pick(['三楼会议室', '培训教室'])}
　　参训人员：{cty}委组织部档案室、各乡镇和{cty[-1]}直单位档案管理员
{table(['时间', '内容', '授课人'], [list(x) for x in days[:n]])}
　　注意事项：请学员自带笔记本（不得携带存有工作资料的移动存储介质）；实操环节使用演示样本档案，不使用真实档案。
　　联系人：{c.name()}　{c.phone()}"""


NEG = [n01, n02, n03, n04, n05, n06, n07, n08, n09, n10, n11, n12, n13, n14]
# deliberately over-marked internal drafts (labelled by content)
NEG_MARK = {"n11": "秘密", "n12": "秘密", "n13": "内部", "n14": "内部资料　注意保存"}


# ---------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------

NOTES = ["此件阅后收回", "注意保密　阅后退回", "本材料仅限指定人员阅看，不得复制", "（阅后交还经办人）"]
# markings that disagree with the content (about 1 in 20 over the whole file)
WRONG = {"4.4": ["内部资料　注意保存"], "4.5": ["机密★20年", "内部"], "4.6": ["绝密★启用前"], "4.7": ["内部"]}


def tidy(text):
    """Drop lines left empty by unused optional slots and turn nested “” into ‘’."""
    lines = []
    for ln in text.split("\n"):
        if ln.strip("　 \t") == "" and ln != "":
            continue
        if ln == "" and lines and lines[-1] == "":
            continue
        lines.append(ln)
    out, depth = [], 0
    for ch in "\n".join(lines):
        if ch == "“":
            out.append("“" if depth == 0 else "‘")
            depth += 1
        elif ch == "”":
            depth = max(0, depth - 1)
            out.append("”" if depth == 0 else "’")
        else:
            if ch == "\n":
                depth = 0
            out.append(ch)
    return "".join(out).strip()


def build():
    rng = random.Random(SEED)
    recs = []

    def ctx():
        return Ctx(random.Random(rng.randrange(1 << 30)))

    for clause, bases in (("4.4", B44), ("4.5", B45), ("4.6", B46), ("4.7", B47)):
        calls = [(f, "synthetic:hand") for f in bases]
        calls += [(f, "synthetic:gen") for f in rng.sample(bases, len(bases) - 1)]
        wrong_at = dict(zip(rng.sample(range(len(calls)), len(WRONG[clause])), WRONG[clause]))
        for i, (f, src) in enumerate(calls):
            c = ctx()
            genre, text = f(c)
            text = tidy(text)
            marking = None
            if i in wrong_at:
                marking = wrong_at[i]
            elif rng.random() < 0.5:
                marking = rng.choice(MARKS[clause])
            if rng.random() < 0.12 and "收回" not in text and "不得复" not in text:
                text = text + "\n（" + rng.choice(NOTES).strip("（）") + "）"
            if marking:
                text = marking + "\n" + text
            recs.append({"id": None, "text": text, "level": LEVEL[clause], "clause": clause,
                         "genre": genre, "marking": marking, "source": src, "_k": clause})
    for f in NEG:
        c = ctx()
        level, genre, text = f(c)
        text = tidy(text)
        marking = NEG_MARK.get(f.__name__)
        if marking:
            text = marking + "\n" + text
        recs.append({"id": None, "text": text, "level": level, "clause": None, "genre": genre,
                     "marking": marking, "source": "synthetic:hand",
                     "_k": "open" if level == "公开" else "internal"})
    counters = {}
    for r in recs:
        k = r.pop("_k")
        counters[k] = counters.get(k, 0) + 1
        r["id"] = f"{PREFIX}-{k}-{counters[k]:03d}"
    return [{k: r[k] for k in ("id", "text", "level", "clause", "genre", "marking", "source")} for r in recs]


def main():
    recs = build()
    texts = [r["text"] for r in recs]
    if len(set(texts)) != len(texts):
        sys.exit("duplicate texts")
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as fh:
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts = {}
    for r in recs:
        key = (r["clause"] or "-", r["level"], r["source"])
        counts[key] = counts.get(key, 0) + 1
    for k in sorted(counts):
        print(*k, counts[k], sep="\t")
    print("total", len(recs), "->", OUT)


if __name__ == "__main__":
    main()
