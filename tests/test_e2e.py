"""End to end in a real headless browser: Debian's chromium driven by Playwright for Python.

The drafter uploads a DOCX built here (it also carries script tags and markdown injection),
proposes, switches to the director, who confirms; then the database row is checked.
No browser download: ``executable_path`` points at /usr/bin/chromium (``.ci/run`` installs
the Debian package).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, install_model

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
    """``streamlit run app.py`` on a free port with DINGMI_HOME in tmp_path; the demo users'
    first passwords already changed to ``PASSWORD``; three failures lock an account."""
    from classifier.config import Settings
    from classifier.workflow import Workflow
    from classifier.workflow.demo import ensure_demo_users
    from tests.conftest import ready_demo_users

    home = tmp_path / "home"
    install_model(trained_model, home)  # signed with this home's key
    wf = Workflow.open(Settings(home=home))
    ensure_demo_users(wf)
    wf.close()
    ready_demo_users(f"sqlite:///{home / 'dingmi.sqlite3'}")
    port = _free_port()
    env = {**os.environ, "DINGMI_HOME": str(home), "DINGMI_LOCKOUT_FAILURES": "3",
           "DINGMI_STORE_ORIGINALS": "1"}
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


def _login(page, name: str, password: str = PASSWORD) -> None:
    page.get_by_role("textbox", name="用户名").fill(name)
    page.get_by_role("textbox", name="口令", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()


def _logout(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    expect_login(page)


def expect_login(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="定密助手 · 登录")).to_be_visible()


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
        expect_login(page)  # no session: the login page and nothing else
        assert page.locator("[data-testid='stFileUploader']").count() == 0
        assert page.locator("[data-testid='stSidebarNav']").count() == 0
        _login(page, "张承办")
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

        # director: log out, log in with a password, the review page opens; a reload keeps
        # the session; confirm
        _logout(page)
        _login(page, "李主任")
        expect(page.get_by_role("heading", name="审核", exact=True)).to_be_visible()
        page.reload()
        expect(page.get_by_role("heading", name="审核", exact=True)).to_be_visible()
        page.get_by_role("button", name="确认拟定意见").click()
        expect(page.get_by_text(re.compile("^已确认 #"))).to_be_visible()
        assert page.evaluate("window.__xss") is None and dialogs == []

        # the director downloads the marked copy of the document it confirmed (issue 12)
        page.get_by_role("link", name="台账").click()
        expect(page.get_by_role("heading", name="定密台账")).to_be_visible()
        page.get_by_role("button", name="制作标志件").click()
        with page.expect_download() as dl:
            page.get_by_role("button", name="下载标志件").click()
        marked = tmp_path / dl.value.suggested_filename
        dl.value.save_as(marked)
        from docx import Document

        lines = [p.text for p in Document(marked).paragraphs]
        assert re.fullmatch(r"000001\s+登记编号：组密〔\d{4}〕0001号", lines[0]), lines[:2]
        assert re.fullmatch(r"(秘密|机密|绝密)★\S+", lines[1]), lines[:2]

        # a locked-out account cannot log in even with the right password
        _logout(page)
        from classifier.store import Store

        store = Store.from_url(f"sqlite:///{home / 'dingmi.sqlite3'}")
        try:
            for i in range(1, 4):
                _login(page, "王组长", "Wrong-pass-2026")
                deadline = time.monotonic() + 20
                while store.account_by_id(store.account("王组长")[0].id).failed_logins < i:
                    assert time.monotonic() < deadline
                    page.wait_for_timeout(200)
        finally:
            store.close()
        locked = page.locator(".dm-detail code", has_text="account_locked")
        expect(locked.first).to_be_attached()  # the code, folded under 技术细节
        expect(page.get_by_text(re.compile("锁定"))).to_be_visible()
        _login(page, "王组长")
        expect(locked.first).to_be_attached()
        expect_login(page)
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
        events = store.events(doc.id)
        assert [e.action for e in events if e.action != "read_secret"] == [
            "upload", "propose", "confirm", "mark_copy"]
        readers = {store.account_by_id(e.actor_id).name for e in events
                   if e.action == "read_secret"}
        assert readers == {"张承办", "李主任"}  # every read of the secret's text is recorded
        assert "<script>window.__xss = 1</script>" in doc.text
    finally:
        store.close()
    assert time.monotonic() - started < 90


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
        page.set_default_timeout(20_000)
        page.goto(url)
        expect_login(page)
        # every role logs in with its password and opens each of its pages
        for user, heading, titles in (
                ("张承办", "拟定密级", ()), ("李主任", "审核", ("台账", "模型")),
                ("王组长", "保密领导小组", ("台账",)), ("陈机要", "定密台账", ()),
                ("系统管理员", "账户管理", ()), ("安全保密管理员", "账户管理", ()),
                ("安全审计员", "审计记录", ())):
            _login(page, user)
            page.get_by_role("heading", name=heading, exact=True).wait_for()
            for title in titles:
                page.get_by_role("link", name=title).first.click()
                page.wait_for_timeout(800)
            _logout(page)
        browser.close()
    assert outside == []
