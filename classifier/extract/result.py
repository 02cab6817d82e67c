"""The common result of every extractor: text, segments with offsets, pages, warnings.

Source: issue 2 (§2, "one common result").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

SegmentKind = Literal[
    "paragraph", "table_cell", "header", "footer", "textbox", "footnote", "endnote", "page", "comment"
]


@dataclass(frozen=True)
class Segment:
    """One piece of the extracted text.

    Attributes
    ----------
    kind : str
        One of ``paragraph``, ``table_cell``, ``header``, ``footer``, ``textbox``,
        ``footnote``, ``endnote``, ``page``.
    start, end : int
        Character offsets into :attr:`ExtractedText.text` (``text[start:end]`` is the
        segment's text; ``end`` exclusive).
    page : int or None
        1-based page number for PDFs; ``None`` where the format has no pages (DOCX, TXT).
    """

    kind: str
    start: int
    end: int
    page: int | None = None


@dataclass(frozen=True)
class ExtractedText:
    """What the product read from one file: the text a person reads, and where it came from.

    Attributes
    ----------
    text : str
        The extracted text: full-width punctuation as printed, whitespace cleaned, compatibility
        look-alikes (Kangxi radicals …) mapped to ordinary ideographs. Segments are joined with
        ``"\\n"`` (cells of one table row with ``"\\t"``). Every offset in the product
        (segments, evidence) indexes this string.
    segments : tuple of Segment
        In reading order, non-overlapping, covering every non-empty piece of text.
    source_format : str
        ``"pdf"``, ``"docx"`` or ``"txt"`` (decided by content, not by file name).
    pages : int
        Page count (PDF); 1 for DOCX/TXT.
    warnings : tuple of str
        Stable warning codes with a short Chinese explanation, e.g.
        ``"cid_garbage: 第2页含无法解码的字符 (cid:NNN)，已略去"``.
    encoding : str or None
        Detected text encoding for TXT (``utf-8``, ``utf-8-sig``, ``gb18030``, ``utf-16``).
    """

    text: str
    segments: tuple[Segment, ...] = ()
    source_format: str = "txt"
    pages: int = 1
    warnings: tuple[str, ...] = field(default_factory=tuple)
    encoding: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-serialisable dict (``segments`` as a list of dicts)."""
        d = asdict(self)
        d["segments"] = [asdict(s) for s in self.segments]
        d["warnings"] = list(self.warnings)
        return d
