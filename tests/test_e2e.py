"""End to end in a real headless browser: Debian's chromium driven by Playwright for Python.

The drafter uploads a DOCX built here (it also carries script tags and markdown injection),
proposes, switches to the director, who confirms; then the database row is checked.
No browser download: ``executable_path`` points at /usr/bin/chromium (``.ci/run`` installs
the Debian package).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("DINGMI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium not installed (apt-get install chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _build_docx(path: Path) -> None:
    from docx import Document

    d = Document()
    d.add_heading("关于拟任干部人选的请示", level=1)
    d.add_paragraph("经部务会研究，拟提名张某某同志为市财政局局长人选，李某某同志为市发改委副主任人选。")
    d.add_paragraph("<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">")
    d.add_paragraph("[点我查看](http://evil.example/steal) ![追踪](http://evil.example/p.png)")
    d.add_paragraph("以上人选尚未公布，请严格控制知悉范围。")
    d.save(str(path))


@pytest.fixture()
def server(tmp_path, trained_model):
    """``streamlit run app.py`` on a free port with DINGMI_HOME in tmp_path."""
    home = tmp_path / "home"
    shutil.copytree(trained_model, home / "models" / trained_model.name)
    port = _free_port()
    env = {**os.environ, "DINGMI_HOME": str(home)}
    env.pop("DINGMI_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.read() == b"ok":
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(proc.stdout.read().decode(errors="replace")) from None
            time.sleep(0.2)
    yield url, home
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stdout.close()


def test_e2e_drafter_proposes_director_confirms(server, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from classifier.store import Store

    started = time.monotonic()
    url, home = server
    docx = tmp_path / "请示.docx"
    _build_docx(docx)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                    headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(20_000)
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        expect(page.get_by_role("heading", name="拟定密级")).to_be_visible()

        # drafter: upload, read the suggestion, propose
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(docx)
        doc_box = page.locator(".dm-doc")
        expect(doc_box).to_contain_text("拟提名张某某同志")
        expect(doc_box.locator("mark").first).to_be_visible()
        expect(page.get_by_text("建议密级", exact=True)).to_be_visible()

        # the malicious paragraphs are inert text
        expect(doc_box).to_contain_text("<script>window.__xss = 1</script>")
        expect(doc_box).to_contain_text("[点我查看](http://evil.example/steal)")
        assert page.evaluate("window.__xss") is None
        assert page.locator("a[href*='evil.example']").count() == 0
        assert page.locator("img[src*='evil.example'], img[src='x']").count() == 0
        assert doc_box.locator("script, img, a, b, strong").count() == 0

        page.get_by_role("textbox", name="知悉范围").fill("部务会成员、干部一科")
        page.get_by_role("button", name="提交审核").click()
        expect(page.get_by_text(re.compile("^已提交审核"))).to_be_visible()

        # director: pick the user in the sidebar, the review page opens; confirm
        page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").click()
        page.get_by_role("option", name="李主任（办公室主任）").click()
        expect(page.get_by_role("heading", name="审核", exact=True)).to_be_visible()
        page.get_by_role("button", name="确认拟定意见").click()
        expect(page.get_by_text(re.compile("^已确认 #"))).to_be_visible()
        assert page.evaluate("window.__xss") is None and dialogs == []
        browser.close()

    store = Store.from_url(f"sqlite:///{home / 'dingmi.sqlite3'}")
    try:
        (row,) = store.summaries()
        doc = store.document(row.id)
        assert (doc.filename, doc.format, doc.status) == ("请示.docx", "docx", "confirmed")
        assert doc.level in {"秘密", "机密", "绝密"} and doc.mark.startswith(doc.level + "★")
        assert doc.scope == "部务会成员、干部一科"
        assert (row.drafter_name, row.decided_by, row.decision_kind) == ("张承办", "李主任",
                                                                         "confirm")
        assert [e.action for e in store.events(doc.id)] == ["upload", "propose", "confirm"]
        assert "<script>window.__xss = 1</script>" in doc.text
    finally:
        store.close()
    assert time.monotonic() - started < 60


def test_e2e_no_request_leaves_this_machine(server):
    """The documents are secrets: loading every page requests nothing but the local server."""
    from playwright.sync_api import sync_playwright

    url, _home = server
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith((url, "data:", "blob:")) else None)
        page.goto(url)
        page.get_by_text("拟定密级").first.wait_for(timeout=20000)
        for user, titles in (("李主任（办公室主任）", ("审核", "台账", "模型")),
                             ("王组长（保密领导小组）", ("领导小组",))):
            page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").click()
            page.get_by_role("option", name=user).click()
            for title in titles:
                page.get_by_role("link", name=title).first.click()
                page.wait_for_timeout(1500)
        browser.close()
    assert outside == []
