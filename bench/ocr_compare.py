"""Compare RapidOCR (rapidocr-onnxruntime) with tesseract ``chi_sim`` on a scanned draft.

Run: ``taskset -c 0 .venv/bin/python bench/ocr_compare.py`` (tesseract from Debian:
``apt-get install -y tesseract-ocr tesseract-ocr-chi-sim``; skipped when absent). The scan is
``tests/builders.draft_pdf`` rendered at 150/200/300 dpi, clean and noisy (rotated 0.6°,
blurred, Gaussian noise); accuracy is 1 − edit distance / length, whitespace removed.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    import numpy as np

    from classifier.extract import ocr
    from tests import builders as b

    pdf, ref = b.draft_pdf(), b.draft_text()
    ocr.recognise(np.zeros((64, 64), np.uint8))  # load the models
    for noise in (False, True):
        for dpi in (150, 200, 300):
            img = b.scan_image(pdf, dpi=dpi, noise=noise)
            page = min((ocr.recognise(np.asarray(img)) for _ in range(2)), key=lambda p: p.seconds)
            print(f"rapidocr   dpi={dpi} noise={noise!s:5} acc={b.char_accuracy(ref, page.text):.4f} "
                  f"s={page.seconds:.2f} confidence={page.confidence:.3f}")
            if shutil.which("tesseract"):
                buf = io.BytesIO()
                img.save(buf, "PNG")
                t0 = time.perf_counter()
                out = subprocess.run(["tesseract", "stdin", "stdout", "-l", "chi_sim", "--psm", "6"],
                                     input=buf.getvalue(), capture_output=True).stdout.decode()
                print(f"tesseract  dpi={dpi} noise={noise!s:5} acc={b.char_accuracy(ref, out):.4f} "
                      f"s={time.perf_counter() - t0:.2f}")


if __name__ == "__main__":
    main()
