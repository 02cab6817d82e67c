"""Make the README's images of a marked first page and of the approval form from real files.

Builds an invented draft (DOCX written with python-docx), marks it as ``dingmi mark`` does
(:func:`classifier.documents.marks.mark_copy`: 份号 and 登记编号 on line 1, ``机密★10年`` on
line 2, GB/T 9704-2012 §7.2.1–7.2.2), writes the 定密审批表 of the same decision
(:func:`classifier.documents.approval_form.approval_form_docx`), converts both DOCX files to
PDF with LibreOffice (``soffice --headless``) and renders their first pages with PDFium
(pypdfium2) to ``docs/screenshots/marked_first_page.png`` and ``approval_form.png``.

Usage: ``.venv/bin/python docs/make_mark_images.py [--out DIR]`` (needs LibreOffice and a
CJK font: ``apt-get install -y --no-install-recommends libreoffice-writer-nogui
fonts-wqy-zenhei``).
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from classifier.catalogue import Level, load_catalogue  # noqa: E402
from classifier.documents.approval_form import ApprovalFormData, approval_form_docx  # noqa: E402
from classifier.documents.marks import MarkSpec, mark_copy  # noqa: E402

TITLE = "关于拟任市交通运输局局长人选的请示"
BODY = (
    "市委：",
    "经部务会研究，拟提名林晓峰同志为市交通运输局局长人选。林晓峰同志现任市交通运输局党组副书记、"
    "副局长，经考察，德才表现较好。以上人选尚未公布，请严格控制知悉范围。",
    "妥否，请批示。",
)
REGISTER = "组密〔2026〕0012号"


def draft_docx() -> bytes:
    """The invented draft: a title and three paragraphs."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    for i, text in enumerate((TITLE, *BODY)):
        run = doc.add_paragraph().add_run(text)
        run.font.size = Pt(22 if i == 0 else 16)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def form_docx() -> bytes:
    """The approval form of the same decision."""
    clause = load_catalogue(REPO / "corpus" / "catalogue.toml").get("4.3")
    return approval_form_docx(ApprovalFormData(
        document_title=TITLE, drafter="张承办", proposed_on=date(2026, 3, 2),
        proposed_level=Level.JIMI, period_years=10, condition=None, clause_id="4.3",
        clause_text=clause.text, need_to_know="部务会成员", register_number=REGISTER,
        decided_level=Level.JIMI, unit="市委组织部", date_of_issue=date(2026, 3, 3),
        director="李主任", director_opinion="确认：机密★10年", director_on=date(2026, 3, 3)))


def render(docx: bytes, png: Path, work: Path, scale: float) -> None:
    """DOCX → PDF (LibreOffice) → PNG of page 1 (PDFium)."""
    import pypdfium2 as pdfium

    src = work / f"{png.stem}.docx"
    src.write_bytes(docx)
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise SystemExit("LibreOffice is needed: apt-get install -y libreoffice-writer-nogui")
    subprocess.run([soffice, f"-env:UserInstallation=file://{work / 'lo'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(work), str(src)],
                   check=True, capture_output=True, timeout=180)
    pdf = pdfium.PdfDocument(str(work / f"{png.stem}.pdf"))
    try:
        image = pdf[0].render(scale=scale).to_pil()
    finally:
        pdf.close()
    width, height = image.size
    image.crop((0, 0, width, int(height * 0.55))).save(png)  # the top of the page


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    marked = mark_copy(draft_docx(), MarkSpec(level=Level.JIMI, period_years=10, copy_number=3,
                                              register_number=REGISTER))
    with tempfile.TemporaryDirectory() as tmp:
        render(marked.data, args.out / "marked_first_page.png", Path(tmp), 1.2)
        render(form_docx(), args.out / "approval_form.png", Path(tmp), 1.2)
    print(f"wrote {args.out / 'marked_first_page.png'} and {args.out / 'approval_form.png'}")


if __name__ == "__main__":
    main()
