"""The register (台账): every document with its status and classification; CSV and XLSX export.

Exports are opened in spreadsheet programs, and file names and reasons are typed by users
or come from documents: a cell that starts with ``=``, ``+``, ``-``, ``@`` or a control
character would run as a formula in a CSV. CSV cells like that are prefixed with ``'``
(the OWASP advice); XLSX cells are written as typed strings, never formulas.

Source: issue 3 (§1 台账: status, level, clause, who decided and when; filters, search,
CSV and XLSX).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from datetime import date, datetime, time, timedelta

from classifier.store import DocumentSummary, Store
from classifier.workflow import Action, Status

#: Column headers of the register, in order (one per :class:`Record` field).
HEADERS = (
    "编号", "文件名", "状态", "密级", "密级标志", "定密依据", "拟定人", "拟定时间",
    "审定方式", "审定人", "审定时间", "审定理由", "系统建议", "上传人", "上传时间",
)
_DECISION_LABELS = {
    Action.CONFIRM.value: "确认",
    Action.OVERRIDE.value: "变更",
    Action.ESCALATE.value: "报领导小组",
    Action.DECIDE.value: "领导小组决定",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class Record:
    """One row of the register, as shown and exported (all text)."""

    id: int
    filename: str
    status: str
    level: str
    mark: str
    clause: str
    drafter: str
    proposed_at: str
    decision: str
    decided_by: str
    decided_at: str
    reason: str
    suggested: str
    uploader: str
    uploaded_at: str


def format_time(value: datetime | None) -> str:
    """Local time as ``YYYY-MM-DD HH:MM`` (empty for None)."""
    return "" if value is None else value.astimezone().strftime("%Y-%m-%d %H:%M")


def _record(s: DocumentSummary) -> Record:
    suggested = s.suggested_level or ""
    if s.suggested_clause:
        suggested += f"（{s.suggested_clause}）"
    return Record(
        id=s.id,
        filename=s.filename,
        status=Status(s.status).label,
        level=s.level or "",
        mark=s.mark or "",
        clause=s.clause or "",
        drafter=s.drafter_name or "",
        proposed_at=format_time(s.proposed_at),
        decision=_DECISION_LABELS.get(s.decision_kind or "", ""),
        decided_by=s.decided_by or "",
        decided_at=format_time(s.decided_at),
        reason=s.decision_reason or "",
        suggested=suggested,
        uploader=s.uploader_name,
        uploaded_at=format_time(s.uploaded_at),
    )


def _local_midnight(d: date) -> datetime:
    return datetime.combine(d, time()).astimezone()


def query_records(
    store: Store,
    *,
    statuses: Sequence[str] | None = None,
    levels: Sequence[str] | None = None,
    search: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> list[Record]:
    """The register, newest change first.

    Parameters
    ----------
    statuses : sequence of str, optional
        Status values (``"proposed"`` …) to keep.
    levels : sequence of str, optional
        Level labels (``"机密"`` …) in effect to keep.
    search : str, optional
        Text searched in file name, clause, mark, drafter and document text.
    date_from, date_to : datetime.date, optional
        Upload dates, both inclusive, in local time.
    """
    rows = store.summaries(
        statuses=statuses,
        levels=levels,
        search=(search or "").strip() or None,
        since=_local_midnight(date_from) if date_from else None,
        until=_local_midnight(date_to + timedelta(days=1)) if date_to else None,
        order="updated",
    )
    return [_record(r) for r in rows]


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(records: Sequence[Record]) -> bytes:
    """The register as CSV, UTF-8 with BOM (so that Excel reads the Chinese)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS)
    for r in records:
        w.writerow([_safe_cell(v) for v in astuple(r)])
    return buf.getvalue().encode("utf-8-sig")


def to_xlsx(records: Sequence[Record]) -> bytes:
    """The register as an XLSX workbook (one sheet 台账, header frozen, no formulas)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "台账"
    ws.append(list(HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for i, r in enumerate(records, start=2):
        for j, value in enumerate(astuple(r), start=1):
            cell = ws.cell(row=i, column=j)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    widths = {"filename": 36, "reason": 40, "mark": 18, "status": 16}
    for j, f in enumerate(fields(Record), start=1):
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = widths.get(f.name, 14)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
