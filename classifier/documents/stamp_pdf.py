"""Stamp mark lines on page 1 of a PDF: reportlab draws them, pypdf merges them over the page.

Placement follows GB/T 9704-2012 on A4: the 版心 starts 37 mm below the top edge (天头) and
28 mm from the left edge (订口), §5.2.1; lines are 3号 (16 pt) and 22 lines fill the 225 mm
版心 (§5.2.3), a pitch of 29 pt. A PDF cannot be reflowed, so where the page's own text or
images reach into those two lines the block moves up into the top margin, above the highest
object; when even the margin has no room the marks are drawn at the top and a warning says
they may touch the original.

Source: GB/T 9704-2012 §5.2.1, §5.2.3, §7.2.1–7.2.2; issue 12, item 2 (pypdf with reportlab
and a TrueType CJK font: reportlab cannot embed the CFF outlines of Noto CJK).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from typing import Any

from classifier.documents.fonts import FontFile, find_cjk_font
from classifier.documents.layout import MarkLine
from classifier.errors import CorruptFileError, EncryptedError

MM = 72 / 25.4
#: GB/T 9704-2012 §5.2.1: 天头 37 mm, 订口 28 mm, 版心 156 mm wide.
TOP_MARGIN_PT = 37 * MM
LEFT_MARGIN_PT = 28 * MM
RIGHT_MARGIN_PT = 26 * MM
#: GB/T 9704-2012 §5.2.3: 22 lines in the 225 mm 版心.
LINE_PITCH_PT = 225 * MM / 22
#: Nearest the marks may come to the top edge of the page, points (5 mm).
MIN_TOP_PT = 5 * MM
#: Free space kept between the marks and the page's own content, points.
GAP_PT = 4.0
ASCENT, DESCENT = 0.88, 0.12


def stamp_pdf(
    data: bytes, lines: Sequence[MarkLine], *, font: FontFile | None = None,
) -> tuple[bytes, tuple[str, ...]]:
    """Return a copy of the PDF ``data`` with ``lines`` drawn at the top left of page 1.

    Parameters
    ----------
    data : bytes
        The original PDF (never modified).
    lines : sequence of MarkLine
        From :func:`classifier.documents.marks.mark_lines`, top to bottom.
    font : FontFile, optional
        The TrueType CJK font; :func:`classifier.documents.fonts.find_cjk_font` by default.

    Returns
    -------
    data : bytes
        The new PDF: every page, outline and metadata of the original, page 1 with the marks
        (a page rotated by ``/Rotate`` is turned upright in its content first, so that the
        marks stand at the top left as the page is read).
    warnings : tuple of str
        Chinese notes: the marks were moved into the top margin or may touch the original;
        an owner password (restrictions) that the copy does not keep.

    Raises
    ------
    NoCjkFontError
        No TrueType CJK font is installed.
    EncryptedError
        The PDF has an open (user) password.
    CorruptFileError
        pypdf cannot read the PDF, or it has no page.
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    font = font or find_cjk_font()
    warnings: list[str] = []
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            if not reader.decrypt(""):
                raise EncryptedError("PDF 设有打开密码，无法加印标志；请提供未加密的文件")
            warnings.append("原 PDF 设有权限密码（限制编辑或打印），加印标志的副本不带该限制")
        if not reader.pages:
            raise CorruptFileError("PDF 没有页面，无法加印标志")
        writer = PdfWriter(clone_from=reader)
        page = writer.pages[0]
        if page.rotation % 360:
            page.transfer_rotation_to_content()
            buf = io.BytesIO()
            writer.write(buf)
            writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buf.getvalue())))
            page = writer.pages[0]
            probe = buf.getvalue()
        else:
            probe = data
        box = page.cropbox
        left, bottom = float(box.left), float(box.bottom)
        right, top = float(box.right), float(box.top)
    except (PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError) as e:
        raise CorruptFileError(f"PDF 无法打开，可能已损坏：{e}") from None

    size = max(s.size_pt for line in lines for s in line)
    height = size * (ASCENT + DESCENT) + LINE_PITCH_PT * (len(lines) - 1)
    width, tall = right - left, top - bottom
    x0 = left + min(LEFT_MARGIN_PT, 0.13 * width)
    x1 = right - min(RIGHT_MARGIN_PT, 0.12 * width)
    block_top = top - min(TOP_MARGIN_PT, 0.12 * tall)
    content_top = _content_top(probe, (left, bottom, right, top))
    if content_top is not None and content_top + GAP_PT > block_top - height:
        block_top = content_top + GAP_PT + height
        highest = top - MIN_TOP_PT
        if block_top > highest:
            block_top = highest
            warnings.append("原文首页顶部没有足够的空白，密级标志可能与原文重叠，请核对打印效果")
        else:
            warnings.append("原文首页版心顶部已有内容，密级标志已上移至页边空白处")
    overlay = _draw(lines, font, page_size=(right, top), x0=x0, x1=x1,
                    first_baseline=block_top - size * ASCENT)
    page.merge_page(PdfReader(io.BytesIO(overlay)).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), tuple(warnings)


def _content_top(data: bytes, box: tuple[float, float, float, float]) -> float | None:
    """Top (points, page space) of the highest object on page 1 inside ``box``, or None.

    Objects covering more than half the page (a background) are ignored; a PDF that PDFium
    cannot open is treated as having no content (pypdf could).
    """
    import pypdfium2 as pdfium

    left, bottom, right, top = box
    area = max((right - left) * (top - bottom), 1.0)
    best: float | None = None
    try:
        pdf = pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError:
        return None
    try:
        page = pdf[0]
        for obj in page.get_objects(max_depth=2):
            ol, ob, orr, ot = obj.get_bounds()
            if orr <= left or ol >= right or ot <= bottom or ob >= top:
                continue
            if (orr - ol) * (ot - ob) > area / 2:
                continue
            t = min(ot, top)
            best = t if best is None else max(best, t)
    finally:
        pdf.close()
    return best


def _font_name(font: FontFile) -> str:
    """Register ``font`` with reportlab once per process and return its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    key = f"{font.path}:{font.subfont_index}".encode()
    name = "DingmiCJK-" + hashlib.sha1(key, usedforsecurity=False).hexdigest()[:8]
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(font.path), subfontIndex=font.subfont_index))
    return name


def _draw(
    lines: Sequence[MarkLine], font: FontFile, *, page_size: tuple[float, float],
    x0: float, x1: float, first_baseline: float,
) -> bytes:
    """One page the size of page 1 with the mark lines, as PDF bytes."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    name = _font_name(font)
    buf = io.BytesIO()
    c: Any = canvas.Canvas(buf, pagesize=page_size, pageCompression=1)
    y = first_baseline
    for line in lines:
        x = x0
        for i, seg in enumerate(line):
            c.setFont(name, seg.size_pt)
            w = stringWidth(seg.text, name, seg.size_pt)
            if seg.align_right:
                sx = max(x1 - w, x + seg.size_pt)
            else:
                sx = x + (seg.size_pt if i else 0.0)   # a full-width space between segments
            c.drawString(sx, y, seg.text)
            if seg.voided:   # double strike: the old mark stays legible and visibly void
                c.setLineWidth(max(seg.size_pt / 18, 0.6))
                for frac in (0.24, 0.44):
                    c.line(sx, y + seg.size_pt * frac, sx + w, y + seg.size_pt * frac)
            x = sx + w
        y -= LINE_PITCH_PT
    c.showPage()
    c.save()
    return buf.getvalue()
