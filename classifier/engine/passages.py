"""Split an extracted text into passages: the unit that is scored and shown as evidence.

A draft is as secret as its most secret part (载体标志: a compilation carries the highest level
of its parts), so the engine scores every passage, not only the whole text. A passage is a
paragraph (one line of the extracted text), a group of table rows, or, inside a long paragraph,
a window of whole sentences; each keeps its offsets into the extracted text.

Source: issue 9 (§1); GB/T 15834 for sentence punctuation (see :mod:`.sentences`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.engine.sentences import Sentence, split_sentences

#: A paragraph longer than this (characters) is cut into windows of whole sentences.
MAX_PASSAGE_CHARS = 160
#: Consecutive table rows grouped into one passage (a row alone is often only names and dates).
TABLE_ROWS_PER_PASSAGE = 3
#: A line this short (characters) that is not a table row and does not end with a colon (a
#: salutation such as 各科室：) or a sentence end is a heading: it joins the next line, so that "五、写作题(40分)"
#: is read with the question under it.
HEADING_CHARS = 16

#: Hard-wrapped text (a PDF page's lines, an OCR'd scan): a line at least this wide (display
#: width: a CJK character counts 2) that does not end a sentence continues on the next line.
WRAP_MIN_WIDTH = 40
_SENTENCE_STOP = "。！？；!?;：:)）】」』"

_TABLE_ROW = re.compile(r"\t|\s\|\s|｜")
_PROSE_PUNCT = re.compile(r"[。，,；;：:！？]")
_CSV_FIELD_NUMERIC = re.compile(r"^\s*[\d.\-/:]+\s*$")


def _is_row(line: str) -> bool:
    """A table row: tab- or bar-separated cells; space-separated cells, four of them numbers,
    with no prose punctuation (a PDF table whose tabs were lost); or a comma-separated export
    line (at least six short fields, two of them numbers or dates, no sentence end) such as a
    roster saved as CSV."""
    if _TABLE_ROW.search(line):
        return True
    if not _PROSE_PUNCT.search(line):
        # A PDF table loses its tabs: cells separated by spaces, mostly numbers.
        cells = line.split()
        if sum(bool(_CSV_FIELD_NUMERIC.match(c)) for c in cells) >= 4:
            return True
    if line.count(",") < 5 or "。" in line:
        return False
    fields = line.split(",")
    return (sum(len(f) for f in fields) / len(fields) <= 10
            and sum(bool(_CSV_FIELD_NUMERIC.match(f)) for f in fields if f) >= 2)
_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])")


@dataclass(frozen=True)
class Passage(Sentence):
    """A passage of the extracted text: ``doc_text[start:end] == text``.

    Attributes
    ----------
    kind : str
        ``"para"`` (a paragraph or a window of one), ``"table"`` (table rows), ``"item"`` (a
        paragraph that opens with an item number 一、(一) 1.), ``"title"`` (the first line).
    """

    kind: str = "para"


def split_passages(text: str, *, max_chars: int = MAX_PASSAGE_CHARS) -> list[Passage]:
    """Split ``text`` into passages.

    Parameters
    ----------
    text : str
        The extracted text (offsets of the result index it).
    max_chars : int
        Windows of a long paragraph hold whole sentences up to about this many characters.

    Returns
    -------
    list of Passage
        In text order, non-overlapping, each non-empty and stripped; every non-blank character
        of ``text`` lies in exactly one passage.
    """
    out: list[Passage] = []
    table: list[tuple[int, int]] = []

    def flush_table() -> None:
        for i in range(0, len(table), TABLE_ROWS_PER_PASSAGE):
            group = table[i:i + TABLE_ROWS_PER_PASSAGE]
            a, b = group[0][0], group[-1][1]
            out.append(Passage(text[a:b], a, b, "table"))
        table.clear()

    lines: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        lead = len(line) - len(line.lstrip())
        trail = len(line) - len(line.rstrip())
        if b - trail > a + lead:
            lines.append((a + lead, b - trail))
    lines = _unwrap(text, lines)
    first = True
    head: int | None = None  # start of a pending heading line
    for n, (a, b) in enumerate(lines):
        body = text[a:b]
        if _is_row(body):
            if head is not None:  # a heading over a table stays on its own
                out.append(Passage(text[head:lines[n - 1][1]], head, lines[n - 1][1], "para"))
                head = None
            table.append((a, b))
            first = False
            continue
        flush_table()
        if (b - a <= HEADING_CHARS and n + 1 < len(lines) and not first
                and body[-1] not in "：:。！？；!?;" and not _is_row(text[lines[n + 1][0]:lines[n + 1][1]])):
            if head is None:
                head = a
            continue
        if head is not None:
            a, head = head, None
            body = text[a:b]
        kind = "title" if first else ("item" if _NUMBERED.match(body) else "para")
        first = False
        if b - a <= max_chars:
            out.append(Passage(body, a, b, kind))
            continue
        win_a = win_b = -1
        for s in split_sentences(body, max_chars=max_chars):
            sa, sb = a + s.start, a + s.end
            if win_a >= 0 and sb - win_a > max_chars:
                out.append(Passage(text[win_a:win_b], win_a, win_b, kind))
                win_a = -1
            if win_a < 0:
                win_a = sa
            win_b = sb
        if win_a >= 0:
            out.append(Passage(text[win_a:win_b], win_a, win_b, kind))
    flush_table()
    if head is not None:
        a, b = head, lines[-1][1]
        out.append(Passage(text[a:b], a, b, "para"))
    return out


def _width(s: str) -> int:
    """Display width: a CJK or full-width character counts 2, anything else 1."""
    return sum(2 if ord(c) > 0x2E7F else 1 for c in s)


def _unwrap(text: str, lines: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join the lines of a hard-wrapped paragraph (a PDF page's or a scan's text) into one span.

    A line at least :data:`WRAP_MIN_WIDTH` wide that does not end with a sentence stop,
    a closing bracket or a colon continues on the next line, unless either is a table row
    or the next opens with an item number. A plain text file with one paragraph per line
    ends its lines with a stop and is returned as it is.
    """
    out: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for n, (a, b) in enumerate(lines):
        cur = (cur[0], b) if cur is not None else (a, b)
        body = text[a:b]
        nxt = text[lines[n + 1][0]:lines[n + 1][1]] if n + 1 < len(lines) else ""
        wrapped = (bool(nxt) and body[-1] not in _SENTENCE_STOP and _width(body) >= WRAP_MIN_WIDTH
                   and not _is_row(body) and not _is_row(nxt) and not _NUMBERED.match(nxt))
        if not wrapped:
            out.append(cur)
            cur = None
    if cur is not None:
        out.append(cur)
    return out


def overlaps(p: Sentence, start: int, end: int) -> bool:
    """True when passage ``p`` shares at least one character with ``[start, end)``."""
    return p.start < end and start < p.end
