"""Images (PNG, JPEG, TIFF): every frame OCR'd as one page.

Pillow decodes; EXIF orientation is applied; a multi-page TIFF gives one page per frame.
More than 60 million pixels in a frame (a decompression bomb, or a photo far larger than a
page needs) → ``too_large``; more frames than ``max_pages`` → ``too_large``; no OCR engine
installed → ``needs_ocr``.

Source: issue 5 (§1 OCR, image uploads; §3 hostile files).
"""

from __future__ import annotations

import io
import warnings
from typing import TYPE_CHECKING

from classifier.errors import CorruptFileError, NeedsOcrError, TooLargeError
from classifier.extract._limits import NO_DEADLINE, Deadline
from classifier.extract.normalize import Piece, assemble, file_label
from classifier.extract.result import ExtractedText

if TYPE_CHECKING:
    from classifier.extract.ocr import PageProgress

#: Most pixels of one frame.
MAX_PIXELS = 60_000_000


def extract(
    data: bytes, *, name: str = "", max_pages: int = 500, deadline: Deadline = NO_DEADLINE,
    on_page: PageProgress | None = None,
) -> ExtractedText:
    """OCR an image file, frame by frame.

    ``on_page(k, n)`` is called before frame ``k`` of ``n`` is recognised.

    Raises
    ------
    NeedsOcrError
        The OCR engine is not installed.
    CorruptFileError
        Pillow cannot decode the image.
    TooLargeError
        A frame over :data:`MAX_PIXELS`, or more frames than ``max_pages``.
    ExtractionTimeoutError
        Over the document's time limit.
    """
    from classifier.extract import ocr

    label = file_label(name)
    if not ocr.available():
        raise NeedsOcrError(
            f"{label}是图片，需要文字识别（OCR），但本机未安装 OCR 组件（rapidocr-onnxruntime）",
            path=name or None,
        )
    import numpy as np
    from PIL import Image, ImageOps, ImageSequence

    pages = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                n_frames = getattr(im, "n_frames", 1)
                if n_frames > max_pages:
                    raise TooLargeError(
                        f"{label}共 {n_frames} 页，超过上限 {max_pages} 页", path=name or None
                    )
                for index, frame in enumerate(ImageSequence.Iterator(im)):
                    if frame.width * frame.height > MAX_PIXELS:
                        raise TooLargeError(
                            f"{label}第{index + 1}页为 {frame.width}×{frame.height} 像素，"
                            f"超过上限 {MAX_PIXELS // 1_000_000} 百万像素",
                            path=name or None,
                        )
                    deadline.check()
                    if on_page is not None:
                        on_page(index + 1, n_frames)
                    gray = ImageOps.exif_transpose(frame).convert("L")
                    pages.append(ocr.recognise(np.asarray(gray), index + 1))
    except (TooLargeError, NeedsOcrError):
        raise
    except Image.DecompressionBombError as e:
        raise TooLargeError(f"{label}像素过多（疑似图片炸弹）", path=name or None) from e
    except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as e:
        raise CorruptFileError(f"{label}无法打开：图片已损坏或不完整", path=name or None) from e
    deadline.check()
    text, segments = assemble(Piece("page", p.text, p.page) for p in pages)
    warn = [f"ocr: 共 {len(pages)} 页图片经文字识别（OCR）读出，请核对识别文字"]
    low = ocr.low_confidence_warning(pages)
    if low:
        warn.append(low)
    return ExtractedText(
        text=text,
        segments=segments,
        source_format="image",
        pages=len(pages),
        warnings=tuple(warn),
        ocr_pages=tuple(pages),
    )


def page_images(data: bytes, pages: list[int], *, width: int = 900) -> list[tuple[int, bytes]]:
    """PNG pictures of the given 1-based pages of a PDF or image file, for showing beside OCR text.

    Parameters
    ----------
    data : bytes
        The original file (PDF, PNG, JPEG or TIFF).
    pages : list of int
        Page numbers to render (at most 20 are rendered).
    width : int
        Width of each picture in pixels.

    Returns
    -------
    list of (page, png_bytes)
        Pages that could not be rendered are left out (never raises for a bad file).
    """
    from PIL import Image, ImageOps, ImageSequence

    out: list[tuple[int, bytes]] = []
    wanted = sorted(set(pages))[:20]

    def png(img: Image.Image) -> bytes:
        img = img.convert("L")
        img.thumbnail((width, width * 2))
        buf = io.BytesIO()
        img.save(buf, "PNG", optimize=True)
        return buf.getvalue()

    try:
        if b"%PDF" in data[:1024]:
            import pypdfium2 as pdfium

            from classifier.extract.pdfium import PDFIUM_LOCK

            with PDFIUM_LOCK:
                doc = pdfium.PdfDocument(data)
                try:
                    for number in wanted:
                        if 1 <= number <= len(doc):
                            page = doc[number - 1]
                            scale = width / max(page.get_width(), 1.0)
                            out.append((number, png(page.render(scale=scale, grayscale=True).to_pil())))
                            page.close()
                finally:
                    doc.close()
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                with Image.open(io.BytesIO(data)) as im:
                    for index, frame in enumerate(ImageSequence.Iterator(im)):
                        if index + 1 in wanted and frame.width * frame.height <= MAX_PIXELS:
                            out.append((index + 1, png(ImageOps.exif_transpose(frame))))
    except Exception:  # noqa: BLE001 - a picture is a convenience; the text is already shown
        return out
    return out
