"""OCR: Chinese text from page images, offline, through RapidOCR (PP-OCRv4 on ONNX Runtime).

Why RapidOCR and not tesseract
------------------------------
Measured on a scanned copy of a typical printed draft (GB/T 9704 layout, 16 pt 宋体, 28
characters a line, 450 characters; rendered at 150/200/300 dpi, then rotated 0.6°, blurred
and given Gaussian noise; ``bench/ocr_compare.py``), one core:

=================================  ===========================  ==========================
                                   rapidocr-onnxruntime 1.4.4   tesseract 5.3 ``chi_sim``
=================================  ===========================  ==========================
character accuracy, clean scan     100 % at 150/200/300 dpi     98.7 / 99.1 / 95.9 %
character accuracy, noisy scan     100 % at 150/200/300 dpi     99.1 / 99.1 / 96.8 %
seconds per page (200 dpi, noisy)  1.9 (settings below)         1.5
per-line confidence                yes (0–1)                    only through TSV output
install                            pip (models in the wheel)    apt (Debian packages)
=================================  ===========================  ==========================

tesseract splits 《》、（）and full-width punctuation and drops characters next to them;
PP-OCRv4 reads them as printed. RapidOCR's wheel carries its three ONNX models
(detection, direction, recognition; 16 MB) and its code has no download path, so nothing is
ever fetched at run time (a test runs it in a network namespace without network).

Settings used: the page image is reduced to at most 1600 px on its long side before
detection (the default 2000 costs 2.2× the detection time for no accuracy gain on A4
pages rendered at 200 dpi), the 180° direction classifier is off (pages are rendered
upright; scans upside down are rare and the cost is paid per line), lines with a
recognition score below 0.5 are dropped (RapidOCR's default).

Layout: recognised boxes are grouped into rows (centres within half a line height), a row's
boxes joined left to right (a space where the gap is wider than one character height), and
a row joined to the next without a break under the same rule as PDF text
(:mod:`classifier.extract.pdf`): no sentence end, the row reaches the text's right edge, the
next row is not indented, is the next line, and does not start a list item.

Notes
-----
Source: issue 5 (§1 OCR); RapidOCR 1.4.4 ``config.yaml`` and ``main.py``; GB/T 9704-2012 §7.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from classifier.extract._pdf_layout import LIST_START, ends_sentence, is_cjk
from classifier.extract.result import OcrPage

#: Render PDF pages at this resolution for OCR.
RENDER_DPI = 200
#: Longest image side handed to the detector (px).
MAX_SIDE = 1600
#: Lines recognised with a lower score are dropped.
MIN_LINE_SCORE = 0.5
#: A page whose mean confidence is below this gets an ``ocr_low_confidence`` warning.
LOW_CONFIDENCE = 0.85

_ENGINE_LOCK = threading.Lock()

#: A progress callback: ``on_page(k, n)`` just before page ``k`` (1-based) of ``n`` is
#: recognised. Called in the reading thread (or, for an isolated read, in the thread that
#: waits for the child process); it must not raise.
PageProgress = Callable[[int, int], None]


def available() -> bool:
    """Whether the OCR engine is installed (``rapidocr_onnxruntime`` importable)."""
    from importlib.util import find_spec

    try:
        return find_spec("rapidocr_onnxruntime") is not None
    except (ImportError, ValueError):
        return False


@cache
def _engine() -> Any:
    """The process-wide RapidOCR engine (models loaded once, ~0.5 s)."""
    import logging

    from rapidocr_onnxruntime import RapidOCR

    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return RapidOCR(max_side_len=MAX_SIDE, use_cls=False, text_score=MIN_LINE_SCORE)


def warm_up() -> bool:
    """Load the OCR engine now, so that the first scan does not wait for it (issue 15 §3).

    The engine is process-wide and loaded once (:func:`_engine`); calling this again costs
    nothing. Safe from any thread.

    Returns
    -------
    bool
        True when the engine is loaded; False when it is not installed.

    Raises
    ------
    Exception
        Whatever loading the engine raises (a broken install); callers that warm up in the
        background log it and carry on (the first scan then reports the failure).
    """
    if not available():
        return False
    _engine()
    return True


@dataclass
class _Row:
    text: str
    left: float
    right: float
    top: float
    bottom: float
    height: float
    gappy: bool


def _rows(items: list[tuple[float, float, float, float, str]]) -> list[_Row]:
    """Group boxes ``(left, right, top, bottom, text)`` into rows, top to bottom."""
    items = sorted(items, key=lambda b: (b[2] + b[3]) / 2)
    groups: list[list[tuple[float, float, float, float, str]]] = []
    for box in items:
        centre, height = (box[2] + box[3]) / 2, box[3] - box[2]
        if groups:
            last = groups[-1]
            lc = sum((b[2] + b[3]) / 2 for b in last) / len(last)
            lh = max(b[3] - b[2] for b in last)
            if abs(centre - lc) <= 0.5 * max(min(height, lh), 1.0):
                last.append(box)
                continue
        groups.append([box])
    rows = []
    for group in groups:
        group.sort(key=lambda b: b[0])
        height = sorted(b[3] - b[2] for b in group)[len(group) // 2]
        out, gappy = [group[0][4]], False
        for prev, box in zip(group, group[1:], strict=False):
            gap = box[0] - prev[1]
            if gap > 2.0 * height:
                gappy = True
            if gap > height or not (is_cjk(prev[4][-1]) and is_cjk(box[4][0])):
                out.append(" ")
            out.append(box[4])
        rows.append(
            _Row(
                "".join(out),
                group[0][0],
                max(b[1] for b in group),
                min(b[2] for b in group),
                max(b[3] for b in group),
                float(height),
                gappy,
            )
        )
    return rows


def _join(a: _Row, b: _Row, right_edge: float) -> bool:
    """Whether row ``b`` continues row ``a`` (a wrap inside a paragraph)."""
    h = max(a.height, 1.0)
    if a.gappy or b.gappy or ends_sentence(a.text) or LIST_START.match(b.text):
        return False
    if a.right < right_edge - 1.5 * h or b.left > a.left + 0.5 * h:
        return False
    if b.top - a.bottom > 1.2 * h or abs(b.height - a.height) > 0.3 * h:
        return False
    return is_cjk(a.text[-1]) or is_cjk(b.text[0])


def layout(items: list[tuple[float, float, float, float, str]]) -> str:
    """Turn recognised boxes into text: rows, and wrapped rows joined into paragraphs."""
    rows = [r for r in _rows([i for i in items if i[4].strip()]) if r.text.strip()]
    if not rows:
        return ""
    right_edge = max(r.right for r in rows)
    out = [rows[0].text]
    for a, b in zip(rows, rows[1:], strict=False):
        out.append("" if _join(a, b, right_edge) else "\n")
        out.append(b.text)
    return "".join(out)


def recognise(image: Any, page: int = 1) -> OcrPage:
    """OCR one page image.

    Parameters
    ----------
    image : numpy.ndarray
        Grayscale (H, W) or BGR (H, W, 3) uint8 pixels.
    page : int
        Page number recorded in the result.

    Returns
    -------
    OcrPage
        Text (``""`` when nothing was recognised), confidence and timing.
    """
    engine = _engine()
    start = time.perf_counter()
    with _ENGINE_LOCK:  # one page at a time per process: ONNX Runtime already uses the cores
        result, _ = engine(image)
    seconds = time.perf_counter() - start
    items = []
    weighted = total = 0.0
    for box, text, score in result or []:
        xs = [p[0] for p in box]
        ys = [p[1] for p in box]
        items.append((min(xs), max(xs), min(ys), max(ys), str(text)))
        n = max(len(str(text).strip()), 1)
        weighted += float(score) * n
        total += n
    return OcrPage(
        page=page,
        text=layout(items),
        confidence=weighted / total if total else 0.0,
        lines=len(items),
        seconds=seconds,
    )


def low_confidence_warning(pages: list[OcrPage]) -> str | None:
    """``ocr_low_confidence: 第2页识别置信度 0.71…`` for pages below :data:`LOW_CONFIDENCE`."""
    low = [p for p in pages if p.text and p.confidence < LOW_CONFIDENCE]
    if not low:
        return None
    shown = "、".join(f"第{p.page}页 {p.confidence:.2f}" for p in low[:10])
    return f"ocr_low_confidence: 识别置信度偏低（{shown}），请对照原件核对识别文字"
