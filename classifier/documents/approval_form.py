"""The approval form (定密审批表) of one decision, as a printable DOCX (python-docx tables).

Source: issue 12, item 3; law-notes.md, "who decides" (the process is written down: content,
basis, time, level, period, need-to-know scope, drafter, approver; implementing regulations
art. 15); the office regulation 五(二)–(三) (承办人员拟定 → 办公室主任审核 → 保密领导小组确定).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from classifier.catalogue import Level, format_mark
from classifier.documents.rules import check_period

#: The form's title.
TITLE = "定密审批表"
#: A blank signature line: 签字 and date to be filled in by hand.
SIGNATURE_LINE = "签字：＿＿＿＿＿＿　日期：＿＿＿＿年＿＿月＿＿日"


@dataclass(frozen=True)
class ApprovalFormData:
    """Everything the 定密审批表 shows, typed (no dicts across layers).

    Attributes
    ----------
    document_title : str
        The document's title (文件标题).
    drafter : str
        The drafter's name (承办人).
    proposed_on : datetime.date
        The day the level was proposed (拟定日期; interim handling at that level starts here).
    proposed_level : Level
        The drafter's proposed level (拟定密级).
    period_years : int or None
        Secrecy period in years of the level decided (or proposed, while undecided).
    condition : str or None
        Declassification condition, instead of ``period_years``.
    clause_id : str or None
        The clause cited (定密依据), e.g. ``"4.9"``; None for 公开/内部.
    clause_text : str
        That clause's text as the catalogue writes it.
    need_to_know : str
        知悉范围: the posts or named persons allowed to know.
    register_number : str or None
        登记编号, e.g. ``"组密〔2026〕0012号"``.
    decided_level : Level or None
        The level finally decided (None while undecided: the form is printed with blanks).
    unit : str
        The classifying unit (定密单位), printed under the title.
    date_of_issue : datetime.date or None
        制发日, from which the period runs.
    director : str or None
        The office director who reviewed (审核人).
    director_opinion : str or None
        The director's opinion (审核意见).
    director_on : datetime.date or None
    leading_group_decision : str or None
        The leading group's decision (保密领导小组意见), for matters it settled.
    leading_group_signatory : str or None
        Who signed for the leading group.
    leading_group_on : datetime.date or None
    """

    document_title: str
    drafter: str
    proposed_on: date
    proposed_level: Level
    period_years: int | None
    condition: str | None
    clause_id: str | None
    clause_text: str
    need_to_know: str
    register_number: str | None = None
    decided_level: Level | None = None
    unit: str = ""
    date_of_issue: date | None = None
    director: str | None = None
    director_opinion: str | None = None
    director_on: date | None = None
    leading_group_decision: str | None = None
    leading_group_signatory: str | None = None
    leading_group_on: date | None = None

    @property
    def period_text(self) -> str:
        """The period as printed: ``"20年"``, ``"解密条件：考试结束后"`` or ``"—"``."""
        if self.period_years:
            return f"{self.period_years}年"
        if self.condition:
            return f"解密条件：{self.condition}"
        return "—"


def _day(d: date | None) -> str:
    """A date as printed on the form (Arabic digits), or blanks to fill in by hand."""
    return f"{d.year}年{d.month}月{d.day}日" if d else "＿＿＿＿年＿＿月＿＿日"


def form_rows(form: ApprovalFormData) -> tuple[tuple[str, str], ...]:
    """The form's rows as ``(label, value)``, top to bottom (also what the app may show).

    Raises
    ------
    PeriodRequiredError, PeriodTooLongError, InvalidPeriodError
        The period does not fit the level decided (or proposed), from
        :func:`classifier.documents.rules.check_period`.
    """
    level = form.decided_level or form.proposed_level
    period = check_period(level, form.period_years, form.condition)
    clause = f"{form.clause_id} {form.clause_text}".strip() if form.clause_id else "—"
    final = (format_mark(form.decided_level, period.years, period.condition)
             or form.decided_level.label) if form.decided_level else ""
    return (
        ("文件标题", form.document_title),
        ("登记编号", form.register_number or ""),
        ("承办人", form.drafter),
        ("拟定日期", _day(form.proposed_on)),
        ("拟定密级", form.proposed_level.label),
        ("保密期限或解密条件", form.period_text),
        ("定密依据", clause),
        ("知悉范围", form.need_to_know),
        ("制发日期", _day(form.date_of_issue) if form.date_of_issue else ""),
        ("确定密级", final),
        ("办公室审核意见", _opinion(form.director_opinion, form.director, form.director_on)),
        ("保密领导小组意见",
         _opinion(form.leading_group_decision, form.leading_group_signatory,
                  form.leading_group_on)),
    )


def _opinion(text: str | None, name: str | None, on: date | None) -> str:
    """An opinion with who gave it and when; blank where it is still to be written."""
    parts = [text.strip()] if text and text.strip() else []
    if name:
        parts.append(f"{name}　{_day(on)}")
    return "\n".join(parts)


def approval_form_docx(form: ApprovalFormData) -> bytes:
    """Write the 定密审批表 of one decision as a DOCX.

    Parameters
    ----------
    form : ApprovalFormData

    Returns
    -------
    bytes
        A DOCX (A4, GB/T 9704 margins): the title, the unit and register number, one
        two-column table with the rows of :func:`form_rows`, a blank signature line under
        each of the three signing parties (承办人, 办公室审核, 保密领导小组), and the 密级
        mark at the top left for a secret (GB/T 9704 §7.2.2: the form holds the secret's
        particulars, so it is handled at the document's level).

    Raises
    ------
    PeriodRequiredError, PeriodTooLongError, InvalidPeriodError
        From :func:`form_rows`.

    Notes
    -----
    Source: issue 12, item 3; law-notes.md, "who decides".
    """
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    rows = form_rows(form)
    level = form.decided_level or form.proposed_level
    doc: Any = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    mark = format_mark(level, form.period_years, form.condition) if level.is_secret else ""
    if mark:
        _para(doc, mark, size=16, heiti=True)
    _para(doc, TITLE, size=22, heiti=True, center=True, align=WD_ALIGN_PARAGRAPH)
    sub = "　".join(x for x in (form.unit, f"登记编号：{form.register_number}"
                                 if form.register_number else "") if x)
    if sub:
        _para(doc, sub, size=12, center=True, align=WD_ALIGN_PARAGRAPH)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = (Mm(36), Mm(120))   # the 156 mm 版心 of GB/T 9704 §5.2.1
    for col, w in zip(table.columns, widths, strict=True):
        col.width = w
    signers = {"承办人": 0, "办公室审核意见": 1, "保密领导小组意见": 2}
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].width, cells[1].width = widths
        _cell(cells[0], label, bold=True)
        _cell(cells[1], value)
        if label in signers:
            cells[1].add_paragraph(SIGNATURE_LINE)
            if signers[label]:   # room to write an opinion by hand
                table.rows[-1].height = Mm(30)
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(12)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _para(doc: Any, text: str, *, size: float, heiti: bool = False, center: bool = False,
          align: Any = None) -> None:
    """A paragraph of one run in the given size and face."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    p = doc.add_paragraph()
    if center and align is not None:
        p.alignment = align.CENTER
    run = p.add_run(text)
    run.font.size = Pt(size)
    run._r.get_or_add_rPr().get_or_add_rFonts().set(
        qn("w:eastAsia"), "黑体" if heiti else "仿宋_GB2312")


def _cell(cell: Any, text: str, *, bold: bool = False) -> None:
    """Fill a cell: one paragraph per line of ``text``."""
    lines = text.split("\n") if text else [""]
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)
    if bold:
        for run in cell.paragraphs[0].runs:
            run.font.bold = True
