"""classifier.documents.approval_form: the 定密审批表 as DOCX, opened again and read."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest

from classifier.catalogue import Level
from classifier.documents.approval_form import (
    SIGNATURE_LINE,
    TITLE,
    ApprovalFormData,
    approval_form_docx,
    form_rows,
)
from classifier.errors import PeriodRequiredError, PeriodTooLongError

REGISTER = "组密〔2026〕0012号"


@pytest.fixture()
def form(catalogue) -> ApprovalFormData:
    clause = catalogue.get("4.9")
    return ApprovalFormData(
        document_title="关于市管后备干部名单调整的请示", drafter="张承办",
        proposed_on=date(2026, 3, 1), proposed_level=Level.JIMI, period_years=20,
        condition=None, clause_id=clause.id, clause_text=clause.text,
        need_to_know="部务会成员、干部科科长", register_number=REGISTER,
        decided_level=Level.JIMI, unit="市委组织部", date_of_issue=date(2026, 3, 5),
        director="李主任", director_opinion="同意拟定密级", director_on=date(2026, 3, 2),
        leading_group_decision="同意定为机密★20年", leading_group_signatory="王组长",
        leading_group_on=date(2026, 3, 4))


def _read(data: bytes) -> tuple[list[str], dict[str, str]]:
    from docx import Document

    doc = Document(io.BytesIO(data))
    rows = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    return [p.text for p in doc.paragraphs], rows


def test_approval_form_holds_every_field(form, catalogue):
    paragraphs, rows = _read(approval_form_docx(form))
    assert paragraphs[0] == "机密★20年"            # the form is handled at the level it records
    assert TITLE in paragraphs and any(REGISTER in p for p in paragraphs)
    assert rows["文件标题"] == form.document_title
    assert rows["登记编号"] == REGISTER
    assert rows["承办人"].startswith("张承办")
    assert rows["拟定日期"] == "2026年3月1日"
    assert rows["拟定密级"] == "机密"
    assert rows["保密期限或解密条件"] == "20年"
    assert rows["定密依据"] == "4.9 " + catalogue.get("4.9").text
    assert rows["知悉范围"] == "部务会成员、干部科科长"
    assert rows["制发日期"] == "2026年3月5日"
    assert rows["确定密级"] == "机密★20年"
    assert rows["办公室审核意见"].startswith("同意拟定密级\n李主任\u30002026年3月2日")
    assert rows["保密领导小组意见"].startswith("同意定为机密★20年\n王组长\u30002026年3月4日")
    for label in ("承办人", "办公室审核意见", "保密领导小组意见"):
        assert rows[label].endswith(SIGNATURE_LINE)          # blank lines to sign by hand


def test_approval_form_undecided_prints_blanks(form):
    pending = replace(form, decided_level=None, register_number=None, date_of_issue=None,
                      director=None, director_opinion=None, director_on=None,
                      leading_group_decision=None, leading_group_signatory=None,
                      leading_group_on=None, period_years=None, condition="任免正式公布后")
    _, rows = _read(approval_form_docx(pending))
    assert rows["登记编号"] == "" and rows["确定密级"] == "" and rows["制发日期"] == ""
    assert rows["保密期限或解密条件"] == "解密条件：任免正式公布后"
    assert rows["办公室审核意见"] == "\n" + SIGNATURE_LINE   # a blank line to write on, then sign


def test_approval_form_internal_has_no_star(form):
    internal = replace(form, decided_level=Level.NEIBU, period_years=None, clause_id=None,
                       clause_text="", register_number=None)
    paragraphs, rows = _read(approval_form_docx(internal))
    assert rows["确定密级"] == "内部" and rows["定密依据"] == "—"
    assert not any("★" in p for p in paragraphs)


@pytest.mark.parametrize(("changes", "error"), [
    ({"period_years": 25}, PeriodTooLongError),
    ({"period_years": None}, PeriodRequiredError),
])
def test_approval_form_refuses_an_unlawful_period(form, changes, error):
    with pytest.raises(error):
        form_rows(replace(form, **changes))
