"""The leading group's overview (定密概况, issue 14 §6): counts, what waits, what falls due.

Counts of the settled documents by level, clause and month; what waits for the director
(pending) and for the leading group (escalated), and what has waited too long (overdue);
secrets whose period ends soon (due for declassification); the changes people made to
proposals, with their reasons. Exported as an XLSX workbook (openpyxl), one sheet per table.

Source: issue 14 §6; ../shared/docs/law-notes.md ("unclear or disputed matters": the older
rule gave 10 working days each way; "declassification": automatic when the period ends).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

import numpy as np

from classifier.catalogue import LEVEL_LABELS, Level
from classifier.documents.rules import period_end
from classifier.store import DocumentSummary
from classifier.workflow.oversight import oversight_reader
from classifier.workflow.reads import WorkflowReads
from classifier.workflow.reasons import ReasonCode
from classifier.workflow.register import format_time, sheets_xlsx
from classifier.workflow.states import ACTION_LABELS, Action, Status

#: Working days a proposal or an escalated matter may wait before it is overdue (the 2014
#: rules on unclear matters gave 10 working days each way; law-notes.md).
OVERDUE_WORKING_DAYS = 10
#: Days ahead in which a secrecy period's end counts as due for declassification.
DUE_WITHIN_DAYS = 90


@dataclass(frozen=True)
class Waiting:
    """A document waiting for a person.

    Attributes
    ----------
    id : int
    filename : str
    status : str
        ``proposed`` (for the director) or ``escalated`` (for the leading group).
    since : datetime
        When it started waiting (the proposal; for an escalated matter, the escalation).
    working_days : int
        Working days (Monday to Friday) waited so far.
    drafter : str
    """

    id: int
    filename: str
    status: str
    since: datetime
    working_days: int
    drafter: str


@dataclass(frozen=True)
class DueItem:
    """A secret whose secrecy period ends soon (or has ended).

    Attributes
    ----------
    id : int
    filename : str
    level : str
    clause : str or None
    years : int
    start : datetime.date
        The day counted from: the date of issue (制发日) recorded with the decision, else the
        final decision's date.
    end : datetime.date
        The last day of the period: as recorded with the decision, else
        :func:`classifier.documents.rules.period_end` from ``start``.
    days_left : int
        Days from today to ``end``; negative when the period has already ended.
    """

    id: int
    filename: str
    level: str
    clause: str | None
    years: int
    start: date
    end: date
    days_left: int


@dataclass(frozen=True)
class Change:
    """A final decision that changed the drafter's proposal (an override or the leading
    group's decision), with its reason.

    Attributes
    ----------
    id : int
    filename : str
    kind : str
        ``override`` or ``decide``.
    proposed, decided : str
        ``"机密 4.3"`` style labels.
    direction : str
        ``up`` (a higher level than proposed), ``down`` or ``clause`` (same level).
    by : str
    at : datetime or None
    reason : str
        The free text.
    reason_code : str or None
        The coded reason (:class:`~classifier.workflow.reasons.ReasonCode` value), if given.
    reason_codes : tuple of str
        Every coded reason given (issue 14 §1), the first being ``reason_code``.
    """

    id: int
    filename: str
    kind: str
    proposed: str
    decided: str
    direction: str
    by: str
    at: datetime | None
    reason: str
    reason_code: str | None = None
    reason_codes: tuple[str, ...] = ()

    @property
    def reason_label(self) -> str:
        """The coded reasons in Chinese, joined with “、” (empty without one)."""
        if self.reason_codes:
            return "、".join(_reason_label(c) for c in self.reason_codes)
        return _reason_label(self.reason_code)


@dataclass(frozen=True)
class Overview:
    """The figures of the overview page (see :func:`overview`).

    Attributes
    ----------
    today : datetime.date
    total : int
        Documents in the register.
    by_status : dict of str to int
        Status value → documents, in workflow order.
    by_level : dict of str to int
        Level label → settled documents, 公开 to 绝密 (every level present, maybe 0).
    by_clause : dict of str to int
        Clause id (or 公开/内部) → settled documents, levels first then clauses numerically.
    by_month : list of (str, str, int)
        (``"YYYY-MM"`` of the final decision, level label, documents), oldest month first.
    pending, escalated : list of Waiting
        Waiting for the director, and for the leading group, oldest first.
    overdue : list of Waiting
        Those of both that waited more than :data:`OVERDUE_WORKING_DAYS` working days.
    due : list of DueItem
        Secrets whose period ends within :data:`DUE_WITHIN_DAYS` days or has ended,
        soonest first.
    with_condition : int
        Settled secrets that end on a declassification condition instead of a period.
    changes : list of Change
        Final decisions that changed the proposal, newest first.
    reasons : list of (str, str, int)
        (decided clause label, coded reason in Chinese, decisions) over the overrides and
        leading-group decisions that carry a reason code: the recurring reasons per clause,
        most frequent first.
    """

    today: date
    total: int
    by_status: dict[str, int]
    by_level: dict[str, int]
    by_clause: dict[str, int]
    by_month: list[tuple[str, str, int]]
    pending: list[Waiting]
    escalated: list[Waiting]
    overdue: list[Waiting]
    due: list[DueItem]
    with_condition: int
    changes: list[Change]
    reasons: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def settled(self) -> int:
        """Documents with a final decision."""
        return sum(self.by_level.values())


def _label(level: str | None, clause: str | None) -> str:
    return f"{level or '—'} {clause or ''}".strip()


def _clause_key(label: str) -> tuple[int, tuple[int, ...], str]:
    if label in LEVEL_LABELS:
        return (0, (int(Level.from_label(label)),), label)
    return (1, tuple(int(x) for x in label.split(".") if x.isdigit()), label)


def _reason_label(code: str | None) -> str:
    if not code:
        return ""
    try:
        return ReasonCode(code).label
    except ValueError:
        return code


def _working_days(start: date, end: date) -> int:
    return int(np.busday_count(start, end)) if end > start else 0


def _waiting(s: DocumentSummary, today: date) -> Waiting:
    since = s.decided_at if s.status == Status.ESCALATED.value and s.decided_at else (
        s.proposed_at or s.uploaded_at)
    return Waiting(s.id, s.filename, s.status, since,
                   _working_days(since.astimezone().date(), today), s.drafter_name or "—")


def _change(s: DocumentSummary) -> Change | None:
    if s.decision_kind not in (Action.OVERRIDE.value, Action.DECIDE.value):
        return None
    if s.level is None or s.proposed_level is None:
        return None
    if (s.level, s.clause) == (s.proposed_level, s.proposed_clause):
        return None
    new, old = Level.from_label(s.level), Level.from_label(s.proposed_level)
    direction = "up" if new > old else "down" if new < old else "clause"
    return Change(s.id, s.filename, s.decision_kind, _label(s.proposed_level, s.proposed_clause),
                  _label(s.level, s.clause), direction, s.decided_by or "—", s.decided_at,
                  s.decision_reason or "")


def overview(reads: WorkflowReads, reader_id: int, *, today: date | None = None,
             overdue_working_days: int = OVERDUE_WORKING_DAYS,
             due_within_days: int = DUE_WITHIN_DAYS) -> Overview:
    """The leading group's overview of the register.

    Parameters
    ----------
    reads : WorkflowReads
    reader_id : int
        A director or the leading group.
    today : datetime.date, optional
        Default: today's local date.
    overdue_working_days : int
        See :data:`OVERDUE_WORKING_DAYS`.
    due_within_days : int
        See :data:`DUE_WITHIN_DAYS`.

    Returns
    -------
    Overview

    Raises
    ------
    PermissionDeniedError
        The reader's role may not read oversight figures.
    """
    oversight_reader(reads.store, reader_id)
    today = today or datetime.now().astimezone().date()
    rows = reads.store.summaries(order="proposed")
    status_n = Counter(s.status for s in rows)
    final = [s for s in rows if Status(s.status).is_final and s.level in LEVEL_LABELS]
    by_level = {lb: 0 for lb in LEVEL_LABELS}
    by_level.update(Counter(s.level for s in final if s.level))
    clause_n = Counter(s.clause if Level.from_label(s.level or "公开").is_secret and s.clause
                       else (s.level or "") for s in final)
    month_n = Counter((s.decided_at.astimezone().strftime("%Y-%m"), s.level or "")
                      for s in final if s.decided_at)
    months = sorted(month_n, key=lambda k: (k[0], int(Level.from_label(k[1]))))
    pending = [_waiting(s, today) for s in rows if s.status == Status.PROPOSED.value]
    escalated = [_waiting(s, today) for s in rows if s.status == Status.ESCALATED.value]
    overdue = sorted((w for w in pending + escalated if w.working_days > overdue_working_days),
                     key=lambda w: w.since)
    due = []
    for s in final:
        if not Level.from_label(s.level or "公开").is_secret or not s.period_years:
            continue
        start = s.issued_on or (s.decided_at or s.uploaded_at).astimezone().date()
        end = s.period_ends_on or period_end(start, s.period_years)
        if end <= today + timedelta(days=due_within_days):
            due.append(DueItem(s.id, s.filename, s.level or "", s.clause, s.period_years,
                               start, end, (end - today).days))
    due.sort(key=lambda d: (d.end, d.id))
    with_condition = sum(1 for s in final if Level.from_label(s.level or "公开").is_secret
                         and not s.period_years and s.condition)
    latest = {d.document_id: d for d in reads.store.decisions()}
    changes = [replace(c, reason_code=getattr(latest.get(c.id), "reason_code", None),
                       reason_codes=tuple(getattr(latest.get(c.id), "reason_codes", None) or ()))
               for c in (_change(s) for s in rows) if c is not None]
    reason_n = Counter(
        (d.clause if d.level and Level.from_label(d.level).is_secret and d.clause
         else d.level or "—", _reason_label(code))
        for d in latest.values()
        if d.kind in (Action.OVERRIDE.value, Action.DECIDE.value) and d.reason_code
        for code in (d.reason_codes or [d.reason_code]))
    changes.sort(key=lambda c: (c.at or datetime.min.astimezone(), c.id), reverse=True)
    return Overview(
        today=today, total=len(rows),
        by_status={st.value: status_n[st.value] for st in Status if status_n[st.value]},
        by_level=by_level,
        by_clause={k: clause_n[k] for k in sorted(clause_n, key=_clause_key)},
        by_month=[(m, lv, month_n[(m, lv)]) for m, lv in months],
        pending=pending, escalated=escalated, overdue=overdue, due=due,
        with_condition=with_condition, changes=changes,
        reasons=[(cl, r, n) for (cl, r), n in sorted(reason_n.items(),
                                                     key=lambda kv: (-kv[1], _clause_key(kv[0][0])))])


# --- XLSX ------------------------------------------------------------------------------------

_DIRECTIONS = {"up": "调高", "down": "调低", "clause": "改依据"}
_KINDS = {Action.OVERRIDE.value: ACTION_LABELS[Action.OVERRIDE],
          Action.DECIDE.value: ACTION_LABELS[Action.DECIDE]}


def _waiting_rows(ws: Sequence[Waiting]) -> list[list[object]]:
    return [[w.id, w.filename, Status(w.status).label, w.drafter, format_time(w.since),
             w.working_days] for w in ws]


def overview_sheets(ov: Overview) -> dict[str, tuple[list[str], list[list[object]]]]:
    """The overview as tables: sheet name → (headers, rows), in the workbook's order.

    Parameters
    ----------
    ov : Overview

    Returns
    -------
    dict of str to (list of str, list of list)
        Chinese sheet names and headers; cells are str, int or None.
    """
    waiting_h = ["编号", "文件名", "状态", "拟定人", "等待起始", "已等待工作日"]
    return {
        "概况": (["项目", "数量"], [
            ["统计日期", ov.today.isoformat()], ["台账文件总数", ov.total],
            ["已定密（确认、变更、领导小组决定）", ov.settled],
            ["待审核", len(ov.pending)], ["报领导小组待决定", len(ov.escalated)],
            [f"超期（超过 {OVERDUE_WORKING_DAYS} 个工作日）", len(ov.overdue)],
            [f"{DUE_WITHIN_DAYS} 天内到期解密（含已到期）", len(ov.due)],
            ["以解密条件确定期限的涉密文件", ov.with_condition],
            ["改定拟定意见的决定", len(ov.changes)]]),
        "按密级": (["密级", "文件数"], [[k, v] for k, v in ov.by_level.items()]),
        "按条款": (["定密依据", "文件数"], [[k, v] for k, v in ov.by_clause.items()]),
        "按月份": (["月份", "密级", "文件数"], [list(r) for r in ov.by_month]),
        "待审核": (waiting_h, _waiting_rows(ov.pending)),
        "报领导小组": (waiting_h, _waiting_rows(ov.escalated)),
        "超期": (waiting_h, _waiting_rows(ov.overdue)),
        "到期解密": (["编号", "文件名", "密级", "定密依据", "保密期限（年）", "起算日", "到期日",
                  "剩余天数"],
                 [[d.id, d.filename, d.level, d.clause or "", d.years, d.start.isoformat(),
                   d.end.isoformat(), d.days_left] for d in ov.due]),
        "改定及理由": (["编号", "文件名", "方式", "拟定意见", "最终决定", "方向", "决定人", "时间",
                   "理由类别", "理由"],
                  [[c.id, c.filename, _KINDS.get(c.kind, c.kind), c.proposed, c.decided,
                    _DIRECTIONS[c.direction], c.by, format_time(c.at), c.reason_label, c.reason]
                   for c in ov.changes]),
        "各条款常见理由": (["定密依据", "理由类别", "决定数"], [list(r) for r in ov.reasons]),
    }


def overview_xlsx(ov: Overview) -> bytes:
    """The overview as an XLSX workbook: one sheet per table, headers bold and frozen.

    Text cells are typed strings, never formulas, whatever they start with (file names and
    reasons are typed by users), as in the register's export.

    Parameters
    ----------
    ov : Overview

    Returns
    -------
    bytes
        The workbook.
    """
    return sheets_xlsx({
        name: (headers, rows, [36 if h in ("文件名", "理由", "项目") else 14 for h in headers])
        for name, (headers, rows) in overview_sheets(ov).items()})
