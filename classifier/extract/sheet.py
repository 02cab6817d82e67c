"""Spreadsheets: XLSX through openpyxl (read-only), CSV through :mod:`csv`; rows of cells.

Every sheet in workbook order; each non-empty cell is one ``table_cell`` segment, cells of a
row separated by ``"\\t"``, rows by ``"\\n"``; a sheet's name is a ``paragraph`` before its
rows. Values as stored (``data_only``: the cached result of a formula, not the formula).
At most :data:`MAX_CELLS` cells are read (a warning says so).

Source: issue 5 (§2 spreadsheets).
"""

from __future__ import annotations

import csv
import io
import lzma
import zipfile
import zlib

from classifier.errors import CorruptFileError
from classifier.extract._limits import NO_DEADLINE, Deadline, check_zip, check_zip_methods
from classifier.extract.normalize import Piece, assemble, file_label
from classifier.extract.result import ExtractedText

#: Most cells read from one workbook or CSV file.
MAX_CELLS = 1_000_000


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows_to_pieces(rows, pieces: list[Piece], deadline: Deadline, budget: list[int]) -> bool:
    """Append the pieces of ``rows``; ``False`` when the cell budget ran out."""
    for k, row in enumerate(rows):
        if k % 1000 == 0:
            deadline.check()
        cells = [_cell(v) for v in row]
        while cells and not cells[-1].strip():
            cells.pop()
        budget[0] -= max(len(cells), 1)
        if budget[0] < 0:
            return False
        for j, c in enumerate(cells):
            pieces.append(Piece("table_cell", c, None, "\n" if j == 0 else "\t"))
    return True


def extract_xlsx(data: bytes, *, name: str = "", deadline: Deadline = NO_DEADLINE) -> ExtractedText:
    """Read every sheet of an XLSX workbook as rows of cells.

    Raises
    ------
    CorruptFileError
        openpyxl cannot read the workbook.
    TooLargeError
        A ZIP bomb.
    """
    import warnings

    from openpyxl import load_workbook

    label = file_label(name)
    pieces: list[Piece] = []
    budget = [MAX_CELLS]
    complete = True
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_zip(zf, name)
            check_zip_methods(zf, name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                pieces.append(Piece("paragraph", ws.title))
                if not _rows_to_pieces(ws.iter_rows(values_only=True), pieces, deadline, budget):
                    complete = False
                    break
        finally:
            wb.close()
    except (zipfile.BadZipFile, zlib.error, lzma.LZMAError, KeyError, ValueError, TypeError,
            EOFError, OSError, AttributeError, IndexError) as e:
        raise CorruptFileError(f"{label}无法打开：表格文件已损坏（{type(e).__name__}）",
                               path=name or None) from e
    except Exception as e:  # lxml/ElementTree parse errors have no common base
        if type(e).__name__ in {"XMLSyntaxError", "ParseError"}:
            raise CorruptFileError(f"{label}的 XML 已损坏", path=name or None) from e
        raise
    text, segments = assemble(pieces)
    warnings_out = () if complete else (f"truncated: 表格超过 {MAX_CELLS} 个单元格，其余未读取",)
    return ExtractedText(text=text, segments=segments, source_format="xlsx", pages=1,
                         warnings=warnings_out)


def extract_csv(text: str, *, encoding: str | None, deadline: Deadline = NO_DEADLINE
                ) -> ExtractedText:
    """Read decoded CSV text (delimiter sniffed among ``,`` ``\\t`` ``;`` ``|``) as rows of cells."""
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",\t;|")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(10 * 1024 * 1024)
    pieces: list[Piece] = []
    budget = [MAX_CELLS]
    try:
        complete = _rows_to_pieces(csv.reader(io.StringIO(text, newline=""), dialect), pieces,
                                   deadline, budget)
    except csv.Error:
        complete = False
    out, segments = assemble(pieces)
    return ExtractedText(text=out, segments=segments, source_format="csv", pages=1,
                         encoding=encoding,
                         warnings=() if complete else ("truncated: CSV 过大或格式有误，其余未读取",))
