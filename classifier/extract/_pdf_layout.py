"""Reading order of a PDF page from its lines' geometry: columns, wraps, running headers.

:mod:`classifier.extract.pdf` turns PDFium's characters into :class:`Line` objects (text plus
the geometry below); this module decides what a person reads from them. Coordinates are PDF
points (1/72 inch), ``y`` grows upwards; ``em`` is a line's font size in points.

Rules
-----
- **Fast path.** A page none of whose lines has a horizontal gap wider than ``SPLIT_EM``
  (1 em) between two glyphs keeps PDFium's order (the content stream's, which is the reading
  order of single-column pages and of tables written cell by cell); only wraps are joined.
- **Columns.** Lines with such gaps are cut into *parts* at the gaps. A *gutter* is an
  x-interval that lies inside a gap of at least ``MIN_COLUMN_LINES`` (3) lines; it separates
  columns when, on each side up to the neighbouring gutter, at least 3 parts lie wholly on
  that side, the side's text is at least ``MIN_COLUMN_EM`` (6 em) wide and at least half of
  its parts reach its right edge (within 1.5 em): prose filling a column, not table cells.
  Then each column is read top to bottom, left column first; a line crossing a gutter (a
  title over both columns) ends the block of columns above it and is read in its place.
  Parts of one line inside one column are joined with a space (a row of a table inside a
  column). Without an accepted gutter the page stays as on the fast path, so tables keep
  their rows.
- **Wraps.** A line is joined to the next (no separator) only when all hold: it reaches the
  right margin of its column (within 1.5 em of the widest line starting within 3 em of its
  own left edge); it does not end with sentence punctuation (。！？；：… possibly followed by
  a closing quote or bracket); the boundary is CJK on both sides (or CJK and a Latin
  letter/digit); same font size (±15 %); the next line is the next baseline (≤ 1.35 × the
  usual line pitch); the next line starts at the left without indent (not more than 0.5 em
  right of this one, nor 3 em left), and ends no further right than this line; neither line
  has a gap wider than 2 em (table rows, tab stops); the next line does not start a list
  item or heading (一、 （一） 1. ① 第…条 附件 •). The last line of a column is joined to
  the first line of the next column by the same rule, the next line's indent then measured
  from that column's left edge. Lines that are not horizontal (rotated pages, vertical text)
  are never joined.
- **Running headers and footers.** On a document of two or more pages with text, the topmost
  (bottommost) line of a page whose text, digits aside (page numbers), is also the topmost
  (bottommost) line of every such page — the first page may lack it when there are three or
  more — at the same height (within 1 em), and not on every page one usual line pitch from the next
  line inward in the same size (body text that recurs), is a running header (footer); when it is, the
  next line inward is tested the same way (a header of two lines). It is taken out of every
  page and given once, as its first occurrence.

Notes
-----
Source: issue 8 (item 3, "PDF layout"); GB/T 9704-2012 §7 (paragraphs start with a
two-character indent, headings are numbered 一、（一）1.（1）, page numbers ``— 1 —`` at the foot
of every page); pdfminer's layout analysis (``LAParams``: lines grouped into boxes by
proximity) is the general method; here only the cheap cases are taken, from PDFium's boxes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

SENTENCE_END = frozenset("。！？；：…!?;:")
CLOSERS = frozenset("”’」』》）)]】〕")
LIST_START = re.compile(
    r"[一二三四五六七八九十百零〇]+[、.．]"
    r"|[（(][一二三四五六七八九十百零〇\d]+[)）]"
    r"|\d+[、.．)）](?!\d)"
    r"|[①-⑳⑴-⒇⒈-⒛]"
    r"|第[一二三四五六七八九十百零〇\d]+[章节条款部分篇]"
    r"|附件|附："
    r"|[•·●○■□◆◇▪►\-–—*]"
)
GAP_EM = 2.0  # a wider gap inside a line (em) is a cell or tab gap: the line is never joined
SPLIT_EM = 1.0  # a wider gap (em) cuts a line into parts that may belong to columns
PITCH_FACTOR = 1.35  # next baseline within this factor of the page's usual line pitch
MARGIN_EM = 1.5  # a line within this (em) of its column's right edge reaches the margin
MIN_COLUMN_LINES = 3  # parts on each side of a gutter, and lines sharing the gutter
MIN_COLUMN_EM = 6.0  # narrowest column (em) of prose
_DIGITS = re.compile(r"[0-9０-９]+")


def is_cjk(ch: str) -> bool:
    """CJK ideograph, CJK punctuation, full-width form, or CJK-style quote/dash/ellipsis."""
    cp = ord(ch)
    return (
        0x3000 <= cp <= 0x9FFF
        or 0xF900 <= cp <= 0xFAFF
        or 0xFF00 <= cp <= 0xFFEF
        or 0x20000 <= cp <= 0x3FFFF
        or ch in "“”‘’—…·"
    )


def ends_sentence(text: str) -> bool:
    """Whether a line ends with sentence punctuation (possibly followed by closers)."""
    stripped = text.rstrip("".join(CLOSERS))
    return bool(stripped) and stripped[-1] in SENTENCE_END


@dataclass
class Line:
    """One line of a page: its text and the geometry the layout rules need.

    Attributes
    ----------
    text : str
        The line's text (spaces as the reader sees them).
    left, right : float
        Horizontal extent of its glyphs, points.
    base : float
        Bottom of its first glyph's box, points from the page's bottom.
    em : float
        Font size (height of the glyph boxes), points.
    gappy : bool
        A gap wider than ``GAP_EM`` between two glyphs (a table row or tab stop).
    horizontal : bool
        Written left to right on one baseline (not rotated, not vertical).
    parts : tuple of Line
        The line cut at gaps wider than ``SPLIT_EM`` (empty when it has none).
    """

    text: str
    left: float
    right: float
    base: float
    em: float
    gappy: bool
    horizontal: bool
    parts: tuple[Line, ...] = field(default=())


# --------------------------------------------------------------------------- wraps


def _margins(lines: list[Line]) -> list[float]:
    """Right margin of each line's column: the widest line starting within 3 em of it, points."""
    widest: dict[int, float] = {}
    keys = []
    for line in lines:
        k = int(line.left // line.em)
        keys.append(k)
        if line.right > widest.get(k, -1.0):
            widest[k] = line.right
    return [
        max(widest.get(k + d, -1.0) for d in range(-3, 4))
        for k in keys
    ]


def _from_top(lines: list[Line], indices: Iterable[int]) -> list[int]:
    """``indices`` of ``lines`` ordered from the top of the page down."""
    return sorted(indices, key=lambda i: -lines[i].base)


def _pitch(lines: list[Line]) -> float | None:
    """The usual distance between consecutive baselines of same-size lines, points."""
    drops = sorted(
        a.base - b.base
        for a, b in zip(lines, lines[1:], strict=False)
        if abs(a.em - b.em) <= 0.15 * a.em and 0.5 * a.em < a.base - b.base <= 3.0 * a.em
    )
    return drops[len(drops) // 2] if len(drops) >= 2 else None


def _runs_on(a: Line, b: Line, margin: float) -> bool:
    """The conditions of a wrap that do not depend on the vertical step (see module docstring)."""
    if not (a.horizontal and b.horizontal) or a.gappy or b.gappy:
        return False
    if ends_sentence(a.text) or LIST_START.match(b.text):
        return False
    if abs(b.em - a.em) > 0.15 * a.em or a.right < margin - MARGIN_EM * a.em:
        return False
    last, first = a.text[-1], b.text[0]
    if is_cjk(last) and is_cjk(first):
        return True
    return (is_cjk(last) and first.isascii() and first.isalnum()) or (
        last.isascii() and last.isalnum() and is_cjk(first) and ord(first) >= 0x3400
    )


def _should_join(a: Line, b: Line, pitch: float | None, margin: float) -> bool:
    """Whether ``b`` continues ``a`` on the next baseline of the same column."""
    if not _runs_on(a, b, margin):
        return False
    em = a.em
    drop = a.base - b.base
    limit = min(PITCH_FACTOR * pitch, 3.0 * em) if pitch else 2.5 * em
    if not 0.5 * em < drop <= limit:
        return False
    return a.left - 3.0 * em <= b.left <= a.left + 0.5 * em and b.right <= a.right + 0.5 * em


def join_lines(lines: list[Line]) -> str:
    """Join lines read in order: wraps inside a paragraph removed, other breaks kept."""
    if not lines:
        return ""
    pitch, margins = _pitch(lines), _margins(lines)
    out = [lines[0].text]
    for k in range(1, len(lines)):
        out.append("" if _should_join(lines[k - 1], lines[k], pitch, margins[k - 1]) else "\n")
        out.append(lines[k].text)
    return "".join(out)


# --------------------------------------------------------------------------- columns


def _gaps(line: Line) -> list[tuple[float, float]]:
    """The x-intervals between a line's parts, points."""
    return [(a.right, b.left) for a, b in zip(line.parts, line.parts[1:], strict=False)]


def _gutters(lines: list[Line]) -> list[tuple[float, float]]:
    """Column gutters of a page (x-intervals, left to right); empty when it has no columns."""
    gaps = [g for line in lines for g in _gaps(line)]
    candidates: list[tuple[float, float]] = []
    for x0, x1 in sorted(gaps):
        mid = (x0 + x1) / 2
        if any(lo <= mid <= hi for lo, hi in candidates):
            continue
        sharing = [(a, b) for a, b in gaps if a <= mid <= b]
        if len(sharing) >= MIN_COLUMN_LINES:
            candidates.append((max(a for a, _ in sharing), min(b for _, b in sharing)))
    if not candidates:
        return []
    pieces = [p for line in lines for p in (line.parts or (line,))]
    bounds = [-1e9, *(x for c in candidates for x in c), 1e9]
    sides = []  # parts wholly between consecutive candidates
    for k in range(len(candidates) + 1):
        lo, hi = bounds[2 * k], bounds[2 * k + 1]
        sides.append([p for p in pieces if p.left >= lo - 0.5 * p.em and p.right <= hi + 0.5 * p.em])

    def prose(side: list[Line]) -> bool:
        if len(side) < MIN_COLUMN_LINES:
            return False
        left, right = min(p.left for p in side), max(p.right for p in side)
        em = sorted(p.em for p in side)[len(side) // 2]
        full = sum(p.right >= right - MARGIN_EM * p.em for p in side)
        return right - left >= MIN_COLUMN_EM * em and 2 * full >= len(side)

    ok = [prose(s) for s in sides]
    return [c for k, c in enumerate(candidates) if ok[k] and ok[k + 1]]


def _merge(parts: list[Line]) -> Line:
    """One line from parts on one baseline of one column (joined by a space)."""
    if len(parts) == 1:
        return parts[0]
    return Line(
        text=" ".join(p.text for p in parts),
        left=parts[0].left,
        right=parts[-1].right,
        base=parts[0].base,
        em=max(p.em for p in parts),
        gappy=True,
        horizontal=all(p.horizontal for p in parts),
    )


def _in_columns(lines: list[Line], gutters: list[tuple[float, float]]) -> str:
    """Read a page with columns: block by block, each column top to bottom, left first."""
    n = len(gutters) + 1

    def column(x0: float, x1: float, em: float) -> int | None:
        """Column holding [x0, x1] (points), or None when it crosses a gutter."""
        for k in range(n):
            lo = gutters[k - 1][1] if k else -1e9
            hi = gutters[k][0] if k < n - 1 else 1e9
            if x0 >= lo - 0.5 * em and x1 <= hi + 0.5 * em:
                return k
        return None

    # Each entry: (baseline, column or None for spanning, line)
    entries: list[tuple[float, int | None, Line]] = []
    for line in lines:
        where = column(line.left, line.right, line.em)
        if where is not None or not line.parts:
            entries.append((line.base, where, line))
            continue
        by_col: dict[int, list[Line]] = {}
        spanning = False
        for part in line.parts:
            c = column(part.left, part.right, part.em)
            if c is None:
                spanning = True
                break
            by_col.setdefault(c, []).append(part)
        if spanning:
            entries.append((line.base, None, line))
        else:
            entries.extend((ps[0].base, c, _merge(ps)) for c, ps in by_col.items())
    entries.sort(key=lambda e: -e[0])
    blocks: list[list[list[Line]] | Line] = []  # the lines of each column, or a spanning line
    current: list[list[Line]] = [[] for _ in range(n)]
    for _, where, line in entries:
        if where is None:
            blocks.append(current)
            blocks.append(line)
            current = [[] for _ in range(n)]
        else:
            current[where].append(line)
    blocks.append(current)
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Line):
            out.append(block.text)
            continue
        text, prev, prev_margin = "", None, 0.0
        for col in block:
            if not col:
                continue
            col_text = join_lines(col)
            first = col[0]
            col_left = min(line.left for line in col)
            if (
                prev is not None
                and _runs_on(prev, first, prev_margin)
                and first.left <= col_left + 0.5 * first.em
            ):
                text += col_text
            else:
                text += ("\n" if text else "") + col_text
            prev, prev_margin = col[-1], _margins(col)[-1]
        if text:
            out.append(text)
    return "\n".join(out)


def page_text(lines: list[Line]) -> str:
    """What a person reads on one page, from its lines in PDFium's order.

    Parameters
    ----------
    lines : list of Line
        The page's lines (running headers and footers already taken out).

    Returns
    -------
    str
        Lines joined with ``"\\n"``, wraps inside a paragraph joined without a separator,
        columns read one after the other (see the module docstring).
    """
    if any(line.parts for line in lines):
        gutters = _gutters(lines)
        if gutters:
            return _in_columns(lines, gutters)
    return join_lines(lines)


# --------------------------------------------------------------------------- headers/footers


def _in_body(lines: list[Line], order: list[int], depth: int, pitch: float | None) -> bool:
    """Whether line ``order[depth]`` sits one usual line pitch from the next inward, in the same size."""
    if depth + 1 >= len(order) or pitch is None:
        return False
    a, b = lines[order[depth]], lines[order[depth + 1]]
    step = abs(a.base - b.base)
    return abs(step - pitch) <= 0.2 * a.em and abs(a.em - b.em) <= 0.15 * a.em


def running_lines(pages: list[list[Line]]) -> tuple[list[tuple[int, str]], list[tuple[int, str]], list[set[int]]]:
    """Find running headers and footers (see the module docstring).

    Parameters
    ----------
    pages : list of list of Line
        Lines of each page with text (empty lists are ignored).

    Returns
    -------
    headers, footers : list of (page index, text)
        Each running line once: the index in ``pages`` and text of its first occurrence, in
        order of first occurrence.
    drop : list of set of int
        Per page, the indices of its lines that are running headers or footers.
    """
    drop: list[set[int]] = [set() for _ in pages]
    with_text = [k for k, lines in enumerate(pages) if lines]
    if len(with_text) < 2:
        return [], [], drop
    found: list[list[tuple[int, float, str]]] = [[], []]
    for role in (0, 1):  # headers from the top, footers from the bottom
        order = {k: _from_top(pages[k], range(len(pages[k])))[:: 1 - 2 * role] for k in with_text}
        pitch = {k: _pitch([pages[k][i] for i in _from_top(pages[k], order[k])]) for k in with_text}
        reach = set(with_text)  # pages whose lines so far from the edge all ran
        for depth in range(2):
            seen: dict[str, list[tuple[int, int]]] = {}
            for k in with_text:
                if k in reach and depth < len(order[k]) and order[k][depth] not in drop[k]:
                    i = order[k][depth]
                    key = _DIGITS.sub("#", pages[k][i].text.replace(" ", ""))
                    seen.setdefault(key, []).append((k, i))
            reach = set()
            for hits in seen.values():
                pages_hit = [k for k, _ in hits]
                if not (
                    pages_hit == with_text
                    or (len(with_text) >= 3 and pages_hit == with_text[1:])
                ):
                    continue
                bases = [pages[k][i].base for k, i in hits]
                if max(bases) - min(bases) > pages[hits[0][0]][hits[0][1]].em:
                    continue
                if all(len(pages[k]) == 1 for k, _ in hits):
                    continue  # the line is all the page holds: it is the body
                if all(_in_body(pages[k], order[k], depth, pitch[k]) for k, _ in hits):
                    continue  # spaced and sized like the body's lines: text that recurs
                for k, i in hits:
                    drop[k].add(i)
                    reach.add(k)
                k0, i0 = hits[0]
                found[role].append((k0, -pages[k0][i0].base, pages[k0][i0].text))
            if not reach:
                break
    headers, footers = ([(k, text) for k, _, text in sorted(f)] for f in found)
    return headers, footers, drop
