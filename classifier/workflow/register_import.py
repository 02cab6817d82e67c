"""Import of an existing paper register typed into a spreadsheet (XLSX, openpyxl).

Each good row becomes a register line in its own transaction; every other row is reported with
its sheet row number, the stable code and the message: one bad row never stops an import, and
no row is half-written.

Source: issue 13 (§1: import of an existing paper register from XLSX with a report of rows that
did not fit).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from classifier.engine.marking import find_marking
from classifier.errors import (
    ClassifierError,
    InvalidDecisionError,
    RegisterImportError,
    UsageError,
)
from classifier.store.handling import RegisterLine
from classifier.workflow.handling_base import HandlingBase


@dataclass(frozen=True)
class RejectedRow:
    """A row of an imported register that did not fit (sheet row number, code, message)."""

    row: int
    code: str
    message: str


@dataclass(frozen=True)
class ImportReport:
    """An import: the lines stored and the rows rejected (each with why)."""

    imported: list[RegisterLine] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)



class RegisterImport(HandlingBase):
    """``import_xlsx`` of :class:`~classifier.workflow.handling.Handling` (a mixin)."""

    #: :meth:`classifier.workflow.handling.Handling.register`.
    register: Callable[..., RegisterLine]

    def import_xlsx(self, actor_id: int, data: bytes, *, direction: str = "in") -> ImportReport:
        """Import an existing paper register typed into a spreadsheet.

        Parameters
        ----------
        data : bytes
            An XLSX workbook; the first sheet, a header row naming the columns (登记编号,
            类别, 文件标题, 来文单位, 文号, 发往单位, 密级, 保密期限, 份数, 日期, 种类, 清退日期,
            备注; 密级 may carry the whole mark such as ``机密★20年``).
        direction : {"in", "out", "internal"}
            For rows whose 类别 column is empty or missing.

        Returns
        -------
        ImportReport
            Every good row is stored on its own (one transaction each); every other row is
            reported with its sheet row number and why. Blank rows are skipped.

        Raises
        ------
        RegisterImportError
            Not an XLSX workbook, or no header row with at least 文件标题, 密级 and 份数.
        """
        self._clerk(actor_id, "导入登记簿")
        rows = _read_sheet(data)
        report = ImportReport()
        for n, values in rows:
            try:
                fields = _row_fields(values, direction)
                line = self.register(actor_id, **fields)
            except ClassifierError as e:
                report.rejected.append(RejectedRow(n, e.code, e.message))
            else:
                report.imported.append(line)
        with self.wf.store.transaction() as tx:
            tx.add_event("register_import", actor=tx.user(actor_id),
                         detail={"imported": len(report.imported),
                                 "rejected": [{"row": r.row, "code": r.code}
                                              for r in report.rejected]})
        return report


#: Header names (after removing spaces) → field, for a paper register typed into a sheet.
_HEADERS = {
    "登记编号": "number", "编号": "number", "收文编号": "number", "发文编号": "number",
    "登记号": "number", "类别": "direction", "收发类别": "direction",
    "文件标题": "title", "标题": "title", "文件名称": "title", "题名": "title",
    "来文单位": "issuer", "发文机关": "issuer", "来文机关": "issuer", "发文单位": "issuer",
    "文号": "issuer_number", "来文字号": "issuer_number", "发文字号": "issuer_number",
    "发往单位": "recipient", "主送": "recipient", "主送单位": "recipient",
    "密级": "level", "密级标志": "level", "保密期限": "period", "份数": "copies",
    "日期": "dated", "收文日期": "dated", "发文日期": "dated", "成文日期": "dated",
    "种类": "kind", "文种": "kind", "清退日期": "return_by", "应退日期": "return_by",
    "备注": "note",
}
_DIRECTION_WORDS = {"收文": "in", "收": "in", "发文": "out", "发": "out", "内部": "internal",
                    "内部传递": "internal", "in": "in", "out": "out", "internal": "internal"}
_DATE = re.compile(r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?")


def _read_sheet(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """The rows of the first sheet as ``(row number, {field: value})``; blank rows skipped."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, ValueError, OSError) as e:
        raise RegisterImportError("无法读取该文件：请上传 Excel 工作簿（.xlsx）") from e
    try:
        ws = wb.worksheets[0]
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    for i, row in enumerate(rows):
        names = ["".join(str(v or "").split()) for v in row]
        cols = {j: _HEADERS[n] for j, n in enumerate(names) if n in _HEADERS}
        if {"title", "level", "copies"} <= set(cols.values()):
            out = []
            for k, r in enumerate(rows[i + 1:], start=i + 2):
                values = {f: r[j] for j, f in cols.items() if j < len(r)}
                if all(v is None or str(v).strip() == "" for v in values.values()):
                    continue
                out.append((k, values))
            return out
    raise RegisterImportError("未找到表头：第一张工作表应有“文件标题”“密级”“份数”等列")


def _cell(v: Any) -> str:
    return "" if v is None else " ".join(str(v).split())


def _date(v: Any, what: str) -> date | None:
    if v is None or _cell(v) == "":
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    m = _DATE.fullmatch(_cell(v))
    try:
        if m is None:
            raise ValueError(v)
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise UsageError(f"{what}“{_cell(v)}”无法识别，应写作 2026-03-01 或 2026年3月1日") from None


def _row_fields(values: dict[str, Any], default_direction: str) -> dict[str, Any]:
    """One sheet row as the keyword arguments of :meth:`Handling.register` (UsageError if not)."""
    level_cell, period_cell = _cell(values.get("level")), _cell(values.get("period"))
    mark = find_marking(f"{level_cell}★{period_cell}" if period_cell and "★" not in level_cell
                        else level_cell)
    if mark is None or not mark.level.is_secret:
        raise InvalidDecisionError(f"密级“{level_cell}”无效：应为秘密、机密或绝密（可写作 机密★20年）")
    copies_cell = values.get("copies")
    try:
        copies = int(copies_cell) if isinstance(copies_cell, int | float) else int(_cell(copies_cell))
        if isinstance(copies_cell, float) and copies_cell != copies:
            raise ValueError(copies_cell)
    except ValueError:
        raise InvalidDecisionError(f"份数“{_cell(copies_cell)}”无效，应为整数") from None
    direction = _DIRECTION_WORDS.get(_cell(values.get("direction")), None)
    if direction is None:
        if _cell(values.get("direction")):
            raise UsageError(f"类别“{_cell(values.get('direction'))}”无效，应为收文、发文或内部")
        direction = default_direction
    return {
        "direction": direction, "title": _cell(values.get("title")),
        "level": mark.level.label, "period_years": mark.years if not mark.condition else None,
        "condition": mark.condition, "copies": copies,
        "kind": _cell(values.get("kind")) or "文件",
        "issuer": _cell(values.get("issuer")), "issuer_number": _cell(values.get("issuer_number")),
        "recipient": _cell(values.get("recipient")),
        "dated": _date(values.get("dated"), "日期"),
        "return_by": _date(values.get("return_by"), "清退日期"),
        "number": _cell(values.get("number")) or None, "note": _cell(values.get("note")),
    }
