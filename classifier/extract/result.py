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
class OcrPage:
    """What OCR read on one page (a scanned PDF page or an image frame).

    Attributes
    ----------
    page : int
        1-based page number.
    text : str
        The recognised text (see :mod:`classifier.extract.ocr` for the layout rules).
    confidence : float
        Mean recognition score of the page's lines, weighted by their length (0–1; 0 when
        nothing was recognised).
    lines : int
        Number of recognised lines.
    seconds : float
        Wall time of recognition.
    """

    page: int
    text: str
    confidence: float
    lines: int
    seconds: float

    def to_dict(self) -> dict[str, object]:
        """JSON-serialisable summary (no text; confidence rounded to 3 places)."""
        return {
            "page": self.page,
            "confidence": round(self.confidence, 3),
            "lines": self.lines,
            "seconds": round(self.seconds, 3),
        }


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
        ``"pdf"``, ``"docx"``, ``"txt"``, ``"image"``, ``"xlsx"``, ``"csv"``, ``"ofd"``, or a
        converted legacy format ``"doc"``/``"rtf"``/``"xls"`` (decided by content, not by name).
    pages : int
        Page count (PDF); 1 for DOCX/TXT.
    warnings : tuple of str
        Stable warning codes with a short Chinese explanation, e.g.
        ``"cid_garbage: 第2页含无法解码的字符 (cid:NNN)，已略去"``.
    encoding : str or None
        Detected text encoding for TXT (``utf-8``, ``utf-8-sig``, ``gb18030``, ``utf-16``).
    ocr_pages : tuple of OcrPage
        Pages whose text came from OCR (scanned PDF pages, images), with their confidence;
        empty when no OCR was done.
    """

    text: str
    segments: tuple[Segment, ...] = ()
    source_format: str = "txt"
    pages: int = 1
    warnings: tuple[str, ...] = field(default_factory=tuple)
    encoding: str | None = None
    ocr_pages: tuple[OcrPage, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-serialisable dict (``segments`` as a list of dicts)."""
        d = asdict(self)
        d["segments"] = [asdict(s) for s in self.segments]
        d["warnings"] = list(self.warnings)
        d["ocr_pages"] = [p.to_dict() for p in self.ocr_pages]
        return d

    def ocr_summary(self) -> dict[str, object] | None:
        """``{"pages": [...], "mean_confidence"}`` when any text came from OCR, else ``None``."""
        if not self.ocr_pages:
            return None
        chars = [max(len(p.text), 1) for p in self.ocr_pages]
        mean = sum(p.confidence * n for p, n in zip(self.ocr_pages, chars, strict=True)) / sum(chars)
        return {"pages": [p.to_dict() for p in self.ocr_pages], "mean_confidence": round(mean, 3)}
