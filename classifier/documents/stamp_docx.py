"""Write mark lines as the first paragraphs of a DOCX body (python-docx); the rest unchanged.

Source: GB/T 9704-2012 §7.2.1–7.2.2 (份号 line 1, 密级★保密期限 line 2, 3号, flush left,
黑体 for the mark); issue 12, item 2.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any

from classifier.documents.layout import MarkLine, Segment
from classifier.errors import CorruptFileError

#: East Asian face of the mark (黑体) and of the 份号 (仿宋, the body face of GB/T 9704 §5.2.2);
#: Latin digits in Times New Roman. Word substitutes an installed face where these are absent.
HEITI = "黑体"
FANGSONG = "仿宋_GB2312"
LATIN = "Times New Roman"


def stamp_docx(data: bytes, lines: Sequence[MarkLine]) -> bytes:
    """Return a copy of the DOCX ``data`` with ``lines`` inserted before its first block.

    Parameters
    ----------
    data : bytes
        The original DOCX (never modified).
    lines : sequence of MarkLine
        From :func:`classifier.documents.marks.mark_lines`, top to bottom.

    Returns
    -------
    bytes
        The new DOCX: one paragraph per line at the start of the body (before a leading table
        too), left indent and first-line indent 0 (flush left, 顶格), no space before or after;
        a right-aligned segment sits at a right tab stop at the text width; a voided mark is
        double struck through. Every other part of the package is kept as it was.

    Raises
    ------
    CorruptFileError
        python-docx cannot read the package (a missing part, broken XML).
    """
    from docx import Document
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.opc.exceptions import PackageNotFoundError
    from docx.shared import Emu, Pt
    from lxml.etree import XMLSyntaxError

    try:
        doc = Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile,
            XMLSyntaxError) as e:
        raise CorruptFileError(f"DOCX 文件无法打开，可能已损坏：{e}") from None
    body = doc.element.body
    # The first block of the body, or the final section properties of an empty body.
    first = next(iter(body.iterchildren()), None)
    section = doc.sections[0]
    width = None
    if section.page_width is not None and section.left_margin is not None \
            and section.right_margin is not None:
        width = Emu(section.page_width - section.left_margin - section.right_margin)
    for line in lines:
        para = doc.add_paragraph()  # appended at the end; moved below
        fmt = para.paragraph_format
        fmt.left_indent = Pt(0)
        fmt.first_line_indent = Pt(0)
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        if any(s.align_right for s in line) and width is not None:
            fmt.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT)
        for i, seg in enumerate(line):
            if seg.align_right:
                para.add_run("\t")
            elif i:
                para.add_run("\u3000")
            _run(para, seg, Pt)
        p = para._p
        body.remove(p)
        if first is not None:
            first.addprevious(p)
        else:
            body.append(p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _run(para: Any, seg: Segment, pt: Any) -> None:
    """Add one segment as a run with its fonts, size and strike."""
    from docx.oxml.ns import qn

    run = para.add_run(seg.text)
    run.font.size = pt(seg.size_pt)
    run.font.name = LATIN
    run.font.bold = False
    if seg.voided:
        run.font.double_strike = True
    fonts = run._r.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), HEITI if seg.heiti else FANGSONG)

