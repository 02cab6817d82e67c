"""Take the README's screenshots of each page from the real app (``make screenshots``).

Builds a throw-away data home (model trained from ``corpus/``, demo users, the four
documents of ``examples/`` plus one invented draft, brought to different states through
the workflow), starts ``streamlit run app.py`` on a free port, and drives Debian's chromium
with Playwright (no browser download), logged in as each demo user in turn (their first
passwords changed), to capture ``docs/screenshots/{draft,review,leading_group,records,
model}.png``: 张承办's 拟定, 李主任's 审核, 王组长's 领导小组, 陈机要's 台账 and 李主任's
模型. The model page shows the real registry: the default model, then a retrain on the
seeded decisions. The server, the browser and the login are shared with
``make_oversight_screenshots.py`` (:func:`serve`, :func:`camera`, :class:`Camera`).

Usage: ``.venv/bin/python docs/make_screenshots.py [--out DIR] [--chromium PATH]``
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from classifier.catalogue import Level, load_catalogue  # noqa: E402
from classifier.config import Settings  # noqa: E402
from classifier.suggest import Suggester  # noqa: E402
from classifier.training.retrain import retrain  # noqa: E402
from classifier.workflow import Classification, Workflow  # noqa: E402
from classifier.workflow.demo import DEMO_PASSWORD, ensure_demo_users  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
EXTRA_DRAFT = (
    "关于拟任市交通运输局局长人选的请示\n\n市委：\n经部务会研究，拟提名林晓峰同志为市交通运输局局长人选。"
    "林晓峰同志现任市交通运输局党组副书记、副局长，经考察，德才表现较好。\n"
    "以上人选尚未公布，请严格控制知悉范围。\n\n中共某市委组织部\n2025年9月1日"
)

#: The example the drafter has not proposed yet: the 拟定 screenshot shows its suggestion.
LEFT_FOR_DRAFTER = "后备干部调整方案"

EXTRA_NOTE = "老周：北坪县常务副县长的位子基本定了让宋一帆过去，原来那位挪到市里。会还没上，先别声张。"


def seed(settings: Settings) -> None:
    """Train the model and bring the example documents to different workflow states."""
    catalogue = load_catalogue(settings.catalogue_path)
    retrain(settings, with_decisions=False)
    sg = Suggester.load(settings)
    wf = Workflow.open(settings, catalogue)
    ready_users(wf)
    drafter, director, director2 = (wf.user_by_name(n) for n in ("张承办", "李主任", "赵副主任"))
    ex = {p.name[:2]: p for p in sorted((REPO / "examples").glob("*.txt"))}

    def up(path_or_text: Path | str, name: str | None = None) -> int:
        data = path_or_text.read_bytes() if isinstance(path_or_text, Path) else path_or_text.encode()
        return wf.upload(drafter.id, data, name or path_or_text.name, sg.suggest_upload).document.id

    def propose_as_suggested(doc_id: int, scope: str) -> None:
        s = wf.latest_suggestion(doc_id)
        assert s is not None and s.level is not None
        c = Classification(Level.from_label(s.level), s.clause, s.period.years,
                           s.period.condition)
        wf.propose(drafter.id, doc_id, c, scope=scope)

    public = up(ex["02"])
    wf.propose(drafter.id, public, Classification(Level.GONGKAI), note="任前公示已在网站发布")
    wf.confirm(director.id, public)
    notice = up(ex["03"])
    wf.propose(drafter.id, notice, Classification(Level.NEIBU), note="仅限机关内部")
    wf.escalate(director2.id, notice, question="保密培训通知是否按内部事项管理？是否需要标注密级？")
    life = up(ex["04"])
    propose_as_suggested(life, "部领导班子成员、干部监督科")
    odd = up(EXTRA_DRAFT, "关于拟任市交通运输局局长人选的请示.txt")
    wf.propose(drafter.id, odd, Classification(Level.MIMI, "4.3", 10), scope="部务会成员",
               note="拟按秘密管理")
    up(ex["01"])  # left for the drafter: the 拟定 screenshot shows its suggestion
    note = up(EXTRA_NOTE, "工作群消息.txt")
    propose_as_suggested(note, "部务会成员")
    wf.override(director2.id, note, Classification(Level.JIMI, "4.3", None, "任免正式公布后"),
                reason_codes=["other"], reason="审批中的干部任免事项，按第4.3条定为机密")
    wf.close()
    retrain(settings)  # the model page: a second version, trained on these decisions


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- shared by this script and make_oversight_screenshots.py --------------------------------

#: The demo users' password in a screenshot home (their documented first one is changed).
PASSWORD = "Shot-pass-2026"


def ready_users(wf: Workflow) -> None:
    """Make the demo users and change their first passwords to :data:`PASSWORD`."""
    ensure_demo_users(wf)
    for u in wf.users():
        if u.must_change_password:
            wf.change_password(u.id, DEMO_PASSWORD, PASSWORD)


@contextmanager
def serve(home: Path) -> Iterator[str]:
    """``streamlit run app.py`` over the data home ``home`` on a free port; yields its URL."""
    port = _free_port()
    env = {**os.environ, "DINGMI_HOME": str(home)}
    env.pop("DINGMI_DATABASE_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
         "--server.port", str(port), "--server.headless", "true"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class Camera:
    """A headless chromium page on the app: log in as a demo user, open a page, take a shot."""

    def __init__(self, page: Any, url: str, out: Path) -> None:
        self.page, self.url, self.out = page, url, out

    def login(self, name: str) -> None:
        """Log in as ``name`` (whoever was logged in is logged out first)."""
        page = self.page
        page.goto(self.url)
        page.get_by_label("用户名").fill(name)
        page.get_by_label("口令").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("button", name="退出登录").wait_for()
        page.wait_for_load_state("networkidle")

    def logout(self) -> None:
        self.page.get_by_role("button", name="退出登录").click()
        self.page.get_by_label("用户名").wait_for()

    def open(self, link: str, heading: str) -> None:
        """Click the navigation link ``link`` and wait for the page's title ``heading``."""
        from playwright.sync_api import expect

        self.page.get_by_role("link", name=link).click()
        expect(self.page.get_by_role("heading", level=1, name=re.compile(heading))).to_be_visible()

    def shot(self, name: str, settle: float = 3.0) -> Path:
        """Wait for the page to settle (charts render after it), then save ``<out>/<name>.png``."""
        self.page.wait_for_load_state("networkidle")
        self.page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
        time.sleep(settle)
        path = self.out / f"{name}.png"
        self.page.screenshot(path=str(path))
        print(path)
        return path


@contextmanager
def camera(url: str, out: Path, chromium: Path, *, width: int = 1440, height: int = 1500,
           timeout_ms: int = 60_000) -> Iterator[Camera]:
    """Debian's chromium (no browser download) driven by Playwright, one page on ``url``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS,
                                    headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height},
                                    device_scale_factor=1)
            page.set_default_timeout(timeout_ms)
            yield Camera(page, url, out)
        finally:
            browser.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    ap.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        seed(Settings(home=home))
        with serve(home) as url, camera(url, args.out, args.chromium) as cam:
            cam.login("张承办")  # lands on 拟定; opens the example left for the drafter
            mine = cam.page.get_by_label("我的文件")
            mine.click()
            cam.page.get_by_role("option", name=re.compile(LEFT_FOR_DRAFTER)).click()
            cam.page.get_by_role("heading", name="系统建议").first.wait_for()
            cam.shot("draft", settle=2.0)
            cam.logout()
            for user, link, heading, name in (
                    ("李主任", "审核", "审核", "review"),
                    ("王组长", "领导小组", "保密领导小组", "leading_group"),
                    ("陈机要", "台账", "定密台账", "records")):
                cam.login(user)
                cam.open(link, heading)
                cam.shot(name, settle=2.0)
                cam.logout()
            cam.page.set_viewport_size({"width": 1440, "height": 2900})  # the whole page
            cam.login("李主任")
            cam.open("模型", "模型")
            cam.shot("model")


if __name__ == "__main__":
    main()
