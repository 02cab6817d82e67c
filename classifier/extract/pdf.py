"""PDF: page-by-page text through PDFium (pypdfium2), rebuilt from its characters.

Why PDFium and not pdfplumber
-----------------------------
Measured on this machine (``taskset -c 0``, warm, median of 20) on ``tests/builders.long_pdf``
(5 pages, 8,584 characters): pdfplumber ``extract_text`` 210–340 ms (issue 2 measured
≈ 180 ms a page on real drafts); PDFium's whole-page text alone 6 ms; this module 13 ms
(PDFium's text, a loose box for the ends of each line and around spaces, a mapping-error
flag per character); the same draft with every line drawn twice (fake bold) 31 ms.
pdfplumber is not used at all, because it adds nothing the fast path loses:

- ``../shared/cases``: every PDF case (c02 fake bold, c05 Kangxi radicals, c06 password)
  comes out right through PDFium; pdfplumber's ``extract_text`` gets c02 wrong
  (``关关于于…``) without ``dedupe_chars``.
- tables: on a generated ruled table with wrapped cells, PDFium keeps each cell's lines
  together (content-stream order, which is how Word and reportlab write cells), while
  pdfplumber's ``extract_text`` interleaves the lines of neighbouring cells (it sorts by
  line); only its ``find_tables`` recovers cells, at +40 ms a page on top of its parse.
  Wrapped lines inside a cell are joined by the same rule as body text (below).
- columns: PDFium follows the content stream (column by column for generated files);
  pdfplumber without layout analysis merges columns line by line.

What is done to PDFium's characters
-----------------------------------
- **Fake bold** (each glyph drawn two or more times at almost the same position): PDFium
  collapses copies that follow the original closely, not copies drawn later on the page.
  A page is checked when two of PDFium's text runs overlap (within 2 pt vertically) or a
  line shows three doubled characters in a row (``关关于于林林``); then a line repeating an
  earlier line's text with first and last glyphs within 0.3 em is dropped, and if lines
  still overlap, any glyph repeating an earlier glyph's code point within 0.3 em (x, y and
  size) is dropped. Genuine repeats (``哈哈``, ``谢谢``) sit a whole em apart and stay.
- **Undecodable glyphs**: characters PDFium flags with a Unicode mapping error (a font
  without ToUnicode: pdfminer shows them as ``(cid:NNN)``), U+FFFD, NUL and private-use
  code points are dropped; so is literal ``(cid:NNN)`` text (a file that was converted by a
  tool that printed pdfminer's placeholders). Each page with any is named in a
  ``cid_garbage`` warning.
- **Spaces**: a space between two CJK characters closer than 2 em is dropped (PDFium inserts
  spaces for letter-spaced titles and justified lines); other spaces are kept as one.
- **Layout** (:mod:`classifier.extract._pdf_layout`): wraps inside a paragraph are joined
  by the page geometry, columns are read one after the other, left first, and headers,
  footers and page numbers repeating on every page become ``header``/``footer`` segments,
  once (headers before the first page's text, footers after the last). Each line's parts at
  gaps wider than 1 em are measured from the boxes already fetched around spaces, so a
  single-column page costs nothing more.
- **Fonts**: text is read with PDFium's system font mapper switched off (:func:`text_only`):
  with a CJK font installed, mapping non-embedded CJK fonts to it made text extraction
  3–5 × slower (every glyph loaded from the system font) and adds nothing to text or boxes.
  Pages rendered for OCR come from a second copy opened with the mapper on.

Measured (``bench/run.py --pdf``, one core, CPU ms, medians of 20, ``fonts-wqy-zenhei``
installed, a shared "Intel Xeon Processor" VM): 5-page draft 14.5–14.9 ms (PDFium alone 4.6–5.6 ms,
with the font mapper on 14.5–20 ms); layout and geometry 0.6–2.1 ms a page; pdfplumber's
``extract_words`` alone 220–270 ms for the same 5 pages (30 ms for a one-page two-column
brief), which is why its geometry is not used: PDFium's boxes give the same positions.

Errors: an open (user) password → ``EncryptedError`` (PDFium's ``FPDF_ERR_PASSWORD``; an
unsupported security handler, ``FPDF_ERR_SECURITY``, too); a file PDFium cannot load or
with no page → ``CorruptFileError``; more than ``max_pages`` → ``TooLargeError``. A page
with no text but images (a scan) or only undecodable glyphs is rendered at 200 dpi and
OCR'd (:mod:`classifier.extract.ocr`; PDFium's lock is released meanwhile), page by page,
so a mixed PDF keeps its text pages as text; the pages are named in an ``ocr`` warning and
listed with their confidence in ``ExtractedText.ocr_pages``. With OCR off or not installed:
no text on any page → ``NeedsOcrError``; such pages in a file with text elsewhere → a
``no_text_layer`` warning. An owner password (permissions only) does not stop reading.

PDFium is not thread-safe: every call is made under one module-level lock, so the app's
threads may call :func:`extract` concurrently (a batch runs in processes, unaffected).

Notes
-----
Source: issue 2 (§2 PDF, §11 measurements); pypdfium2 docs ("PDFium is not thread-safe");
PDFium ``fpdf_text.h`` (``FPDFText_HasUnicodeMapError``, ``FPDFText_GetLooseCharBox``);
GB/T 9704-2012 §7 (paragraphs of official documents start with a two-character indent,
headings are numbered 一、（一）1.（1）).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from classifier.errors import (
    CorruptFileError,
    EmptyTextError,
    EncryptedError,
    NeedsOcrError,
    TooLargeError,
)
from classifier.extract._limits import NO_DEADLINE, Deadline
from classifier.extract._pdf_layout import GAP_EM, SPLIT_EM, Line, page_text, running_lines
from classifier.extract._pdf_layout import is_cjk as _is_cjk
from classifier.extract.normalize import Piece, assemble, file_label
from classifier.extract.pdfium import PDFIUM_LOCK
from classifier.extract.result import ExtractedText, OcrPage

if TYPE_CHECKING:
    from classifier.extract.ocr import PageProgress

_CID = re.compile(r"\(cid:\d+\)")
_DEDUPE_EM = 0.3  # fake-bold copies closer than this (in em, x and y) are one glyph
_OVERPRINT_PT = 2.0  # text runs this close vertically (pt) and overlapping may be fake bold

_GARBAGE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffd-\uffff\ue000-\uf8ff\U000f0000-\U0010ffff]"
)
_LINE = re.compile(r"[^\r\n]+")  # PDFium ends lines with "\r\n"
_BLANK = re.compile(r"[\r\n \t\xa0]")
_DOUBLED = re.compile(r"(\S)\1(\S)\2(\S)\3")  # 关关于于林林: a fake-bold copy PDFium kept



class _SystemFonts:
    """PDFium's system font mapper, switched off while text is read (one per process).

    PDFium maps every font a PDF does not embed to a system font; with a CJK font installed
    (``fonts-wqy-zenhei``, every office PC) each glyph of a non-embedded CJK font is then
    loaded from that font's file, 3–5 × the time of the whole text extraction (measured:
    5-page draft, 19–21 ms against 6 ms without the mapper). Text, codes and boxes come from
    the PDF itself, so reading text needs no system font; rendering (OCR, page pictures) does.
    This object is installed once as PDFium's font info and forwards every call to PDFium's
    default (the one it would use anyway), except that while :attr:`text_only` is set,
    ``MapFont`` and ``GetFont`` find nothing and PDFium falls back to its built-in fonts.
    Set and read only under ``PDFIUM_LOCK``.

    Notes
    -----
    Source: PDFium ``fpdf_sysfontinfo.h`` (``FPDF_SYSFONTINFO``, ``FPDF_SetSystemFontInfo``,
    ``FPDF_GetDefaultSystemFontInfo``); issue 8 (item 3).
    """

    def __init__(self, raw: Any) -> None:
        self.text_only = False
        self.installed = False
        default = raw.FPDF_GetDefaultSystemFontInfo()
        if not default:  # a platform without a default mapper: nothing to switch
            return
        d = default.contents
        types = dict(raw.FPDF_SYSFONTINFO._fields_)

        def map_font(_this: Any, weight: int, italic: int, charset: int, pitch: int,
                     face: Any, exact: Any) -> Any:
            if self.text_only:
                return None
            return d.MapFont(default, weight, italic, charset, pitch, face, exact)

        def get_font(_this: Any, face: Any) -> Any:
            return None if self.text_only else d.GetFont(default, face)

        self._default = default
        self._callbacks = {  # kept alive as long as PDFium may call them (the process)
            "Release": types["Release"](lambda _this: None),
            "EnumFonts": types["EnumFonts"](lambda _this, mapper: d.EnumFonts(default, mapper)),
            "MapFont": types["MapFont"](map_font),
            "GetFont": types["GetFont"](get_font),
            "GetFontData": types["GetFontData"](
                lambda _this, font, table, buf, size: d.GetFontData(default, font, table, buf, size)
            ),
            "GetFaceName": types["GetFaceName"](
                lambda _this, font, buf, size: d.GetFaceName(default, font, buf, size)
            ),
            "GetFontCharset": types["GetFontCharset"](
                lambda _this, font: d.GetFontCharset(default, font)
            ),
            "DeleteFont": types["DeleteFont"](lambda _this, font: d.DeleteFont(default, font)),
        }
        self._info = raw.FPDF_SYSFONTINFO(version=1, **self._callbacks)
        raw.FPDF_SetSystemFontInfo(ctypes.byref(self._info))
        self.installed = True


@functools.cache
def _system_fonts() -> _SystemFonts:
    """The process's font switch, installed on first use (call under ``PDFIUM_LOCK``)."""
    import pypdfium2.raw as raw

    return _SystemFonts(raw)


@contextlib.contextmanager
def text_only() -> Iterator[None]:
    """Within the block, PDFium maps no system font (call under ``PDFIUM_LOCK``).

    Documents opened and pages loaded inside the block keep PDFium's built-in fonts for their
    non-embedded fonts: read their text, never render them (open the file again to render).
    """
    fonts = _system_fonts()
    fonts.text_only = True
    try:
        yield
    finally:
        fonts.text_only = False


Box = tuple[
    float, float, float, float
]  # left, right, bottom, top (loose box: font ascent to descent)


class _Page:
    """Characters of one PDFium text page, with loose boxes fetched lazily and cached.

    A box costs one ctypes call (≈ 0.5 µs), so the common path asks only for the first and
    last glyph of each line and the glyphs around spaces; every glyph's box is read only on
    pages that look overprinted (fake bold).
    """

    def __init__(self, textpage: Any, raw: Any) -> None:
        self.tp = textpage.raw
        self.raw = raw
        self.rect = raw.FS_RECTF()
        self.boxes: dict[int, Box] = {}
        n = raw.FPDFText_CountChars(self.tp)
        text = textpage.get_text_range() if n > 0 else ""
        if len(text) != n:  # get_text_range may skip or add characters (see its docs)
            codes = [raw.FPDFText_GetUnicode(self.tp, i) for i in range(n)]
            text = "".join(chr(c) if c <= 0x10FFFF else "\ufffd" for c in codes)
        self.text = text

    def box(self, i: int) -> Box:
        """Loose box of character ``i``."""
        found = self.boxes.get(i)
        if found is None:
            self.raw.FPDFText_GetLooseCharBox(self.tp, i, self.rect)
            r = self.rect
            found = self.boxes[i] = (r.left, r.right, r.bottom, r.top)
        return found

    def runs(self) -> list[Box]:
        """PDFium's text rectangles (one per run of characters from one text object on one line)."""
        raw, tp = self.raw, self.tp
        left, top, right, bottom = (ctypes.c_double() for _ in range(4))
        out = []
        for k in range(max(raw.FPDFText_CountRects(tp, 0, -1), 0)):
            if raw.FPDFText_GetRect(tp, k, left, top, right, bottom):
                out.append((left.value, right.value, bottom.value, top.value))
        return out

    def lines(self) -> tuple[list[list[int]], int]:
        """Split into lines of character indices (``-1`` for a space); drop undecodable glyphs.

        Returns the lines and how many glyphs were dropped as undecodable.
        """
        text, tp, map_error = self.text, self.tp, self.raw.FPDFText_HasUnicodeMapError
        idx = list(range(len(text)))
        blank = {m.start() for m in _BLANK.finditer(text)}
        bad = {m.start() for m in _GARBAGE.finditer(text)}
        bad.update(i for i in idx if map_error(tp, i) == 1)
        bad -= blank
        for i in blank | bad:
            idx[i] = -1
        lines = [idx[m.start() : m.end()] for m in _LINE.finditer(text)]
        return lines, len(bad)

    def looks_overprinted(self) -> bool:
        """Whether glyphs may be drawn twice: overlapping text runs, or doubled characters."""
        if _DOUBLED.search(self.text):
            return True
        # Compare runs whose bottoms are within _OVERPRINT_PT: their rectangles come from
        # glyph boxes, which can be flat (height 0) for fonts PDFium substitutes.
        runs = sorted(self.runs(), key=lambda r: r[2])
        for k, a in enumerate(runs):
            for b in runs[k + 1 :]:
                if b[2] - a[2] > _OVERPRINT_PT:
                    break
                overlap = min(a[1], b[1]) - max(a[0], b[0])
                if (
                    abs(b[3] - a[3]) <= _OVERPRINT_PT
                    and overlap > 0.5 * min(a[1] - a[0], b[1] - b[0]) > 0
                ):
                    return True
        return False

    def _near(self, a: int, b: int) -> bool:
        """Whether glyphs ``a`` and ``b`` sit at (almost) the same place with the same size."""
        ba, bb = self.box(a), self.box(b)
        em = max(ba[3] - ba[2], 1.0)
        tol = _DEDUPE_EM * em
        return (
            abs(ba[0] - bb[0]) <= tol
            and abs(ba[2] - bb[2]) <= tol
            and abs(bb[3] - bb[2] - em) <= tol
        )

    def drop_duplicates(self, lines: list[list[int]]) -> list[list[int]]:
        """Drop glyphs drawn again at (almost) the same place with the same code point.

        First whole lines (a copy of a line drawn again as its own text object: two boxes per
        line), then, if lines still overlap, glyph by glyph (a box per glyph).
        """
        text = self.text
        kept: list[list[int]] = []
        by_text: dict[str, list[list[int]]] = {}
        for line in lines:
            glyphs = [i for i in line if i >= 0]
            if glyphs:
                key = "".join(text[i] for i in glyphs)
                earlier = by_text.setdefault(key, [])
                if any(
                    self._near(g[0], glyphs[0]) and self._near(g[-1], glyphs[-1]) for g in earlier
                ):
                    continue
                earlier.append(glyphs)
            kept.append(line)
        if not self._lines_overlap(kept):
            return kept
        seen: dict[tuple[str, int, int], int] = {}
        out = []
        for line in kept:
            row = []
            for i in line:
                if i >= 0:
                    left, _, bottom, top = self.box(i)
                    tol = _DEDUPE_EM * max(top - bottom, 1.0)
                    fx, fy = left / tol, bottom / tol
                    ix, iy = math.floor(fx), math.floor(fy)
                    nx = ix + (1 if fx - ix >= 0.5 else -1)
                    ny = iy + (1 if fy - iy >= 0.5 else -1)
                    cells = (
                        (text[i], ix, iy),
                        (text[i], nx, iy),
                        (text[i], ix, ny),
                        (text[i], nx, ny),
                    )
                    if any(c in seen and self._near(seen[c], i) for c in cells):
                        continue
                    seen[cells[0]] = i
                row.append(i)
            out.append(row)
        return out

    def _lines_overlap(self, lines: list[list[int]]) -> bool:
        """Whether two lines' boxes overlap (or a line has doubled characters): glyphs may still repeat."""
        text = self.text
        spans = []
        for line in lines:
            glyphs = [i for i in line if i >= 0]
            if glyphs:
                if _DOUBLED.search("".join(text[i] for i in glyphs)):
                    return True
                first, last = self.box(glyphs[0]), self.box(glyphs[-1])
                spans.append((first[2], first[0], last[1], max(first[3] - first[2], 1.0)))
        spans.sort()
        for k, (bottom, left, right, em) in enumerate(spans):
            for other_bottom, other_left, other_right, _ in spans[k + 1 :]:
                if other_bottom - bottom > _DEDUPE_EM * em:
                    break
                if min(right, other_right) - max(left, other_left) > 0.5 * em:
                    return True
        return False

    def build_line(self, entries: list[int]) -> Line | None:
        """Turn one line of character indices into text with geometry (``None``: no glyph).

        A horizontal line with gaps wider than ``SPLIT_EM`` between glyphs also gets its
        parts (cut at those gaps), from which :mod:`classifier.extract._pdf_layout` finds
        columns. Only the glyphs at the line's ends and around spaces are measured.
        """
        glyphs = [i for i in entries if i >= 0]
        if not glyphs:
            return None
        text, box = self.text, self.box
        first, last = box(glyphs[0]), box(glyphs[-1])
        em = max(first[3] - first[2], last[3] - last[2], 1.0)
        horizontal = abs(last[2] - first[2]) <= 0.5 * em and last[0] >= first[0] - 0.5 * em
        out: list[str] = []
        prev, space, gappy = -1, False, False
        cuts: list[tuple[int, int, int]] = []  # (position in out, last glyph before, first after)
        for i in entries:
            if i < 0:
                space = prev >= 0
                continue
            if space:
                gap = box(i)[0] - box(prev)[1]
                wide = gap > GAP_EM * em
                gappy = gappy or wide
                if horizontal and gap > SPLIT_EM * em:
                    cuts.append((len(out), prev, i))
                if not (horizontal and not wide and _is_cjk(text[prev]) and _is_cjk(text[i])):
                    out.append(" ")
            out.append(text[i])
            prev, space = i, False
        parts: tuple[Line, ...] = ()
        if cuts:
            bounds = [(0, glyphs[0]), *((pos, after) for pos, _, after in cuts)]
            ends = [*((pos, before) for pos, before, _ in cuts), (len(out), glyphs[-1])]
            parts = tuple(
                Line(
                    text="".join(out[start:stop]).strip(" "),
                    left=box(g0)[0],
                    right=box(g1)[1],
                    base=box(g0)[2],
                    em=em,
                    gappy=False,
                    horizontal=True,
                )
                for (start, g0), (stop, g1) in zip(bounds, ends, strict=True)
            )
        return Line(
            text="".join(out),
            left=min(first[0], last[0]),
            right=max(first[1], last[1]),
            base=first[2],
            em=em,
            gappy=gappy,
            horizontal=horizontal,
            parts=parts,
        )


def _read_page(textpage: Any, raw: Any) -> tuple[list[Line], int]:
    """Lines of one page (fake bold collapsed, undecodable glyphs dropped) and the number dropped."""
    page = _Page(textpage, raw)
    entries, garbage = page.lines()
    if page.looks_overprinted():
        entries = page.drop_duplicates(entries)
    lines = [line for line in map(page.build_line, entries) if line is not None]
    return lines, garbage


def _pieces(n_pages: int, page_lines: dict[int, list[Line]], ocr_text: dict[int, str]) -> list[Piece]:
    """Pieces of the document: running headers once, each page's body, running footers once.

    Parameters
    ----------
    n_pages : int
        Page count.
    page_lines : dict of int to list of Line
        Lines of each page with a text layer, by 0-based page index.
    ocr_text : dict of int to str
        Recognised text of each OCR'd page, by 0-based page index.
    """
    order = sorted(page_lines)
    headers, footers, drop = running_lines([page_lines[k] for k in order])
    body = {
        k: [line for i, line in enumerate(page_lines[k]) if i not in drop[j]]
        for j, k in enumerate(order)
    }
    pieces = [Piece("header", _CID.sub("", text), order[j] + 1) for j, text in headers]
    for index in range(n_pages):
        if index in body:
            pieces.append(Piece("page", _CID.sub("", page_text(body[index])), index + 1))
        elif index in ocr_text:
            pieces.append(Piece("page", ocr_text[index], index + 1))
    pieces += [Piece("footer", _CID.sub("", text), order[j] + 1) for j, text in footers]
    return pieces


def _has_images(page: Any, raw: Any) -> bool:
    """Whether a page draws any image (directly or inside form XObjects)."""
    return (
        next(iter(page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=4)), None)
        is not None
    )


def _pages_label(pages: list[int]) -> str:
    """``第1、3、4页`` (at most 10 numbers, then ``等``)."""
    shown = "、".join(str(p) for p in pages[:10])
    return f"第{shown}{'等' if len(pages) > 10 else ''}页"


def extract(
    data: bytes,
    *,
    name: str = "",
    max_pages: int = 500,
    ocr: bool = True,
    deadline: Deadline = NO_DEADLINE,
    on_page: PageProgress | None = None,
) -> ExtractedText:
    """Extract the text of a PDF page by page (see the module docstring for the rules).

    Parameters
    ----------
    data : bytes
        The PDF file.
    name : str, optional
        File name, for messages.
    max_pages : int, default 500
        More pages raise :class:`TooLargeError` before any page is read.
    ocr : bool, default True
        OCR pages without a text layer (scans) when the engine is installed
        (:mod:`classifier.extract.ocr`); otherwise they raise or warn as below.
    deadline : Deadline, optional
        Checked before each page (``timeout``).
    on_page : callable, optional
        ``on_page(k, n)`` before page ``k`` of the PDF's ``n`` pages is OCR'd (only pages
        without a text layer are; a page-by-page progress for scans).

    Returns
    -------
    ExtractedText
        One ``page`` segment per page with text (``page`` 1-based), ``pages`` the page count,
        ``source_format="pdf"``; ``text`` may be empty (the caller raises ``EmptyTextError``).

    Raises
    ------
    EncryptedError
        The PDF has an open (user) password.
    CorruptFileError
        PDFium cannot load it, or it has no page.
    TooLargeError
        More than ``max_pages`` pages.
    NeedsOcrError
        No page has a text layer, but pages draw images (a scan), or all text is undecodable,
        and OCR is off or not installed.
    EmptyTextError
        OCR ran on every page and recognised nothing.
    ExtractionTimeoutError
        Over the document's time limit.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    label = file_label(name)
    do_ocr = ocr and _ocr_available()
    ocr_pages: list[OcrPage] = []
    with PDFIUM_LOCK, text_only():
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as e:
            code = getattr(e, "err_code", None)
            if (
                code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY)
                or "password" in str(e).lower()
            ):
                raise EncryptedError(
                    f"{label}设有打开密码，无法读取；请解除密码后再提交", path=name or None
                ) from e
            raise CorruptFileError(
                f"{label}无法打开：PDF 已损坏或不完整（{e}）", path=name or None
            ) from e
        copy = _RenderCopy(data)
        try:
            n_pages = len(pdf)
            if n_pages == 0:
                raise CorruptFileError(f"{label}无法打开：PDF 中没有页面", path=name or None)
            if n_pages > max_pages:
                raise TooLargeError(
                    f"{label}共 {n_pages} 页，超过上限 {max_pages} 页", path=name or None
                )
            page_lines: dict[int, list[Line]] = {}  # pages with a text layer
            ocr_text: dict[int, str] = {}
            garbage_pages: list[int] = []
            image_pages: list[int] = []
            failed_pages: list[int] = []
            garbage_total = 0
            for index in range(n_pages):
                deadline.check()
                try:
                    page = pdf[index]
                except pdfium.PdfiumError:
                    failed_pages.append(index + 1)
                    continue
                try:
                    textpage = page.get_textpage()
                    try:
                        lines, garbage = _read_page(textpage, raw)
                    finally:
                        textpage.close()
                    probe, n_cid = _CID.subn("", "".join(line.text for line in lines))
                    garbage += n_cid
                    if garbage:
                        garbage_pages.append(index + 1)
                        garbage_total += garbage
                    if probe.strip():
                        page_lines[index] = lines
                    elif do_ocr and (garbage or _has_images(page, raw)):
                        if on_page is not None:
                            on_page(index + 1, n_pages)
                        found = _ocr_page(copy, index, deadline)
                        if found is None:
                            failed_pages.append(index + 1)
                        else:
                            ocr_pages.append(found)
                            ocr_text[index] = found.text
                    elif _has_images(page, raw):
                        image_pages.append(index + 1)
                finally:
                    page.close()
        finally:
            copy.close()
            pdf.close()
    pieces = _pieces(n_pages, page_lines, ocr_text)
    if len(failed_pages) == n_pages:
        raise CorruptFileError(f"{label}无法打开：所有页面均已损坏", path=name or None)
    text, segments = assemble(pieces)
    if not text:
        if ocr_pages:
            raise EmptyTextError(
                f"{label}的页面没有文字层，经文字识别（OCR）也未读出文字", path=name or None
            )
        if image_pages:
            raise NeedsOcrError(
                f"{label}的页面没有文字层（可能是扫描件），需要文字识别（OCR）后再提交，或请人工判定",
                path=name or None,
            )
        if garbage_total:
            raise NeedsOcrError(
                f"{label}的文字无法解码（字体缺少字符映射），需要文字识别（OCR）后再提交，或请人工判定",
                path=name or None,
            )
    warnings = []
    if garbage_pages:
        warnings.append(
            f"cid_garbage: {_pages_label(garbage_pages)}含无法解码的字符（共 {garbage_total} 个），已略去"
        )
    if image_pages and text:
        warnings.append(
            f"no_text_layer: {_pages_label(image_pages)}没有文字层（可能是扫描页），其内容未读取"
        )
    if failed_pages:
        warnings.append(f"page_error: {_pages_label(failed_pages)}已损坏，未能读取")
    if ocr_pages:
        warnings.append(
            f"ocr: {_pages_label([p.page for p in ocr_pages])}没有文字层（扫描页），"
            "已经文字识别（OCR）读出，请核对识别文字"
        )
        from classifier.extract.ocr import low_confidence_warning

        low = low_confidence_warning(ocr_pages)
        if low:
            warnings.append(low)
    return ExtractedText(
        text=text,
        segments=segments,
        source_format="pdf",
        pages=n_pages,
        warnings=tuple(warnings),
        ocr_pages=tuple(ocr_pages),
    )


def _ocr_available() -> bool:
    from classifier.extract.ocr import available

    return available()


#: Most pixels a page is rendered to for OCR (a huge MediaBox must not exhaust memory).
_MAX_RENDER_PIXELS = 25_000_000


def render_page(page: Any, dpi: float) -> Any:
    """Render a page to a grayscale numpy array at ``dpi`` (less for huge pages). Lock held."""
    width, height = page.get_size()
    scale = dpi / 72
    pixels = width * height * scale * scale
    if pixels > _MAX_RENDER_PIXELS:
        scale *= math.sqrt(_MAX_RENDER_PIXELS / pixels)
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        return bitmap.to_numpy().copy()
    finally:
        bitmap.close()


class _RenderCopy:
    """The PDF opened a second time, with system fonts, to render pages for OCR (lazily).

    Pages of the document opened under :func:`text_only` keep PDFium's built-in fonts, which
    draw no CJK glyph; a page rendered for OCR must come from a copy opened with the mapper on.
    """

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.doc: Any = None

    def page(self, index: int) -> Any:
        """Page ``index`` (0-based) of the copy; call with system fonts on, lock held."""
        import pypdfium2 as pdfium

        if self.doc is None:
            self.doc = pdfium.PdfDocument(self.data)
        return self.doc[index]

    def close(self) -> None:
        """Close the copy, if it was opened (lock held)."""
        if self.doc is not None:
            self.doc.close()
            self.doc = None


def _ocr_page(copy: _RenderCopy, index: int, deadline: Deadline) -> OcrPage | None:
    """Render and OCR page ``index`` (0-based); PDFium's lock (held by the caller) is released during OCR.

    The page is rendered from ``copy`` with system fonts on (the caller reads text without
    them), and they stay on while the lock is released, so that another thread may render.
    Returns ``None`` when PDFium cannot render the page.
    """
    import pypdfium2 as pdfium

    from classifier.extract.ocr import RENDER_DPI, recognise

    fonts = _system_fonts()
    fonts.text_only = False
    try:
        try:
            page = copy.page(index)
            try:
                image = render_page(page, RENDER_DPI)
            finally:
                page.close()
        except (pdfium.PdfiumError, ValueError, MemoryError):
            return None
        PDFIUM_LOCK.release()
        try:
            deadline.check()
            return recognise(image, index + 1)
        finally:
            PDFIUM_LOCK.acquire()
    finally:
        fonts.text_only = True
