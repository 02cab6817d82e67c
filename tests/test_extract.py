"""Tests for ``classifier.extract``: every input is built by the test (tests/builders.py).

The real-world inputs in ``../shared/cases`` are checked too (skipped when the folder is
missing), with the comparison rule of its README.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from classifier.errors import (
    CorruptFileError,
    EmptyTextError,
    EncryptedError,
    ExtractionError,
    NeedsConverterError,
    NeedsOcrError,
    NotFoundError,
    TooLargeError,
    UnsupportedFormatError,
    UsageError,
)
from classifier.extract import extract_bytes, extract_text, legacy, ocr, sniff_format
from classifier.extract.normalize import clean_text
from classifier.extract.result import ExtractedText
from tests import builders as b

CASES_DIR = Path(__file__).resolve().parents[2] / "shared" / "cases"
HAVE_SOFFICE = legacy.soffice() is not None
HAVE_OCR = ocr.available()


def squash(text: str) -> str:
    """The cases' comparison rule: delete every whitespace character, nothing else."""
    return re.sub(r"\s", "", text)


def assert_offsets(result: ExtractedText) -> None:
    """Segments are non-empty, ordered, non-overlapping, within bounds, separated by whitespace."""
    pos = 0
    for seg in result.segments:
        assert pos <= seg.start < seg.end <= len(result.text)
        assert result.text[pos : seg.start].strip() == ""
        piece = result.text[seg.start : seg.end]
        assert piece.strip() == piece != ""
        pos = seg.end
    assert pos == len(result.text)


def kinds(result: ExtractedText) -> list[tuple[str, str]]:
    """``(kind, text)`` of every segment."""
    return [(s.kind, result.text[s.start : s.end]) for s in result.segments]


# --------------------------------------------------------------------------- DOCX


def test_extract_docx_body_order_and_segments(tmp_path):
    body = (
        b.p("关于市管干部调整的请示")
        + b.tbl(["姓名", "职务"], ["孙慧敏", "副局长"])
        + b.p("妥否，请批示。")
    )
    result = extract_text(b.write(tmp_path, "a.docx", b.docx_bytes(body)))
    assert result.source_format == "docx" and result.pages == 1
    assert result.text == "关于市管干部调整的请示\n姓名\t职务\n孙慧敏\t副局长\n妥否，请批示。"
    assert [k for k, _ in kinds(result)] == ["paragraph"] + ["table_cell"] * 4 + ["paragraph"]
    assert_offsets(result)


def test_extract_docx_nested_table_and_merged_cells(tmp_path):
    inner = b.tbl(["优秀", "称职", "基本称职"], ["28票", "5票", "0票"])
    body = b.tbl(
        [b.tc("考察对象", span=2)],
        [b.tc("民主测评", vmerge="restart"), b.tc("测评结果如下：", inner, "以上为有效票")],
        [b.tc("民主测评", vmerge="continue"), "另有弃权票2票"],
    )
    result = extract_bytes(b.docx_bytes(body), "t.docx")
    text = result.text
    assert text.count("考察对象") == 1
    assert text.count("民主测评") == 1  # the continuation cell of the vertical merge is not read
    assert "优秀\t称职\t基本称职\n28票\t5票\t0票" in text
    assert "测评结果如下：\n优秀" in text and "0票\n以上为有效票" in text
    assert "\n另有弃权票2票" in text  # the new row starts on a new line even after a skipped cell
    assert all(k == "table_cell" for k, _ in kinds(result))
    assert_offsets(result)


def test_extract_docx_headers_footers_each_distinct_part_once(tmp_path):
    body = b.p("正文第一段") + b.p("正文第二段")
    data = b.docx_bytes(
        body,
        headers=[b.p("秘密★10年"), b.p("秘密★10年"), b.p("东岚市委组织部")],
        footers=[b.p("内部资料", b.textbox("注意保存"))],
        section_refs=[("header", 0), ("header", 0), ("header", 1), ("header", 2), ("footer", 0)],
    )
    result = extract_bytes(data, "h.docx")
    assert result.text == "秘密★10年\n东岚市委组织部\n正文第一段\n正文第二段\n内部资料\n注意保存"
    assert [k for k, _ in kinds(result)] == [
        "header",
        "header",
        "paragraph",
        "paragraph",
        "footer",
        "footer",
    ]


@pytest.mark.parametrize("fallback", [True, False])
def test_extract_docx_textbox_read_once(fallback):
    body = b.p(
        b.textbox("东岚市管后备干部名单（讨论稿）", "此件属机密，阅后收回", with_fallback=fallback)
    ) + b.p("市委常委：")
    result = extract_bytes(b.docx_bytes(body), "x.docx")
    assert result.text.count("此件属机密，阅后收回") == 1
    assert kinds(result) == [
        ("textbox", "东岚市管后备干部名单（讨论稿）"),
        ("textbox", "此件属机密，阅后收回"),
        ("paragraph", "市委常委："),
    ]


def test_extract_docx_vml_textbox_and_anchor_text():
    body = b.p("正文锚点", b.vml_textbox("旧版文本框"))
    result = extract_bytes(b.docx_bytes(body), "v.docx")
    assert kinds(result) == [("paragraph", "正文锚点"), ("textbox", "旧版文本框")]


def test_extract_docx_tracked_changes():
    move = '<w:moveFrom w:id="5" w:author="t"><w:r><w:t>挪走的字</w:t></w:r></w:moveFrom>'
    move_to = '<w:moveTo w:id="6" w:author="t"><w:r><w:t>挪来的字</w:t></w:r></w:moveTo>'
    body = (
        b.p("拟任命", b.dele("赵启航"), b.ins("孙慧敏"), "同志为副局长。")
        + b.p(move, "中间", move_to)
        + b.tbl(["保留行"], ["删除行"], deleted_rows=[1])
    )
    result = extract_bytes(b.docx_bytes(body), "c.docx")
    assert "拟任命孙慧敏同志为副局长。" in result.text
    assert "中间挪来的字" in result.text
    for gone in ("赵启航", "挪走的字", "删除行"):
        assert gone not in result.text


def test_extract_docx_footnotes_and_endnotes_skip_separators():
    body = b.p("全市共有党员52318名", '<w:r><w:footnoteReference w:id="1"/></w:r>', "。")
    data = b.docx_bytes(body, footnotes=[" 本数据尚未公开发布，不得引用。"], endnotes=["尾注内容"])
    result = extract_bytes(data, "f.docx")
    assert kinds(result) == [
        ("paragraph", "全市共有党员52318名。"),
        ("footnote", "本数据尚未公开发布，不得引用。"),
        ("endnote", "尾注内容"),
    ]


def test_extract_docx_comments_are_read():
    """A secret written only into a comment (批注) is still in the file that would be sent."""
    body = b.p("关于调整办公用房的通知") + b.p("见批注。")
    data = b.docx_bytes(body, comments=["拟推荐王某某同志任县委副书记，尚未上会，请勿外传。"])
    result = extract_bytes(data, "c.docx")
    assert kinds(result)[-1] == ("comment", "拟推荐王某某同志任县委副书记，尚未上会，请勿外传。")
    assert "拟推荐王某某同志" in result.text


def test_extract_docx_content_controls_fields_and_special_runs():
    body = (
        b.sdt(b.p("块级内容控件"))
        + b.p("行内", b.sdt(b.r("控件")), "文字")
        + b.p("页码", b.field(" PAGE \\* MERGEFORMAT ", "3"))
        + b.p(
            "<w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t><w:noBreakHyphen/><w:t>丁</w:t></w:r>"
        )
        + b.p('<w:hyperlink r:id="x"><w:r><w:t>超链接</w:t></w:r></w:hyperlink>')
        + b.p('<w:r><w:sym w:font="Wingdings" w:char="F0AB"/><w:t>符号</w:t></w:r>')
    )
    result = extract_bytes(b.docx_bytes(body), "s.docx")
    assert result.text.split("\n") == [
        "块级内容控件",
        "行内控件文字",
        "页码3",
        "甲\t乙",
        "丙-丁",
        "超链接",
        "符号",
    ]
    assert "PAGE" not in result.text


def test_extract_docx_strict_namespace():
    data = b.docx_bytes(
        b.p("严格模式文档"), namespace="http://purl.oclc.org/ooxml/wordprocessingml/main"
    )
    assert extract_bytes(data, "strict.docx").text == "严格模式文档"


def test_extract_docx_five_pages_runs_fast():
    data = b.long_docx()
    result = extract_bytes(data, "long.docx")
    assert len(result.text) >= 8000
    assert result.segments[0].kind == "header"
    assert_offsets(result)


# --------------------------------------------------------------------------- PDF


def test_extract_pdf_cjk_paragraphs_titles_and_lists():
    para = "各单位要严格按照干部选拔任用工作条例的规定，认真做好考察预告和任前公示工作，确保选人用人风清气正。"
    lines = [(200.0, 780.0, "关于做好干部调配工作的通知")]
    wrapped = b.wrap_cjk(para, y=740.0, width_chars=20)
    lines += wrapped
    y = wrapped[-1][1] - 20
    lines += [(72.0, y, "一、调配范围"), (72.0, y - 20, "二、工作要求")]
    result = extract_bytes(b.pdf_bytes([lines]), "n.pdf")
    assert result.source_format == "pdf" and result.pages == 1
    assert result.text.split("\n") == [
        "关于做好干部调配工作的通知",
        para,
        "一、调配范围",
        "二、工作要求",
    ]
    assert result.segments[0].kind == "page" and result.segments[0].page == 1


def test_extract_pdf_pages_are_segments():
    data = b.pdf_bytes([[(72.0, 700.0, "第一页内容")], [], [(72.0, 700.0, "第三页内容")]])
    result = extract_bytes(data, "p.pdf")
    assert result.pages == 3
    assert [(s.page, result.text[s.start : s.end]) for s in result.segments] == [
        (1, "第一页内容"),
        (3, "第三页内容"),
    ]


@pytest.mark.parametrize(
    "n_lines", [2, 40]
)  # PDFium collapses the short case itself, not the long one
def test_extract_pdf_fake_bold_collapsed(n_lines):
    lines = [(72.0, 780.0 - 18 * k, f"关于林思远同志任职的通知第{k}行。") for k in range(n_lines)]
    result = extract_bytes(b.pdf_bytes([lines], fake_bold=True), "bold.pdf")
    assert result.text.split("\n") == [text for _, _, text in lines]


def test_extract_pdf_fake_bold_glyph_by_glyph_collapsed():
    lines = [(72.0, 780.0 - 18 * k, f"关于林思远同志任职的通知第{k}行。") for k in range(40)]
    result = extract_bytes(b.glyph_overprint_pdf(lines), "glyphs.pdf")
    assert result.text.split("\n") == [text for _, _, text in lines]


def test_extract_pdf_genuine_repeated_characters_kept():
    # Three doubled characters in a row make the page look overprinted; positions decide.
    line = "哈哈哈哈哈哈，谢谢谢谢，天天向上。"
    result = extract_bytes(b.pdf_bytes([[(72.0, 700.0, line)]]), "r.pdf")
    assert result.text == line


def test_extract_pdf_table_rows_not_joined():
    rows = [
        (72.0, 700.0, "姓名"),
        (200.0, 700.0, "现任职务"),
        (72.0, 680.0, "孙慧敏"),
        (200.0, 680.0, "统计局科长"),
    ]
    text = extract_bytes(b.pdf_bytes([rows]), "t.pdf").text
    assert text.split("\n") == ["姓名 现任职务", "孙慧敏 统计局科长"]


def test_extract_pdf_rotated_text_not_joined():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.translate(300, 300)
    c.rotate(60)  # not 90: PDFium drops the glyphs of this unembedded font at exactly 90°
    c.setFont("STSong-Light", 12)
    c.drawString(0, 0, "斜排第一行没有标点")
    c.drawString(0, -15, "斜排第二行")
    c.showPage()
    c.save()
    assert extract_bytes(buf.getvalue(), "v.pdf").text.split("\n") == [
        "斜排第一行没有标点",
        "斜排第二行",
    ]


def test_extract_pdf_concurrent_threads_agree():
    from concurrent.futures import ThreadPoolExecutor

    data = [b.pdf_bytes([[(72.0, 700.0, f"第{i}份文件的正文")]]) for i in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        texts = list(pool.map(lambda d: extract_bytes(d, "x.pdf").text, data * 4))
    assert texts == [f"第{i}份文件的正文" for i in range(8)] * 4


def test_extract_pdf_kangxi_radicals_become_ideographs():
    result = extract_bytes(
        b.pdf_bytes([[(72.0, 700.0, "关于进⼀步加强⼲部监督⼯作的实施⽅案")]]), "k.pdf"
    )
    assert result.text == "关于进一步加强干部监督工作的实施方案"


def test_extract_pdf_cid_garbage_dropped_with_warning():
    result = extract_bytes(b.cid_pdf("关于干部工作", literal="(cid:123)"), "cid.pdf")
    assert result.text == "关于干部工作"
    assert len(result.warnings) == 1 and result.warnings[0].startswith("cid_garbage: 第1页")


def test_extract_pdf_only_cid_garbage_needs_ocr():
    # With OCR off (or not installed); with OCR the page is rendered and read (test_ocr.py).
    with pytest.raises(NeedsOcrError, match=r"\[needs_ocr\]"):
        extract_bytes(b.cid_pdf(), "cid.pdf", ocr=False)


def test_extract_pdf_image_only_needs_ocr(tmp_path):
    with pytest.raises(NeedsOcrError, match=r"\[needs_ocr\]"):
        extract_text(b.write(tmp_path, "scan.pdf", b.image_only_pdf()), ocr=False)


def test_extract_pdf_blank_is_empty():
    with pytest.raises(EmptyTextError, match=r"\[empty_text\]"):
        extract_bytes(b.blank_pdf(), "blank.pdf")


def test_extract_pdf_encrypted(tmp_path):
    data = b.pdf_bytes([[(72.0, 700.0, "机密文件")]], user_password="secret")
    with pytest.raises(EncryptedError, match=r"\[encrypted\]"):
        extract_text(b.write(tmp_path, "locked.pdf", data))


def test_extract_pdf_truncated_is_corrupt(tmp_path):
    data = b.pdf_bytes([[(72.0, 700.0, "被截断的文件")]])
    with pytest.raises(CorruptFileError, match=r"\[corrupt_file\]"):
        extract_text(b.write(tmp_path, "cut.pdf", data[: len(data) // 2]))


def test_extract_pdf_too_many_pages():
    data = b.pdf_bytes([[(72.0, 700.0, "一")], [(72.0, 700.0, "二")]])
    with pytest.raises(TooLargeError, match=r"\[too_large\]"):
        extract_bytes(data, "big.pdf", max_pages=1)


def test_extract_pdf_five_pages():
    result = extract_bytes(b.long_pdf(), "long.pdf")
    assert result.pages == 5 and len(result.segments) == 5
    assert len(squash(result.text)) > 7000
    assert " " not in result.text
    assert_offsets(result)


# --------------------------------------------------------------------------- TXT

TEXT = "关于召开民主生活会的通知\r\n各单位：\r\n\r\n\r\n请按时参加（会期一天）。"
LINES = "关于召开民主生活会的通知\n各单位：\n请按时参加（会期一天）。"
PURE_CJK = "关于召开民主生活会的通知各单位请按时参加"


@pytest.mark.parametrize(
    ("data", "encoding", "expected"),
    [
        (TEXT.encode("utf-8"), "utf-8", LINES),
        (TEXT.encode("utf-8-sig"), "utf-8-sig", LINES),
        (TEXT.encode("gbk"), "gb18030", LINES),
        (TEXT.encode("gb18030"), "gb18030", LINES),
        (TEXT.encode("utf-16"), "utf-16", LINES),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16", LINES),
        (TEXT.encode("utf-16-le"), "utf-16", LINES),
        (TEXT.encode("utf-16-be"), "utf-16", LINES),
        (PURE_CJK.encode("utf-16-le"), "utf-16", PURE_CJK),
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "gbk",
        "gb18030",
        "utf16-bom",
        "utf16be-bom",
        "utf16le",
        "utf16be",
        "utf16le-cjk-only",
    ],
)
def test_extract_txt_encodings(tmp_path, data, encoding, expected):
    result = extract_text(b.write(tmp_path, "t.txt", data))
    assert result.text == expected
    assert result.encoding == encoding and result.source_format == "txt"
    assert all(s.kind == "paragraph" for s in result.segments)
    assert_offsets(result)


def test_extract_txt_cleaning_keeps_fullwidth_and_maps_lookalikes():
    raw = "\u3000\u3000⼀、⽂件精神\u200b：ＡＢＣ１２３，\u00a0见附件\u3000（⻓期）  \t\n"
    result = extract_bytes(raw.encode(), "c.txt")
    assert result.text == "一、文件精神：ＡＢＣ１２３， 见附件\u3000（长期）"


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("a\r\nb\rc", "a\nb\nc"),
        ("行尾空格   \n\n\n\n下一段", "行尾空格\n\n下一段"),
        ("零\u200b宽\u200d字\ufeff符\u00ad", "零宽字符"),
        ("控\x07制\x1b符", "控制符"),
        ("兼容\uf900字", "兼容豈字"),
        ("多  个   空格", "多 个 空格"),
    ],
)
def test_clean_text_rules(raw, cleaned):
    assert clean_text(raw) == cleaned


# --------------------------------------------------------------------------- errors and sniffing


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"%PDF-1.7\n", "pdf"),
        (b"\xef\xbb\xbf junk before %PDF-1.4", "pdf"),
        (b.docx_bytes(b.p("x")), "docx"),
        ("纯文本".encode("gbk"), "txt"),
        (b"", "txt"),
    ],
)
def test_sniff_format(data, fmt):
    assert sniff_format(data) == fmt


#: An OLE2 file LibreOffice cannot convert: corrupt_file, or needs_converter without LibreOffice.
LEGACY_FAILS = (
    (CorruptFileError, "corrupt_file") if HAVE_SOFFICE else (NeedsConverterError, "needs_converter")
)
#: A broken 1-pixel PNG: corrupt_file, or needs_ocr without the OCR engine.
IMAGE_BROKEN = (CorruptFileError, "corrupt_file") if HAVE_OCR else (NeedsOcrError, "needs_ocr")


@pytest.mark.parametrize(
    ("name", "data", "error", "code"),
    [
        ("corrupt.docx", b.docx_bytes(b.p("正文"))[:300], CorruptFileError, "corrupt_file"),
        (
            "noxml.docx",
            b.zip_bytes(
                {"[Content_Types].xml": "wordprocessingml.document.main", "word/styles.xml": "<x/>"}
            ),
            CorruptFileError,
            "corrupt_file",
        ),
        (
            "badxml.docx",
            b.docx_bytes("", document_xml=b"<w:document><w:body><w:p>"),
            CorruptFileError,
            "corrupt_file",
        ),
        (
            "archive.docx",
            b.zip_bytes({"a.txt": "hello"}),
            UnsupportedFormatError,
            "unsupported_format",
        ),
        (
            "sheet.docx",
            b.zip_bytes({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<x/>"}),
            CorruptFileError,
            "corrupt_file",
        ),
        (
            "slides.docx",
            b.zip_bytes({"[Content_Types].xml": "<Types/>", "ppt/presentation.xml": "<x/>"}),
            UnsupportedFormatError,
            "unsupported_format",
        ),
        ("renamed.docx", b.ole_header_only(), *LEGACY_FAILS),
        ("word97.docx", b.ole_bytes(["WordDocument", "1Table"]), *LEGACY_FAILS),
        ("excel97.docx", b.ole_bytes(["Workbook"]), *LEGACY_FAILS),
        ("deck97.docx", b.ole_bytes(["PowerPoint Document"]), UnsupportedFormatError,
         "unsupported_format"),
        (
            "locked.docx",
            b.ole_bytes(["EncryptionInfo", "EncryptedPackage"]),
            EncryptedError,
            "encrypted",
        ),
        (
            "locked97.doc",
            b.ole_bytes(["WordDocument", "1Table"], word_fib_flags=0x0100),
            EncryptedError,
            "encrypted",
        ),
        ("image.pdf", b.PNG_1PX, *IMAGE_BROKEN),
        ("anim.png", b"GIF89a" + bytes(20), UnsupportedFormatError, "unsupported_format"),
        ("random.txt", bytes(range(256)) * 8, UnsupportedFormatError, "unsupported_format"),
        ("empty.txt", b"", EmptyTextError, "empty_text"),
        ("blank.txt", " \u3000\n\t\r\n".encode(), EmptyTextError, "empty_text"),
        ("blank.docx", b.docx_bytes(b.p("") + b.tbl([""])), EmptyTextError, "empty_text"),
    ],
)
def test_extract_bad_files_raise_coded_errors(tmp_path, name, data, error, code):
    with pytest.raises(error, match=rf"^\[{code}\] ") as info:
        extract_text(b.write(tmp_path, name, data))
    assert info.value.code == code
    assert info.value.path is not None and info.value.path.name == name


def test_extract_random_bytes_seeded_unsupported():
    import random

    data = random.Random(0).randbytes(4096)
    with pytest.raises(UnsupportedFormatError, match=r"\[unsupported_format\]"):
        extract_bytes(data, "noise.bin")


def test_extract_too_large_checked_before_reading(tmp_path, monkeypatch):
    path = b.write(tmp_path, "big.txt", "正文".encode() * 100)

    def no_read(*args, **kwargs):
        raise AssertionError("the file must not be opened")

    monkeypatch.setattr(Path, "open", no_read)
    with pytest.raises(TooLargeError, match=r"\[too_large\]"):
        extract_text(path, max_file_bytes=100)


def test_extract_bytes_too_large():
    with pytest.raises(TooLargeError, match=r"\[too_large\]"):
        extract_bytes(b"x" * 101, "big.txt", max_file_bytes=100)


def test_extract_missing_file_and_directory(tmp_path):
    with pytest.raises(NotFoundError, match=r"\[not_found\]"):
        extract_text(tmp_path / "nope.pdf")
    with pytest.raises(UsageError, match=r"\[usage_error\]"):
        extract_text(tmp_path)


def test_import_is_lazy():
    code = (
        "import sys, classifier.extract; "
        "heavy = {'pypdfium2', 'pdfplumber', 'docx', 'lxml', 'reportlab'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("kind", ["docx", "pdf", "txt"])
def test_extract_mutated_files_raise_only_coded_errors(kind):
    import random

    seed = {
        "docx": b.docx_bytes(
            b.p("正文") + b.tbl(["甲", "乙"]), headers=[b.p("页眉")], footnotes=["脚注"]
        ),
        "pdf": b.pdf_bytes([[(72.0, 700.0, "关于干部工作的通知")], [(72.0, 700.0, "第二页")]]),
        "txt": "关于召开会议的通知\n请准时参加。".encode("gb18030"),
    }[kind]
    rng = random.Random(kind)
    for _ in range(150):
        data = bytearray(seed)
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        else:
            data = data[: rng.randrange(len(data))]
        try:
            extract_bytes(bytes(data), f"m.{kind}")
        except ExtractionError:
            pass


# --------------------------------------------------------------------------- properties

_TEXT_CHARS = st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from(
    "\n\r\t \u3000\u200b"
)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(_TEXT_CHARS, max_size=300))
def test_property_txt_offsets_consistent(tmp_path, text):
    assume(
        "%PDF" not in text and not text.startswith(("{\\rtf", "%!PS", "GIF8", "AT&TFORM", "ID3"))
    )
    path = tmp_path / "p.txt"
    path.write_bytes(text.encode("utf-8"))
    try:
        result = extract_text(path)
    except EmptyTextError:
        return
    assert result.text.strip()
    assert_offsets(result)


@given(st.text(_TEXT_CHARS, max_size=200))
def test_property_clean_text_idempotent(text):
    once = clean_text(text)
    assert clean_text(once) == once


# --------------------------------------------------------------------------- ../shared/cases


def _cases() -> list[dict]:
    path = CASES_DIR / "expected.jsonl"
    if not path.exists():
        return []
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


@pytest.mark.skipif(
    not (CASES_DIR / "expected.jsonl").exists(), reason="../shared/cases not present"
)
@pytest.mark.parametrize(
    "case", [c for c in _cases() if c["check"] == "text"], ids=lambda c: c["file"][:3]
)
def test_shared_cases(case):
    path = CASES_DIR / "inputs" / case["file"]
    expected_error = case["expect_error"]
    if expected_error == "legacy_doc":  # read through LibreOffice when it is installed
        if not HAVE_SOFFICE:
            with pytest.raises(NeedsConverterError, match=r"\[needs_converter\]"):
                extract_text(path)
            return
        text = squash(extract_text(path).text)
        for s in case["alt"]["contains"]:
            assert squash(s) in text
        return
    if expected_error:
        with pytest.raises(ExtractionError, match=rf"\[{expected_error}\]"):
            extract_text(path)
        return
    text = squash(extract_text(path).text)
    for s in case["expect_contains"]:
        assert squash(s) in text
    for s in case["expect_absent"]:
        assert squash(s) not in text
    for s in case.get("expect_once", []):
        assert text.count(squash(s)) == 1
