"""`make bench`: latency, cold start, throughput, memory and the time split of dingmi.

Not a timed test: it prints figures (medians; the machine is shared and noisy) for the
README. Run on one core: ``taskset -c 0 .venv/bin/python bench/run.py``.

Targets (issue 2 §11): warm p50 ≤ 40 ms for a 5-page DOCX, ≤ 150 ms for a 5-page PDF; cold
start ≤ 1.5 s; ≥ 20 text documents/s in batch; ≤ 400 MB peak.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEV_SET = REPO.parent / "shared" / "dev-set" / "files"
CHARS_PER_PAGE = 1600


def _corpus_text(n_chars: int) -> str:
    """Realistic draft text of about ``n_chars`` characters, taken from corpus/train."""
    out, total = [], 0
    for f in sorted((REPO / "corpus" / "train").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            t = json.loads(line)["text"]
            out.append(t)
            total += len(t)
            if total >= n_chars:
                return "\n".join(out)[:n_chars]
    return ("\n".join(out) * (n_chars // max(total, 1) + 1))[:n_chars]


def make_docx(path: Path, pages: int) -> Path:
    """A DOCX of ``pages`` × 1,600 characters: paragraphs and one table per page."""
    import docx

    d = docx.Document()
    text = _corpus_text(CHARS_PER_PAGE * pages)
    paras = [p for p in text.split("\n") if p.strip()]
    per = max(1, len(paras) // pages)
    for i, p in enumerate(paras):
        d.add_paragraph(p)
        if i % per == per - 1:
            t = d.add_table(rows=3, cols=3)
            for r in range(3):
                for c in range(3):
                    t.cell(r, c).text = f"单元{r}{c}"
    d.save(path)
    return path


def make_pdf(path: Path, pages: int) -> Path:
    """A PDF of ``pages`` pages of CJK text (reportlab's built-in STSong-Light CID font)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A4)
    width, per_page = 42, 52  # 42 characters × 52 lines: ≈ 1,500–1,700 characters a page
    text = _corpus_text(CHARS_PER_PAGE * pages * 2).replace("\t", " ")
    lines = [ln[i:i + width] for ln in text.split("\n") if ln.strip()
             for i in range(0, len(ln), width)][: per_page * pages]
    for p in range(pages):
        c.setFont("STSong-Light", 11)
        for k, ln in enumerate(lines[p * per_page:(p + 1) * per_page]):
            c.drawString(50, 805 - 15 * k, ln)
        c.showPage()
    c.save()
    return path


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def warm_latency(sg, path: Path, n: int = 30) -> tuple[float, float]:
    """p50 and p95 of extract + suggest of one file, ms (after 3 warm-up calls)."""
    for _ in range(3):
        sg.suggest_path(path)
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        rec = sg.suggest_path(path)
        ts.append((time.perf_counter() - t) * 1000)
        assert rec["error"] is None, rec["error"]
    return statistics.median(ts), pct(ts, 0.95)


def split_times(sg, path: Path, n: int = 20) -> dict[str, float]:
    """Median ms per stage: extraction, tokenisation, matching, model (+ evidence)."""
    from classifier.engine.marking import find_marking, mask_marking
    from classifier.engine.passages import split_passages
    from classifier.extract import extract_text
    from classifier.nlp.normalize import fold

    clf = sg.classifier
    acc: dict[str, list[float]] = {"extraction": [], "tokenisation": [], "matching": [], "model": []}
    for _ in range(n):
        t0 = time.perf_counter()
        doc = extract_text(path)
        t1 = time.perf_counter()
        # As engine.analysis.analyse does: passages folded once, one cut for all of them.
        passages = split_passages(mask_marking(doc.text, find_marking(doc.text)))
        folded = [fold(p.text) for p in passages]
        clf.tokenizer.tokens_many(folded, folded=True)
        t2 = time.perf_counter()
        clf.matcher.match(passages, folded)
        t3 = time.perf_counter()
        clf.suggest(doc.text)
        t4 = time.perf_counter()
        acc["extraction"].append((t1 - t0) * 1000)
        acc["tokenisation"].append((t2 - t1) * 1000)
        acc["matching"].append((t3 - t2) * 1000)
        # suggest() repeats tokenisation and matching; the model share is what remains.
        acc["model"].append(max(0.0, (t4 - t3) - (t3 - t1)) * 1000)
    return {k: statistics.median(v) for k, v in acc.items()}


def cold_start(path: Path, n: int = 5) -> float:
    """Median wall time, s, of a fresh ``dingmi suggest --json FILE`` process."""
    exe = REPO / ".venv" / "bin" / "dingmi"
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run([str(exe), "suggest", "--json", str(path)], check=True, capture_output=True)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def batch(files: list[Path]) -> tuple[float, float, int]:
    """Docs/s of one ``dingmi suggest --json`` process over ``files``, and its peak RSS (MB)."""
    exe = REPO / ".venv" / "bin" / "dingmi"
    t = time.perf_counter()
    p = subprocess.run([str(exe), "suggest", "--json", *map(str, files)], capture_output=True, text=True)
    dt = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    n_ok = sum(1 for line in p.stdout.splitlines() if line.startswith("{") and '"error": null' in line)
    return len(files) / dt, peak_mb, n_ok


def extraction_per_page() -> None:
    """Print OCR seconds per page and extraction ms per page for each format (issue 5 §5).

    Inputs are built by ``tests/builders.py``: a scanned copy of a one-page draft (200 dpi,
    noisy) as an image-only PDF and as PNG; 5-page PDF/DOCX/OFD; an XLSX of 1,000 rows; a
    .doc and an .rtf through LibreOffice when it is installed.
    """
    sys.path.insert(0, str(REPO))
    from classifier.extract import extract_bytes, legacy, ocr
    from tests import builders as b

    def per_page(data: bytes, name: str, n: int) -> tuple[float, int]:
        times, pages = [], 1
        for _ in range(n):
            t0 = time.perf_counter()
            pages = extract_bytes(data, name).pages
            times.append(time.perf_counter() - t0)
        return statistics.median(times) / max(pages, 1), pages

    print("extraction time per page (median):")
    if ocr.available():
        scan = b.scan_image(b.draft_pdf(), dpi=200, noise=True)
        extract_bytes(b.image_bytes(scan.crop((0, 120, scan.width, 420)), "PNG"), "w.png")  # load models
        for label, data, name in (("scanned PDF (OCR)", b.image_bytes(scan, "PDF", resolution=200.0), "s.pdf"),
                                  ("PNG image (OCR)", b.image_bytes(scan, "PNG"), "s.png")):
            sec, _ = per_page(data, name, 3)
            print(f"  {label:24s} {sec:6.2f} s/page (target <= 2 s on one core)")
    else:
        print("  OCR: rapidocr-onnxruntime not installed, skipped")
    text = "经市委常委会研究，拟对部分市管领导班子进行调整。各单位要严格按照干部选拔任用工作条例的规定执行。"
    ofd_pages = [[(20.0, 30.0 + 7 * k, (text * 2)[:34]) for k in range(35)] for _ in range(5)]
    rows = [[f"干部{k}", "组织部", "副处长", text[:20]] for k in range(1000)]
    samples = [
        ("PDF 5p", b.long_pdf(5), "x.pdf"),
        ("DOCX 5p", b.long_docx(8000), "x.docx"),
        ("OFD 5p", b.ofd_bytes(ofd_pages), "x.ofd"),
        ("XLSX 1,000 rows", b.xlsx_bytes({"名册": rows}), "x.xlsx"),
        ("TXT 8,000 chars", (text * 160).encode(), "x.txt"),
    ]
    if legacy.soffice():
        doc = legacy.convert(b.long_docx(8000), ".docx", "doc", name="x", deadline=legacy.NO_DEADLINE)
        samples.append(("DOC via LibreOffice", doc, "x.doc"))
    for label, data, name in samples:
        sec, pages = per_page(data, name, 3 if "LibreOffice" in label else 15)
        print(f"  {label:24s} {sec * 1000:8.1f} ms/page ({pages} page{'s' if pages > 1 else ''})")


def pdf_layout_cost(n: int = 20) -> None:
    """Print the PDF text path per file and per page (issue 8 item 3), medians of ``n`` runs, ms.

    For each sample: ``extract`` (the whole PDF extractor: PDFium text with the system font
    mapper off, geometry, layout), ``floor`` (PDFium alone: open, load each page, its text, mapper
    off: what no reader can go below), ``layout/page`` ((extract - floor) / pages), ``fonts on``
    (the floor with PDFium's system font mapper on: what reading text cost before issue 8 on a
    machine with a CJK font), and ``pdfplumber`` (its ``extract_words`` on every page, the
    alternative geometry source). Times are CPU time of this process (``time.process_time``),
    so that other work on a shared machine does not inflate them; run under ``taskset -c 0``.
    """
    sys.path.insert(0, str(REPO))
    import pypdfium2 as pdfium

    from classifier.extract import extract_bytes
    from classifier.extract.pdf import text_only
    from classifier.extract.pdfium import PDFIUM_LOCK as _PDFIUM_LOCK
    from tests import builders as b

    def median_ms(fn) -> float:
        fn()
        ts = []
        for _ in range(n):
            t0 = time.process_time()
            fn()
            ts.append((time.process_time() - t0) * 1000)
        return statistics.median(ts)

    def pdfium_text(data: bytes, fonts_off: bool) -> None:
        with _PDFIUM_LOCK:
            ctx = text_only() if fonts_off else contextlib.nullcontext()
            with ctx:
                pdf = pdfium.PdfDocument(data)
                for page in pdf:
                    tp = page.get_textpage()
                    tp.get_text_range()
                    tp.close()
                    page.close()
                pdf.close()

    def plumber(data: bytes) -> None:
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages:
                page.extract_words()

    body = [["各单位要严格按照干部选拔任用工作条例的规定，认真做好考察预告和任前公示工作。" * 3] * 4] * 5
    with tempfile.TemporaryDirectory() as td:
        samples = [
            ("5p bench generator", make_pdf(Path(td) / "p5.pdf", 5).read_bytes()),
            ("5p long_pdf", b.long_pdf(5)),
            ("1p two columns", b.columns_pdf([["组工简报指出，全市组织系统深入学习贯彻党的二十大精神。" * 6] * 3] * 2,
                                             title="组工简报")),
            ("5p header+footer", b.running_pdf(body, header=["中共某市委组织部"])),
        ]
    print("PDF text path (median CPU ms; system font mapper off while reading text):")
    for label, data in samples:
        pages = extract_bytes(data, "x.pdf").pages
        full = median_ms(lambda d=data: extract_bytes(d, "x.pdf"))
        floor = median_ms(lambda d=data: pdfium_text(d, True))
        fonts_on = median_ms(lambda d=data: pdfium_text(d, False))
        plumb = median_ms(lambda d=data: plumber(d)) if n >= 5 else float("nan")
        print(f"  {label:20s} extract {full:6.1f}  floor {floor:5.1f}  "
              f"layout/page {(full - floor) / pages:4.1f}  fonts on {fonts_on:5.1f}  "
              f"pdfplumber {plumb:6.1f}" + ("  (target extract <= 25 for 5 pages)" if pages == 5 else ""))


def main() -> None:
    if "--pdf" in sys.argv[1:]:  # only the PDF text path (issue 8): quick to rerun
        pdf_layout_cost()
        return
    from classifier.config import Settings
    from classifier.suggest import Suggester

    sg = Suggester.load(Settings.from_env())
    sg.suggest_text("预热")  # loads the tokenizer so that its backend is known
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(f"machine: {cpu}; {affinity} core(s) in use; Python {platform.python_version()}; "
          f"tokenizer {sg.classifier.tokenizer.backend_ or 'lazy'}")
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        files = {
            "docx 1p": make_docx(tmp / "p1.docx", 1), "docx 5p": make_docx(tmp / "p5.docx", 5),
            "pdf 1p": make_pdf(tmp / "p1.pdf", 1), "pdf 5p": make_pdf(tmp / "p5.pdf", 5),
        }
        from classifier.extract import extract_text

        print("warm latency, extract + suggest (ms):")
        for name, f in files.items():
            p50, p95 = warm_latency(sg, f)
            name = f"{name} ({len(extract_text(f).text):,} chars)"
            target = {"docx 5p": " (target p50 <= 40)", "pdf 5p": " (target p50 <= 150)"}.get(
                name.split(" (")[0], "")
            print(f"  {name:24s} p50 {p50:7.1f}  p95 {p95:7.1f}{target}")
        for name in ("docx 5p", "pdf 5p"):
            sp = split_times(sg, files[name])
            print(f"time split, {name} (median ms): " + ", ".join(f"{k} {v:.1f}" for k, v in sp.items()))
        cs = cold_start(files["docx 5p"])
        print(f"cold start, dingmi suggest on a 5-page DOCX: median {cs:.2f} s (target <= 1.5 s)")
    if DEV_SET.is_dir():
        # Text documents (the target) apart from scans, which go through OCR: the labels
        # file's "format" field says which is which (only that field is read).
        fmt = {}
        labels = DEV_SET.parent / "labels.jsonl"
        if labels.is_file():
            for line in labels.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    fmt[rec["file"]] = rec.get("format")
        text_docs = sorted(f for f in DEV_SET.iterdir() if fmt.get(f.name) != "scan")
        scans = sorted(f for f in DEV_SET.iterdir() if fmt.get(f.name) == "scan")
        rate, peak, n_ok = batch(text_docs)
        print(f"batch over ../shared/dev-set text documents ({len(text_docs)} files, {n_ok} read): "
              f"{rate:.1f} docs/s (target >= 20); peak RSS {peak:.0f} MB (target <= 400)")
        if scans:
            rate, peak, n_ok = batch(scans)
            print(f"batch over ../shared/dev-set scans ({len(scans)} files, {n_ok} read, OCR): "
                  f"{rate:.2f} docs/s; peak RSS {peak:.0f} MB (the OCR models)")
    else:
        print("batch: ../shared/dev-set not found, skipped")
    extraction_per_page()
    pdf_layout_cost()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
