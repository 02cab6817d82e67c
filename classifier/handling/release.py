"""Release on an event: track open declassification conditions and the public documents that
fulfil them.

A secret marked with a declassification condition (``机密★任免正式公布后``, ``秘密★考试结束后``,
``机密★选举结果公布后``) is released when the event has happened *for everything it covers*.
An appointment plan naming three people stays secret while two of the appointments are
unpublished, so the condition is tracked per **target**: each person and post of an
appointment plan, the exam, the election, the document to be issued. A newly uploaded public
document (a 任前公示, a 任职通知, an election result, a notice that an exam is over) fulfils the
targets it names; a record is **proposed** for declassification only when all n of its targets
are fulfilled, with those documents as evidence, and a person decides (the change workflow).

Everything here is rule-based and explainable: each pattern below names the document form it
reads, and every fulfilment carries the sentence that fulfilled it. A condition that none of
the patterns reads raises :class:`UnparsableConditionError`, and a record where no target can
be found raises :class:`UntrackableConditionError`: such records are tracked by hand.

Source: issue 13 §7; the Law art. 24 (declassification is automatic when the condition is met;
a matter decided to be published is declassified when published), law-notes "declassification";
the conditions of the catalogue (``corpus/catalogue.toml``: 选举结果公布后, 正式印发后,
任免正式公布后, 考试结束后); the forms of 任前公示 and 任职通知 as published by organisation
departments (name, sex, birth, current post, 拟任 post; "X同志任Y", "免去X同志的Y职务").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum

from classifier.errors import UnparsableConditionError, UntrackableConditionError
from classifier.handling.records import SecretRecord


class ConditionKind(StrEnum):
    """What kind of event ends the secret."""

    APPOINTMENT = "appointment"   # 任免正式公布后
    ELECTION = "election"         # 选举结果公布后
    EXAM = "exam"                 # 考试结束后
    PUBLICATION = "publication"   # 正式印发后, 正式公布后


# --- Conditions ------------------------------------------------------------------------------

_AFTER = r"(?:后|以后|之后)?"
# Checked in this order: the appointment and election forms also end in 公布.
_CONDITION_RULES: tuple[tuple[ConditionKind, re.Pattern[str]], ...] = (
    # 4.3 "任免正式公布后"; also 任命/任职/干部任免 … 公布/发布/宣布/下发.
    (ConditionKind.APPOINTMENT, re.compile(
        rf"(?:干部)?(?:任免|任命|任职)(?:事项|决定|通知|文件)?(?:正式)?(?:公布|发布|宣布|下发|公示){_AFTER}")),
    # 4.1 "选举结果公布后"; also 换届选举结束后, 选举结果宣布后.
    (ConditionKind.ELECTION, re.compile(
        rf"(?P<what>[\u4e00-\u9fff\d]{{0,30}}?)(?:换届)?选举(?:结果)?(?:正式)?(?:公布|宣布|揭晓|结束){_AFTER}")),
    # 4.6 "考试结束后"; the exam may be named: "2026年事业单位招聘考试结束后".
    (ConditionKind.EXAM, re.compile(
        rf"(?P<what>[\u4e00-\u9fff\d]{{0,30}}?)考试(?:正式|全部)?结束{_AFTER}")),
    # 4.2 "正式印发后"; also 正式公布后, 公开发布后, 文件印发后.
    (ConditionKind.PUBLICATION, re.compile(
        rf"(?:文件|方案|政策)?(?:正式|公开)?(?:印发|公布|发布|出台|公开){_AFTER}")),
)


@dataclass(frozen=True)
class Condition:
    """A parsed declassification condition.

    Attributes
    ----------
    kind : ConditionKind
    text : str
        The condition as marked (without the level and ★).
    subject : str or None
        The exam or election the condition itself names (``"2026年招聘"`` in
        ``"2026年招聘考试结束后"``), else None.
    """

    kind: ConditionKind
    text: str
    subject: str | None = None


def parse_condition(text: str) -> Condition:
    """Read a declassification condition such as ``"任免正式公布后"``.

    Parameters
    ----------
    text : str
        The condition, or a whole marking (``"机密★任免正式公布后"``: the level is dropped).

    Returns
    -------
    Condition

    Raises
    ------
    UnparsableConditionError
        If no rule reads it (a date, a vague "工作结束后"): track the record by hand.

    Notes
    -----
    Source: the conditions of the catalogue (``corpus/catalogue.toml``) and the period forms of
    the Law ("密级★解密条件", law-notes "period forms").
    """
    cond = "".join(text.split("★")[-1].split())
    for kind, rx in _CONDITION_RULES:
        m = rx.fullmatch(cond)
        if m:
            what = m.groupdict().get("what") or None
            return Condition(kind, cond, _strip_lead(what) if what else None)
    raise UnparsableConditionError(f"无法识别解密条件“{cond}”，请人工跟踪该事项的解密",)


# --- Names, posts, exams and elections in text -----------------------------------------------

# Common single-character surnames (百家姓, the most frequent in current use) and compound
# surnames. A person's name is a surname and one or two more characters; requiring a known
# surname keeps words such as 现任 or 经研究 from being read as names.
_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
             "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
             "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟"
             "殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游"
             "辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫"
             "费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明"
             "佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区"
             "郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阎")
_COMPOUND = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "公孙", "夏侯",
             "司徒", "长孙", "宇文", "端木", "独孤", "西门", "南宫", "呼延", "轩辕")
_NAME = rf"(?:{'|'.join(_COMPOUND)}|[{_SURNAMES}])[\u4e00-\u9fff]{{1,2}}"
# A post runs to the next punctuation or to 职务/候选人/人选: "苍岭县财政局局长（正科级）".
_POST = r"[^，,。；;：:\n（(、“”\"]{2,40}?(?=职务|候选人|人选|[，,。；;：:\n（(、“”\"]|$)"
_TONGZHI = r"(?:同志)?"

#: Patterns reading a person and post from an appointment plan (the secret record).
_PLAN_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # 干部任免方案 / 请示: "拟任张三同志为苍岭县财政局局长".
    ("appoint", re.compile(rf"拟(?:任|任命|提拔)(?P<name>{_NAME}){_TONGZHI}为(?P<post>{_POST})")),
    # 提名: "拟提名张三同志为苍岭县县长候选人", "拟推荐张三为…".
    ("appoint", re.compile(rf"拟(?:提名|推荐)(?P<name>{_NAME}){_TONGZHI}为(?P<post>{_POST})")),
    # 请示 / 会议纪要: "建议任命张三同志为…", "建议张三同志任…", "建议提名张三为…".
    ("appoint", re.compile(
        rf"建议(?:任命|提名|提拔|推荐)?(?P<name>{_NAME}){_TONGZHI}(?:任|为|担任)(?P<post>{_POST})")),
    # 考察材料 / 方案正文: "张三同志拟任…", "张三同志拟提名为…".
    ("appoint", re.compile(
        rf"(?P<name>{_NAME})同志拟(?:任|提名为|推荐为|提拔为|提拔任)(?P<post>{_POST})")),
    # 考察对象简况 (the 任前公示 form inside a plan): "张三，男，1978年5月生，…，拟任…".
    ("appoint", re.compile(
        rf"(?<![\u4e00-\u9fff])(?P<name>{_NAME})，[男女]，[^。；\n]{{0,150}}?拟任(?P<post>{_POST})")),
    # 人选表: "苍岭县财政局局长人选：张三" / "…拟任人选：张三".
    ("appoint", re.compile(
        rf"(?:^|(?<=[\n。；;，,]))(?P<post>[^，,。；;：:\n]{{2,40}}?)(?:拟任|建议|推荐)?人选[:：]\s*"
        rf"(?P<name>{_NAME})(?![\u4e00-\u9fff])", re.M)),
    # 免职: "拟免去张三同志的苍岭县财政局局长职务", "建议免去…".
    ("remove", re.compile(
        rf"(?:拟|建议)免去(?P<name>{_NAME}){_TONGZHI}的?(?P<post>{_POST})职务")),
)
#: Words that make a sentence of a plan an appointment; a sentence with one and no target
#: read is reported as unresolved (a name the rules missed must not let the plan go early).
_PLAN_ANCHORS = re.compile(r"拟任|拟提名|拟推荐|拟提拔|建议任命|建议提名|人选[:：]|拟免去|建议免去")

#: Patterns reading a published appointment from a public document.
_PUBLIC_APPOINTMENT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # 任前公示: "张三，男，汉族，1978年5月生，…，现任…，拟任苍岭县财政局局长".
    ("appoint", _PLAN_RULES[4][1]),
    # 任前公示 (short form): "张三同志拟任…".
    ("appoint", _PLAN_RULES[3][1]),
    # 任职通知 / 任免决定: "张三同志任苍岭县财政局局长".
    ("appoint", re.compile(rf"(?P<name>{_NAME})同志任(?P<post>{_POST})")),
    # 任命决定: "任命张三（同志）为…", "决定：张三任…".
    ("appoint", re.compile(rf"任命(?P<name>{_NAME}){_TONGZHI}为(?P<post>{_POST})")),
    ("appoint", re.compile(rf"决定[:：]?\s*(?P<name>{_NAME})任(?P<post>{_POST})")),
    # 免职通知: "免去张三同志的苍岭县财政局局长职务".
    ("remove", re.compile(rf"免去(?P<name>{_NAME}){_TONGZHI}的?(?P<post>{_POST})职务")),
    # 选举结果: "张三当选为苍岭县县长" (an election by the 人大 is how some posts are filled).
    ("appoint", re.compile(rf"(?P<name>{_NAME}){_TONGZHI}当选为?(?P<post>{_POST})")),
)
#: A public document is an appointment publication when it is one of these forms.
_APPOINTMENT_FORMS = (
    ("任前公示", re.compile(r"任前公示|公示期|现予以公示|予以公示")),
    ("任职通知", re.compile(r"任职通知|任免通知|任职的通知|任免的通知|职务任免|决定任命|任命书|免去.{1,40}?职务")),
    ("选举结果", re.compile(r"当选|选举结果")),
)
#: An exam notice says the exam is over (past tense), never "考试结束后请…" (instructions).
_EXAM_OVER = re.compile(
    r"考试(?:已经?|于[^，。；\n]{1,20}?)(?:顺利|圆满)?结束(?!后)|(?:已经?|顺利|圆满)结束(?!后)"
    r"|成绩(?:已经?)?(?:公布|发布)|公布[^，。；\n]{0,12}成绩|成绩查询")
_EXAM_NAME = re.compile(r"(?P<what>(?:\d{4}年度?)?[\u4e00-\u9fff]{2,30}?)考试")
_ELECTION_RESULT = re.compile(r"选举结果|当选|选举产生|以下同志当选|当选名单")
_ELECTION_NAME = re.compile(r"(?P<what>(?:\d{4}年度?)?[\u4e00-\u9fff\d]{2,40}?)(?:换届)?选举")
_DRAFT_WORDS = re.compile(r"征求意见稿|讨论稿|送审稿|草案|初稿|修改稿")
_LEAD = re.compile(r"^(?:关于|印发|做好|组织|举行|开展|进行|参加|本次|此次|今年|本年度|我县|我市|全县|全市|的)+")
_YEAR = re.compile(r"\d{4}年度?")


def _strip_lead(what: str) -> str:
    """An exam or election name without leading function words (关于, 做好, 本次 …)."""
    return _LEAD.sub("", what)


def _norm_post(post: str) -> str:
    """A post as compared: whitespace, 同志, 职务, 候选人 and brackets dropped."""
    post = re.sub(r"[（(][^）)]*[）)]", "", "".join(post.split()))
    return re.sub(r"同志|职务|候选人|的$", "", post)


def _posts_match(a: str | None, b: str | None) -> bool:
    """Two posts are the same when one holds the other (``县财政局局长`` ⊂ ``苍岭县财政局局长``)."""
    if not a or not b:
        return True
    a, b = _norm_post(a), _norm_post(b)
    return len(min(a, b, key=len)) >= 2 and (a in b or b in a)


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Bounds of the sentence (to 。；! ? or a line break) around ``text[start:end]``."""
    stops = "。；;！!？?\n"
    s = max(text.rfind(c, 0, start) for c in stops) + 1
    ends = [i for i in (text.find(c, end) for c in stops) if i >= 0]
    return s, (min(ends) + 1 if ends else len(text))


# --- Targets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One thing whose publication the condition waits for.

    Attributes
    ----------
    key : str
        Identity within the record: ``"appoint:张三:苍岭县财政局局长"``, ``"exam:…"``.
    label : str
        For display: ``"张三（苍岭县财政局局长）"``, ``"2026年招聘考试"``.
    name : str or None
        The person, for an appointment or removal.
    post : str or None
        The post, for an appointment or removal.
    action : str
        ``"appoint"``, ``"remove"``, ``"exam"``, ``"election"`` or ``"publication"``.
    start, end : int
        Where the record's text names it (offsets into ``SecretRecord.text``; 0, 0 when taken
        from the title or the condition).
    """

    key: str
    label: str
    name: str | None
    post: str | None
    action: str
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class TrackedCondition:
    """A record's open condition with what would fulfil it.

    Attributes
    ----------
    record : SecretRecord
    condition : Condition
    targets : tuple of Target
        In the order the text names them; at least one.
    unresolved : tuple of str
        Sentences of the record that look like an appointment (拟任, 人选：…) but from which
        no person was read. While any is left the record is never proposed: a person the rules
        missed would be released with the others.
    """

    record: SecretRecord
    condition: Condition
    targets: tuple[Target, ...]
    unresolved: tuple[str, ...] = ()


def _mentions(rules: Iterable[tuple[str, re.Pattern[str]]], text: str
              ) -> Iterator[tuple[str, str, str, int, int]]:
    """(action, name, post, start, end) for every match of ``rules`` in ``text``."""
    for action, rx in rules:
        for m in rx.finditer(text):
            yield action, m["name"], m["post"].strip(), m.start(), m.end()


def track(record: SecretRecord) -> TrackedCondition:
    """Read a record's declassification condition and what would fulfil it.

    Parameters
    ----------
    record : SecretRecord
        A record with a ``condition``.

    Returns
    -------
    TrackedCondition

    Raises
    ------
    UnparsableConditionError
        If the record has no condition, or no rule reads it.
    UntrackableConditionError
        If the condition is read but the text names no person, exam, election or title.

    Notes
    -----
    Appointment (``任免正式公布后``): one target per (action, person, post) read by the plan
    patterns (拟任X为Y, 拟提名X为Y, 建议任命X为Y, X同志拟任Y, X，男，…拟任Y, Y人选：X,
    拟免去X的Y职务). Exam: the exam named by the condition, else the first ``…考试`` of the title
    or text. Election: likewise with ``…选举``. Publication: the record's title, without
    draft words (征求意见稿, 讨论稿 …).
    """
    if not record.condition:
        raise UnparsableConditionError(f"《{record.title}》没有解密条件，无需跟踪")
    cond = parse_condition(record.condition)
    targets: list[Target] = []
    unresolved: list[str] = []
    text = record.text
    if cond.kind is ConditionKind.APPOINTMENT:
        seen: set[str] = set()
        spans = []
        for action, name, post, s, e in sorted(_mentions(_PLAN_RULES, text), key=lambda t: t[3]):
            key = f"{action}:{name}:{_norm_post(post)}"
            spans.append((s, e))
            if key not in seen:
                seen.add(key)
                label = f"{name}（{'免去' if action == 'remove' else ''}{_norm_post(post)}）"
                targets.append(Target(key, label, name, post, action, s, e))
        for m in _PLAN_ANCHORS.finditer(text):
            s, e = _sentence(text, m.start(), m.end())
            if not any(a < e and s < b for a, b in spans):
                unresolved.append(text[s:e].strip())
    else:
        targets.extend(_subject_target(cond, record))
    if not targets:
        raise UntrackableConditionError(
            f"《{record.title}》的解密条件“{cond.text}”未能在正文中找到对应的人员、考试或事项，"
            "请人工跟踪")
    return TrackedCondition(record, cond, tuple(targets), tuple(dict.fromkeys(unresolved)))


def _subject_target(cond: Condition, record: SecretRecord) -> list[Target]:
    """The one target of an exam, election or publication condition."""
    if cond.kind is ConditionKind.PUBLICATION:
        title = re.sub(r"[（(][）)]", "", _DRAFT_WORDS.sub("", "".join(record.title.split())))
        return [Target(f"publication:{title}", title, None, None, "publication")] if title else []
    rx = _EXAM_NAME if cond.kind is ConditionKind.EXAM else _ELECTION_NAME
    action = "exam" if cond.kind is ConditionKind.EXAM else "election"
    suffix = "考试" if action == "exam" else "选举"
    if cond.subject:
        return [Target(f"{action}:{cond.subject}", cond.subject + suffix, None, None, action)]
    for source, offset in ((record.title, None), (record.text, 0)):
        m = rx.search(source)
        if m:
            what = _strip_lead(m["what"])
            s, e = (m.start(), m.end()) if offset is not None else (0, 0)
            return [Target(f"{action}:{what}", what + suffix, None, None, action, s, e)]
    return []


# --- Public documents and fulfilment ---------------------------------------------------------


@dataclass(frozen=True)
class PublicDocument:
    """A newly uploaded document decided 公开 (the caller vouches that it is public).

    Attributes
    ----------
    doc_id : str
    title : str
    text : str
        Its extracted text; evidence offsets index this string.
    """

    doc_id: str
    title: str
    text: str


@dataclass(frozen=True)
class Evidence:
    """A public document fulfilling one target.

    Attributes
    ----------
    target_key : str
    doc_id, title : str
        The public document.
    form : str
        Which form it was read as: ``"任前公示"``, ``"任职通知"``, ``"选举结果"``, ``"考试结束"``,
        ``"正式印发"``.
    start, end : int
        The sentence that fulfils the target, as offsets into the public document's text.
    quote : str
        That sentence.
    """

    target_key: str
    doc_id: str
    title: str
    form: str
    start: int
    end: int
    quote: str


def fulfilments(tracked: TrackedCondition, doc: PublicDocument) -> list[Evidence]:
    """The targets of ``tracked`` that the public document ``doc`` fulfils.

    Parameters
    ----------
    tracked : TrackedCondition
    doc : PublicDocument

    Returns
    -------
    list of Evidence
        One per fulfilled target, in the target order; empty when ``doc`` fulfils nothing.

    Notes
    -----
    Appointment: ``doc`` is a 任前公示, 任职/任免通知 or election result (by its words:
    任前公示, 公示期, 任职通知, 免去…职务, 当选 …) and names the person with the action and a
    matching post (one post contains the other; an unknown post matches). Same-name people
    with other posts are not matched. Exam: ``doc`` says in the past tense that the exam is
    over or its results are out (考试已结束, 顺利结束, 成绩公布; not "考试结束后请…") and names
    the exam (one name contains the other; the years, if both have one, are equal). Election:
    ``doc`` gives results (选举结果, 当选, 选举产生) and names the election. Publication: ``doc``
    is not a draft and its title or text holds the record's title.
    """
    text = "".join(doc.title.split()) + "\n" + doc.text
    shift = len(text) - len(doc.text)     # offsets are reported in doc.text
    out: list[Evidence] = []

    def evidence(t: Target, form: str, s: int, e: int) -> Evidence:
        s, e = _sentence(text, s, e)
        s, e = max(s - shift, 0), max(e - shift, 0)
        return Evidence(t.key, doc.doc_id, doc.title, form, s, e, doc.text[s:e].strip())

    kind = tracked.condition.kind
    if kind is ConditionKind.APPOINTMENT:
        form = next((f for f, rx in _APPOINTMENT_FORMS if rx.search(text)), None)
        if form is None:
            return []
        mentions = list(_mentions(_PUBLIC_APPOINTMENT_RULES, text))
        for t in tracked.targets:
            for action, name, post, s, e in mentions:
                if action == t.action and name == t.name and _posts_match(post, t.post):
                    out.append(evidence(t, form, s, e))
                    break
        return out
    for t in tracked.targets:
        hit = _subject_hit(t, text)
        if hit is not None:
            out.append(evidence(t, *hit))
    return out


def _same_subject(a: str, b: str) -> bool:
    """Two exam or election names are the same: the years (when both have one) are equal and
    one name without its year contains the other (at least 4 characters)."""
    ya, yb = _YEAR.findall(a), _YEAR.findall(b)
    if ya and yb and ya[0][:4] != yb[0][:4]:
        return False
    ca, cb = _YEAR.sub("", a), _YEAR.sub("", b)
    return len(min(ca, cb, key=len)) >= 4 and (ca in cb or cb in ca)


def _subject_hit(t: Target, text: str) -> tuple[str, int, int] | None:
    """(form, start, end) where ``text`` fulfils an exam, election or publication target."""
    if t.action == "publication":
        if _DRAFT_WORDS.search(text):
            return None
        i = text.find(t.label)
        return ("正式印发", i, i + len(t.label)) if i >= 0 else None
    over, name_rx, form = ((_EXAM_OVER, _EXAM_NAME, "考试结束") if t.action == "exam"
                           else (_ELECTION_RESULT, _ELECTION_NAME, "选举结果"))
    want = t.key.split(":", 1)[1]
    if not any(_same_subject(_strip_lead(m["what"]), want) for m in name_rx.finditer(text)):
        return None
    m = over.search(text)
    return (form, m.start(), m.end()) if m else None


# --- State and tracker -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseState:
    """How far a record's condition is fulfilled.

    Attributes
    ----------
    tracked : TrackedCondition
    evidence : tuple of (Evidence or None)
        Per target, in ``tracked.targets`` order: the first public document that fulfilled it.
    """

    tracked: TrackedCondition
    evidence: tuple[Evidence | None, ...]

    @property
    def record_id(self) -> str:
        """The record's id."""
        return self.tracked.record.record_id

    @property
    def k(self) -> int:
        """Targets fulfilled."""
        return sum(e is not None for e in self.evidence)

    @property
    def n(self) -> int:
        """Targets in all."""
        return len(self.tracked.targets)

    @property
    def proposed(self) -> bool:
        """True when every target is fulfilled and no sentence is unresolved: the record goes
        to the office for declassification (a person approves)."""
        return self.n > 0 and self.k == self.n and not self.tracked.unresolved

    @property
    def evidence_docs(self) -> tuple[str, ...]:
        """Distinct public document ids that fulfilled a target, in target order."""
        return tuple(dict.fromkeys(e.doc_id for e in self.evidence if e is not None))

    @property
    def pending(self) -> tuple[Target, ...]:
        """The targets still unpublished."""
        return tuple(t for t, e in zip(self.tracked.targets, self.evidence, strict=True)
                     if e is None)

    def summary(self) -> str:
        """E.g. ``"1 of 3 published"``."""
        return f"{self.k} of {self.n} published"

    def message(self) -> str:
        """The line shown on the record, e.g. ``"解密条件“任免正式公布后”：3 项中已公布 1 项"``."""
        cond = self.tracked.condition.text
        if self.proposed:
            return f"解密条件“{cond}”已全部满足（{self.n} 项），建议提请解密"
        line = f"解密条件“{cond}”：{self.n} 项中已公布 {self.k} 项"
        if self.tracked.unresolved:
            line += f"；另有 {len(self.tracked.unresolved)} 处拟任表述未能识别，需人工核对"
        return line


class ReleaseTracker:
    """The open conditions of the register and the public documents seen so far.

    Notes
    -----
    :meth:`track` a record when it is registered with a condition; :meth:`observe` every newly
    uploaded public document; :meth:`proposals` lists the records to put to the office. The
    state is the tracked conditions plus the evidence, both plain frozen dataclasses the store
    can persist (target keys and evidence rows) and replay with :meth:`restore`.
    """

    def __init__(self) -> None:
        self._tracked: dict[str, TrackedCondition] = {}
        self._evidence: dict[str, dict[str, Evidence]] = {}

    def __len__(self) -> int:
        return len(self._tracked)

    def track(self, record: SecretRecord) -> ReleaseState:
        """Start tracking ``record`` (replacing an earlier version and its evidence).

        Raises
        ------
        UnparsableConditionError, UntrackableConditionError
            See :func:`track`; the record is then tracked by hand.
        """
        tracked = track(record)
        self._tracked[record.record_id] = tracked
        self._evidence[record.record_id] = {}
        return self.state(record.record_id)

    def untrack(self, record_id: str) -> None:
        """Stop tracking a record (declassified, destroyed, condition changed).

        Raises
        ------
        KeyError
            If it is not tracked.
        """
        del self._tracked[record_id]
        del self._evidence[record_id]

    def restore(self, evidence: Iterable[Evidence], record_id: str) -> None:
        """Re-attach stored evidence to a tracked record (keys no longer tracked are ignored)."""
        keys = {t.key for t in self._tracked[record_id].targets}
        got = self._evidence[record_id]
        for ev in evidence:
            if ev.target_key in keys:
                got.setdefault(ev.target_key, ev)

    def observe(self, doc: PublicDocument) -> list[ReleaseState]:
        """Record a newly uploaded public document.

        Parameters
        ----------
        doc : PublicDocument

        Returns
        -------
        list of ReleaseState
            The records for which ``doc`` fulfilled a target not fulfilled before, in tracking
            order; empty when it changes nothing.
        """
        changed = []
        for rid, tracked in self._tracked.items():
            got = self._evidence[rid]
            new = [ev for ev in fulfilments(tracked, doc) if ev.target_key not in got]
            for ev in new:
                got[ev.target_key] = ev
            if new:
                changed.append(self.state(rid))
        return changed

    def state(self, record_id: str) -> ReleaseState:
        """A tracked record's state.

        Raises
        ------
        KeyError
            If it is not tracked.
        """
        tracked = self._tracked[record_id]
        got = self._evidence[record_id]
        return ReleaseState(tracked, tuple(got.get(t.key) for t in tracked.targets))

    def states(self) -> list[ReleaseState]:
        """Every tracked record's state, in tracking order."""
        return [self.state(r) for r in self._tracked]

    def proposals(self) -> list[ReleaseState]:
        """The records whose condition is fulfilled for everything they cover."""
        return [s for s in self.states() if s.proposed]
