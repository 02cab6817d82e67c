"""classifier.documents.marks: marked copies of DOCX and PDF, read back where GB/T 9704 puts the
marks (份号 on line 1, 密级★保密期限 on line 2 at the top left of the first page)."""

from __future__ import annotations

import io
from datetime import date

import pytest

from classifier.catalogue import Level
from classifier.documents import fonts
from classifier.documents.marks import (
    MarkSpec,
    PreviousMark,
    format_copy_number,
    mark_copy,
    mark_lines,
)
from classifier.documents.stamp_pdf import MM, TOP_MARGIN_PT
from classifier.errors import (
    CorruptFileError,
    EncryptedError,
    InvalidMarkError,
    NoCjkFontError,
    PeriodRequiredError,
    PeriodTooLongError,
    UnsupportedFormatError,
)
from tests import builders

REGISTER = "组密〔2026〕0012号"
TITLE = "关于市管后备干部名单调整的请示"
BODY = "拟将以下同志列入市管后备干部名单，请审议。"


# ---------------------------------------------------------------- builders and readers


def _docx(*, table_first: bool = False) -> bytes:
    """A real DOCX made by python-docx: title, body paragraph, a table (first, if asked)."""
    from docx import Document

    doc = Document()
    if table_first:
        doc.add_table(rows=1, cols=2).rows[0].cells[0].text = "表头"
    doc.add_paragraph(TITLE)
    doc.add_paragraph(BODY)
    doc.add_table(rows=1, cols=1).rows[0].cells[0].text = "张三"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _pdf(top_y: float = 842 - 37 * MM - 22, pages: int = 2) -> bytes:
    """An A4 PDF whose first text line has its baseline at ``top_y`` (points from the bottom)."""
    first = [(79.0, top_y, TITLE), (79.0, top_y - 40, BODY)]
    return builders.pdf_bytes([first] + [[(79.0, 700.0, f"第{i + 2}页正文")]
                                         for i in range(pages - 1)], size=16.0)


def _docx_paragraphs(data: bytes) -> list[str]:
    from docx import Document

    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def _pdf_lines(data: bytes, page: int = 0) -> list[str]:
    """The text of a page, top to bottom as laid out (pypdf's layout mode), blank lines dropped."""
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(data)).pages[page].extract_text(extraction_mode="layout")
    return [" ".join(ln.split()) for ln in text.splitlines() if ln.strip()]


def _pdf_char_top(data: bytes, needle: str) -> float:
    """Top (points from the bottom) of the first character of ``needle`` on page 1 (PDFium)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        tp = pdf[0].get_textpage()
        text = tp.get_text_range()
        i = text.index(needle)
        return tp.get_charbox(i)[3]
    finally:
        pdf.close()


def _secret(**kw) -> MarkSpec:
    args = {"level": Level.JIMI, "period_years": 20, "copy_number": 12,
            "register_number": REGISTER} | kw
    return MarkSpec(**args)


# ---------------------------------------------------------------- the lines


@pytest.mark.parametrize(("spec", "expected"), [
    (_secret(), ("000012\u3000登记编号：" + REGISTER, "机密★20年")),
    (_secret(level=Level.MIMI, period_years=None, condition="考试结束后", copy_number="7"),
     ("000007\u3000登记编号：" + REGISTER, "秘密★考试结束后")),
    (_secret(level=Level.JUEMI, period_years=30), ("000012\u3000登记编号：" + REGISTER,
                                                   "绝密★30年")),
    (MarkSpec(Level.NEIBU), ("内部",)),
    (MarkSpec(Level.NEIBU, internal_mark="内部事项 注意保管"), ("内部事项 注意保管",)),
    (MarkSpec(Level.NEIBU, copy_number=3), ("000003", "内部")),
    (MarkSpec(Level.GONGKAI), ()),
    (MarkSpec(Level.GONGKAI, copy_number=3), ()),
    (_secret(previous=PreviousMark(Level.MIMI, 10)),
     ("000012\u3000登记编号：" + REGISTER, "秘密★10年\u3000机密★20年")),
    (MarkSpec(Level.NEIBU, previous=PreviousMark(Level.JIMI, 20), declassified_on=date(2046, 3, 2)),
     ("机密★20年\u3000解密\u30002046年3月2日\u3000内部",)),
    (MarkSpec(Level.GONGKAI, copy_number=12, register_number=REGISTER,
              previous=PreviousMark(Level.MIMI, None, "考试结束后"),
              declassified_on=date(2026, 6, 8)),
     ("000012\u3000登记编号：" + REGISTER, "秘密★考试结束后\u3000解密\u30002026年6月8日")),
])
def test_mark_lines(spec, expected):
    lines = mark_lines(spec)
    assert tuple("\u3000".join(s.text for s in line) for line in lines) == expected
    new_marks = [s.text for line in lines for s in line if s.role == "mark"]
    if not spec.level.is_secret:
        assert not any("★" in t for t in new_marks)   # never a ★ on a non-secret


def test_mark_lines_roles_and_sizes():
    (head, mark) = mark_lines(_secret(previous=PreviousMark(Level.MIMI, 10)))
    assert [s.role for s in head] == ["copy_number", "register_number"]
    assert head[1].align_right and not head[0].align_right
    assert [s.role for s in mark] == ["voided_mark", "mark"]
    assert mark[0].voided and not mark[1].voided
    assert mark[1].size_pt == 16.0 and mark[1].heiti   # 3号黑体, GB/T 9704 §7.2.2
    assert head[0].size_pt == 16.0                      # 3号 digits, §7.2.1


@pytest.mark.parametrize(("spec", "error", "code"), [
    (_secret(copy_number=None), InvalidMarkError, "invalid_mark"),
    (_secret(register_number=" "), InvalidMarkError, "invalid_mark"),
    (_secret(copy_number=0), InvalidMarkError, "invalid_mark"),
    (_secret(copy_number=1_000_000), InvalidMarkError, "invalid_mark"),
    (_secret(copy_number="12a"), InvalidMarkError, "invalid_mark"),
    (_secret(period_years=None), PeriodRequiredError, "period_required"),
    (_secret(period_years=25), PeriodTooLongError, "period_too_long"),
    (MarkSpec(Level.NEIBU, internal_mark="内部★"), InvalidMarkError, "invalid_mark"),
    (MarkSpec(Level.NEIBU, internal_mark=" "), InvalidMarkError, "invalid_mark"),
    (MarkSpec(Level.NEIBU, declassified_on=date(2026, 1, 1)), InvalidMarkError, "invalid_mark"),
    (_secret(previous=PreviousMark(Level.MIMI, 10), declassified_on=date(2026, 1, 1)),
     InvalidMarkError, "invalid_mark"),
    (MarkSpec(Level.NEIBU, previous=PreviousMark(Level.MIMI, 10)), InvalidMarkError,
     "invalid_mark"),
    (_secret(previous=PreviousMark(Level.NEIBU)), InvalidMarkError, "invalid_mark"),
    (_secret(previous=PreviousMark(Level.MIMI, 15)), PeriodTooLongError, "period_too_long"),
])
def test_mark_lines_refuses(spec, error, code):
    with pytest.raises(error, match=rf"\[{code}\]"):
        mark_lines(spec)


@pytest.mark.parametrize(("value", "expected"), [(1, "000001"), (999_999, "999999"),
                                                 ("000042", "000042"), (" 42 ", "000042")])
def test_format_copy_number(value, expected):
    assert format_copy_number(value) == expected


# ---------------------------------------------------------------- DOCX


@pytest.mark.parametrize("table_first", [False, True])
def test_docx_secret_marks_on_the_first_two_lines(table_first):
    from docx import Document
    from docx.oxml.ns import qn

    original = _docx(table_first=table_first)
    snapshot = bytes(original)
    copy = mark_copy(original, _secret())
    assert original == snapshot and copy.data != original and copy.format == "docx"
    doc = Document(io.BytesIO(copy.data))
    body = list(doc.element.body.iterchildren())
    assert body[0].tag == qn("w:p") and body[1].tag == qn("w:p")   # before a leading table too
    first, second = doc.paragraphs[0], doc.paragraphs[1]
    assert first.text.split("\t") == ["000012", "登记编号：" + REGISTER]
    assert second.text == "机密★20年"
    for p in (first, second):
        assert p.paragraph_format.left_indent == 0 and p.paragraph_format.first_line_indent == 0
    run = second.runs[0]
    assert run.font.size.pt == 16
    assert run._r.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert first.runs[0].font.size.pt == 16 and first.runs[0].text == "000012"
    # the rest of the body is the original, unchanged
    before = Document(io.BytesIO(original)).element.body
    from lxml import etree

    assert [etree.tostring(el) for el in body[2:]] == [
        etree.tostring(el) for el in before.iterchildren()]


@pytest.mark.parametrize(("spec", "first_line"), [
    (MarkSpec(Level.NEIBU), "内部"),
    (MarkSpec(Level.NEIBU, internal_mark="内部事项 注意保管"), "内部事项 注意保管"),
])
def test_docx_internal_has_its_mark_and_no_star(spec, first_line):
    copy = mark_copy(_docx(), spec)
    paragraphs = _docx_paragraphs(copy.data)
    assert paragraphs[0] == first_line and paragraphs[1] == TITLE
    assert not any("★" in p for p in paragraphs)


def test_docx_public_copy_is_the_original():
    original = _docx()
    copy = mark_copy(original, MarkSpec(Level.GONGKAI, copy_number=1))
    assert copy.data == original and copy.lines == ()
    assert not any("★" in p for p in _docx_paragraphs(copy.data))


def test_docx_change_voids_the_old_mark():
    from docx import Document

    copy = mark_copy(_docx(), _secret(previous=PreviousMark(Level.MIMI, 10)))
    second = Document(io.BytesIO(copy.data)).paragraphs[1]
    assert second.text == "秘密★10年\u3000机密★20年"
    old = next(r for r in second.runs if r.text == "秘密★10年")
    new = next(r for r in second.runs if r.text == "机密★20年")
    assert old.font.double_strike and not new.font.double_strike


def test_docx_declassified_shows_jiemi_and_the_date():
    from docx import Document

    spec = MarkSpec(Level.NEIBU, copy_number=12, register_number=REGISTER,
                    previous=PreviousMark(Level.JIMI, 20), declassified_on=date(2046, 3, 2))
    paragraphs = Document(io.BytesIO(mark_copy(_docx(), spec).data)).paragraphs
    assert paragraphs[0].text.startswith("000012")
    assert paragraphs[1].text == "机密★20年\u3000解密\u30002046年3月2日\u3000内部"
    voided = [r.text for r in paragraphs[1].runs if r.font.double_strike]
    assert voided == ["机密★20年"]


def test_docx_from_raw_xml_builder():
    original = builders.docx_bytes(builders.p(TITLE) + builders.p(BODY))
    paragraphs = _docx_paragraphs(mark_copy(original, _secret(condition=None)).data)
    assert paragraphs[:3] == ["000012\t登记编号：" + REGISTER, "机密★20年", TITLE]


# ---------------------------------------------------------------- PDF


def test_pdf_secret_marks_on_the_first_two_lines():
    original = _pdf()
    copy = mark_copy(original, _secret())
    assert copy.format == "pdf" and copy.data != original
    lines = _pdf_lines(copy.data)
    assert lines[0] == "000012 登记编号：" + REGISTER
    assert lines[1] == "机密★20年"
    assert lines[2] == TITLE
    assert _pdf_lines(copy.data, 1) == _pdf_lines(original, 1)    # other pages untouched
    assert _pdf_char_top(copy.data, "000012") > _pdf_char_top(copy.data, "机密★")
    assert _pdf_char_top(copy.data, "机密★") > _pdf_char_top(copy.data, TITLE)


def test_pdf_marks_stand_at_the_top_of_the_text_block_when_there_is_room():
    copy = mark_copy(_pdf(top_y=842 - 90 * MM), _secret())
    assert copy.warnings == ()
    top = _pdf_char_top(copy.data, "000012")
    assert 842 - TOP_MARGIN_PT - 3 <= top <= 842 - TOP_MARGIN_PT + 1   # GB/T 9704 天头 37 mm


def test_pdf_marks_move_into_the_margin_and_say_so():
    copy = mark_copy(_pdf(top_y=842 - 37 * MM - 14), _secret())
    assert copy.warnings and "上移" in copy.warnings[0]
    assert _pdf_lines(copy.data)[:3] == ["000012 登记编号：" + REGISTER, "机密★20年", TITLE]


def test_pdf_with_text_at_the_very_top_warns_of_overlap():
    copy = mark_copy(_pdf(top_y=830), _secret())
    assert any("重叠" in w for w in copy.warnings)


@pytest.mark.parametrize(("spec", "first"), [
    (MarkSpec(Level.NEIBU), "内部"),
    (MarkSpec(Level.NEIBU, internal_mark="内部事项 注意保管"), "内部事项 注意保管"),
])
def test_pdf_internal_has_its_mark_and_no_star(spec, first):
    lines = _pdf_lines(mark_copy(_pdf(), spec).data)
    assert lines[0] == first and lines[1] == TITLE
    assert not any("★" in ln for ln in lines)


def test_pdf_public_copy_is_the_original():
    original = _pdf()
    copy = mark_copy(original, MarkSpec(Level.GONGKAI))
    assert copy.data == original
    assert not any("★" in ln for ln in _pdf_lines(copy.data))


def test_pdf_change_and_declassification():
    changed = _pdf_lines(mark_copy(_pdf(), _secret(previous=PreviousMark(Level.MIMI, 10))).data)
    assert changed[1] == "秘密★10年 机密★20年"
    spec = MarkSpec(Level.GONGKAI, copy_number=12, register_number=REGISTER,
                    previous=PreviousMark(Level.JIMI, 20), declassified_on=date(2046, 3, 2))
    lines = _pdf_lines(mark_copy(_pdf(), spec).data)
    assert lines[1] == "机密★20年 解密 2046年3月2日"


def test_pdf_rotated_page_is_marked_upright():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf(pages=1))))
    writer.pages[0].rotate(90)
    buf = io.BytesIO()
    writer.write(buf)
    copy = mark_copy(buf.getvalue(), _secret())
    assert PdfReader(io.BytesIO(copy.data)).pages[0].rotation == 0
    assert "机密★20年" in _pdf_lines(copy.data)


def test_pdf_with_open_password_is_refused():
    with pytest.raises(EncryptedError, match=r"\[encrypted\]"):
        mark_copy(builders.pdf_bytes([[(72, 700, TITLE)]], user_password="secret"), _secret())


def test_pdf_with_owner_password_only_is_marked_with_a_warning():
    copy = mark_copy(builders.owner_password_pdf(), _secret())
    assert "机密★20年" in _pdf_lines(copy.data) and any("权限密码" in w for w in copy.warnings)


@pytest.mark.parametrize(("data", "error"), [
    ("通知".encode(), UnsupportedFormatError),
    (builders.ole_bytes(["WordDocument"]), UnsupportedFormatError),
    (b"%PDF-1.7\n1 0 obj <<>> endobj\n", CorruptFileError),
    (b"PK\x03\x04broken", CorruptFileError),
])
def test_mark_copy_refuses_what_it_cannot_mark(data, error):
    with pytest.raises(error):
        mark_copy(data, _secret())


def test_no_cjk_font_is_a_typed_error(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "KNOWN_FONTS", ((str(tmp_path / "none.ttc"), 0),))
    monkeypatch.setattr(fonts, "_fc_list", list)
    with pytest.raises(NoCjkFontError, match=r"\[no_cjk_font\].*fonts-wqy-zenhei"):
        mark_copy(_pdf(), _secret())
    with pytest.raises(NoCjkFontError):
        fonts.find_cjk_font(tmp_path / "missing.ttf")
    otf = tmp_path / "cff.otf"
    otf.write_bytes(b"OTTO" + bytes(100))
    with pytest.raises(NoCjkFontError):
        fonts.find_cjk_font(otf)


def test_find_cjk_font_finds_a_truetype_font():
    font = fonts.find_cjk_font()
    assert font.path.is_file() and font.path.suffix.lower() in (".ttf", ".ttc")
