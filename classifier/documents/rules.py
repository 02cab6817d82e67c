"""Pure rules of a classification decision: periods, authority, routing, register numbers.

No database and no I/O: the workflow calls these inside its transactions, and the tests call
them directly.

Source: issue 12 (items 1, 4 and 5); ../shared/docs/law-notes.md (longest periods, when a
period starts, 定密权限, unclear matters); the office regulation, section 五.
"""

from __future__ import annotations

import calendar
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from classifier.catalogue import Catalogue, Clause, Level
from classifier.errors import (
    InvalidDecisionError,
    InvalidPeriodError,
    InvalidRegisterPatternError,
    PeriodRequiredError,
    PeriodTooLongError,
)

#: The longest secrecy period by law, years, for each state-secret level.
#: Source: the Law on Guarding State Secrets (law-notes.md, "longest periods": 绝密 ≤ 30 years,
#: 机密 ≤ 20, 秘密 ≤ 10, unless specially provided); the same numbers as
#: :attr:`classifier.catalogue.Level.max_period_years`, which this table is built from.
MAX_PERIOD_YEARS: Mapping[Level, int] = MappingProxyType(
    {lv: lv.max_period_years for lv in Level if lv.max_period_years is not None})

#: Longest declassification condition printed after ★, characters (it must fit on the line
#: of the mark: 156 mm 版心 at 3号 = 16 pt holds 28 characters; GB/T 9704-2012 §5.2.3).
MAX_CONDITION_CHARS = 24

#: Why a decision goes to the leading group (returned by :func:`needs_leading_group`).
ABOVE_CLAUSE_LEVEL = "above_clause_level"
BELOW_CLAUSE_LEVEL_WITHOUT_REASON = "below_clause_level_without_reason"
CATCH_ALL_CLAUSE = "catch_all_clause"
DRAFTER_DISAGREES = "drafter_disagrees"
LEADING_GROUP_REASONS: tuple[str, ...] = (
    ABOVE_CLAUSE_LEVEL, BELOW_CLAUSE_LEVEL_WITHOUT_REASON, CATCH_ALL_CLAUSE, DRAFTER_DISAGREES)

#: Chinese labels of the reasons above, for the app and the CLI.
LEADING_GROUP_REASON_LABELS: Mapping[str, str] = MappingProxyType({
    ABOVE_CLAUSE_LEVEL: "密级高于定密依据条款规定的密级",
    BELOW_CLAUSE_LEVEL_WITHOUT_REASON: "密级低于定密依据条款规定的密级，且未说明理由",
    CATCH_ALL_CLAUSE: "依据“其它保密事项”条款，属于是否属于国家秘密或属于何种密级不明确的事项",
    DRAFTER_DISAGREES: "审核意见与承办人拟定密级不一致（有争议的事项）",
})

#: The default register-number pattern (issue 12, item 4).
DEFAULT_REGISTER_PATTERN = "组密〔{year}〕{seq:04d}号"


@dataclass(frozen=True)
class Period:
    """A checked secrecy period: exactly one of ``years`` and ``condition`` for a secret,
    neither for 公开/内部."""

    years: int | None = None
    condition: str | None = None

    @property
    def is_open(self) -> bool:
        """True when the period ends on a condition (no end date can be computed)."""
        return self.condition is not None


def check_period(level: Level, years: int | None, condition: str | None) -> Period:
    """Check a secrecy period or declassification condition against the law.

    Parameters
    ----------
    level : Level
        The decided level.
    years : int or None
        Secrecy period in whole years, 1 … :data:`MAX_PERIOD_YEARS` [level]. ``0`` counts as
        not given (the catalogue writes 0 where a condition applies).
    condition : str or None
        Declassification condition (解密条件), e.g. ``"考试结束后"``; blank counts as not given.
        At most :data:`MAX_CONDITION_CHARS` characters, with no ★ and no line break.

    Returns
    -------
    Period
        ``Period(years, None)`` or ``Period(None, condition)`` (stripped) for a secret;
        ``Period()`` for 公开/内部.

    Raises
    ------
    PeriodRequiredError
        A secret with neither a period nor a condition.
    PeriodTooLongError
        ``years`` above the level's legal maximum.
    InvalidPeriodError
        A period or condition on 公开/内部; both a period and a condition; ``years`` not a
        whole number ≥ 1; a condition with ★, a line break, or too long to print.

    Notes
    -----
    Source: law-notes.md, "longest periods" (绝密 ≤ 30, 机密 ≤ 20, 秘密 ≤ 10 years, the Law)
    and "period forms" ("密级★N年" or "密级★解密条件"; a condition where no period can be
    fixed); "a period or condition is required for every secret" is issue 12, item 1. A
    bare printed level is read as the longest period (law-notes), but a decision states one.
    Periods under a year (counted in months by law) are not supported: give a condition.
    """
    text = (condition or "").strip() or None
    if years is not None and (isinstance(years, bool) or not isinstance(years, int)):
        raise InvalidPeriodError(f"保密期限应为整数年，收到 {years!r}")
    n = years or None
    if not level.is_secret:
        if n is not None or text is not None:
            raise InvalidPeriodError(
                f"{level.label}不是国家秘密，不设保密期限或解密条件")
        return Period()
    if n is None and text is None:
        raise PeriodRequiredError(
            f"定为{level.label}必须写明保密期限（年）或解密条件")
    if n is not None and text is not None:
        raise InvalidPeriodError("保密期限与解密条件只能填写一项（密级★期限 或 密级★解密条件）")
    if n is not None:
        longest = MAX_PERIOD_YEARS[level]
        if n < 1:
            raise InvalidPeriodError(f"保密期限应为 1–{longest} 年，收到 {n} 年")
        if n > longest:
            raise PeriodTooLongError(
                f"{level.label}的保密期限最长 {longest} 年（保守国家秘密法），收到 {n} 年")
        return Period(years=n)
    assert text is not None
    if "★" in text or "\n" in text or "\r" in text:
        raise InvalidPeriodError(f"解密条件不能含有“★”或换行：{text!r}")
    if len(text) > MAX_CONDITION_CHARS:
        raise InvalidPeriodError(
            f"解密条件过长（{len(text)} 字），应不超过 {MAX_CONDITION_CHARS} 字，以便印在密级标志中")
    return Period(condition=text)


def authority_allows(level: Level, authority_max_level: Level) -> bool:
    """Whether the office may make ``level`` final itself (定密权限).

    Parameters
    ----------
    level : Level
        The level to be decided.
    authority_max_level : Level
        The highest level the office may classify (its configured ``authority_max_level``;
        a city-level department: 机密).

    Returns
    -------
    bool
        True for 公开, 内部 and any secret level at or below ``authority_max_level``. False
        means: handle the matter at once at the proposed level and report it to a superior
        with the authority ("报请上级定密").

    Raises
    ------
    InvalidDecisionError
        ``authority_max_level`` is not a state-secret level (an office with 定密权限 may
        classify at least 秘密).

    Notes
    -----
    Source: law-notes.md, "authority (定密权限)": central and provincial organs up to 绝密,
    organs of a city with districts up to 机密 (国家秘密定密管理规定 2025, art. 11); a matter
    above one's authority is protected at once and reported. Derived classification (派生定密)
    is not limited by authority; the workflow must not call this for it.
    """
    if not authority_max_level.is_secret:
        raise InvalidDecisionError(
            f"定密权限应为秘密、机密或绝密，收到 {authority_max_level.label}")
    return not level.is_secret or level <= authority_max_level


def needs_leading_group(
    level: Level,
    clause: str | Clause | None,
    catalogue: Catalogue,
    reason_code: str | None,
    drafter_level: Level | None,
) -> tuple[str, ...]:
    """Why a decision must go to the leading group instead of being settled by the director.

    Parameters
    ----------
    level : Level
        The level the director would decide.
    clause : str, Clause or None
        The cited clause (定密依据), by id or as the catalogue's clause; None for 公开/内部
        decided with no clause.
    catalogue : Catalogue
        The scope catalogue the clause belongs to.
    reason_code : str or None
        The director's stated reason for a level below the clause's level (any non-blank code
        counts; the workflow defines the list).
    drafter_level : Level or None
        The drafter's proposed level (拟定密级); None when there was no proposal.

    Returns
    -------
    tuple of str
        Reasons from :data:`LEADING_GROUP_REASONS`, in that order; empty when the director may
        decide alone. Labels in :data:`LEADING_GROUP_REASON_LABELS`.

    Raises
    ------
    InvalidDecisionError
        A clause not in ``catalogue``, or a secret level with no clause (every decision cites
        one).

    Notes
    -----
    Source: issue 12, item 1; the office regulation 五(三) (是否属于国家秘密和属于何种密级不确定
    或有争议的事项，报部机关保密领导小组予以确定); law-notes.md, "unclear or disputed
    matters". A level above the clause's, clause 4.12 (其它保密事项, no level of its own) and
    a drafter–director disagreement are "unclear or disputed"; a level below the clause's is
    allowed with a reason, as over-classification is an error too (law-notes, "minimal and
    precise"). 定密权限 is checked separately (:func:`authority_allows`).
    """
    if clause is None:
        if level.is_secret:
            raise InvalidDecisionError(f"定为{level.label}必须写明定密依据（保密事项范围条款）")
        found: Clause | None = None
    else:
        cid = clause.id if isinstance(clause, Clause) else str(clause).strip()
        if cid not in catalogue:
            raise InvalidDecisionError(f"定密依据 {cid} 不在保密事项范围中")
        found = catalogue.get(cid)
    reasons: list[str] = []
    if found is not None:
        if found.level is None:
            reasons.append(CATCH_ALL_CLAUSE)
        elif level > found.level:
            reasons.append(ABOVE_CLAUSE_LEVEL)
        elif level < found.level and not (reason_code or "").strip():
            reasons.append(BELOW_CLAUSE_LEVEL_WITHOUT_REASON)
    if drafter_level is not None and drafter_level != level:
        reasons.append(DRAFTER_DISAGREES)
    order = {r: i for i, r in enumerate(LEADING_GROUP_REASONS)}
    return tuple(sorted(reasons, key=order.__getitem__))


_PATTERN_FIELDS = frozenset({"year", "seq"})


def check_register_pattern(pattern: str) -> str:
    """Check a register-number pattern and return it.

    Parameters
    ----------
    pattern : str
        A :meth:`str.format` pattern with exactly the fields ``{year}`` and ``{seq}`` (with an
        optional format spec such as ``{seq:04d}``), e.g. :data:`DEFAULT_REGISTER_PATTERN`.

    Returns
    -------
    str
        ``pattern`` unchanged.

    Raises
    ------
    InvalidRegisterPatternError
        Broken braces, an unknown field, a missing ``{year}`` or ``{seq}`` (numbers are
        sequential per year: without the year they would repeat), or a conversion (``!r``).

    Notes
    -----
    Source: issue 12, item 4 (configurable pattern, sequential per year, never reused).
    """
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as e:
        raise InvalidRegisterPatternError(f"登记编号格式 {pattern!r} 无效：{e}") from None
    names = [name for _, name, _, _ in parts if name is not None]
    unknown = sorted(set(names) - _PATTERN_FIELDS)
    if unknown or any(conv for _, name, _, conv in parts if name is not None):
        raise InvalidRegisterPatternError(
            f"登记编号格式 {pattern!r} 只能使用 {{year}} 和 {{seq}}，"
            f"收到 {', '.join('{' + n + '}' for n in unknown) or '转换符'}")
    for need in ("year", "seq"):
        if names.count(need) != 1:
            raise InvalidRegisterPatternError(
                f"登记编号格式 {pattern!r} 应含且只含一个 {{{need}}}（编号按年度顺序编排，不得重复）")
    try:
        pattern.format(year=2026, seq=1)
    except (ValueError, TypeError) as e:
        raise InvalidRegisterPatternError(f"登记编号格式 {pattern!r} 无效：{e}") from None
    return pattern


def format_register_number(year: int, seq: int, pattern: str = DEFAULT_REGISTER_PATTERN) -> str:
    """Format a register number (登记编号), e.g. ``组密〔2026〕0012号``.

    Parameters
    ----------
    year : int
        The year of the decision, 1900 … 9999.
    seq : int
        The sequence number within ``year``, ≥ 1 (allocated by the store, never reused).
    pattern : str
        See :func:`check_register_pattern`.

    Returns
    -------
    str

    Raises
    ------
    InvalidRegisterPatternError
        A bad pattern, year or sequence number.

    Notes
    -----
    Source: issue 12, item 4; regulation 八(一) (涉密文件……必须认真登记、编号).

    Examples
    --------
    >>> format_register_number(2026, 12)
    '组密〔2026〕0012号'
    """
    check_register_pattern(pattern)
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9999:
        raise InvalidRegisterPatternError(f"登记编号的年度无效：{year!r}")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise InvalidRegisterPatternError(f"登记编号的序号应为正整数，收到 {seq!r}")
    return pattern.format(year=year, seq=seq)


def parse_register_number(number: str, pattern: str = DEFAULT_REGISTER_PATTERN) -> tuple[int, int]:
    """Read ``(year, seq)`` back from a register number written with ``pattern``.

    Returns
    -------
    tuple of (int, int)

    Raises
    ------
    InvalidRegisterPatternError
        A bad pattern, or ``number`` not written with it.

    Examples
    --------
    >>> parse_register_number("组密〔2026〕0012号")
    (2026, 12)
    """
    check_register_pattern(pattern)
    regex = ""
    for literal, name, _spec, _conv in string.Formatter().parse(pattern):
        regex += re.escape(literal)
        if name is not None:
            regex += rf"(?P<{name}>\d+)"
    m = re.fullmatch(regex, number.strip())
    if m is None:
        raise InvalidRegisterPatternError(f"{number!r} 不是按 {pattern!r} 编排的登记编号")
    return int(m["year"]), int(m["seq"])


def period_end(date_of_issue: date, years: int) -> date:
    """The last day of a secrecy period of ``years`` counted from the date of issue.

    Parameters
    ----------
    date_of_issue : datetime.date
        The date of issue (制发日) recorded with the final decision; where a document carries
        none, the day those who know were notified.
    years : int
        The period, whole years ≥ 1.

    Returns
    -------
    datetime.date
        The same month and day ``years`` later (28 February for a 29 February with no match):
        the matter is secret through this day and declassified by itself from the next.

    Raises
    ------
    InvalidPeriodError
        ``years`` not a whole number ≥ 1.

    Notes
    -----
    Source: law-notes.md, "when a period starts" (from the date of issue marked on the
    document; implementing regulations) and "declassification" (automatic when the period
    ends; regulation 五(五)1 自行解密). The day is counted as the Civil Code counts periods
    in years (民法典 arts. 201–202: the first day is not counted; the period ends on the
    corresponding day of the last year, or the last day of that month where there is none).

    Examples
    --------
    >>> period_end(date(2026, 3, 1), 10)
    datetime.date(2036, 3, 1)
    >>> period_end(date(2028, 2, 29), 1)
    datetime.date(2029, 2, 28)
    """
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise InvalidPeriodError(f"保密期限应为正整数年，收到 {years!r}")
    year = date_of_issue.year + years
    day = min(date_of_issue.day, calendar.monthrange(year, date_of_issue.month)[1])
    return date(year, date_of_issue.month, day)
