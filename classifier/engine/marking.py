"""Find the marking (密级标志) already printed on a draft.

Source: GB/T 9704-2012 §7.2.3: the level and secrecy period, joined by ★, at the top left of
the first page (e.g. ``机密★20年``, ``秘密★10年``, ``机密★考试结束后``); a bare level (``机密``)
means that level's longest period by law (保守国家秘密法: 绝密 30, 机密 20, 秘密 10 years).
Internal drafts carry ``内部`` / ``内部资料 注意保存`` in the same place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.catalogue import Level

_LEVELS = "绝密|机密|秘密"
# A line that is only a marking: "机密★20年", "秘密 ★ 10 年", "密级：机密", "机密（★）", "绝密★启用前".
_MARK_LINE = re.compile(
    rf"^[\s【\[（(]*(?:密级[:：]\s*)?(?P<level>{_LEVELS})[\s】\]）)]*"
    r"(?:\s*[★☆*＊]\s*(?P<period>[^，,。]{0,24}?))?\s*[】\])）]?\s*$"
)
_INNER_LINE = re.compile(r"^[\s【\[（(]*内部(?:资料|文件|事项|材料)?[\s，,、]*(?:注意保[存管密])?[\s】\]）)]*$")
# A statement of the level in the first lines: "此件属机密", "本件按机密级管理", "密级：秘密".
_STATEMENT = re.compile(rf"(?:此件|本件|本材料|本文件|该件)(?:属|为|按)?(?P<level>{_LEVELS})(?:级|件|文件)?")
_YEARS = re.compile(r"(\d+)\s*年")


@dataclass(frozen=True)
class Marking:
    """A marking found on the document.

    Attributes
    ----------
    level : Level
        The printed level (内部 included).
    text : str
        The marking as printed.
    start, end : int
        Offsets into the extracted text.
    years : int or None
        The printed period in years; for a bare state-secret level, that level's longest
        period by law.
    condition : str or None
        A printed declassification condition (``考试结束后``), if any.
    """

    level: Level
    text: str
    start: int
    end: int
    years: int | None = None
    condition: str | None = None


def find_marking(text: str, *, head_lines: int = 8) -> Marking | None:
    """Return the marking printed at the top of ``text`` (first ``head_lines`` non-empty lines).

    Parameters
    ----------
    text : str
        The extracted text (headers come first in DOCX extraction).
    head_lines : int
        How many non-empty lines from the top are searched for a marking line.

    Returns
    -------
    Marking or None
        A standalone marking line wins; else a statement such as ``此件属机密`` in those lines.
    """
    pos = 0
    seen = 0
    statement: Marking | None = None
    for line in text.split("\n"):
        start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        seen += 1
        if seen > head_lines:
            break
        offset = start
        for raw_cell in line.split("\t"):
            lead = len(raw_cell) - len(raw_cell.lstrip())
            cell_start = offset + lead
            offset += len(raw_cell) + 1
            cell = raw_cell.strip()
            m = _MARK_LINE.match(cell)
            if m:
                lv = Level.from_label(m.group("level"))
                period = "".join((m.group("period") or "").split())
                years = condition = None
                ym = _YEARS.fullmatch(period) if period else None
                if ym:
                    years = int(ym.group(1))
                elif period:
                    condition = period
                else:
                    years = lv.max_period_years
                return Marking(lv, cell, cell_start, cell_start + len(cell), years, condition)
            if cell and _INNER_LINE.match(cell):
                return Marking(Level.NEIBU, cell, cell_start, cell_start + len(cell))
        if statement is None:
            sm = _STATEMENT.search(line)
            if sm:
                lv = Level.from_label(sm.group("level"))
                statement = Marking(lv, sm.group(0), start + sm.start(), start + sm.end(),
                                    lv.max_period_years)
    return statement


def marking_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of every standalone marking line (headers repeat it on each page)."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        core = line.strip()
        if core and (_MARK_LINE.match(core) or _INNER_LINE.match(core)):
            a = pos + line.index(core)
            spans.append((a, a + len(core)))
        pos += len(line) + 1
    return spans


def mask_marking(text: str, marking: Marking | None) -> str:
    """Blank out the marking(s) so that the model judges the content, not the stamp.

    Every standalone marking line is blanked (running headers repeat it), plus ``marking``
    itself when it is a statement inside a line. The result has the same length as ``text``.
    """
    spans = marking_spans(text)
    if marking is not None:
        spans.append((marking.start, marking.end))
    if not spans:
        return text
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    return "".join(chars)
