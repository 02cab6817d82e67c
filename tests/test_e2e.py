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
def server(request, tmp_path, trained_model):
    """``streamlit run app.py`` on a free port with DINGMI_HOME in tmp_path; the demo users'
    first passwords already changed to ``PASSWORD``; three failures lock an account.

    Indirect parametrisation adds environment variables to the server's, e.g.
    ``@pytest.mark.parametrize("server", [{"DINGMI_BLIND_SHARE": "1"}], indirect=True)``."""
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
           "DINGMI_STORE_ORIGINALS": "1", **getattr(request, "param", {})}
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


def _settle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished its rerun: no script running and no stale element of
    the page before it left (a stale copy of a field or tab would make a locator ambiguous
    on a loaded machine)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-stale=\"true\"]')"
        " && !document.querySelector('[data-testid=\"stStatusWidgetRunningIcon\"]')",
        timeout=timeout)


def _login(page, name: str, password: str = PASSWORD) -> None:
    _settle(page)
    page.get_by_role("textbox", name="用户名").fill(name)
    page.get_by_role("textbox", name="口令", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()


def _logout(page) -> None:
    page.get_by_role("button", name="退出登录").click()
    expect_login(page)


def _confirm_step(page) -> None:
    """Tick the visible “我已核对以上内容，确认提交”: the second step before a decision (issue 15)."""
    from app_pages.common import CONFIRM_LABEL

    _settle(page)
    page.get_by_text(CONFIRM_LABEL, exact=True).filter(visible=True).click()


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
        # issue 15: a decision takes a second step, and the review actions have shortcuts
        page.get_by_role("button", name="确认拟定意见").click()
        expect(page.get_by_text(re.compile("^尚未提交"))).to_be_visible()
        _confirm_step(page)
        page.keyboard.press("Alt+q")  # 确认 by keyboard
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


#: Latin-script tokens a page may show (issue 15): format names, the metric name F1, model
#: version ids and hex digests (the audit chain). File names are stripped separately.
ALLOWED_LATIN = re.compile(
    r"\b(?:PDF|DOCX?|XLSX?|OFD|TXT|CSV|WPS|TOML|Excel|F1)\b"
    r"|\b(?:Alt|Ctrl|Shift|Tab)\b"  # key names as printed on the keys (shortcuts, issue 15)
    r"|\d{8}T\d{6}Z-[0-9a-f]{8}|\b[0-9a-f]{16,}\b")


def _latin_words(page, names=()) -> list[str]:
    """Latin words a person sees on the page: the body's text without material icons (their
    ligature names), the allowed tokens and the given file names; the code folded under
    技术细节 is not in ``innerText`` while the detail is closed; nor are the visually hidden
    live announcements of a used multiselect."""
    text = page.inner_text("body")
    icons = page.eval_on_selector_all("[data-testid='stIconMaterial']",
                                      "els => els.map(e => e.textContent)")
    # A multiselect that was used leaves its screen-reader announcements ("9 options
    # available.") in a visually hidden live log: the widget library's, never on screen.
    icons += page.eval_on_selector_all(
        "[role='log'][aria-live]", "els => els.flatMap(e => [...e.children].map(c => c.textContent))")
    for token in sorted({*icons, *names}, key=len, reverse=True):
        text = text.replace(token, " ")
    return re.findall(r"[A-Za-z]{2,}", ALLOWED_LATIN.sub(" ", text))


def _walk(page, names=()) -> dict[str, list[str]]:
    """Open each page of the navigation (or the only one) and collect its Latin words."""
    page.wait_for_timeout(1500)
    links = page.locator("[data-testid='stSidebarNav'] a")
    titles = [links.nth(i).inner_text().strip() for i in range(links.count())]
    found = {}
    if not titles:
        found["-"] = _latin_words(page, names)
    for i, title in enumerate(titles):
        page.locator("[data-testid='stSidebarNav'] a").nth(i).click()
        page.wait_for_timeout(2500)
        page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
        found[title] = _latin_words(page, names)
    return {k: v for k, v in found.items() if v}


def test_e2e_plain_chinese_batch_pages_and_scope(server, tmp_path):
    """Issue 15, per role in a real browser: no Latin-script UI word on any page; a batch of
    10 files proposed from the summary table; the scanned PDF's page beside its OCR text on the review
    page; the override form's 知悉范围 saved."""
    from playwright.sync_api import expect, sync_playwright

    from classifier.store import Store
    from tests import builders as b

    url, home = server
    files = [tmp_path / "请示01.pdf"]
    files[0].write_bytes(b.image_bytes(b.scan_image(b.draft_pdf()), "PDF"))  # a scan: no text layer
    for i in range(2, 11):
        f = tmp_path / f"请示{i:02d}.txt"
        f.write_text(f"关于拟任干部人选的请示（第{i}稿）\n经部务会研究，拟提名张某{i}同志为"
                     "市财政局局长人选。以上人选尚未公布，请严格控制知悉范围。", encoding="utf-8")
        files.append(f)
    names = [f.name for f in files]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                    headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(url)
        expect_login(page)
        assert _latin_words(page) == [], _latin_words(page)

        # the drafter: ten files at once, proposed from the summary table
        _login(page, "张承办")
        expect(page.get_by_role("heading", name="拟定密级")).to_be_visible()
        assert _walk(page) == {}
        page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(files)
        # the scan is read by OCR first: allow for a loaded machine
        expect(page.get_by_text("已读取 10 份文稿。")).to_be_visible(timeout=180_000)
        expect(page.get_by_role("heading", name=re.compile("本次上传汇总"))).to_be_visible()
        assert _latin_words(page, names) == [], _latin_words(page, names)
        page.get_by_role("textbox", name=re.compile("统一知悉范围")).fill("部务会成员")
        page.get_by_role("button", name="提交所选 10 份审核").click()
        expect(page.get_by_text(re.compile("^已提交 10 份文稿审核"))).to_be_visible()
        _logout(page)

        # the director: the scanned PDF (proposed first) with its page beside the text; every page
        # of the role in plain Chinese; an override that changes the 知悉范围
        _login(page, "李主任")
        expect(page.get_by_role("heading", name="审核", exact=True)).to_be_visible()
        expect(page.locator("[data-testid='stImage'] img").first).to_be_visible()
        expect(page.locator(".dm-doc")).to_contain_text("干部")
        assert _latin_words(page, names) == [], _latin_words(page, names)
        page.get_by_role("tab", name="变更").click()
        scope = page.get_by_role("textbox", name="知悉范围")
        scope.fill("部务会成员、分管副部长")
        page.get_by_role("textbox", name="变更理由（必填）").fill("知悉范围应包括分管领导")
        # two structured reasons (issue 14 §1), picked by their Chinese labels
        reasons = page.locator("[data-testid='stMultiSelect']").filter(has_text="理由类别")
        combo = reasons.get_by_role("combobox")
        for label in ("派生自已定密的来源", "其他"):
            combo.click()
            combo.fill(label)  # filters the list down to that reason
            page.get_by_role("option", name=label).click()
            page.keyboard.press("Escape")
        expect(reasons).to_contain_text("派生自已定密的来源")
        expect(reasons).to_contain_text("其他")
        _confirm_step(page)
        page.get_by_role("button", name=re.compile("^变更")).click()  # 变更 and its shortcut
        expect(page.get_by_text(re.compile("^已变更 #|已报领导小组|报请上级")).first).to_be_visible()
        assert _walk(page, names) == {}
        _logout(page)

        for user in ("王组长", "陈机要", "系统管理员", "安全保密管理员", "安全审计员"):
            _login(page, user)
            page.get_by_role("button", name="退出登录").wait_for()
            assert _walk(page, names) == {}, user
            _logout(page)
        browser.close()

    store = Store.from_url(f"sqlite:///{home / 'dingmi.sqlite3'}")
    try:
        docs = {s.filename: store.document(s.id) for s in store.summaries()}
        assert set(docs) == set(names)
        assert all(d.status != "uploaded" for d in docs.values())
        pdf = docs["请示01.pdf"]
        last = store.decisions(pdf.id)[-1]
        assert last.kind in {"override", "escalate", "refer"}
        assert last.reason_codes == ["derived", "other"]
        if pdf.status == "overridden":
            assert pdf.scope == "部务会成员、分管副部长"
    finally:
        store.close()


def test_e2e_clerk_registers_circulates_and_sees_the_overdue_list(server):
    """Issue 13: the 机要 clerk registers a received 机密 document, circulates its copy to two
    named readers in order, and the overdue list shows it once the page's 截至日期 (the
    injectable clock of the page: an "as of" date, no sleep) is 40 days ahead — more than the
    regulation's month, 八(三); nothing is overdue today."""
    from datetime import date, timedelta

    from playwright.sync_api import expect, sync_playwright

    from classifier.store import Store

    url, home = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                    headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(20_000)
        page.goto(url)
        _login(page, "陈机要")
        page.get_by_role("link", name="登记簿").click()
        expect(page.get_by_role("heading", name="涉密文件登记簿")).to_be_visible()

        _settle(page)
        page.get_by_role("tab", name="登记与导入").click()
        page.get_by_role("textbox", name="文件标题").fill("关于换届考察工作的通知")
        page.get_by_role("textbox", name="来文单位").fill("省委组织部")
        page.get_by_role("button", name="登记", exact=True).click()
        expect(page.get_by_text("已登记。")).to_be_visible()

        _settle(page)
        page.get_by_role("tab", name="文件去向").click()
        page.get_by_role("textbox", name="传阅人").fill("刘科长、周干事")
        page.get_by_role("button", name="发起传阅").click()
        expect(page.get_by_text("传阅单已建立。")).to_be_visible()

        _settle(page)
        page.get_by_role("tab", name="超期清单").click()
        expect(page.get_by_text("超期未交回：0 件")).to_be_visible()
        # the date field's segments (year, month, day) take typed digits; it commits on blur
        field = page.get_by_role("tabpanel", name="超期清单").get_by_role("group",
                                                                       name="截至日期")
        field.get_by_role("spinbutton").first.click()
        page.keyboard.type((date.today() + timedelta(days=40)).strftime("%Y%m%d"))
        page.get_by_role("heading", name="涉密文件登记簿").click()
        expect(page.get_by_text("超期未交回：1 件")).to_be_attached()
        _settle(page)
        page.get_by_role("tab", name="超期清单").click()  # the rerun shows the first tab
        expect(page.get_by_text("超期未交回：1 件")).to_be_visible()
        browser.close()

    store = Store.from_url(f"sqlite:///{home / 'dingmi.sqlite3'}")
    try:
        actions = [e.action for e in store.chain()]
    finally:
        store.close()
    assert actions.count("register_in") == 1 and actions.count("circulate") == 1, actions


def _choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the Streamlit select box labelled ``label``."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


@pytest.mark.parametrize("server", [{"DINGMI_BLIND_SHARE": "1"}], indirect=True)
def test_e2e_blind_mode_hides_the_suggestion_until_the_proposal(server, tmp_path):
    """Issue 14 §3 in a real browser: on a blind draft the drafter sees the text but no
    suggestion (no level, no highlight, nothing pre-filled) until the proposal is submitted;
    the director sees none until a first judgement is recorded."""
    from playwright.sync_api import expect, sync_playwright

    from classifier.store import Store

    url, home = server
    docx = tmp_path / "盲评请示.docx"
    _build_docx(docx)
    store = Store.from_url(f"sqlite:///{home / 'dingmi.sqlite3'}")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                        headless=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(30_000)
            page.goto(url)
            _login(page, "张承办")
            expect(page.get_by_role("heading", name="拟定密级")).to_be_visible()
            page.locator("[data-testid='stFileUploader'] input[type='file']").set_input_files(docx)
            doc_box = page.locator(".dm-doc")
            expect(doc_box).to_contain_text("拟提名张某某同志")
            expect(page.get_by_text(re.compile("^本件为盲评抽样"))).to_be_visible()
            _settle(page)
            (row,) = store.summaries()
            assert row.blind
            suggested = store.latest_suggestion(row.id)
            assert suggested is not None and suggested.level
            # the suggestion area and the form: no level of the suggestion, nothing pre-filled
            assert page.locator("[data-testid='stMetric']").count() == 0
            assert doc_box.locator("mark").count() == 0
            assert suggested.level not in page.inner_text("body")
            clause_title = suggested.clause and next(
                (c.title for c in _catalogue().clauses if c.id == suggested.clause), None)
            if clause_title:
                assert clause_title not in page.inner_text("body")
            level_box = page.locator("[data-testid='stSelectbox']").filter(
                has=page.get_by_role("combobox", name="密级", exact=True))
            assert not any(lv in level_box.inner_text() for lv in ("公开", "内部", "秘密", "机密",
                                                                   "绝密"))

            _choose(page, "密级", "公开")
            page.get_by_role("button", name="提交审核").click()
            expect(page.get_by_text(re.compile("^已提交审核"))).to_be_visible()
            _settle(page)
            expect(page.get_by_text("建议密级", exact=True)).to_be_visible()
            expect(page.locator("[data-testid='stMetric']").first).to_contain_text(suggested.level)
            _logout(page)

            # the director: the text and the form of the independent judgement, no suggestion
            _login(page, "李主任")
            expect(page.get_by_role("heading", name="先作出独立判断")).to_be_visible()
            _settle(page)
            assert page.locator("[data-testid='stMetric']").count() == 0
            assert page.get_by_role("button", name="确认拟定意见").count() == 0
            assert page.get_by_text("建议密级", exact=True).count() == 0
            assert page.locator(".dm-doc mark").count() == 0
            table = page.locator("[data-testid='stDataFrame']").first
            expect(table).to_be_visible()
            _choose(page, "密级", "公开")
            page.get_by_role("button", name="记录独立判断").click()
            expect(page.get_by_text(re.compile("^已记录您对"))).to_be_visible()
            _settle(page)
            expect(page.get_by_text("建议密级", exact=True)).to_be_visible()
            expect(page.get_by_role("button", name="确认拟定意见")).to_be_attached()
            browser.close()
        (j,) = store.judgements(row.id)
        assert (j.level, store.account_by_id(j.actor_id).name) == ("公开", "李主任")
        events = [e.action for e in store.events(row.id) if e.action != "read_secret"]
        assert events[:3] == ["upload", "propose", "judge"]
    finally:
        store.close()


def _catalogue():
    from classifier.catalogue import load_catalogue

    return load_catalogue(REPO / "corpus" / "catalogue.toml")
