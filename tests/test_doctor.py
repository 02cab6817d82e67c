"""``dingmi doctor``: real checks of this machine, a hidden part, and the model page's section."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.cli import main
from classifier.doctor import FEATURES

REPO = Path(__file__).resolve().parent.parent
NAMES = {"ocr", "libreoffice", "rjieba", "cjk_font", "chromium", "postgresql", "model"}


def _doctor(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["doctor", *args], env=env, catch_exceptions=False)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DINGMI_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DINGMI_DATABASE_URL", raising=False)
    return tmp_path / "home"


@pytest.fixture
def fake_soffice(tmp_path) -> Path:
    """A folder holding an executable named soffice (doctor only looks, never runs it)."""
    d = tmp_path / "lo"
    d.mkdir()
    exe = d / "soffice"
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    return d


def _has_cjk_font() -> bool:
    fc = shutil.which("fc-list")
    return bool(fc) and bool(subprocess.run([fc, ":lang=zh"], capture_output=True, text=True,
                                            check=False).stdout.strip())


def test_doctor_json_matches_this_machine(home):
    r = _doctor("--json")
    rep = json.loads(r.output)
    checks = {c["name"]: c for c in rep["checks"]}
    assert set(checks) == NAMES
    assert checks["rjieba"]["ok"] is (importlib.util.find_spec("rjieba") is not None)
    assert checks["ocr"]["ok"] is (importlib.util.find_spec("rapidocr_onnxruntime") is not None)
    assert checks["libreoffice"]["ok"] is bool(shutil.which("soffice") or shutil.which("libreoffice"))
    assert checks["chromium"]["ok"] is bool(shutil.which("chromium") or shutil.which("chromium-browser"))
    assert checks["cjk_font"]["ok"] is _has_cjk_font()
    assert checks["model"]["ok"] is False                    # a fresh data home has none
    assert rep["features"] == ["ocr", "legacy"]
    assert checks["ocr"]["required"] and checks["libreoffice"]["required"]
    assert not checks["chromium"]["required"] and not checks["rjieba"]["required"]
    for c in rep["checks"]:
        assert c["ok"] or c["install"], c                      # every missing part says how
        assert set(c["needed_for"]) <= set(FEATURES)
    assert rep["missing"] == [c["name"] for c in rep["checks"] if c["required"] and not c["ok"]]
    assert rep["ok"] is (not rep["missing"])
    assert r.exit_code == (0 if rep["ok"] else 1)


@pytest.mark.parametrize("args", [(), ("--json",)])
def test_doctor_without_soffice_on_path_exits_1_with_install_hint(home, tmp_path, args):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = _doctor(*args, env={"PATH": str(empty)})
    assert r.exit_code == 1
    assert "apt-get install -y --no-install-recommends libreoffice-writer-nogui" in r.output
    if args:
        rep = json.loads(r.output)
        assert "libreoffice" in rep["missing"] and rep["ok"] is False
    else:
        assert "缺少" in r.output and "LibreOffice" in r.output and "安装：" in r.output


def test_doctor_finds_soffice_on_path_and_passes(home, fake_soffice):
    if importlib.util.find_spec("rapidocr_onnxruntime") is None:
        pytest.fail("rapidocr-onnxruntime is a dependency in pyproject.toml: pip install -e .")
    r = _doctor("--json", env={"PATH": f"{fake_soffice}{os.pathsep}{os.environ['PATH']}"})
    rep = json.loads(r.output)
    lo = next(c for c in rep["checks"] if c["name"] == "libreoffice")
    assert lo["ok"] and lo["detail"] == str(fake_soffice / "soffice")
    assert r.exit_code == 0 and rep["ok"]


def test_doctor_without_legacy_makes_libreoffice_optional(home, tmp_path):
    r = _doctor("--without", "legacy", env={"PATH": str(tmp_path)})
    assert r.exit_code == 0, r.output
    assert "可选  LibreOffice" in r.output and "libreoffice-writer-nogui" in r.output


def test_doctor_dev_requires_chromium(home, fake_soffice):
    r = _doctor("--dev", "--json", env={"PATH": str(fake_soffice)})   # no chromium, no fc-list
    rep = json.loads(r.output)
    assert r.exit_code == 1 and {"chromium", "cjk_font"} <= set(rep["missing"])
    chromium = next(c for c in rep["checks"] if c["name"] == "chromium")
    assert chromium["install"] == "apt-get install -y chromium"


def test_doctor_postgresql_url_requires_the_driver(home, monkeypatch):
    monkeypatch.setenv("DINGMI_DATABASE_URL", "postgresql+psycopg://dingmi@localhost/dingmi")
    rep = json.loads(_doctor("--json").output)
    assert "postgresql" in rep["features"]
    psycopg = next(c for c in rep["checks"] if c["name"] == "psycopg")
    assert psycopg["required"] and psycopg["ok"] is (importlib.util.find_spec("psycopg") is not None)


def test_doctor_human_report_is_chinese(home):
    out = _doctor().output
    assert out.startswith("定密助手运行环境检查")
    for title in ("OCR 引擎及模型", "LibreOffice", "中文字体", "rjieba", "Chromium", "PostgreSQL"):
        assert title in out
    assert "结论：" in out


def test_run_checks_is_fast_and_never_imports_ocr(home):
    import sys

    code = ("import sys, time; t = time.perf_counter(); from classifier.doctor import run_checks; "
            "run_checks(); print(time.perf_counter() - t, 'onnxruntime' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=REPO).stdout.split()
    assert float(out[0]) < 5 and out[1] == "False"


def test_model_page_shows_the_machine_check(tmp_path, monkeypatch, home):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("DINGMI_DATABASE_URL", f"sqlite:///{tmp_path / 'app.sqlite3'}")
    from tests.conftest import app_login, ready_demo_users

    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    ready_demo_users()
    at = app_login(at, "李主任")
    at.switch_page("app_pages/model.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.label.startswith("本机组件：") for e in at.expander)
    texts = [t.value for t in at.text]
    assert any("LibreOffice" in t for t in texts) and any("OCR" in t for t in texts)


def test_doctor_checks_the_model_files_against_their_manifest(home, trained_model):
    """A model whose files changed after saving is not reported as present (the new-user trial)."""
    from tests.conftest import install_model

    models = home / "models"
    install_model(trained_model, home)
    (models / "CURRENT").write_text(trained_model.name, encoding="utf-8")
    ok = {c["name"]: c for c in json.loads(_doctor("--json").output)["checks"]}["model"]
    assert ok["ok"] is True and "校验通过" in ok["detail"]
    vocab = models / trained_model.name / "vocabulary.json"
    vocab.write_text(vocab.read_text(encoding="utf-8").replace('"', "'", 1), encoding="utf-8")
    bad = {c["name"]: c for c in json.loads(_doctor("--json").output)["checks"]}["model"]
    assert bad["ok"] is False and "校验未通过" in bad["detail"] and bad["install"]


def test_doctor_refuses_a_model_signed_elsewhere_or_unsigned(home, trained_model):
    """A copied-in model without this home's signature is not present; the fix is named."""
    models = home / "models"
    shutil.copytree(trained_model, models / trained_model.name)  # signed by another home
    (models / "CURRENT").write_text(trained_model.name, encoding="utf-8")
    res = json.loads(_doctor("--json").output)
    check = {c["name"]: c for c in res["checks"]}["model"]
    assert check["ok"] is False and "[model_unsigned]" in check["detail"]
    assert f"dingmi models promote {trained_model.name}" in check["install"]
