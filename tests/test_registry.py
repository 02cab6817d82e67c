"""The model registry: promotion by the golden set, refusal with a reason, rollback, signed
manifests; the model commands' credentials and audit events."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner

from classifier.catalogue import load_catalogue
from classifier.cli import main
from classifier.engine.model import MANIFEST, TextModel, file_sha256
from classifier.errors import ModelTamperedError, ModelUnsignedError, NotFoundError, UsageError
from classifier.suggest import load_classifier
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
    ({"macro_f1": 0.9 - TOLERANCE - 0.01}, "密级宏平均F1值"),
    ({"clause_top1": 0.8}, "条款首选准确率"),
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
        TextModel.load(d, key=reg.key())
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


# --- signatures and who may change the model (issue 11 §4, §7) ----------------------------


def _unsign(d):
    """A manifest as saved before signatures existed (sha256 only)."""
    doc = json.loads((d / MANIFEST).read_text(encoding="utf-8"))
    del doc["signature"]
    (d / MANIFEST).write_text(json.dumps(doc), encoding="utf-8")


def test_recomputed_manifest_is_never_promoted_or_loaded(models_dir, make_version, settings):
    reg = Registry(models_dir)
    reg.register(make_version(models_dir, "v1"))
    d = make_version(models_dir, "v2", under=0.5)
    with np.load(d / "model.npz") as z:
        np.savez(d / "model.npz", idf=z["idf"], coef=z["coef"] * 0, intercept=z["intercept"])
    doc = json.loads((d / MANIFEST).read_text(encoding="utf-8"))
    doc["sha256"]["model.npz"] = file_sha256(d / "model.npz")
    (d / MANIFEST).write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ModelTamperedError, match=r"\[model_tampered\].*签名校验未通过"):
        reg.promote("v2")
    assert reg.active().version == "v1"
    with pytest.raises(ModelTamperedError):
        load_classifier(replace(settings, home=models_dir.parent),
                        load_catalogue(settings.catalogue_path), d)


def test_promote_vouches_for_a_model_saved_before_signatures(models_dir, make_version):
    reg = Registry(models_dir)
    reg.register(make_version(models_dir, "v1"))
    old = make_version(models_dir, "v0", under=0.5)
    _unsign(old)
    with pytest.raises(ModelUnsignedError, match=r"\[model_unsigned\]"):
        TextModel.load(old, key=reg.key())
    reg.promote("v0")  # the files match their sha256: the person promoting it signs it
    assert reg.active().version == "v0" and reg.history()[-1]["signed"] is True
    TextModel.load(old, key=reg.key())
    _unsign(old)
    with open(old / "vocabulary.json", "ab") as f:
        f.write(b" ")
    with pytest.raises(ModelTamperedError, match=r"\[model_tampered\].*vocabulary.json"):
        reg.promote("v0")  # an unsigned model whose files changed is never signed


@pytest.fixture()
def accounts_home(models_dir, make_version, monkeypatch):
    """Two versions (v1 active), a database with a director and a drafter, DINGMI_HOME set."""
    from classifier.config import Settings
    from classifier.workflow import Workflow
    from tests.conftest import PASSWORD

    home = models_dir.parent
    monkeypatch.setenv("DINGMI_HOME", str(home))
    monkeypatch.delenv("DINGMI_DATABASE_URL", raising=False)
    for var in ("DINGMI_PASSWORD", "DINGMI_TOKEN", "DINGMI_USER"):
        monkeypatch.delenv(var, raising=False)
    reg = Registry(models_dir)
    reg.register(make_version(models_dir, "v1"))
    reg.register(make_version(models_dir, "v2", under=0.5))
    wf = Workflow.open(Settings(home=home))
    wf.add_user("李主任", "director", password=PASSWORD, must_change_password=False)
    wf.add_user("张承办", "drafter", password=PASSWORD, must_change_password=False)
    yield wf
    wf.close()


@pytest.mark.parametrize("args", [["models", "promote", "v2"], ["models", "rollback"],
                                  ["train", "--no-decisions"]])
def test_model_commands_refuse_as_alone_and_change_nothing(accounts_home, models_dir, args):
    before = (models_dir / "CURRENT").read_text(encoding="utf-8")
    versions = sorted(p.name for p in models_dir.iterdir())
    res = CliRunner().invoke(main, [*args, "--as", "李主任", "--json"], input="")
    assert res.exit_code == 1
    assert json.loads(res.stdout.splitlines()[-1])["error"]["code"] == "authentication_required"
    assert (models_dir / "CURRENT").read_text(encoding="utf-8") == before
    assert sorted(p.name for p in models_dir.iterdir()) == versions


def test_model_commands_need_the_director_and_are_audited(accounts_home, models_dir,
                                                          monkeypatch):
    from tests.conftest import PASSWORD

    monkeypatch.setenv("DINGMI_PASSWORD", PASSWORD)
    run = CliRunner().invoke
    res = run(main, ["models", "promote", "v2", "--as", "张承办"])
    assert res.exit_code == 1 and "[permission_denied]" in res.stderr and "办公室主任" in res.stderr
    assert Registry(models_dir).active().version == "v1"
    assert run(main, ["models", "promote", "v2", "--as", "李主任"]).exit_code == 0
    assert run(main, ["models", "rollback", "--as", "李主任"]).exit_code == 0
    events = [e for e in accounts_home.store.events() if e.action.startswith("model_")]
    assert [(e.action, e.detail["version"]) for e in events] == [
        ("model_promote", "v2"), ("model_rollback", "v1")]
    signed = Registry(models_dir).check("v2")
    assert events[0].detail["sha256"] == signed and events[0].actor_role == "director"
    assert Registry(models_dir).history()[-2]["by"] == "李主任"


def test_cli_refuses_a_tampered_model_with_a_sentence(models_dir, make_version, monkeypatch,
                                                      tmp_path):
    """The probe's trial: ``models show`` and ``suggest`` name the refusal, never "通过"."""
    monkeypatch.setenv("DINGMI_HOME", str(models_dir.parent))
    reg = Registry(models_dir)
    d = make_version(models_dir, "v1")
    reg.register(d)
    with np.load(d / "model.npz") as z:
        np.savez(d / "model.npz", idf=z["idf"], coef=-z["coef"], intercept=z["intercept"])
    doc = json.loads((d / MANIFEST).read_text(encoding="utf-8"))
    doc["sha256"]["model.npz"] = file_sha256(d / "model.npz")
    (d / MANIFEST).write_text(json.dumps(doc), encoding="utf-8")
    shown = CliRunner().invoke(main, ["models", "show", "v1"])
    assert "签名与文件校验：[model_tampered]" in shown.stdout and "校验：通过" not in shown.stdout
    draft = tmp_path / "a.txt"
    draft.write_text("关于拟任干部人选的请示。以上人选尚未公布。", encoding="utf-8")
    res = CliRunner().invoke(main, ["suggest", "--json", str(draft)])
    assert res.exit_code == 2 and "[model_tampered]" in res.stderr and "已拒绝载入" in res.stderr
    assert "Traceback" not in res.output
