"""OCR of scanned PDF pages and images (issue 5 §1): every scan is built here from a PDF we render.

Kept few and small (one full page, the rest crops): OCR costs about 2 s a page on one core.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from classifier.errors import NeedsOcrError
from classifier.extract import extract_bytes, ocr
from tests import builders as b

pytestmark = pytest.mark.skipif(not ocr.available(), reason="rapidocr-onnxruntime not installed")


@pytest.fixture(scope="module")
def draft_scan():
    """A noisy 200 dpi scan of the one-page draft (PIL image)."""
    return b.scan_image(b.draft_pdf(), dpi=200, noise=True)


@pytest.fixture(scope="module")
def title_crop(draft_scan):
    """The top of the scan (title and salutation): a small image that OCRs in a fraction of a second."""
    return draft_scan.crop((0, 120, draft_scan.width, 420))


def test_ocr_scanned_draft_character_accuracy(draft_scan):
    """A scanned copy of a typical printed draft reads back with ≥ 97 % character accuracy."""
    scan_pdf = b.image_bytes(draft_scan, "PDF", resolution=200.0)
    result = extract_bytes(scan_pdf, "scan.pdf")
    assert result.source_format == "pdf" and result.pages == 1
    assert b.char_accuracy(b.draft_text(), result.text) >= 0.97
    (page,) = result.ocr_pages
    assert page.page == 1 and 0.9 <= page.confidence <= 1.0 and page.lines >= 15
    assert any(w.startswith("ocr:") and "请核对识别文字" in w for w in result.warnings)
    # wrapped lines are joined into paragraphs; headings and the signature keep their lines
    assert "有关规定，经市委研究同意，现就" in result.text.replace(" ", "")
    assert "\n二、考察内容。" in result.text
    assert result.to_dict()["ocr_pages"][0]["page"] == 1


def test_ocr_mixed_pdf_page_by_page(title_crop):
    """Page 1 has a text layer (read as text), page 2 is a scan (OCR'd); order is kept."""
    text_page = b.pdf_bytes([[(72.0, 760.0, "第一页正文：关于召开干部工作会议的通知")]])
    scan_page = b.image_bytes(title_crop, "PDF", resolution=200.0)
    result = extract_bytes(b.merge_pdfs(text_page, scan_page), "mixed.pdf")
    assert result.pages == 2 and [p.page for p in result.ocr_pages] == [2]
    first, second = result.segments
    assert (first.page, second.page) == (1, 2)
    assert result.text[first.start : first.end] == "第一页正文：关于召开干部工作会议的通知"
    assert b.DRAFT_TITLE in result.text[second.start : second.end].replace(" ", "")
    assert any("第2页" in w for w in result.warnings if w.startswith("ocr:"))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "TIFF"])
def test_ocr_image_uploads(title_crop, fmt):
    frames = [title_crop, title_crop.transpose(0)] if fmt == "TIFF" else [title_crop]
    kwargs = {"save_all": True, "append_images": frames[1:]} if fmt == "TIFF" else {}
    result = extract_bytes(b.image_bytes(frames[0], fmt, **kwargs), f"scan.{fmt.lower()}")
    assert result.source_format == "image" and result.pages == len(frames)
    assert b.char_accuracy(b.DRAFT_TITLE, result.text.split("\n")[0]) >= 0.95
    assert len(result.ocr_pages) == len(frames)


def test_ocr_unavailable_needs_ocr(monkeypatch, title_crop):
    monkeypatch.setattr(ocr, "available", lambda: False)
    with pytest.raises(NeedsOcrError, match=r"^\[needs_ocr\] "):
        extract_bytes(b.image_bytes(title_crop, "PNG"), "scan.png")
    with pytest.raises(NeedsOcrError, match=r"^\[needs_ocr\] "):
        extract_bytes(b.image_bytes(title_crop, "PDF", resolution=200.0), "scan.pdf")
    with pytest.raises(NeedsOcrError, match=r"^\[needs_ocr\] "):
        extract_bytes(b.image_bytes(title_crop, "PNG"), "scan.png", ocr=False)


def test_ocr_runs_without_network(tmp_path, title_crop):
    """The models ship in the wheel: OCR works in a network namespace with no network at all."""
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("unshare -n not permitted here")
    path = tmp_path / "scan.png"
    path.write_bytes(b.image_bytes(title_crop, "PNG"))
    code = (
        "import sys; from classifier.extract import extract_text; "
        "print(extract_text(sys.argv[1]).text.split(chr(10))[0])"
    )
    out = subprocess.run(
        ["unshare", "-n", sys.executable, "-c", code, str(path)],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1], timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert b.char_accuracy(b.DRAFT_TITLE, out.stdout) >= 0.95


def test_ocr_layout_joins_wrapped_rows_only():
    boxes = [
        (100, 500, 0, 20, "关于做好工作的通知"),  # title, centred: does not reach the right edge
        (40, 600, 40, 60, "为进一步加强干部队伍建设，根据有关规定"),
        (20, 600, 70, 90, "现就有关事项通知如下。"),
        (20, 300, 100, 120, "一、考察对象"),
        (20, 120, 130, 150, "姓名"), (400, 480, 130, 150, "职务"),  # a table row: gappy
    ]
    assert ocr.layout(boxes) == (
        "关于做好工作的通知\n为进一步加强干部队伍建设，根据有关规定现就有关事项通知如下。\n"
        "一、考察对象\n姓名 职务"
    )


def test_ocr_progress_is_called_for_each_scanned_page(title_crop):
    """Issue 15 §3: ``on_page(k, K)`` before each page of a 2-page scan is recognised."""
    scan_page = b.image_bytes(title_crop, "PDF", resolution=200.0)
    calls: list[tuple[int, int]] = []
    result = extract_bytes(b.merge_pdfs(scan_page, scan_page), "两页扫描件.pdf",
                           on_page=lambda k, n: calls.append((k, n)))
    assert calls == [(1, 2), (2, 2)]
    assert [p.page for p in result.ocr_pages] == [1, 2]


def test_ocr_progress_for_the_frames_of_an_image(title_crop):
    calls: list[tuple[int, int]] = []
    extract_bytes(b.image_bytes(title_crop, "PNG"), "扫描件.png",
                  on_page=lambda k, n: calls.append((k, n)))
    assert calls == [(1, 1)]


def test_ocr_warm_up_loads_the_engine_once():
    ocr._engine.cache_clear()
    assert ocr.warm_up() is True
    engine = ocr._engine()
    assert ocr.warm_up() is True and ocr._engine() is engine
    info = ocr._engine.cache_info()
    assert (info.misses, info.currsize) == (1, 1) and info.hits >= 2
