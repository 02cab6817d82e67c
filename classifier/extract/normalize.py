"""Clean extracted text the way a reader sees it, and assemble segments with offsets.

Every extractor produces *pieces* (a paragraph, a table cell, a PDF page …). Each piece is
cleaned on its own by :func:`clean_text`, empty pieces are dropped, and :func:`assemble`
joins the rest, so every :class:`~classifier.extract.result.Segment` offset indexes the
final text exactly.

What cleaning does (and does not do):

- line ends: CRLF / CR / VT / FF / NEL / U+2028 / U+2029 become ``"\\n"``;
- invisible characters are dropped: zero-width space/joiners, BOM, soft hyphen, bidi
  controls, variation selectors, C0/C1 control characters (``"\\t"`` and ``"\\n"`` kept);
- NBSP and the other fixed-width spaces become ``" "``; U+3000 (ideographic space) is kept
  inside a line, as printed, but stripped with other indentation at the start of a line;
- trailing whitespace on each line is stripped, runs of spaces become one space, runs of
  blank lines become a single blank line;
- look-alike compatibility characters become the ordinary ideographs: Kangxi Radicals
  (U+2F00–U+2FDF), CJK Compatibility Ideographs (U+F900–U+FAFF, U+2F800–U+2FA1F) through
  NFKC **of those characters only**, and the whole-character forms of the CJK Radicals
  Supplement (U+2E80–U+2EFF, e.g. ⻓ → 长, ⻔ → 门) through a table, since NFKC maps only
  two of them.

Full-width punctuation, full-width digits and traditional characters are left as printed:
folding for matching is the tokeniser's job (``classifier.nlp``).

Notes
-----
Source: issue 2 (§2, "the extracted text is what a person reads"); the radical mapping
follows Unicode's ``EquivalentUnifiedIdeograph.txt`` (UCD 11.0+), restricted to radicals
that look like a whole ordinary character; PDF fonts whose ToUnicode maps shared glyphs to
radicals are the public bug behind ``../shared/cases/c05``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import PurePath
from typing import NamedTuple

from classifier.extract.result import Segment

#: CJK Radicals Supplement characters that look like a whole ordinary ideograph.
#: Source: Unicode EquivalentUnifiedIdeograph.txt (only whole-character look-alikes).
_RADICAL_SUPPLEMENT = {
    "⺁": "厂", "⺇": "几", "⺊": "卜", "⺌": "小", "⺒": "巳", "⺓": "幺", "⺝": "月",
    "⺟": "母", "⺠": "民", "⺩": "王", "⺬": "示", "⺼": "月", "⻁": "虎", "⻄": "西",
    "⻅": "见", "⻆": "角", "⻉": "贝", "⻋": "车", "⻑": "長", "⻓": "长", "⻔": "门",
    "⻗": "雨", "⻘": "青", "⻙": "韦", "⻚": "页", "⻛": "风", "⻜": "飞", "⻝": "食",
    "⻢": "马", "⻣": "骨", "⻤": "鬼", "⻥": "鱼", "⻦": "鸟", "⻧": "卤", "⻨": "麦",
    "⻩": "黄", "⻪": "黾", "⻫": "斉", "⻬": "齐", "⻭": "歯", "⻮": "齿", "⻯": "竜",
    "⻰": "龙", "⻱": "龜", "⻲": "亀", "⻳": "龟",
}  # fmt: skip

_DROP_RANGES = (
    (0x00, 0x08), (0x0E, 0x1F), (0x7F, 0x84), (0x86, 0x9F),  # C0/C1 controls, DEL
    (0x200B, 0x200F),  # zero-width space/non-joiner/joiner, LRM, RLM
    (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x206F),  # bidi, word joiner, invisible ops
    (0xFE00, 0xFE0F), (0xE0100, 0xE01EF),  # variation selectors (incl. ideographic IVS)
    (0xFFF9, 0xFFFB),  # interlinear annotation controls
)  # fmt: skip
_DROP_SINGLE = (0x00AD, 0x034F, 0x180E, 0xFEFF)  # soft hyphen, CGJ, MVS, BOM/ZWNBSP
_SPACE_CHARS = (0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F)
_NEWLINE_CHARS = (0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029)
_NFKC_RANGES = ((0x2F00, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F), (0x2E80, 0x2EFF))

_TRAILING_WS = re.compile(r"[ \t\u3000]+$", re.MULTILINE)
_LEADING_WS = re.compile(r"^[ \t\u3000]+", re.MULTILINE)
_SPACE_RUN = re.compile(r" {2,}")
_BLANK_RUN = re.compile(r"\n{3,}")


class Piece(NamedTuple):
    """One unit of extracted text before cleaning: kind, raw text, page, separator before it."""

    kind: str
    text: str
    page: int | None = None
    sep: str = "\n"


@cache
def _translation_table() -> dict[int, str | None]:
    """Build the one ``str.translate`` table used by :func:`clean_text` (once, on first use)."""
    table: dict[int, str | None] = {}
    for lo, hi in _NFKC_RANGES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            folded = unicodedata.normalize("NFKC", ch)
            if folded != ch:
                table[cp] = folded
    for src, dst in _RADICAL_SUPPLEMENT.items():
        table[ord(src)] = dst
    for lo, hi in _DROP_RANGES:
        for cp in range(lo, hi + 1):
            table[cp] = None
    for cp in _DROP_SINGLE:
        table[cp] = None
    for cp in _SPACE_CHARS:
        table[cp] = " "
    for cp in _NEWLINE_CHARS:
        table[cp] = "\n"
    return table


def clean_text(text: str) -> str:
    """Clean one piece of extracted text (see the module docstring for the rules).

    Parameters
    ----------
    text : str
        Raw text of one paragraph, cell, page … as the format library gave it.

    Returns
    -------
    str
        The cleaned text, without leading or trailing blank lines; ``""`` when nothing
        visible is left.

    Notes
    -----
    Source: issue 2 (§2); house style §4.5.

    Examples
    --------
    >>> clean_text("\\u3000\\u3000关于⼀步\\u200b工作 \\r\\n\\r\\n\\r\\n下一段")
    '关于一步工作\\n\\n下一段'
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n").translate(_translation_table())
    text = _TRAILING_WS.sub("", text)
    text = _LEADING_WS.sub("", text)
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if "\n\n\n" in text:
        text = _BLANK_RUN.sub("\n\n", text)
    return text.strip("\n")


def file_label(name: str) -> str:
    """How a file is named in user messages: ``《name》`` (base name only), or ``文件``."""
    return f"《{PurePath(name).name}》" if name else "文件"


def assemble(pieces: Iterable[Piece]) -> tuple[str, tuple[Segment, ...]]:
    """Clean every piece, drop the empty ones and join the rest into one text with segments.

    Parameters
    ----------
    pieces : iterable of Piece
        In reading order. ``sep`` is the separator put before the piece (``"\\n"``, or
        ``"\\t"`` between cells of a table row); when pieces are dropped, the strongest
        pending separator wins (``"\\n"`` over ``"\\t"``), so a row never merges with the
        previous one.

    Returns
    -------
    text : str
        The final text.
    segments : tuple of Segment
        One per non-empty piece; ``text[s.start:s.end]`` is that piece's cleaned text.
    """
    parts: list[str] = []
    segments: list[Segment] = []
    pos = 0
    pending: str | None = None
    for kind, raw, page, sep in pieces:
        cleaned = clean_text(raw)
        if not cleaned:
            pending = "\n" if "\n" in (pending, sep) else sep
            continue
        if parts:
            joiner = "\n" if "\n" in (pending, sep) else sep
            parts.append(joiner)
            pos += len(joiner)
        segments.append(Segment(kind, pos, pos + len(cleaned), page))
        parts.append(cleaned)
        pos += len(cleaned)
        pending = None
    return "".join(parts), tuple(segments)
