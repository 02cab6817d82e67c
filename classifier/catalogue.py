"""The scope catalogue (保密事项范围) as validated data, and the level scale.

Source: section 四 of the office regulation (2023年保密工作规章制度); defaults in
../shared/docs/catalogue-default.md; period maxima from the 保守国家秘密法 (绝密 ≤ 30 years,
机密 ≤ 20, 秘密 ≤ 10); marking format from GB/T 9704-2012 (密级★保密期限).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

from classifier.errors import CatalogueError


class Level(IntEnum):
    """Levels in the regulation's order: 公开 < 内部 < 秘密 < 机密 < 绝密.

    Pinyin member names on purpose (house style §4.3): English translations of 机密/秘密
    disagree between sources, and an off-by-one level is the mistake this tool prevents.
    """

    GONGKAI = 0
    NEIBU = 1
    MIMI = 2
    JIMI = 3
    JUEMI = 4

    @property
    def label(self) -> str:
        """The Chinese name, e.g. ``"机密"``."""
        return _LABELS[self]

    @property
    def is_secret(self) -> bool:
        """True for the three state-secret levels (秘密, 机密, 绝密)."""
        return self >= Level.MIMI

    @property
    def max_period_years(self) -> int | None:
        """Longest secrecy period by law, years (None for 公开/内部).

        Source: 保守国家秘密法 (绝密 30, 机密 20, 秘密 10 years); a bare printed level
        means this longest period.
        """
        return {Level.MIMI: 10, Level.JIMI: 20, Level.JUEMI: 30}.get(self)

    @classmethod
    def from_label(cls, label: str) -> Level:
        """Parse ``"公开"`` … ``"绝密"``.

        Raises
        ------
        ValueError
            If ``label`` is not one of the five level names.
        """
        try:
            return _BY_LABEL[label.strip()]
        except KeyError:
            raise ValueError(f"unknown level {label!r}; expected one of {LEVEL_LABELS}") from None


_LABELS = {
    Level.GONGKAI: "公开",
    Level.NEIBU: "内部",
    Level.MIMI: "秘密",
    Level.JIMI: "机密",
    Level.JUEMI: "绝密",
}
_BY_LABEL = {v: k for k, v in _LABELS.items()}
LEVEL_LABELS: tuple[str, ...] = tuple(_LABELS[lv] for lv in Level)


def format_mark(level: str | Level, years: int | None = None, condition: str | None = None) -> str:
    """Format a marking (密级标志) such as ``"机密★20年"`` or ``"机密★考试结束后"``.

    Parameters
    ----------
    level : str or Level
        The level; 公开 and 内部 carry no state-secret mark (returns ``""``).
    years : int, optional
        Secrecy period in years (> 0).
    condition : str, optional
        Declassification condition, used when ``years`` is not given.

    Returns
    -------
    str
        ``"<level>★<period>"``, or ``"<level>"`` alone when neither is given.

    Notes
    -----
    Source: GB/T 9704-2012 §7.2.3 (密级和保密期限, separated by ★).
    """
    lv = Level.from_label(level) if isinstance(level, str) else level
    if not lv.is_secret:
        return ""
    if years:
        return f"{lv.label}★{int(years)}年"
    if condition:
        return f"{lv.label}★{condition}"
    return lv.label


@dataclass(frozen=True)
class Clause:
    """One clause of the scope catalogue.

    Attributes
    ----------
    id : str
        ``"4.1"`` … ``"4.12"`` (strings: ``float("4.10") == float("4.1")``).
    title, text : str
        Short title and the clause as the regulation writes it (定密依据).
    level : Level or None
        Default level; None for a clause with no automatic level (4.12).
    period_years : int or None
        Default secrecy period in years; None when a declassification condition applies.
    condition : str or None
        Declassification condition (解密条件), e.g. ``"考试结束后"``.
    cues, qualifiers, counter_cues : tuple of str
        Terms pointing to the clause; terms that make it secret-in-progress; terms that say
        the matter is public. Qualifiers and counter-cues include the catalogue-wide ones.
    """

    id: str
    title: str
    text: str
    level: Level | None
    period_years: int | None
    condition: str | None
    cues: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()
    counter_cues: tuple[str, ...] = ()

    @property
    def mark(self) -> str:
        """The default marking for this clause, e.g. ``"秘密★10年"`` (``""`` for 4.12)."""
        return format_mark(self.level, self.period_years, self.condition) if self.level else ""

    @property
    def is_catch_all(self) -> bool:
        """True for a clause with no automatic level (4.12, 其它保密事项)."""
        return self.level is None


@dataclass(frozen=True)
class Catalogue:
    """A validated scope catalogue.

    Attributes
    ----------
    version : str
        Catalogue version, stored on every suggestion.
    clauses : tuple of Clause
        In file order.
    """

    version: str
    name: str
    clauses: tuple[Clause, ...]
    source: str = ""
    path: Path | None = None
    _by_id: dict[str, Clause] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_id.update({c.id: c for c in self.clauses})

    def get(self, clause_id: str) -> Clause:
        """Return the clause with this id.

        Raises
        ------
        KeyError
            If no clause has that id.
        """
        return self._by_id[clause_id]

    def __contains__(self, clause_id: object) -> bool:
        return clause_id in self._by_id

    @property
    def ids(self) -> tuple[str, ...]:
        """Clause ids in file order."""
        return tuple(c.id for c in self.clauses)

    @property
    def catch_all(self) -> Clause | None:
        """The clause with no automatic level (4.12), if the catalogue has one."""
        return next((c for c in self.clauses if c.is_catch_all), None)

    def terms(self) -> set[str]:
        """Every cue, qualifier and counter-cue of every clause (for the user dictionary)."""
        out: set[str] = set()
        for c in self.clauses:
            out.update(c.cues, c.qualifiers, c.counter_cues)
        return out


_CLAUSE_ID = re.compile(r"^\d+(\.\d+)*$")
_CLAUSE_KEYS = {"id", "title", "text", "level", "period_years", "condition", "cues", "qualifiers",
                "counter_cues"}


def _line_of(raw: str, pattern: str, start_line: int = 1) -> int:
    """1-based line of the first line at or after ``start_line`` matching ``pattern`` (regex)."""
    rx = re.compile(pattern)
    lines = raw.splitlines()
    for i in range(max(start_line - 1, 0), len(lines)):
        if rx.search(lines[i]):
            return i + 1
    return start_line


def load_catalogue(path: Path | str) -> Catalogue:
    """Load and validate a scope catalogue from TOML.

    Parameters
    ----------
    path : path-like
        A TOML file with ``version``, optional ``name``, ``qualifiers``, ``counter_cues`` and
        ``[[clause]]`` tables (see ``corpus/catalogue.toml``).

    Returns
    -------
    Catalogue

    Raises
    ------
    CatalogueError
        If the file is missing, is not valid TOML, or a value is missing or wrong; the
        message names the key and the line (e.g. ``第42行 clause[3].level``).

    Notes
    -----
    Source: section 四 of the office regulation; levels/periods from
    ../shared/docs/catalogue-default.md.
    """
    p = Path(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogueError(f"找不到保密事项范围文件 {p}", path=p) from None
    except (OSError, UnicodeDecodeError) as e:
        raise CatalogueError(f"无法读取保密事项范围文件 {p}：{e}", path=p) from e
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as e:
        raise CatalogueError(f"{p.name} 不是有效的 TOML：{e}", path=p) from e

    def fail(key: str, msg: str, line: int) -> CatalogueError:
        return CatalogueError(f"{p.name} 第{line}行 {key}：{msg}", path=p)

    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise fail("version", "缺少或不是字符串（目录必须带版本号）", _line_of(raw, r"^\s*version\s*="))
    g_qual = _str_list(data.get("qualifiers", []), "qualifiers", raw, fail)
    g_counter = _str_list(data.get("counter_cues", []), "counter_cues", raw, fail)
    items = data.get("clause")
    if not isinstance(items, list) or not items:
        raise fail("clause", "至少需要一个 [[clause]] 条目", _line_of(raw, r"^\s*\[\[clause\]\]"))

    clauses: list[Clause] = []
    seen: set[str] = set()
    block_line = 1
    for i, item in enumerate(items):
        block_line = _line_of(raw, r"^\s*\[\[clause\]\]", block_line + (1 if i else 0))

        def where(key: str, _i: int = i, _b: int = block_line) -> tuple[str, int]:
            return f"clause[{_i + 1}].{key}", _line_of(raw, rf"^\s*{key}\s*=", _b)

        unknown = set(item) - _CLAUSE_KEYS
        if unknown:
            k = sorted(unknown)[0]
            raise fail(*where(k)[:1], "未知的键", where(k)[1])
        for key in ("id", "title", "text", "level"):
            if key not in item:
                raise fail(f"clause[{i + 1}].{key}", "缺少必填项", block_line)
            if not isinstance(item[key], str):
                raise fail(*_swap(where(key), "应为字符串"))
        cid = item["id"].strip()
        if not _CLAUSE_ID.match(cid):
            raise fail(*_swap(where("id"), f"条款编号 {cid!r} 格式不对，应如 \"4.5\""))
        if cid in seen:
            raise fail(*_swap(where("id"), f"条款编号 {cid} 重复"))
        seen.add(cid)
        level_s = item["level"].strip()
        level: Level | None = None
        if level_s:
            try:
                level = Level.from_label(level_s)
            except ValueError:
                raise fail(*_swap(where("level"), f"密级 {level_s!r} 无效，应为 秘密/机密/绝密 或留空")) from None
            if not level.is_secret:
                raise fail(*_swap(where("level"), "保密事项的密级应为 秘密、机密 或 绝密"))
        years = item.get("period_years", 0)
        if not isinstance(years, int) or isinstance(years, bool) or years < 0:
            raise fail(*_swap(where("period_years"), "保密期限应为非负整数（年）"))
        if level is not None and years and years > (level.max_period_years or 0):
            raise fail(*_swap(where("period_years"),
                              f"{level.label}的保密期限不得超过{level.max_period_years}年"))
        condition = item.get("condition", "")
        if not isinstance(condition, str):
            raise fail(*_swap(where("condition"), "解密条件应为字符串"))
        cues = _str_list(item.get("cues", []), f"clause[{i + 1}].cues", raw, fail, block_line)
        quals = _str_list(item.get("qualifiers", []), f"clause[{i + 1}].qualifiers", raw, fail, block_line)
        counters = _str_list(item.get("counter_cues", []), f"clause[{i + 1}].counter_cues", raw, fail,
                             block_line)
        clauses.append(Clause(
            id=cid,
            title=item["title"].strip(),
            text=item["text"].strip(),
            level=level,
            period_years=years or None,
            condition=condition.strip() or None,
            cues=tuple(dict.fromkeys(cues)),
            qualifiers=tuple(dict.fromkeys([*quals, *g_qual])),
            counter_cues=tuple(dict.fromkeys([*counters, *g_counter])),
        ))
    return Catalogue(version=version.strip(), name=str(data.get("name", "")), clauses=tuple(clauses),
                     source=str(data.get("source", "")), path=p)


def _swap(where: tuple[str, int], msg: str) -> tuple[str, str, int]:
    return where[0], msg, where[1]


def _str_list(value: object, key: str, raw: str, fail: Any, start: int = 1) -> list[str]:
    short = key.rsplit(".", 1)[-1]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(key, "应为非空字符串列表", _line_of(raw, rf"^\s*{short}\s*=", start))
    return [v.strip() for v in value]
