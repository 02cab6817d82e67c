"""The model registry: promotion by the golden set, refusal with a reason, rollback, hashes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from classifier.cli import main
from classifier.engine.model import TextModel
from classifier.errors import ModelTamperedError, NotFoundError, UsageError
from classifier.training.registry import TOLERANCE, Registry, promotion_problems


@pytest.fixture()
def models_dir(tmp_path):
    d = tmp_path / "models"
    d.mkdir()
    return d


def test_registry_first_version_is_promoted(models_dir, make_version):
    reg = Registry(models_dir)
    res = reg.register(make_version(models_dir, "v1"))
    assert res.promoted and res.reasons == ()
    assert reg.active().version == "v1"
    assert (models_dir / "CURRENT").read_text(encoding="utf-8") == "v1"


@pytest.mark.parametrize("golden", [
    {"macro_f1": 0.9, "under": 0.02},                        # equal
    {"macro_f1": 0.9 - TOLERANCE / 2, "clause_top1": 0.89},  # slightly worse, within tolerance
    {"macro_f1": 0.95, "under": 0.0, "over": 0.05},          # better
])
def test_registry_promotes_a_version_not_worse(models_dir, make_version, golden):
    reg = Registry(models_dir)
    reg.register(make_version(models_dir, "v1"))
    res = reg.register(make_version(models_dir, "v2", **golden))
    assert res.promoted
    by = {v.version: v for v in reg.versions()}
    assert by["v2"].active and by["v2"].status == "active"
    assert not by["v1"].active and by["v1"].status == "retired"


@pytest.mark.parametrize("golden,words", [
    ({"under": 0.04}, "漏定率"),                                 # any rise in under is refused
    ({"macro_f1": 0.9 - TOLERANCE - 0.01}, "macro-F1"),
    ({"clause_top1": 0.8}, "条款 top-1"),
    ({"over": 0.1 + TOLERANCE + 0.01}, "过度定密率"),
])
def test_registry_refuses_a_worse_version_with_reason(models_dir, make_version, golden, words):
    reg = Registry(models_dir)
    reg.register(make_version(models_dir, "v1"))
    res = reg.register(make_version(models_dir, "v2", **golden))
    assert not res.promoted
    assert any(words in r for r in res.reasons)
    v2 = reg.get("v2")
    assert v2.status == "candidate" and not v2.active and words in v2.reason
    assert reg.active().version == "v1"
    listed = {d["version"]: d for d in (v.to_dict() for v in reg.versions())}
    assert words in listed["v2"]["reason"] and "reason" not in listed["v1"]


def test_registry_under_rate_rise_refused_even_when_everything_else_improves():
    active = {"macro_f1": 0.9, "under": 0.0, "over": 0.1, "clause_top1": 0.9}
    new = {"macro_f1": 0.99, "under": 0.018, "over": 0.0, "clause_top1": 0.99}
    (reason,) = promotion_problems(new, active)
    assert "漏定率" in reason and "0.018" in reason


def test_registry_manual_promote_and_rollback(models_dir, make_version):
    reg = Registry(models_dir)
    reg.register(make_version(models_dir, "v1"))
    reg.register(make_version(models_dir, "v2", under=0.5))  # refused
    assert reg.active().version == "v1"
    assert reg.promote("v2").active  # a person overrules the rule
    assert reg.active().version == "v2"
    back = reg.rollback()
    assert back.version == "v1" and reg.active().version == "v1"
    assert reg.get("v2").status == "retired"
    assert [h["action"] for h in reg.history()] == ["promote", "promote", "rollback"]
    with pytest.raises(UsageError, match=r"\[usage_error\]"):
        reg.rollback()  # v2 was rolled back from: nothing earlier to go to


def test_registry_unknown_version_raises(models_dir, make_version):
    reg = Registry(models_dir)
    reg.register(make_version(models_dir, "v1"))
    with pytest.raises(NotFoundError, match=r"\[not_found\]"):
        reg.promote("nope")


@pytest.mark.parametrize("name", ["model.npz", "vocabulary.json", "metadata.json"])
def test_tampered_model_file_is_refused(models_dir, make_version, name):
    reg = Registry(models_dir)
    d = make_version(models_dir, "v1")
    reg.register(d)
    with open(d / name, "ab") as f:
        f.write(b" ")
    with pytest.raises(ModelTamperedError, match=rf"\[model_tampered\].*{name}"):
        TextModel.load(d)
    with pytest.raises(ModelTamperedError):
        reg.promote("v1")


def test_cli_models_list_json(models_dir, make_version, monkeypatch):
    monkeypatch.setenv("DINGMI_HOME", str(models_dir.parent))
    reg = Registry(models_dir)
    reg.register(make_version(models_dir, "v1"))
    reg.register(make_version(models_dir, "v2", under=0.3))
    res = CliRunner().invoke(main, ["models", "list", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["version"] for r in rows] == ["v1", "v2"]
    for r in rows:
        assert {"version", "active", "created_at", "metrics", "status"} <= set(r)
        assert set(r["metrics"]) >= {"macro_f1", "under", "over", "clause_top1", "decision_cv"}
    assert rows[0]["active"] and rows[0]["status"] == "active"
    assert rows[1]["status"] == "candidate" and "漏定率" in rows[1]["reason"]
    assert rows[1]["metrics"]["under"] == 0.3


def test_cli_models_show_promote_rollback(models_dir, make_version, monkeypatch):
    monkeypatch.setenv("DINGMI_HOME", str(models_dir.parent))
    reg = Registry(models_dir)
    reg.register(make_version(models_dir, "v1"))
    reg.register(make_version(models_dir, "v2", under=0.3))
    run = CliRunner().invoke
    shown = json.loads(run(main, ["models", "show", "v2", "--json"]).stdout)
    assert shown["integrity"] == {"ok": True} and shown["class_counts"]
    assert run(main, ["models", "promote", "v2"]).exit_code == 0
    assert reg.active().version == "v2"
    out = run(main, ["models", "rollback", "--json"])
    assert out.exit_code == 0 and json.loads(out.stdout)["version"] == "v1"
    human = run(main, ["models", "list"])
    assert "* v1" in human.stdout


def test_cli_models_promote_tampered_fails_cleanly(models_dir, make_version, monkeypatch):
    monkeypatch.setenv("DINGMI_HOME", str(models_dir.parent))
    reg = Registry(models_dir)
    reg.register(make_version(models_dir, "v1"))
    d = make_version(models_dir, "v2")
    (d / "vocabulary.json").write_text("[]", encoding="utf-8")
    res = CliRunner().invoke(main, ["models", "promote", "v2", "--json"])
    assert res.exit_code == 1
    assert json.loads(res.stdout)["error"]["code"] == "model_tampered"
    res = CliRunner().invoke(main, ["models", "promote", "v2"])
    assert res.exit_code == 2 and "[model_tampered]" in res.stderr
    shown = json.loads(CliRunner().invoke(main, ["models", "show", "v2", "--json"]).stdout)
    assert shown["integrity"]["code"] == "model_tampered"
