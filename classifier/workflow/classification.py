"""What a person decides: a :class:`Classification`, and the passages they tick.

Source: issue 3 (§3 the classification fields; GB/T 9704 marks); issue 9 (item 8: ticked
passages); issue 12 (item 1: periods by law, a period or condition for every decided secret).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from classifier.catalogue import Catalogue, Level, format_mark
from classifier.documents.rules import check_period
from classifier.errors import InvalidDecisionError, InvalidPassageError


@dataclass(frozen=True)
class Classification:
    """A level with its clause (定密依据) and secrecy period or declassification condition.

    Attributes
    ----------
    level : Level
    clause : str or None
        Catalogue clause id such as ``"4.5"``; required for 秘密, 机密 and 绝密.
    period_years : int or None
        Secrecy period in years, 1 … the level's legal maximum.
    condition : str or None
        Declassification condition, used instead of ``period_years``.
    """

    level: Level
    clause: str | None = None
    period_years: int | None = None
    condition: str | None = None

    @property
    def mark(self) -> str:
        """The marking, e.g. ``机密★20年``; ``""`` for 公开 and 内部."""
        return format_mark(self.level, self.period_years, self.condition)

    def normalized(self, catalogue: Catalogue | None = None, *,
                   require_period: bool = False) -> Classification:
        """Return a checked copy: blanks stripped, the period checked against the law.

        Parameters
        ----------
        catalogue : Catalogue, optional
            When given, the clause must be one of its clauses.
        require_period : bool
            A decision states a secret's period or condition (issue 12, item 1): True refuses
            a secret with neither. False (a drafter's proposal) fills in the level's longest
            period, as the law reads a carrier marked with its level only (law-notes.md,
            "longest periods"); the reviewer then sees it spelled out.

        Raises
        ------
        InvalidDecisionError
            A secret level without a clause, a clause cited for 公开/内部, an unknown clause.
        PeriodRequiredError
            ``require_period`` and a secret with neither a period nor a condition.
        PeriodTooLongError
            A period longer than the law allows for the level (绝密 30, 机密 20, 秘密 10).
        InvalidPeriodError
            Both a period and a condition, a period below one year, an unprintable condition.
        """
        clause = (self.clause or "").strip() or None
        condition = (self.condition or "").strip() or None
        years = self.period_years or None
        if not isinstance(self.level, Level):
            raise InvalidDecisionError(f"密级无效：{self.level!r}")
        if clause is not None and catalogue is not None and clause not in catalogue:
            raise InvalidDecisionError(f"定密依据 {clause} 不在保密事项范围中")
        if not self.level.is_secret:
            if clause is not None:
                raise InvalidDecisionError(
                    f"{self.level.label}不是国家秘密，不应引用保密事项范围条款 {clause} 作为定密依据")
            return Classification(self.level, None, None, None)
        if clause is None:
            raise InvalidDecisionError(f"定为{self.level.label}必须写明定密依据（保密事项范围条款）")
        if years is None and condition is None and not require_period:
            years = self.level.max_period_years  # a bare level means the longest period by law
        period = check_period(self.level, years, condition)
        return Classification(self.level, clause, period.years, period.condition)

    def as_fields(self) -> dict[str, Any]:
        """Columns for the store (level as its label)."""
        return {
            "level": self.level.label,
            "clause": self.clause,
            "period_years": self.period_years,
            "condition": self.condition,
            "mark": self.mark,
        }


#: A passage as given by a caller: ``(start, end)`` or ``{"start": …, "end": …}``.
PassageRange = tuple[int, int] | Mapping[str, int]


def normalize_passages(
    passages: Iterable[PassageRange] | None, text_len: int | None = None,
) -> list[dict[str, int]] | None:
    """Check ticked passages and return them as stored: ``[{"start", "end"}, ...]``.

    Parameters
    ----------
    passages : iterable of (int, int) or of mappings with ``start`` and ``end``, or None
        Offsets into the document's text, end exclusive. ``None`` means no passage labels.
    text_len : int, optional
        Length of the document's text; when given, every range must lie inside it.

    Returns
    -------
    list of dict or None
        Sorted by offsets, duplicates removed; ``None`` when ``passages`` is None.

    Raises
    ------
    InvalidPassageError
        A range that is not two whole numbers with ``0 <= start < end`` (``<= text_len``).
    """
    if passages is None:
        return None
    if isinstance(passages, str | bytes | Mapping):
        raise InvalidPassageError("段落应为若干（起点, 终点）范围的列表")
    out: set[tuple[int, int]] = set()
    for p in passages:
        try:
            start, end = (p["start"], p["end"]) if isinstance(p, Mapping) else p
        except (KeyError, TypeError, ValueError):
            raise InvalidPassageError(
                f"段落范围 {p!r} 无效，应为起点和终点两个整数") from None
        if type(start) is not int or type(end) is not int:
            raise InvalidPassageError(f"段落范围 {start!r}:{end!r} 无效，起点和终点应为整数")
        if start < 0 or start >= end:
            raise InvalidPassageError(f"段落范围 {start}:{end} 无效，应满足 0 ≤ 起点 < 终点")
        if text_len is not None and end > text_len:
            raise InvalidPassageError(
                f"段落范围 {start}:{end} 超出文稿（全文共 {text_len} 个字符），请刷新后重新勾选")
        out.add((start, end))
    return [{"start": a, "end": b} for a, b in sorted(out)]
