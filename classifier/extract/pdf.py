"""PDF: page-by-page text through PDFium (pypdfium2), rebuilt from its characters.

Why PDFium and not pdfplumber
-----------------------------
Measured on this machine (one core, warm, median of 20) for a generated 5-page, 8,090-character
Chinese draft: pdfplumber ``extract_text`` 189 ms (≈ 38 ms a page, ≈ 180 ms a page on
denser real drafts per issue 2) against 5.9 ms for PDFium's whole-page text and 15.7 ms for
the character-by-character read used here (code point, loose box, mapping-error flag).
pdfplumber is not used at all, because it adds nothing the fast path loses:

- ``../shared/cases``: every PDF case (c02 fake bold, c05 Kangxi radicals, c06 password)
  comes out right through PDFium; pdfplumber gets c02 wrong (``关关于于…``) without
  ``dedupe_chars``.
- tables: on a generated ruled table with wrapped cells, PDFium keeps each cell's lines
  together (content-stream order, which is how Word and reportlab write cells), while
  pdfplumber's ``extract_text`` interleaves the lines of neighbouring cells (it sorts by
  line); only its ``find_tables`` recovers cells, at +40 ms a page on top of its parse.
  Wrapped lines inside a cell are joined by the same rule as body text (below).
- columns: PDFium follows the content stream (column by column for generated files);
  pdfplumber without layout analysis merges columns line by line.

What is done to PDFium's characters
-----------------------------------
- **Fake bold** (each glyph drawn two or more times at almost the same position): a glyph
  whose code point equals an earlier glyph's and whose box is within 0.3 em in x and y is
  dropped, wherever it comes in the stream (PDFium collapses only some of these cases).
- **Undecodable glyphs**: characters PDFium flags with a Unicode mapping error (a font
  without ToUnicode: pdfminer shows them as ``(cid:NNN)``), U+FFFD, NUL and private-use
  code points are dropped; so is literal ``(cid:NNN)`` text (a file that was converted by a
  tool that printed pdfminer's placeholders). Each page with any is named in a
  ``cid_garbage`` warning.
- **Spaces**: a space between two CJK characters closer than 2 em is dropped (PDFium inserts
  spaces for letter-spaced titles and justified lines); other spaces are kept as one.
- **Line wraps**: a line is joined to the next (no separator) only when all hold: the line
  does not end with sentence punctuation (。！？；：… possibly followed by a closing quote or
  bracket); the boundary is CJK on both sides (or CJK and a Latin letter/digit, then only
  when the line reaches the page's text right edge); same font size (±15 %); the next line
  is the next baseline (≤ 1.35 × the page's usual line pitch); the next line is not
  indented relative to this one (a first-line indent starts a paragraph), not more than
  3 em to its left, and ends no further right than this line (a title followed by a longer
  line stays apart); neither line has a gap wider than 2 em (table rows, tab stops); the
  next line does not start a list item or heading (一、 （一） 1. ① 第…条 附件 •). Anything
  else keeps its line break. Lines that are not horizontal (rotated pages, vertical text)
  are never joined.

Errors: an open (user) password → ``EncryptedError`` (PDFium's ``FPDF_ERR_PASSWORD``; an
unsupported security handler, ``FPDF_ERR_SECURITY``, too); a file PDFium cannot load or
with no page → ``CorruptFileError``; more than ``max_pages`` → ``TooLargeError``; no text
on any page but images (or only undecodable glyphs) → ``NeedsOcrError``. Pages without text
but with images, in a file that has text elsewhere, are named in a ``no_text_layer``
warning.

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

import re
import threading
from dataclasses import dataclass
from typing import Any

from classifier.errors import CorruptFileError, EncryptedError, NeedsOcrError, TooLargeError
from classifier.extract.normalize import Piece, assemble, file_label
from classifier.extract.result import ExtractedText

#: PDFium must not be called from two threads at once (pypdfium2 documentation).
_PDFIUM_LOCK = threading.Lock()

_SENTENCE_END = frozenset("。！？；：…!?;:")
_CLOSERS = frozenset("”’」』》）)]】〕")
_CID = re.compile(r"\(cid:\d+\)")
_LIST_START = re.compile(
    r"[一二三四五六七八九十百零〇]+[、.．]"
    r"|[（(][一二三四五六七八九十百零〇\d]+[)）]"
    r"|\d+[、.．)）](?!\d)"
    r"|[①-⑳⑴-⒇⒈-⒛]"
    r"|第[一二三四五六七八九十百零〇\d]+[章节条款部分篇]"
    r"|附件|附："
    r"|[•·●○■□◆◇▪►\-–—*]"
)
_DEDUPE_EM = 0.3  # fake-bold copies closer than this (in em, x and y) are one glyph
_GAP_EM = 2.0  # a wider horizontal gap is a column/cell gap, not a word space
_PITCH_FACTOR = 1.35  # next baseline within this factor of the page's usual line pitch


def _is_cjk(ch: str) -> bool:
    """CJK ideograph, CJK punctuation, full-width form, or CJK-style quote/dash/ellipsis."""
    cp = ord(ch)
    return (
        0x3000 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3FFFF
        or ch in "“”‘’—…·"
    )


def _is_garbage(cp: int) -> bool:
    """NUL, replacement characters and private-use code points: nothing a reader can read."""
    return cp == 0 or cp in (0xFFFD, 0xFFFE, 0xFFFF) or 0xE000 <= cp <= 0xF8FF or cp >= 0xF0000


@dataclass
class _Line:
    """One line as PDFium split it, rebuilt: text plus the geometry the join rule needs."""

    text: str
    left: float
    right: float
    base: float
    em: float
    gappy: bool
    horizontal: bool


def _read_lines(textpage: Any, raw: Any) -> tuple[list[list[tuple[str, float, float, float, float] | None]], int]:
    """Read a page's characters: lines of glyphs ``(ch, left, right, bottom, top)`` or ``None`` for a space.

    Returns the lines and the number of undecodable glyphs dropped. Fake-bold copies are
    dropped here.
    """
    get_unicode = raw.FPDFText_GetUnicode
    get_box = raw.FPDFText_GetLooseCharBox
    map_error = raw.FPDFText_HasUnicodeMapError
    rect = raw.FS_RECTF()
    lines: list[list[tuple[str, float, float, float, float] | None]] = []
    line: list[tuple[str, float, float, float, float] | None] = []
    seen: dict[tuple[int, int], list[tuple[float, float, float]]] = {}
    garbage = 0
    for i in range(raw.FPDFText_CountChars(textpage)):
        cp = get_unicode(textpage, i)
        if cp in (10, 13):
            if line:
                lines.append(line)
                line = []
            continue
        if cp in (32, 9, 0xA0):
            line.append(None)
            continue
        if _is_garbage(cp) or map_error(textpage, i) == 1:
            garbage += 1
            line.append(None)
            continue
        get_box(textpage, i, rect)
        left, right, bottom, top = rect.left, rect.right, rect.bottom, rect.top
        em = max(top - bottom, 1.0)
        tol = _DEDUPE_EM * em
        row = round(bottom / tol)
        duplicate = False
        for key in ((cp, row - 1), (cp, row), (cp, row + 1)):
            for x, y, size in seen.get(key, ()):
                if abs(x - left) <= tol and abs(y - bottom) <= tol and abs(size - em) <= tol:
                    duplicate = True
                    break
            if duplicate:
                break
        if duplicate:
            continue
        seen.setdefault((cp, row), []).append((left, bottom, em))
        line.append((chr(cp), left, right, bottom, top))
    if line:
        lines.append(line)
    return lines, garbage


def _build_line(items: list[tuple[str, float, float, float, float] | None]) -> _Line | None:
    """Turn one line of glyphs into text with geometry (``None`` when it has no glyph)."""
    glyphs = [g for g in items if g is not None]
    if not glyphs:
        return None
    heights = sorted(g[4] - g[3] for g in glyphs)
    em = max(heights[len(heights) // 2], 1.0)
    bottoms = sorted(g[3] for g in glyphs)
    base = bottoms[len(bottoms) // 2]
    horizontal = all(abs(g[3] - base) <= 0.5 * em for g in glyphs) and all(
        b[1] >= a[1] - 0.5 * em for a, b in zip(glyphs, glyphs[1:], strict=False)
    )
    out: list[str] = []
    prev = None
    space = False
    gappy = False
    for item in items:
        if item is None:
            space = prev is not None
            continue
        if prev is not None:
            gap = item[1] - prev[2]
            wide = gap > _GAP_EM * em
            gappy = gappy or wide
            if space and not (horizontal and not wide and _is_cjk(prev[0]) and _is_cjk(item[0])):
                out.append(" ")
        out.append(item[0])
        prev, space = item, False
    return _Line(
        text="".join(out),
        left=min(g[1] for g in glyphs),
        right=max(g[2] for g in glyphs),
        base=base,
        em=em,
        gappy=gappy,
        horizontal=horizontal,
    )


def _ends_sentence(text: str) -> bool:
    """Whether a line ends with sentence punctuation (possibly followed by closers)."""
    stripped = text.rstrip("".join(_CLOSERS))
    return bool(stripped) and stripped[-1] in _SENTENCE_END


def _should_join(a: _Line, b: _Line, pitch: float | None, page_right: float) -> bool:
    """Whether line ``b`` continues line ``a`` (a wrap inside a paragraph); see module docstring."""
    if not (a.horizontal and b.horizontal) or a.gappy or b.gappy:
        return False
    last, first = a.text[-1], b.text[0]
    if _ends_sentence(a.text) or _LIST_START.match(b.text):
        return False
    em = a.em
    if abs(b.em - em) > 0.15 * em:
        return False
    drop = a.base - b.base
    limit = min(_PITCH_FACTOR * pitch, 3.0 * em) if pitch else 2.5 * em
    if not 0.5 * em < drop <= limit:
        return False
    if b.left > a.left + 0.5 * em or b.left < a.left - 3.0 * em or b.right > a.right + 0.5 * em:
        return False
    if _is_cjk(last) and _is_cjk(first):
        return True
    latin_boundary = (_is_cjk(last) and first.isascii() and first.isalnum()) or (
        last.isascii() and last.isalnum() and _is_cjk(first) and ord(first) >= 0x3400
    )
    return latin_boundary and a.right >= page_right - 1.5 * em


def _page_text(lines: list[_Line]) -> str:
    """Join a page's lines: wraps inside a paragraph are removed, other breaks kept."""
    if not lines:
        return ""
    drops = sorted(
        a.base - b.base
        for a, b in zip(lines, lines[1:], strict=False)
        if abs(a.em - b.em) <= 0.15 * a.em and 0.5 * a.em < a.base - b.base <= 3.0 * a.em
    )
    pitch = drops[len(drops) // 2] if len(drops) >= 2 else None
    page_right = max(line.right for line in lines if line.horizontal) if any(
        line.horizontal for line in lines
    ) else 0.0
    out = [lines[0].text]
    for a, b in zip(lines, lines[1:], strict=False):
        out.append("" if _should_join(a, b, pitch, page_right) else "\n")
        out.append(b.text)
    return "".join(out)


def _has_images(page: Any, raw: Any) -> bool:
    """Whether a page draws any image (directly or inside form XObjects)."""
    return next(iter(page.get_objects(filter=(raw.FPDF_PAGEOBJ_IMAGE,), max_depth=4)), None) is not None


def _pages_label(pages: list[int]) -> str:
    """``第1、3、4页`` (at most 10 numbers, then ``等``)."""
    shown = "、".join(str(p) for p in pages[:10])
    return f"第{shown}{'等' if len(pages) > 10 else ''}页"


def extract(data: bytes, *, name: str = "", max_pages: int = 500) -> ExtractedText:
    """Extract the text of a PDF page by page (see the module docstring for the rules).

    Parameters
    ----------
    data : bytes
        The PDF file.
    name : str, optional
        File name, for messages.
    max_pages : int, default 500
        More pages raise :class:`TooLargeError` before any page is read.

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
        No page has a text layer, but pages draw images (a scan), or all text is undecodable.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    label = file_label(name)
    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as e:
            code = getattr(e, "err_code", None)
            if code in (raw.FPDF_ERR_PASSWORD, raw.FPDF_ERR_SECURITY) or "password" in str(e).lower():
                raise EncryptedError(f"{label}设有打开密码，无法读取；请解除密码后再提交", path=name or None) from e
            raise CorruptFileError(f"{label}无法打开：PDF 已损坏或不完整（{e}）", path=name or None) from e
        try:
            n_pages = len(pdf)
            if n_pages == 0:
                raise CorruptFileError(f"{label}无法打开：PDF 中没有页面", path=name or None)
            if n_pages > max_pages:
                raise TooLargeError(f"{label}共 {n_pages} 页，超过上限 {max_pages} 页", path=name or None)
            pieces: list[Piece] = []
            garbage_pages: list[int] = []
            image_pages: list[int] = []
            failed_pages: list[int] = []
            garbage_total = 0
            for index in range(n_pages):
                try:
                    page = pdf[index]
                except pdfium.PdfiumError:
                    failed_pages.append(index + 1)
                    continue
                try:
                    textpage = page.get_textpage()
                    try:
                        char_lines, garbage = _read_lines(textpage.raw, raw)
                    finally:
                        textpage.close()
                    lines = [line for line in map(_build_line, char_lines) if line is not None]
                    text, n_cid = _CID.subn("", _page_text(lines))
                    garbage += n_cid
                    if garbage:
                        garbage_pages.append(index + 1)
                        garbage_total += garbage
                    if text.strip():
                        pieces.append(Piece("page", text, index + 1))
                    elif _has_images(page, raw):
                        image_pages.append(index + 1)
                finally:
                    page.close()
        finally:
            pdf.close()
    if len(failed_pages) == n_pages:
        raise CorruptFileError(f"{label}无法打开：所有页面均已损坏", path=name or None)
    text, segments = assemble(pieces)
    if not text:
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
        warnings.append(f"cid_garbage: {_pages_label(garbage_pages)}含无法解码的字符（共 {garbage_total} 个），已略去")
    if image_pages and text:
        warnings.append(f"no_text_layer: {_pages_label(image_pages)}没有文字层（可能是扫描页），其内容未读取")
    if failed_pages:
        warnings.append(f"page_error: {_pages_label(failed_pages)}已损坏，未能读取")
    return ExtractedText(
        text=text, segments=segments, source_format="pdf", pages=n_pages, warnings=tuple(warnings)
    )
