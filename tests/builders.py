"""Build test inputs (DOCX, PDF, OLE2, text) from scratch, into ``tmp_path``.

Every file a test reads is made here, so each kind of real-world failure in
``../shared/cases`` has a twin the tests control. PDFs use reportlab's built-in CID font
``STSong-Light`` (no font file needed; PDFium decodes it through the predefined
``UniGB-UCS2-H`` CMap), or are written by hand (:func:`raw_pdf`) where a PDF feature must be
exact (a font without ToUnicode, an image-only page).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

# --------------------------------------------------------------------------- DOCX

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NAMESPACES = (
    f'xmlns:w="{W_NS}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math" '
    'mc:Ignorable="wps"'
)
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml"


def r(text: str) -> str:
    """A run with text (``xml:space="preserve"``)."""
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def p(*content: str) -> str:
    """A paragraph; plain strings become runs, strings starting with ``<`` are used as XML."""
    inner = "".join(c if c.startswith("<") else r(c) for c in content)
    return f"<w:p>{inner}</w:p>"


def tc(*blocks: str, span: int = 1, vmerge: str | None = None) -> str:
    """A table cell; ``vmerge`` is ``"restart"`` or ``"continue"``."""
    props = ""
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    body = "".join(b if b.startswith("<") else p(b) for b in blocks) or "<w:p/>"
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>"


def tbl(*rows: Sequence[str], deleted_rows: Iterable[int] = ()) -> str:
    """A table from rows of cells (strings are cells with one paragraph; XML from :func:`tc`)."""
    deleted = set(deleted_rows)
    out = []
    for i, row in enumerate(rows):
        props = '<w:trPr><w:del w:id="99" w:author="t"/></w:trPr>' if i in deleted else ""
        cells = "".join(c if c.startswith("<w:tc") else tc(c) for c in row)
        out.append(f"<w:tr>{props}{cells}</w:tr>")
    return f"<w:tbl><w:tblPr/>{''.join(out)}</w:tbl>"


def textbox(*paragraphs: str, with_fallback: bool = True) -> str:
    """A run holding a DrawingML text box, with Word's VML copy in ``mc:Fallback``."""
    body = "".join(p(x) for x in paragraphs)
    choice = (
        '<mc:Choice Requires="wps"><w:drawing><wp:anchor><a:graphic><a:graphicData>'
        f"<wps:wsp><wps:txbx><w:txbxContent>{body}</w:txbxContent></wps:txbx></wps:wsp>"
        "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
    )
    fallback = (
        f"<mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{body}</w:txbxContent>"
        "</v:textbox></v:shape></w:pict></mc:Fallback>"
    )
    return f"<w:r><mc:AlternateContent>{choice}{fallback if with_fallback else ''}</mc:AlternateContent></w:r>"


def vml_textbox(*paragraphs: str) -> str:
    """A run holding an old-style VML text box (no ``mc:AlternateContent``)."""
    body = "".join(p(x) for x in paragraphs)
    return f"<w:r><w:pict><v:shape><v:textbox><w:txbxContent>{body}</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"


def ins(text: str) -> str:
    """An inserted run (tracked change)."""
    return f'<w:ins w:id="1" w:author="t">{r(text)}</w:ins>'


def dele(text: str) -> str:
    """A deleted run (tracked change)."""
    return f'<w:del w:id="2" w:author="t"><w:r><w:delText>{escape(text)}</w:delText></w:r></w:del>'


def field(code: str, result: str) -> str:
    """A complex field: the code (``w:instrText``) and its displayed result."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{escape(code)}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{r(result)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def sdt(content: str) -> str:
    """A content control around block-level or run-level ``content``."""
    return f'<w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent>{content}</w:sdtContent></w:sdt>'


def _notes(tag: str, notes: Sequence[str]) -> str:
    """A footnotes/endnotes part with Word's separator notes and ``notes`` as notes 1..n."""
    seps = (
        f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>'
        f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:{tag}>'
    )
    body = "".join(f'<w:{tag} w:id="{i}">{p(text)}</w:{tag}>' for i, text in enumerate(notes, 1))
    return f'<?xml version="1.0" encoding="UTF-8"?><w:{tag}s {_NAMESPACES}>{seps}{body}</w:{tag}s>'


def docx_bytes(
    body: str,
    *,
    headers: Sequence[str] = (),
    footers: Sequence[str] = (),
    section_refs: Sequence[tuple[str, int]] | None = None,
    footnotes: Sequence[str] = (),
    endnotes: Sequence[str] = (),
    comments: Sequence[str] = (),
    namespace: str = W_NS,
    document_xml: bytes | None = None,
) -> bytes:
    """Build a minimal but valid DOCX package.

    Parameters
    ----------
    body : str
        Block-level XML inside ``w:body`` (see :func:`p`, :func:`tbl` …).
    headers, footers : sequence of str
        Block-level XML of each header/footer part (``header1.xml`` …).
    section_refs : sequence of (kind, index), optional
        References in the final ``w:sectPr``, e.g. ``[("header", 0), ("header", 0)]``;
        default: every header and footer once.
    footnotes, endnotes : sequence of str
        Note texts (separator notes are added as Word does).
    comments : sequence of str
        Comment (批注) texts, in ``word/comments.xml``.
    namespace : str
        WordprocessingML namespace (the strict one to test ISO 29500 strict files).
    document_xml : bytes, optional
        Use these bytes as ``word/document.xml`` verbatim (to test broken XML).
    """
    rels = []
    overrides = [
        f'<Override PartName="/word/document.xml" ContentType="{_CT_MAIN}.document.main+xml"/>'
    ]
    files: dict[str, bytes] = {}
    for kind, parts in (("header", headers), ("footer", footers)):
        root = "hdr" if kind == "header" else "ftr"
        for i, xml in enumerate(parts):
            name = f"{kind}{i + 1}.xml"
            files[f"word/{name}"] = (
                f'<?xml version="1.0" encoding="UTF-8"?><w:{root} {_NAMESPACES}>{xml}</w:{root}>'.encode()
            )
            rels.append(f'<Relationship Id="r{kind}{i}" Type="{_REL}/{kind}" Target="{name}"/>')
            overrides.append(
                f'<Override PartName="/word/{name}" ContentType="{_CT_MAIN}.{kind}+xml"/>'
            )
    for kind, notes in (("footnote", footnotes), ("endnote", endnotes)):
        if notes:
            files[f"word/{kind}s.xml"] = _notes(kind, notes).encode()
            rels.append(f'<Relationship Id="r{kind}s" Type="{_REL}/{kind}s" Target="{kind}s.xml"/>')
            overrides.append(
                f'<Override PartName="/word/{kind}s.xml" ContentType="{_CT_MAIN}.{kind}s+xml"/>'
            )
    if comments:
        body_c = "".join(f'<w:comment w:id="{i}" w:author="审核人">{p(text)}</w:comment>'
                         for i, text in enumerate(comments))
        files["word/comments.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><w:comments {_NAMESPACES}>{body_c}</w:comments>'
        ).encode()
        rels.append(f'<Relationship Id="rcomments" Type="{_REL}/comments" Target="comments.xml"/>')
        overrides.append(
            f'<Override PartName="/word/comments.xml" ContentType="{_CT_MAIN}.comments+xml"/>'
        )
    if section_refs is None:
        section_refs = [("header", i) for i in range(len(headers))] + [
            ("footer", i) for i in range(len(footers))
        ]
    refs = "".join(
        f'<w:{kind}Reference w:type="default" r:id="r{kind}{i}"/>' for kind, i in section_refs
    )
    document = f'<?xml version="1.0" encoding="UTF-8"?><w:document {_NAMESPACES}><w:body>{body}<w:sectPr>{refs}</w:sectPr></w:body></w:document>'
    if namespace != W_NS:
        document = document.replace(W_NS, namespace)
    files["word/document.xml"] = document_xml if document_xml is not None else document.encode()
    files["word/_rels/document.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships '
        f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{"".join(rels)}</Relationships>'
    ).encode()
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{"".join(overrides)}</Types>'
    )
    package_rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", package_rels)
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def zip_bytes(files: dict[str, bytes | str]) -> bytes:
    """A ZIP archive holding ``files``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``tmp_path / name`` and return the path."""
    path = tmp_path / name
    path.write_bytes(data)
    return path


def long_docx(n_chars: int = 8000) -> bytes:
    """A ~5-page draft: headings, paragraphs and a table, about ``n_chars`` characters."""
    sentences = [
        "经市委常委会研究，拟对部分市管领导班子进行调整，现将有关情况报告如下。",
        "各单位要严格按照干部选拔任用工作条例的规定，认真做好考察预告和任前公示工作。",
        "后备干部队伍结构持续优化，来源渠道进一步拓宽，年轻干部比例稳步提高。",
        "本方案在任职通知发布前属机密事项，请严格控制知悉范围，不得擅自扩散。",
    ]
    blocks, total, i = [], 0, 0
    while total < n_chars:
        if i % 12 == 0:
            heading = f"{'一二三四五六七八九十'[(i // 12) % 10]}、关于第{i // 12 + 1}部分工作的情况"
            blocks.append(p(heading))
            total += len(heading)
        if i % 30 == 15:
            rows = [
                ["姓名", "现任职务", "拟任职务"],
                ["孙慧敏", "统计局科长", "统计局副局长"],
                ["周文博", "发改委主任", "发改委副主任"],
            ]
            blocks.append(tbl(*rows))
            total += sum(len(c) for row in rows for c in row)
        text = "".join(sentences[(i + k) % 4] for k in range(3))
        blocks.append(p(text))
        total += len(text)
        i += 1
    return docx_bytes("".join(blocks), headers=[p("秘密★5年")], footers=[p("第 1 页")])


# --------------------------------------------------------------------------- PDF

PdfLine = tuple[float, float, str]  # x, y (baseline, points from the bottom), text


def _cjk_canvas(target: io.BytesIO, encrypt: object | None = None) -> object:
    """A reportlab canvas with the built-in CID font ``STSong-Light`` registered."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return canvas.Canvas(target, pagesize=(595.0, 842.0), encrypt=encrypt, invariant=1)


def pdf_bytes(
    pages: Sequence[Sequence[PdfLine]],
    *,
    size: float = 12.0,
    fake_bold: bool = False,
    user_password: str | None = None,
) -> bytes:
    """A PDF with CJK text lines placed exactly.

    Parameters
    ----------
    pages : sequence of sequence of (x, y, text)
        Lines per page, in drawing order.
    size : float
        Font size in points.
    fake_bold : bool
        Draw every line twice, the second time 0.2 pt to the right and up (the way some
        producers simulate bold), as a separate text object after the whole page.
    user_password : str, optional
        Encrypt with this open password (reportlab's ``StandardEncryption``).
    """
    from reportlab.lib.pdfencrypt import StandardEncryption

    buf = io.BytesIO()
    encrypt = StandardEncryption(user_password, canPrint=0) if user_password else None
    c = _cjk_canvas(buf, encrypt)
    for lines in pages:
        c.setFont("STSong-Light", size)
        for x, y, text in lines:
            c.drawString(x, y, text)
        if fake_bold:
            for x, y, text in lines:
                c.drawString(x + 0.2, y + 0.2, text)
        c.showPage()
    c.save()
    return buf.getvalue()


def wrap_cjk(
    text: str,
    *,
    x: float = 72.0,
    y: float,
    width_chars: int,
    indent: int = 2,
    pitch: float = 20.0,
    size: float = 12.0,
) -> list[PdfLine]:
    """Lay out one Chinese paragraph: first line indented by ``indent`` characters, wrapped at ``width_chars``."""
    lines: list[PdfLine] = []
    first = width_chars - indent
    chunks = [text[:first]] + [
        text[i : i + width_chars] for i in range(first, len(text), width_chars)
    ]
    for k, chunk in enumerate(chunks):
        lines.append((x + (indent * size if k == 0 else 0.0), y - k * pitch, chunk))
    return lines


def raw_pdf(objects: Sequence[bytes]) -> bytes:
    """Assemble a PDF from object bodies (object 1 must be the catalog); xref computed."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _stream(content: bytes, extra: bytes = b"") -> bytes:
    """A stream object body."""
    return b"<< /Length %d %s>>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def _page_pdf(content: bytes, resources: bytes, extra_objects: Sequence[bytes] = ()) -> bytes:
    """A one-page PDF: catalog, pages, page (objects 1–3), content (4), then ``extra_objects``."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
            + resources
            + b" /Contents 4 0 R >>",
            _stream(content),
            *extra_objects,
        ]
    )


def _ucs2(text: str) -> bytes:
    """Hex string of ``text`` in UCS-2 big-endian (for the ``UniGB-UCS2-H`` CMap)."""
    return b"<" + text.encode("utf-16-be").hex().encode() + b">"


def cid_pdf(
    real_text: str = "", garbage_codes: Sequence[int] = (0x11, 0x22, 0x33, 0x44), literal: str = ""
) -> bytes:
    """A page whose text partly comes from a font with no ToUnicode (pdfminer's ``(cid:NNN)``).

    ``real_text`` is drawn with STSong-Light (decodable), ``garbage_codes`` with an
    Identity-H font that has no ToUnicode and no embedded program, and ``literal`` (ASCII)
    with Helvetica, e.g. a literal ``"(cid:123)"``.
    """
    ops = b""
    if real_text:
        ops += b"BT /F2 12 Tf 72 760 Td " + _ucs2(real_text) + b" Tj ET\n"
    if garbage_codes:
        ops += (
            b"BT /F1 12 Tf 72 730 Td <"
            + "".join(f"{c:04x}" for c in garbage_codes).encode()
            + b"> Tj ET\n"
        )
    if literal:
        ops += b"BT /F3 12 Tf 72 700 Td (" + literal.encode("ascii") + b") Tj ET\n"
    resources = b"<< /Font << /F1 5 0 R /F2 8 0 R /F3 10 0 R >> >>"
    return _page_pdf(
        ops,
        resources,
        [
            b"<< /Type /Font /Subtype /Type0 /BaseFont /FakeSong /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /FakeSong /CIDSystemInfo << /Registry (Adobe) "
            b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>",
            b"<< /Type /FontDescriptor /FontName /FakeSong /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 "
            b"/Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
            b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [9 0 R] >>",
            b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
            b"/Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        ],
    )


_SONG_OBJECTS = (
    b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
    b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) "
    b"/Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>",
    b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 4 /FontBBox [0 -200 1000 900] /ItalicAngle 0 "
    b"/Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
)


def glyph_overprint_pdf(
    lines: Sequence[PdfLine], *, size: float = 12.0, offset: float = 0.3
) -> bytes:
    """Draw ``lines``, then every glyph again one by one, right to left, ``offset`` pt away.

    PDFium does not collapse these copies and no copy forms a whole line, so only the
    glyph-by-glyph comparison can remove them.
    """
    ops = b""
    for x, y, text in lines:
        ops += b"BT /F2 %.2f Tf %.2f %.2f Td %s Tj ET\n" % (size, x, y, _ucs2(text))
    for x, y, text in lines:
        for j in reversed(range(len(text))):
            ops += b"BT /F2 %.2f Tf %.2f %.2f Td %s Tj ET\n" % (
                size,
                x + size * j + offset,
                y + offset,
                _ucs2(text[j]),
            )
    return _page_pdf(ops, b"<< /Font << /F2 5 0 R >> >>", _SONG_OBJECTS)


def image_only_pdf() -> bytes:
    """A one-page PDF that only draws an 8×8 grey image (a 'scan' with no text layer)."""
    pixels = zlib.compress(bytes(range(0, 256, 4)))
    return _page_pdf(
        b"q 400 0 0 400 100 200 cm /Im1 Do Q",
        b"<< /XObject << /Im1 5 0 R >> >>",
        [
            _stream(
                pixels,
                b"/Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode ",
            )
        ],
    )


def blank_pdf() -> bytes:
    """A one-page PDF with nothing on the page."""
    return _page_pdf(b"", b"<< >>")


def long_pdf(n_pages: int = 5, chars_per_page: int = 1650) -> bytes:
    """A ~5-page draft (about 8,000 characters, 10.5 pt, 44 characters a line) laid out like an official document."""
    sentences = (
        "经市委常委会研究，拟对部分市管领导班子进行调整，现将有关情况报告如下。"
        "各单位要严格按照干部选拔任用工作条例的规定，认真做好考察预告和任前公示工作。"
        "后备干部队伍结构持续优化，来源渠道进一步拓宽，年轻干部比例稳步提高。"
    )
    size, pitch = 10.5, 15.0
    pages = []
    for k in range(n_pages):
        lines: list[PdfLine] = [(60.0, 790.0, f"{'一二三四五六七八九十'[k % 10]}、第{k + 1}部分")]
        y, written = 770.0, 0
        while written < chars_per_page and y > 60:
            para = (sentences * 3)[written % 40 : written % 40 + 170]
            block = wrap_cjk(para, x=60.0, y=y, width_chars=44, pitch=pitch, size=size)
            lines += block
            y -= pitch * len(block)
            written += len(para)
        pages.append(lines)
    return pdf_bytes(pages, size=size)


# --------------------------------------------------------------------------- OLE2


def ole_bytes(stream_names: Sequence[str], *, word_fib_flags: int | None = None) -> bytes:
    """A small but well-formed OLE2 compound file whose directory lists ``stream_names``.

    Layout: sector 0 is the FAT, then the directory sectors, then data. Streams are empty
    except ``WordDocument`` when ``word_fib_flags`` is given: then it is a 4096-byte stream
    in regular sectors starting with a FIB (magic 0xA5EC, flags word at offset 0x0A).
    """
    sector, end_of_chain, free = 512, 0xFFFFFFFE, 0xFFFFFFFF
    n_entries = 1 + len(stream_names)
    n_dir = -(-n_entries * 128 // sector)
    first_data = 1 + n_dir
    data = b""
    entries = [("Root Entry", 5, end_of_chain, 0)]
    for name in stream_names:
        if name == "WordDocument" and word_fib_flags is not None:
            data = struct.pack("<6H", 0xA5EC, 0x00C1, 0, 0, 0, word_fib_flags).ljust(4096, b"\0")
            entries.append((name, 2, first_data, len(data)))
        else:
            entries.append((name, 2, end_of_chain, 0))
    n_data = len(data) // sector
    fat = [0xFFFFFFFD]
    fat += [2 + k if k < n_dir - 1 else end_of_chain for k in range(n_dir)]
    fat += [first_data + k + 1 if k < n_data - 1 else end_of_chain for k in range(n_data)]
    fat += [free] * (sector // 4 - len(fat))
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 0x2C, 1, 1, 0, 4096)  # FAT sectors, first directory sector
    struct.pack_into(
        "<IIII", header, 0x3C, end_of_chain, 0, end_of_chain, 0
    )  # no mini FAT, no DIFAT
    struct.pack_into("<109I", header, 0x4C, 0, *([free] * 108))
    directory = bytearray(n_dir * sector)
    for k, (name, kind, start, size) in enumerate(entries):
        raw = name.encode("utf-16-le") + b"\0\0"
        off = k * 128
        directory[off : off + len(raw)] = raw
        struct.pack_into("<HBB", directory, off + 64, len(raw), kind, 1)
        child = 1 if k == 0 and n_entries > 1 else free
        right = k + 1 if 0 < k < n_entries - 1 else free  # streams chained as right siblings
        struct.pack_into("<III", directory, off + 68, free, right, child)
        struct.pack_into("<IQ", directory, off + 116, start, size)
    return bytes(header) + struct.pack(f"<{sector // 4}I", *fat) + bytes(directory) + data


def ole_header_only() -> bytes:
    """Just an OLE2 signature and a zeroed header: what a renamed .doc's first bytes look like."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e2215bc90000000049454e44ae426082"
)


# --------------------------------------------------------------------------- scans (issue 5)

DRAFT_TITLE = "关于做好2024年度市管干部考察工作的通知"
DRAFT_BODY = (
    "各区委组织部，市直各单位党组（党委）：",
    "为进一步加强干部队伍建设，根据《党政领导干部选拔任用工作条例》有关规定，经市委研究同意，"
    "现就做好2024年度市管干部考察工作有关事项通知如下。",
    "一、考察对象。本次考察对象为市直单位正处级领导干部和部分副处级领导干部，共计47名。"
    "各单位要按照干部管理权限，认真核实考察对象的基本情况。",
    "二、考察内容。重点考察政治素质、工作实绩、作风表现和廉洁自律情况，注重了解干部在急难险重"
    "任务中的表现，听取群众意见。",
    "三、工作要求。各单位要严格遵守组织人事工作纪律，对考察中了解的情况严格保密，不得以任何形式"
    "向外泄露谈话内容和考察结果。",
    "中共东岚市委组织部",
    "2024年3月15日",
)


def draft_text() -> str:
    """The text of :func:`draft_pdf`, paragraphs joined by newlines."""
    return "\n".join((DRAFT_TITLE, *DRAFT_BODY))


def draft_pdf() -> bytes:
    """One page of a typical printed draft: title, 16 pt body, 28 characters a line (GB/T 9704)."""
    lines: list[PdfLine] = [(100.0, 760.0, DRAFT_TITLE)]
    y = 720.0
    for para in DRAFT_BODY:
        block = wrap_cjk(para, x=72.0, y=y, width_chars=28, pitch=26.0, size=16.0)
        lines += block
        y -= 26.0 * len(block)
    return pdf_bytes([lines], size=16.0)


def require_cjk_font() -> None:
    """Fail (naming the package) unless the system has a CJK font for PDFium to render with.

    The tests draw PDFs with reportlab's built-in, non-embedded ``STSong-Light``: PDFium renders
    its glyphs only from a system CJK font, so without one every test "scan" is blank.
    """
    import shutil
    import subprocess

    import pytest

    if shutil.which("fc-list"):
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
        if out.strip():
            return
    pytest.fail("no CJK font on this machine: install Debian's `fonts-wqy-zenhei` "
                "(and `fontconfig`; .ci/run does)", pytrace=False)


def scan_image(pdf: bytes, page: int = 0, *, dpi: int = 200, noise: bool = True, seed: int = 0):
    """A "scan" of a PDF page: rendered at ``dpi``, rotated 0.6°, blurred, with Gaussian noise (PIL image)."""
    require_cjk_font()
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    doc = pdfium.PdfDocument(pdf)
    try:
        img = doc[page].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()
    if noise:
        img = img.rotate(0.6, resample=Image.BICUBIC, fillcolor=255)
        img = img.filter(ImageFilter.GaussianBlur(0.8))
        a = np.asarray(img, dtype=np.float32) + np.random.default_rng(seed).normal(0, 12, img.size[::-1])
        img = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    return img


def image_bytes(img, fmt: str = "PNG", **kwargs) -> bytes:
    """Encode a PIL image (``fmt``: PNG, JPEG, TIFF, PDF — a PDF holds the image only, no text layer)."""
    buf = io.BytesIO()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


def merge_pdfs(*pdfs: bytes) -> bytes:
    """The pages of several PDFs, in order, as one PDF (through PDFium)."""
    import pypdfium2 as pdfium

    out = pdfium.PdfDocument.new()
    for data in pdfs:
        src = pdfium.PdfDocument(data)
        out.import_pages(src)
        src.close()
    buf = io.BytesIO()
    out.save(buf)
    out.close()
    return buf.getvalue()


def char_accuracy(reference: str, hypothesis: str) -> float:
    """1 − (Levenshtein distance / reference length), whitespace removed from both."""
    import re

    ref, hyp = re.sub(r"\s", "", reference), re.sub(r"\s", "", hypothesis)
    prev = list(range(len(hyp) + 1))
    for i, a in enumerate(ref, 1):
        cur = [i]
        for j, c in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != c)))
        prev = cur
    return 1 - prev[-1] / len(ref)


# --------------------------------------------------------------------------- other formats (issue 5)

OFD_NS = "http://www.ofdspec.org/2016"


def ofd_bytes(pages: Sequence[Sequence[tuple[float, float, str]]], *, size: float = 5.6) -> bytes:
    """A minimal OFD (GB/T 33190): ``OFD.xml`` → ``Doc_0/Document.xml`` → one ``Content.xml`` a page.

    Each page is a list of ``(x, y, text)`` (mm, y downward): one ``TextObject`` each.
    """
    files: dict[str, bytes | str] = {
        "OFD.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="{OFD_NS}" Version="1.0" '
        'DocType="OFD"><ofd:DocBody><ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo>'
        "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
    }
    refs = "".join(
        f'<ofd:Page ID="{k + 1}" BaseLoc="Pages/Page_{k}/Content.xml"/>' for k in range(len(pages))
    )
    files["Doc_0/Document.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document xmlns:ofd="{OFD_NS}"><ofd:CommonData>'
        '<ofd:MaxUnitID>99</ofd:MaxUnitID><ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox>'
        f"</ofd:PageArea></ofd:CommonData><ofd:Pages>{refs}</ofd:Pages></ofd:Document>"
    )
    for k, lines in enumerate(pages):
        objs = "".join(
            f'<ofd:TextObject ID="{10 + n}" Boundary="{x} {y - size} {size * len(t)} {size * 1.2}" '
            f'Font="1" Size="{size}"><ofd:TextCode X="0" Y="{size}">{escape(t)}</ofd:TextCode>'
            "</ofd:TextObject>"
            for n, (x, y, t) in enumerate(lines)
        )
        files[f"Doc_0/Pages/Page_{k}/Content.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page xmlns:ofd="{OFD_NS}"><ofd:Content>'
            f'<ofd:Layer ID="2">{objs}</ofd:Layer></ofd:Content></ofd:Page>'
        )
    return zip_bytes(files)


def xlsx_bytes(sheets: dict[str, Sequence[Sequence[object]]]) -> bytes:
    """An XLSX workbook written by openpyxl: sheet name → rows of cell values."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def zip_bomb_docx(expanded: int = 300 * 1024 * 1024) -> bytes:
    """A DOCX whose ``word/document.xml`` is followed by a part that inflates to ``expanded`` bytes.

    Written with a streaming deflater, so the test never holds the expanded bytes.
    """
    base = docx_bytes(p("正文"))
    buf = io.BytesIO(base)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
        with zf.open("word/media/bomb.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1 << 20)
            for _ in range(expanded >> 20):
                fh.write(chunk)
    return buf.getvalue()


def many_entries_zip(n: int = 10_001) -> bytes:
    """A DOCX with ``n`` extra empty entries."""
    buf = io.BytesIO(docx_bytes(p("正文")))
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_STORED) as zf:
        for k in range(n):
            zf.writestr(f"customXml/e{k}.xml", b"")
    return buf.getvalue()


def owner_password_pdf(text: str = "关于干部考察工作的通知") -> bytes:
    """A PDF encrypted with an owner password only (no open password; copying not permitted)."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    buf = io.BytesIO()
    c = _cjk_canvas(buf, StandardEncryption("", ownerPassword="owner", canCopy=0, canModify=0))
    c.setFont("STSong-Light", 12)
    c.drawString(72, 760, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def spread_bomb_docx(n_parts: int = 260) -> bytes:
    """A DOCX with ``n_parts`` parts of 1 MiB of zeros each: no single extreme part, 260 MiB in all."""
    buf = io.BytesIO(docx_bytes(p("正文")))
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as zf:
        for k in range(n_parts):
            zf.writestr(f"word/media/z{k}.bin", bytes(1 << 20))
    return buf.getvalue()


# --------------------------------------------------------------------------- PDF layout (issue 8)


def columns_pdf(
    columns: Sequence[Sequence[str]],
    *,
    title: str = "",
    width_chars: int = 18,
    size: float = 12.0,
    pitch: float = 18.0,
    gutter: float = 18.0,
    interleaved: bool = True,
    continued: bool = False,
) -> bytes:
    """One page of a 简报: an optional title over the columns, then paragraphs in columns.

    Parameters
    ----------
    columns : sequence of sequence of str
        Paragraphs of each column, left to right; each is wrapped at ``width_chars`` with a
        two-character first-line indent (:func:`wrap_cjk`), paragraphs one line pitch apart.
    title : str
        Drawn centred over all columns, 2 line pitches above the first line.
    width_chars, size, pitch, gutter : float
        Column width in characters, font size, line pitch and gutter width (points).
    interleaved : bool
        Draw row by row across the columns (how some producers write columns: PDFium then
        puts both columns on one line); otherwise column by column.
    continued : bool
        The first paragraph of each column after the first goes on from the previous column
        (its first line is not indented).
    """
    x0, top = 60.0, 740.0
    laid: list[list[PdfLine]] = []
    for k, paragraphs in enumerate(columns):
        x, y, lines = x0 + k * (width_chars * size + gutter), top, []
        for j, para in enumerate(paragraphs):
            indent = 0 if continued and k and not j else 2
            block = wrap_cjk(
                para, x=x, y=y, width_chars=width_chars, indent=indent, pitch=pitch, size=size
            )
            lines += block
            y -= pitch * len(block)
        laid.append(lines)
    page: list[PdfLine] = []
    if title:
        total = len(columns) * width_chars * size + (len(columns) - 1) * gutter
        page.append((x0 + (total - len(title) * size) / 2, top + 2 * pitch, title))
    if interleaved:
        for row in range(max(len(col) for col in laid)):
            page += [col[row] for col in laid if row < len(col)]
    else:
        page += [line for col in laid for line in col]
    return pdf_bytes([page], size=size)


def running_pdf(
    pages: Sequence[Sequence[str]],
    *,
    header: Sequence[str] = (),
    footer: str = "— {page} —",
    size: float = 12.0,
    width_chars: int = 30,
    skip_first_header: bool = False,
) -> bytes:
    """Pages of paragraphs with a running header and a page-number footer (a Word print).

    Parameters
    ----------
    pages : sequence of sequence of str
        The body paragraphs of each page (wrapped as :func:`wrap_cjk`, 22 pt pitch).
    header : sequence of str
        Header lines (10.5 pt), centred, from 42 pt below the top edge; empty: no header.
    footer : str
        Footer (10.5 pt, centred, 40 pt above the bottom); ``{page}`` is the page number.
    size, width_chars : float, int
        Body font size (points) and line width (characters).
    skip_first_header : bool
        Leave the header off the first page (official documents print the 版头 there).
    """
    buf = io.BytesIO()
    c = _cjk_canvas(buf)
    small = 10.5
    for number, paragraphs in enumerate(pages, 1):
        if not (skip_first_header and number == 1):
            c.setFont("STSong-Light", small)
            for k, line in enumerate(header):
                c.drawCentredString(297.5, 800.0 - 16.0 * k, line)
        c.setFont("STSong-Light", size)
        y = 740.0
        for para in paragraphs:
            for x, ly, text in wrap_cjk(para, x=72.0, y=y, width_chars=width_chars, pitch=22.0, size=size):
                c.drawString(x, ly, text)
                y = ly - 22.0
        if footer:
            c.setFont("STSong-Light", small)
            c.drawCentredString(297.5, 40.0, footer.format(page=number))
        c.showPage()
    c.save()
    return buf.getvalue()


# --------------------------------------------------------------------------- hostile files (issue 8)


def _cjk_noise(n_chars: int, seed: int = 0) -> str:
    """``n_chars`` common CJK characters in a seeded random order: text that does not compress
    far (about 1.5 bytes a character), so a ZIP of it passes the ratio check."""
    import random

    rng = random.Random(seed)
    alphabet = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    return "".join(rng.choices(alphabet, k=n_chars))


def relationship_amplifier_docx(n_rels: int = 200, note_chars: int = 2_600_000,
                                note_size: int = 1000) -> bytes:
    """A DOCX whose footnotes part ``n_rels`` relationships point to (issue 8: read once each,
    a 2.2 MB file grew past 6 GB).

    The footnotes part holds ``note_chars`` characters in notes of ``note_size``: with the
    default it is over the character cap even when read once (``too_large``); with a small
    ``note_chars`` the document is read normally.
    """
    text = _cjk_noise(note_chars)
    notes = [text[i : i + note_size] for i in range(0, len(text), note_size)]
    base = docx_bytes(p("关于召开全市组织工作会议的通知"), footnotes=notes)
    rels = "".join(
        f'<Relationship Id="rfn{k}" Type="{_REL}/footnotes" Target="footnotes.xml"/>'
        for k in range(n_rels)
    )
    src = zipfile.ZipFile(io.BytesIO(base))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/_rels/document.xml.rels":
                data = data.replace(b"</Relationships>", rels.encode() + b"</Relationships>")
            zf.writestr(info.filename, data)
    return buf.getvalue()


def repeated_page_ofd(n_pages: int = 5000, page_lines: int = 400) -> bytes:
    """An OFD whose page list names one content part ``n_pages`` times (issue 8: 452 KB,
    7.7 GB and a traceback)."""
    lines = [(20.0, 30.0 + k * 0.5, _cjk_noise(40, seed=k)) for k in range(page_lines)]
    one = ofd_bytes([lines])
    src = zipfile.ZipFile(io.BytesIO(one))
    files: dict[str, bytes | str] = {i.filename: src.read(i) for i in src.infolist()}
    refs = "".join(
        f'<ofd:Page ID="{k + 1}" BaseLoc="Pages/Page_0/Content.xml"/>' for k in range(n_pages)
    )
    doc = files["Doc_0/Document.xml"]
    assert isinstance(doc, bytes)
    start, end = doc.index(b"<ofd:Pages>"), doc.index(b"</ofd:Pages>")
    files["Doc_0/Document.xml"] = doc[: start + len(b"<ofd:Pages>")] + refs.encode() + doc[end:]
    return zip_bytes(files)


def huge_stream_pdf(expanded: int = 1 << 30) -> bytes:
    """A one-page PDF whose Flate content stream inflates to ``expanded`` bytes (issue 8: a
    1 MB PDF with a 1 GiB stream took 2.16 GB). Compressed chunk by chunk: the test never
    holds the expanded bytes."""
    comp = zlib.compressobj(9)
    line = b"BT /F1 12 Tf 72 700 Td (x) Tj ET\n"
    chunk = line * ((1 << 20) // len(line))
    parts, done = [], 0
    while done < expanded:
        parts.append(comp.compress(chunk))
        done += len(chunk)
    parts.append(comp.flush())
    content = b"".join(parts)
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
            b"<< /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            _stream(content, b"/Filter /FlateDecode "),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def recompress_zip(data: bytes, method: int) -> bytes:
    """The same ZIP package with every entry compressed with ``method`` (e.g. ``ZIP_BZIP2``)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info))
    return buf.getvalue()


def zip_with_method_id(data: bytes, method: int) -> bytes:
    """The same ZIP with every entry *labelled* with compression ``method`` (e.g. 9, Deflate64,
    which :mod:`zipfile` cannot read), in both the local and central headers."""
    out = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        pos = out.find(sig)
        while pos >= 0:
            out[pos + offset : pos + offset + 2] = struct.pack("<H", method)
            pos = out.find(sig, pos + 4)
    return bytes(out)


def mutate(data: bytes, seed: int) -> bytes:
    """One seeded mutation of a file: byte flips, a truncation, a repeated chunk, or (for a
    ZIP) a changed, dropped or duplicated entry. For fuzzing the batch path."""
    import random

    rng = random.Random(seed)
    kind = rng.choice(["flip", "flip", "cut", "splice", "entry"])
    if kind == "entry" and data[:2] == b"PK":
        src = zipfile.ZipFile(io.BytesIO(data))
        infos = src.infolist()
        victim = rng.choice(infos)
        buf = io.BytesIO()
        how = rng.choice(["drop", "garble", "dup", "truncate", "stored"])
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for info in infos:
                body = src.read(info)
                if info is victim:
                    if how == "drop":
                        continue
                    if how == "garble":
                        body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))) + body
                    elif how == "truncate":
                        body = body[: rng.randrange(len(body) + 1)]
                    elif how == "stored":
                        zf.writestr(info.filename, body, compress_type=zipfile.ZIP_STORED)
                        continue
                zf.writestr(info.filename, body)
                if info is victim and how == "dup":
                    zf.writestr(info.filename + "x", body * 3)
        return buf.getvalue()
    out = bytearray(data)
    if kind in ("flip", "entry"):
        for _ in range(rng.randrange(1, 24)):
            out[rng.randrange(len(out))] = rng.randrange(256)
    elif kind == "cut":
        del out[rng.randrange(len(out)) :]
    else:
        start = rng.randrange(len(out))
        chunk = out[start : start + rng.randrange(1, 256)]
        out[start:start] = chunk * rng.randrange(1, 64)
    return bytes(out)


def heavy_docx(n_paragraphs: int = 700_000) -> bytes:
    """A DOCX whose ``word/document.xml`` (about 50 MB, under the 64 MiB part cap, an ordinary
    compression ratio) holds ``n_paragraphs`` short paragraphs: parsing it takes several
    hundred MB, for testing the child's memory limit."""
    noise = _cjk_noise(5 * n_paragraphs, seed=1)
    body = "".join(p(noise[k : k + 5]) for k in range(0, len(noise), 5))
    return docx_bytes(body)
