"""Take the README's oversight screenshots from the real app over a real database.

Builds a throw-away data home: the trained model of ``--model-home`` (default ``var/``, only
read) copied and signed for it as the active version, plus a candidate that calls a state
secret only above P(secret) 0.6; a register built through the workflow from the golden set
(``corpus/eval/golden.jsonl``): every draft uploaded and suggested by the real engine, most
proposed as suggested, some as labelled, confirmed, overridden with a reason code or decided
by the leading group, some left waiting, and one near-copy of a secret settled as 内部. Then
it starts ``streamlit run app.py`` and drives Debian's chromium with Playwright to capture
``docs/screenshots/overview.png`` (the leading group's overview), ``overview_alarm.png`` (the
consistency alarm, side by side) and ``model_switch.png`` (the model page after simulating
the candidate).

Usage: ``.venv/bin/python docs/make_oversight_screenshots.py [--out DIR] [--model-home DIR]``
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from classifier.catalogue import Level, load_catalogue  # noqa: E402
from classifier.config import Settings  # noqa: E402
from classifier.errors import ClassifierError  # noqa: E402
from classifier.suggest import Suggester  # noqa: E402
from classifier.training.registry import Registry  # noqa: E402
from classifier.workflow import FINAL_STATUSES, Classification, Workflow  # noqa: E402
from docs.make_screenshots import camera, ready_users, serve  # noqa: E402
from tests.registers import near_duplicate  # noqa: E402


def install_models(src_home: Path, home: Path) -> tuple[str, str]:
    """The source home's active model as this home's active version, and a stricter copy."""
    src = Registry(src_home / "models").active()
    assert src is not None, f"no active model under {src_home}: run make model"
    reg = Registry(home / "models")
    (home / "models").mkdir(parents=True, exist_ok=True)
    base = home / "models" / src.version
    shutil.copytree(src.path, base)
    reg.sign(base)
    reg.promote(src.version, by="screenshots")
    cand_name = src.version[:16] + "-strict"
    cand = home / "models" / cand_name
    shutil.copytree(src.path, cand)
    meta = json.loads((cand / "metadata.json").read_text(encoding="utf-8"))
    meta["version"] = cand_name
    meta["created_at"] = "2099-01-01T00:00:00+00:00"
    meta["policy"] = {**meta.get("policy", {}), "secret_threshold": 0.6}
    (cand / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    reg.sign(cand)
    return src.version, cand_name


def seed(settings: Settings) -> None:
    """A register of the golden set brought to different states through the workflow."""
    catalogue = load_catalogue(settings.catalogue_path)
    sg = Suggester.load(settings)
    wf = Workflow.open(settings, catalogue)
    ready_users(wf)
    drafter, director, director2, leader = (wf.user_by_name(n) for n in (
        "张承办", "李主任", "赵副主任", "王组长"))
    rng = random.Random(14)
    golden = [json.loads(line) for line in
              (REPO / "corpus" / "eval" / "golden.jsonl").read_text("utf-8").splitlines()]

    def classification(level: str, clause: str | None) -> Classification:
        lv = Level.from_label(level)
        if not lv.is_secret:
            return Classification(lv)
        c = catalogue.get(clause) if clause else None
        years = c.period_years if c and c.period_years else (None if c and c.condition else 10)
        return Classification(lv, clause, years, None if years else c.condition if c else None)

    def attempt(fn, *args, **kw) -> bool:
        try:
            fn(*args, **kw)
        except ClassifierError as e:
            print(f"  skipped: {e}")
            return False
        return True

    docs = []
    for i, g in enumerate(golden):
        res = wf.upload(drafter.id, g["text"].encode(), f"{g.get('id', i)}.txt", sg.suggest_upload)
        s = res.suggestion
        if s is None or s.level is None:
            continue
        mine = (g["level"], g.get("clause")) if rng.random() < 0.3 else (s.level, s.clause)
        if attempt(wf.propose, drafter.id, res.document.id, classification(*mine),
                   scope="部务会成员"):
            docs.append((res.document.id, g))
    for n, (doc_id, g) in enumerate(docs):
        r = n % 10
        if r == 0:
            continue  # waiting for the director
        if r == 1 and Level.from_label(g["level"]).is_secret:
            attempt(wf.escalate, director.id, doc_id, question="是否属于尚未公布的干部任免事项？")
            if n % 20 == 1:
                attempt(wf.decide, leader.id, doc_id, classification(g["level"], g.get("clause")),
                        reason="经领导小组研究，按保密事项范围确定", reason_code="higher_level")
            continue
        doc = wf.store.document(doc_id)
        truth = classification(g["level"], g.get("clause"))
        if (doc.level, doc.clause) != (truth.level.label, truth.clause) and r in (2, 3, 4):
            code = ("already_public" if not truth.level.is_secret else
                    "wrong_clause" if doc.level == truth.level.label else "higher_level")
            attempt(wf.override, director2.id, doc_id, truth, reason="与保密事项范围核对后改定",
                    reason_code=code)
            after = wf.store.document(doc_id)
            if after.status == "escalated":
                attempt(wf.decide, leader.id, doc_id, truth, reason="同意办公室意见",
                        reason_code=code)
            continue
        attempt(wf.confirm, director.id, doc_id)
    # one near-copy of a settled secret, proposed and confirmed as 内部: the alarm's pair
    settled = [(i, g) for i, g in docs if wf.store.document(i).status in FINAL_STATUSES
               and wf.store.document(i).level == "机密"]
    original, secret = max(settled, key=lambda x: len(x[1]["text"]))
    copy = wf.upload(drafter.id, near_duplicate(secret["text"], seed=3, edits=2).encode(),
                     "关于干部调整的请示（另一份）.txt", sg.suggest_upload).document
    attempt(wf.propose, drafter.id, copy.id, Classification(Level.NEIBU), scope="部务会成员")
    attempt(wf.confirm, director.id, copy.id)
    if wf.store.document(copy.id).status == "escalated":  # the guards sent it on
        attempt(wf.decide, leader.id, copy.id, Classification(Level.NEIBU),
                reason="仅属工作秘密", reason_code="work_matter")
    print(f"near-copy #{copy.id} of #{original}: {wf.store.document(copy.id).status}")
    wf.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    ap.add_argument("--model-home", type=Path, default=REPO / "var")
    ap.add_argument("--chromium", type=Path, default=Path("/usr/bin/chromium"))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import expect

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        _, candidate = install_models(args.model_home, home)
        seed(Settings(home=home))
        with serve(home) as url, camera(url, args.out, args.chromium, height=2300) as cam:
            page = cam.page
            cam.login("王组长")
            cam.open("定密概况", "定密概况")
            cam.shot("overview")
            page.get_by_role("tab", name="人机一致性").click()
            cam.shot("overview_agreement")
            page.get_by_role("tab", name="相似文件预警").click()
            cam.shot("overview_alarm")
            cam.logout()

            cam.login("李主任")
            cam.open("模型", "模型")
            page.get_by_role("button", name="运行模拟").click()
            expect(page.get_by_text("将改变的建议")).to_be_visible()
            page.set_viewport_size({"width": 1440, "height": 1700})
            page.get_by_role("heading", name="切换前模拟").evaluate(
                "e => e.scrollIntoView({block: 'start'})")
            cam.shot("model_switch")
            print(f"candidate simulated: {candidate}")


if __name__ == "__main__":
    main()
