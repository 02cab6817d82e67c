"""The register (台账): every document with its status and classification; CSV and XLSX export.

Exports are opened in spreadsheet programs, and file names and reasons are typed by users
or come from documents: a cell that starts with ``=``, ``+``, ``-``, ``@`` or a control
character would run as a formula in a CSV. CSV cells like that are prefixed with ``'``
(the OWASP advice); XLSX cells are written as typed strings, never formulas.

Source: issue 3 (§1 台账: status, level, clause, who decided and when; filters, search,
CSV and XLSX); issue 12 (items 4, 5: register number, date of issue, end of the period).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from classifier.store import DocumentSummary, Store
from classifier.workflow.states import ACTION_LABELS, Action, Status

if TYPE_CHECKING:
    from classifier.engine import Classifier

#: Column headers of the register, in order (one per :class:`Record` field).
HEADERS = (
    "编号", "文件名", "状态", "密级", "密级标志", "定密依据", "保密期限", "解密条件", "知悉范围",
    "拟定人", "拟定时间",
    "审定方式", "审定人", "审定时间", "审定理由", "系统建议", "上传人", "上传时间",
    "登记编号", "制发日期", "保密期限届满", "解密日期",
)
_DECISION_LABELS = {a.value: ACTION_LABELS[a] for a in Action if a is not Action.PROPOSE}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_SECRET_LEVELS = frozenset({"秘密", "机密", "绝密"})


@dataclass(frozen=True)
class Record:
    """One row of the register, as shown and exported (all text)."""

    id: int
    filename: str
    status: str
    level: str
    mark: str
    clause: str
    period: str
    condition: str
    scope: str
    drafter: str
    proposed_at: str
    decision: str
    decided_by: str
    decided_at: str
    reason: str
    suggested: str
    uploader: str
    uploaded_at: str
    register_number: str = ""
    issued_on: str = ""
    period_ends_on: str = ""
    declassified_on: str = ""


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
        period=f"{s.period_years}年" if s.period_years else "",
        condition=s.condition or "",
        scope=s.scope or "",
        drafter=s.drafter_name or "",
        proposed_at=format_time(s.proposed_at),
        decision=_DECISION_LABELS.get(s.decision_kind or "", ""),
        decided_by=s.decided_by or "",
        decided_at=format_time(s.decided_at),
        reason=s.decision_reason or "",
        suggested=suggested,
        uploader=s.uploader_name,
        uploaded_at=format_time(s.uploaded_at),
        register_number=s.register_number or "",
        issued_on=s.issued_on.isoformat() if s.issued_on else "",
        period_ends_on=s.period_ends_on.isoformat() if s.period_ends_on else "",
        declassified_on=s.declassified_on.isoformat() if s.declassified_on else "",
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
    person_differs_only: bool = False,
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
    person_differs_only : bool
        Keep only the documents where a person's judgement differs from the model's
        suggestion (:func:`person_differs`; issue 14 §2, "person ≠ model").
    """
    rows = store.summaries(
        statuses=statuses,
        levels=levels,
        search=(search or "").strip() or None,
        since=_local_midnight(date_from) if date_from else None,
        until=_local_midnight(date_to + timedelta(days=1)) if date_to else None,
        order="updated",
    )
    return [_record(r) for r in rows if not person_differs_only or person_differs(r)]


def person_differs(s: DocumentSummary) -> bool:
    """A person's judgement differs from the model's suggestion (level or clause).

    The classification in effect when the document is settled, else the drafter's proposal;
    False when there is no suggestion or no judgement yet. A clause is compared only for the
    state secrets (公开 and 内部 carry none). Source: issue 14 §2 (the register's
    "person ≠ model" filter).
    """
    if s.suggested_level is None:
        return False
    if Status(s.status).is_final:
        level, clause = s.level, s.clause
    else:
        level, clause = s.proposed_level, s.proposed_clause
    if level is None:
        return False

    def label(lv: str, cl: str | None) -> str:
        return cl if lv in _SECRET_LEVELS and cl else lv

    return label(level, clause) != label(s.suggested_level, s.suggested_clause) or (
        level != s.suggested_level)


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
    widths = {"filename": 36, "reason": 40, "mark": 18, "status": 16, "scope": 24, "condition": 16}
    return table_xlsx("台账", HEADERS, (astuple(r) for r in records),
                      [widths.get(f.name, 14) for f in fields(Record)])


def table_xlsx(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]],
               widths: Sequence[float]) -> bytes:
    """One sheet ``title`` as XLSX bytes (see :func:`sheets_xlsx`)."""
    return sheets_xlsx({title: (headers, rows, widths)})


def sheets_xlsx(sheets: dict[str, tuple[Sequence[str], Iterable[Sequence[Any]], Sequence[float]]]
                ) -> bytes:
    """XLSX bytes with one sheet per entry (title → headers, rows, column widths).

    Each sheet has a bold, frozen header row. Text cells are written as strings, never
    formulas, whatever they start with (an export opened in a spreadsheet must not run
    anything). Widths are in characters, in ``headers`` order.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    for n, (title, (headers, rows, widths)) in enumerate(sheets.items()):
        ws = wb.active if n == 0 else wb.create_sheet()
        assert ws is not None
        ws.title = title
        ws.append(list(headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for i, row in enumerate(rows, start=2):
            for j, value in enumerate(row, start=1):
                cell = ws.cell(row=i, column=j)
                cell.value = value
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = w
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class SuggestionChange:
    """A document the current model would now suggest differently from the stored suggestion.

    Attributes
    ----------
    id, filename, status : the document
    level, clause : the classification in effect (a person's), or None before a decision
    then_level, then_clause, then_model, then_catalogue : the stored suggestion and the model
        and catalogue versions that made it
    now_level, now_clause, now_confidence, now_model : what the current model says
    """

    id: int
    filename: str
    status: str
    level: str | None
    clause: str | None
    then_level: str | None
    then_clause: str | None
    then_model: str | None
    then_catalogue: str | None
    now_level: str
    now_clause: str | None
    now_confidence: float
    now_model: str

    @property
    def now_agrees_with_decision(self) -> bool:
        """True when the new suggestion matches the person's classification in effect."""
        return self.level is not None and (self.now_level, self.now_clause) == (self.level,
                                                                                self.clause)


def suggestion_changes(store: Store, classifier: Classifier, *,
                       ids: Sequence[int] | None = None) -> list[SuggestionChange]:
    """Documents whose stored suggestion differs (level or clause) from the current model's.

    Parameters
    ----------
    store : Store
    classifier : Classifier
        The current model (``Suggester.classifier``); it re-reads each document's stored text.
    ids : sequence of int, optional
        Only these documents (e.g. the register's filtered rows); default all.

    Returns
    -------
    list of SuggestionChange
        Oldest document first. Each stored suggestion keeps the model and catalogue version
        that made it, so the change is traceable to a model version.
    """
    wanted = None if ids is None else set(ids)
    out = []
    for s in store.summaries(order="uploaded"):
        if wanted is not None and s.id not in wanted:
            continue
        stored = store.latest_suggestion(s.id)
        if stored is None or stored.error_code is not None:
            continue
        text = store.document(s.id).text
        if not text.strip():
            continue
        now = classifier.suggest(text)
        if (now.level.label, now.clause) == (stored.level, stored.clause):
            continue
        out.append(SuggestionChange(
            id=s.id, filename=s.filename, status=s.status, level=s.level, clause=s.clause,
            then_level=stored.level, then_clause=stored.clause, then_model=stored.model_version,
            then_catalogue=stored.catalogue_version, now_level=now.level.label,
            now_clause=now.clause, now_confidence=now.confidence, now_model=now.model_version))
    return out
