"""The marks a copy carries, and :func:`mark_copy`, which writes them into a copy of the file.

The lines are worked out once here (:func:`mark_lines`) and drawn by the DOCX writer
(:mod:`classifier.documents.stamp_docx`) and the PDF stamper
(:mod:`classifier.documents.stamp_pdf`), so both formats always carry the same text;
the line and segment types are in :mod:`classifier.documents.layout`.

Layout, from GB/T 9704-2012 (党政机关公文格式):

- §7.2.1 份号: six Arabic digits in 3号 (16 pt), flush left, line 1 of the 版心's top left;
- §7.2.2 密级和保密期限: 3号黑体, flush left, line 2; the digits of the period Arabic;
  the two are joined by ★ (§7.2.2 and the examples of its annex: ``机密★1年``);
- the register number (登记编号) is not a GB/T 9704 element: dingmi prints it at the right
  end of line 1 so that a copy can be traced to its register entry (issue 12, item 4).

A state-secret mark (★) is printed only for 秘密, 机密 and 绝密 (law-notes.md, "marks on
documents": non-secrets never carry ★); 内部 carries the office's configured text and 公开
carries nothing. After a change the old mark stays, visibly voided, with the new one beside it;
after declassification "解密" and its date stand where the old mark stood (law-notes.md,
"change of level or period" and "declassification"; regulation 五(五)).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date

from classifier.catalogue import Level, format_mark
from classifier.documents.layout import SIZE_3HAO_PT, SIZE_REGISTER_PT, MarkLine, Segment
from classifier.documents.rules import check_period
from classifier.errors import CorruptFileError, InvalidMarkError, UnsupportedFormatError

__all__ = ["DEFAULT_INTERNAL_MARK", "SIZE_3HAO_PT", "MarkLine", "MarkSpec", "MarkedCopy",
           "PreviousMark", "Segment", "format_copy_number", "format_declassified",
           "mark_copy", "mark_lines", "sniff_document"]

#: Default text of the 内部 mark (configurable, e.g. "内部事项 注意保管"; issue 12, item 2).
DEFAULT_INTERNAL_MARK = "内部"
#: Printed before the register number.
REGISTER_LABEL = "登记编号："


@dataclass(frozen=True)
class PreviousMark:
    """The mark a copy carried before a change or a declassification (drawn voided).

    Attributes
    ----------
    level : Level
        The old level (a state secret).
    period_years : int or None
    condition : str or None
        The old period or declassification condition.
    """

    level: Level
    period_years: int | None = None
    condition: str | None = None

    @property
    def text(self) -> str:
        """The old mark as it was printed, e.g. ``"机密★20年"``."""
        return format_mark(self.level, self.period_years, self.condition)


@dataclass(frozen=True)
class MarkSpec:
    """What to print on a copy.

    Attributes
    ----------
    level : Level
        The level now in force (after a declassification: 内部 or 公开).
    period_years : int or None
        Secrecy period, years (secrets only; checked with
        :func:`classifier.documents.rules.check_period`).
    condition : str or None
        Declassification condition, instead of ``period_years``.
    copy_number : int or str or None
        份号, 1 … 999999, printed as six digits; required for a secret.
    register_number : str or None
        登记编号, e.g. ``"组密〔2026〕0012号"``; required for a secret.
    previous : PreviousMark or None
        The mark before a change of level or period, or before declassification.
    declassified_on : datetime.date or None
        The day of declassification; requires ``previous`` and a non-secret ``level``.
    internal_mark : str
        The text of the 内部 mark (no ★).
    """

    level: Level
    period_years: int | None = None
    condition: str | None = None
    copy_number: int | str | None = None
    register_number: str | None = None
    previous: PreviousMark | None = None
    declassified_on: date | None = None
    internal_mark: str = DEFAULT_INTERNAL_MARK


@dataclass(frozen=True)
class MarkedCopy:
    """A marked copy of a document.

    Attributes
    ----------
    data : bytes
        The copy (the original bytes are never changed; for 公开 the copy equals them).
    format : str
        ``"docx"`` or ``"pdf"``.
    lines : tuple of MarkLine
        What was printed, top to bottom (empty for 公开).
    warnings : tuple of str
        Chinese notes for the person, e.g. that the marks had to go into the top margin.
    """

    data: bytes
    format: str
    lines: tuple[MarkLine, ...]
    warnings: tuple[str, ...] = ()

    @property
    def text_lines(self) -> tuple[str, ...]:
        """Each printed line as plain text (segments joined by a full-width space)."""
        return tuple("\u3000".join(s.text for s in line) for line in self.lines)


def format_copy_number(copy_number: int | str) -> str:
    """Return the 份号 as six Arabic digits (GB/T 9704-2012 §7.2.1), e.g. ``"000012"``.

    Raises
    ------
    InvalidMarkError
        Not a whole number 1 … 999999 (or a string of six such digits).
    """
    if isinstance(copy_number, str):
        s = copy_number.strip()
        if not re.fullmatch(r"[0-9]{1,6}", s):
            raise InvalidMarkError(f"份号应为 6 位阿拉伯数字，收到 {copy_number!r}")
        n = int(s)
    elif isinstance(copy_number, int) and not isinstance(copy_number, bool):
        n = copy_number
    else:
        raise InvalidMarkError(f"份号应为 6 位阿拉伯数字，收到 {copy_number!r}")
    if not 1 <= n <= 999_999:
        raise InvalidMarkError(f"份号应在 000001–999999 之间，收到 {copy_number!r}")
    return f"{n:06d}"


def format_declassified(on: date) -> str:
    """The declassification note, e.g. ``"解密　2026年5月1日"`` (dates in Arabic digits,
    GB/T 9704-2012 §7.3.5.4)."""
    return f"解密\u3000{on.year}年{on.month}月{on.day}日"


def mark_lines(spec: MarkSpec) -> tuple[MarkLine, ...]:
    """Work out the lines to print at the top left of the first page.

    Parameters
    ----------
    spec : MarkSpec

    Returns
    -------
    tuple of MarkLine
        Secret: line 1 ``(份号, 登记编号 →right)``, line 2 ``([old mark voided,] mark)``.
        内部: line 1 ``(份号?, 登记编号?)`` when either is given, then ``([old mark voided,
        解密 date,] internal mark)``. 公开: ``()``, or after declassification the line with
        the voided old mark and 解密 with its date.

    Raises
    ------
    InvalidMarkError
        A secret without 份号 or register number, a bad 份号, an internal mark with ★ or
        blank, ``declassified_on`` without ``previous`` or with a secret level, ``previous``
        not a secret.
    PeriodRequiredError, PeriodTooLongError, InvalidPeriodError
        The period of ``spec`` or of ``spec.previous``, from
        :func:`classifier.documents.rules.check_period`.

    Notes
    -----
    Source: GB/T 9704-2012 §7.2.1–7.2.2; law-notes.md ("marks on documents", "change of level
    or period", "declassification"); regulation 五(四) (涉密载体……应标明密级和保管期限).
    """
    period = check_period(spec.level, spec.period_years, spec.condition)
    if spec.previous is not None:
        if not spec.previous.level.is_secret:
            raise InvalidMarkError("变更前的标志应为国家秘密的密级标志")
        check_period(spec.previous.level, spec.previous.period_years, spec.previous.condition)
    if spec.declassified_on is not None:
        if spec.previous is None:
            raise InvalidMarkError("解密标志须写明解密前的密级标志")
        if spec.level.is_secret:
            raise InvalidMarkError(f"已解密的事项不能再标{spec.level.label}")
    elif spec.previous is not None and not spec.level.is_secret:
        raise InvalidMarkError("由国家秘密改为非国家秘密，应作解密处理并写明解密日期")

    head: list[Segment] = []
    if spec.copy_number is not None:
        head.append(Segment(format_copy_number(spec.copy_number), "copy_number", heiti=False))
    register = (spec.register_number or "").strip()
    if register:
        head.append(Segment(REGISTER_LABEL + register, "register_number", SIZE_REGISTER_PT,
                            heiti=False, align_right=True))

    mark: list[Segment] = []
    if spec.previous is not None:
        mark.append(Segment(spec.previous.text, "voided_mark"))
    if spec.declassified_on is not None:
        mark.append(Segment(format_declassified(spec.declassified_on), "declassified"))
    if spec.level.is_secret:
        if spec.copy_number is None or not register:
            raise InvalidMarkError(
                f"{spec.level.label}件须有份号和登记编号（GB/T 9704 份号；保密规定八(一) 登记、编号）")
        mark.append(Segment(format_mark(spec.level, period.years, period.condition), "mark"))
    elif spec.level == Level.NEIBU:
        text = spec.internal_mark.strip()
        if not text or "★" in text or "\n" in text:
            raise InvalidMarkError(f"内部事项的标志不能为空，也不能含“★”：{spec.internal_mark!r}")
        mark.append(Segment(text, "mark"))
    lines = [tuple(head)] if head and mark else []
    if mark:
        lines.append(tuple(mark))
    return tuple(lines)


def sniff_document(data: bytes) -> str:
    """``"pdf"`` or ``"docx"`` by content (magic bytes), as far as marking needs it.

    Raises
    ------
    UnsupportedFormatError
        Anything else (a legacy .doc, an image, text): only DOCX and PDF can be marked.
    CorruptFileError
        A ZIP that cannot be read.
    """
    if b"%PDF" in data[:1024]:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError) as e:
            raise CorruptFileError(f"文件无法打开，可能已损坏：{e}") from None
        if "word/document.xml" in names:
            return "docx"
    raise UnsupportedFormatError("只能为 DOCX 或 PDF 文件加印密级标志；请先转换为 DOCX 或 PDF")


def mark_copy(data: bytes, spec: MarkSpec) -> MarkedCopy:
    """Return a copy of a DOCX or PDF with the marks of ``spec`` on its first page.

    Parameters
    ----------
    data : bytes
        The original file (DOCX or PDF, by content); never modified.
    spec : MarkSpec
        Level, period or condition, 份号, register number, and the old mark after a change or
        declassification.

    Returns
    -------
    MarkedCopy
        For 公开 with nothing to print, ``data`` itself.

    Raises
    ------
    UnsupportedFormatError
        Not DOCX or PDF.
    CorruptFileError, EncryptedError
        A file that cannot be opened, or a PDF with an open password.
    NoCjkFontError
        A PDF, and no TrueType CJK font is installed (``apt-get install -y fonts-wqy-zenhei``).
    InvalidMarkError, PeriodRequiredError, PeriodTooLongError, InvalidPeriodError
        From :func:`mark_lines`.

    Notes
    -----
    Source: GB/T 9704-2012 §7.2.1–7.2.2; issue 12, item 2.
    """
    lines = mark_lines(spec)
    fmt = sniff_document(data)
    if not lines:
        return MarkedCopy(data, fmt, ())
    if fmt == "docx":
        from classifier.documents.stamp_docx import stamp_docx

        return MarkedCopy(stamp_docx(data, lines), fmt, lines)
    from classifier.documents.stamp_pdf import stamp_pdf

    out, warnings = stamp_pdf(data, lines)
    return MarkedCopy(out, fmt, lines, warnings)
