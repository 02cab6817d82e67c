"""The rules of section 八 of the office's regulation as numbers and lists, each with its source.

:class:`HandlingPolicy` is read from the environment only at the edges (the CLI and the app
call :meth:`HandlingPolicy.from_env`); the service takes it as an argument. The date
arithmetic of the overdue list (:func:`add_months`, :func:`circulation_due`) lives here too,
so that the register, the overdue list and the half-year clean-up count the same way.

Source: the office's regulation (``../shared/seed/regulation-2023.txt``), section 八:
(三) 涉密文件传阅周期一般最长不超过一个月。电报、快件、急件必须快传、快阅、快退。
办公室每半年对涉密文件进行一次清理。(四) 借阅一般涉密文件，由办公室主任批准；调阅部长办公会
记录，需经部长批准。一般不向外单位借阅涉密文件原件。
"""

from __future__ import annotations

import calendar
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

#: Kinds of classified matter a register line may carry (八(一): 文件、电报、刊物、资料 …).
DOCUMENT_KINDS: tuple[str, ...] = ("文件", "电报", "快件", "急件", "刊物", "资料",
                                   "部长办公会记录", "会议纪要")


def add_months(when: datetime, months: int) -> datetime:
    """``when`` plus whole calendar months, the day clipped to the month's length.

    Parameters
    ----------
    when : datetime
        Aware or naive; the result keeps its timezone.
    months : int
        ≥ 0.

    Returns
    -------
    datetime
        E.g. 31 January + 1 month = 28 (or 29) February, same time of day.
    """
    month0 = when.month - 1 + months
    year, month = when.year + month0 // 12, month0 % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class HandlingPolicy:
    """How long a copy may be out, who approves a loan, where the backups are.

    Attributes
    ----------
    circulation_months : int
        A copy in circulation is overdue after this many calendar months (default 1:
        八(三) 传阅周期一般最长不超过一个月).
    urgent_hours : mapping of str to float
        Kinds that must be 快传、快阅、快退 (八(三)) and the hours after which such a copy is
        overdue (default 电报, 快件 and 急件: 24 h each; the regulation names the kinds, not the
        hours: an office setting, ``DINGMI_URGENT_HOURS="电报=24,快件=48,急件=24"``).
    head_kinds : tuple of str
        Kinds whose loan the head of the department (部长) approves (default
        部长办公会记录: 八(四) 调阅部长办公会记录，需经部长批准; ``DINGMI_HEAD_APPROVAL_KINDS``,
        comma separated).
    director_roles, head_roles : tuple of str
        Roles (:class:`classifier.workflow.states.Role` values) that approve as the office
        director (``director``) and as the head (``leading_group``: dingmi has no separate
        部长 account; the leading group is chaired by the deputy head in charge of the office,
        regulation 一(一), and decides for the department's leadership here).
    office : str
        The holder name of a copy kept by the office (办公室) between readers.
    backup_dirs : tuple of str
        Folders that hold backups of the database (``DINGMI_BACKUP_DIRS``, separated by the
        path separator). A destruction lists the backups there that still hold the text.

    Raises
    ------
    ValueError
        If a number is out of range.
    """

    circulation_months: int = 1
    urgent_hours: Mapping[str, float] = field(
        default_factory=lambda: {"电报": 24.0, "快件": 24.0, "急件": 24.0})
    head_kinds: tuple[str, ...] = ("部长办公会记录",)
    director_roles: tuple[str, ...] = ("director",)
    head_roles: tuple[str, ...] = ("leading_group",)
    office: str = "办公室"
    backup_dirs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.circulation_months < 1:
            raise ValueError(f"circulation_months must be ≥ 1, not {self.circulation_months}")
        for kind, hours in self.urgent_hours.items():
            if not hours > 0:
                raise ValueError(f"urgent_hours[{kind!r}] must be > 0, not {hours}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> HandlingPolicy:
        """The policy with ``DINGMI_URGENT_HOURS``, ``DINGMI_HEAD_APPROVAL_KINDS`` and
        ``DINGMI_BACKUP_DIRS`` applied (see the attributes).

        Raises
        ------
        ValueError
            A variable that cannot be read (``电报=abc``).
        """
        env = os.environ if environ is None else environ
        changes: dict[str, Any] = {}
        if env.get("DINGMI_URGENT_HOURS"):
            hours = {}
            for part in env["DINGMI_URGENT_HOURS"].split(","):
                kind, _, value = part.partition("=")
                if kind.strip():
                    hours[kind.strip()] = float(value)
            changes["urgent_hours"] = hours
        if env.get("DINGMI_HEAD_APPROVAL_KINDS"):
            changes["head_kinds"] = tuple(k.strip() for k in
                                          env["DINGMI_HEAD_APPROVAL_KINDS"].split(",") if k.strip())
        if env.get("DINGMI_BACKUP_DIRS"):
            changes["backup_dirs"] = tuple(d for d in env["DINGMI_BACKUP_DIRS"].split(os.pathsep)
                                           if d)
        return replace(cls(), **changes)

    def is_urgent(self, kind: str) -> bool:
        """True for a kind that must be 快传、快阅、快退."""
        return kind in self.urgent_hours

    def circulation_due(self, kind: str, out_at: datetime) -> datetime:
        """When a copy of ``kind`` sent round at ``out_at`` becomes overdue.

        Returns
        -------
        datetime
            ``out_at`` + the kind's hours for an urgent kind, else + ``circulation_months``.
        """
        if self.is_urgent(kind):
            return out_at + timedelta(hours=self.urgent_hours[kind])
        return add_months(out_at, self.circulation_months)

    def needs_head(self, kind: str, *, outside_unit: bool, original: bool) -> bool:
        """Whether a loan needs the head's approval rather than the office director's.

        True for the kinds of :attr:`head_kinds`, and for an original lent to an outside unit
        (八(四): not lent at all, unless the head approves with a recorded reason).
        """
        return kind in self.head_kinds or (outside_unit and original)
