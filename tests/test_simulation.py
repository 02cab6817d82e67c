"""``dingmi models simulate`` and classifier.training.simulation: replaying the register's
settled decisions through a candidate before a switch (issue 14 §5)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from classifier.catalogue import Level, load_catalogue
from classifier.cli import main
from classifier.store import Store
from classifier.suggest import load_classifier
from classifier.workflow import Workflow
from tests.conftest import PASSWORD

#: Clause 4.3 lowered from 机密 to 秘密 in the candidate catalogue.
LOWERED = ('id = "4.3"', 'level = "机密"')


@pytest.fixture()
def register(home_env, tmp_path, monkeypatch, suggester, golden_set, catalogue):
    """A real SQLite register in which the director confirmed 40 golden-set drafts as the
    drafter proposed them (the active model's suggestion)."""
    from classifier.workflow import Classification

    db = f"sqlite:///{tmp_path / 'sim.sqlite3'}"
    monkeypatch.setenv("DINGMI_DATABASE_URL", db)
    wf = Workflow(Store.from_url(db), catalogue)
    drafter = wf.add_user("张承办", "drafter", password=PASSWORD, must_change_password=False)
    director = wf.add_user("李主任", "director", password=PASSWORD, must_change_password=False)
    wf.add_user("陈机要", "clerk", password=PASSWORD, must_change_password=False)
    texts = {}
    for i, g in enumerate(golden_set[:40]):
        res = wf.upload(drafter.id, g["text"].encode(), f"golden-{i:02d}.txt",
                        suggester.suggest_upload)
        s = res.suggestion.payload
        period = s["period"]
        lv = Level.from_label(s["level"])
        c = Classification(lv, s["clause"] if lv.is_secret else None,
                           period["years"] if lv.is_secret else None,
                           period["condition"] if lv.is_secret and not period["years"] else None)
        wf.propose(drafter.id, res.document.id, c, scope="部务会成员")
        wf.confirm(director.id, res.document.id)
        texts[res.document.id] = g["text"]
    wf.store.close()
    return texts


def _candidate_catalogue(repo_dir, tmp_path):
    src = (repo_dir / "corpus" / "catalogue.toml").read_text(encoding="utf-8")
    head, sep, rest = src.partition(LOWERED[0])
    rest = rest.replace(LOWERED[1], 'level = "秘密"', 1)
    text = (head + sep + rest).replace('version = "2023.1"', 'version = "2024.1"', 1)
    p = tmp_path / "catalogue-2024.toml"
    p.write_text(text, encoding="utf-8")
    return p


def _simulate(*args: str, who: str = "李主任"):
    return CliRunner().invoke(main, ["models", "simulate", *args, "--as", who, "--json"],
                              env={"DINGMI_PASSWORD": PASSWORD})


def test_simulate_lists_exactly_the_documents_that_change(register, repo_dir, tmp_path,
                                                          settings, suggester, trained_model):
    cat_path = _candidate_catalogue(repo_dir, tmp_path)
    base = suggester.classifier
    cand = load_classifier(settings, load_catalogue(cat_path), trained_model)

    def outcome(clf, text):
        s = clf.suggest(text)
        return s.level.label, s.clause

    expected = {i for i, t in register.items() if outcome(base, t) != outcome(cand, t)}
    assert expected, "the lowered clause must change some suggestions for the test to mean much"

    res = _simulate(trained_model.name, "--catalogue", str(cat_path))
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["n"] == len(register)
    assert out["catalogue_version"] == "2024.1" and out["active"] == trained_model.name
    assert {c["id"] for c in out["changes"]} == expected
    # 机密 → 秘密 on 4.3: every change is a lower level, under the confirmed decision.
    assert all(c["after"]["level"] == "秘密" and c["decided"]["level"] == "机密"
               and c["under"] for c in out["changes"])
    assert out["vs_active"]["down"] == len(expected) and out["vs_active"]["up"] == 0
    assert sorted(out["newly_under"]) == sorted(str(i) for i in expected)
    clause = {c["clause"]: c for c in out["per_clause"]}
    assert clause["4.3"]["changed"] == len(expected)

    # The readable form lists the same documents, would-be under-classifications flagged.
    text = CliRunner().invoke(main, ["models", "simulate", trained_model.name, "--catalogue",
                                     str(cat_path), "--as", "李主任"],
                              env={"DINGMI_PASSWORD": PASSWORD})
    assert text.exit_code == 0, text.output
    assert f"建议将改变 {len(expected)} 份" in text.output
    assert text.output.count("⚠ 漏定") == len(expected)


def test_the_active_model_changes_nothing(register, trained_model):
    out = json.loads(_simulate(trained_model.name[:15]).output)
    assert out["n"] == len(register) and out["changes"] == [] and out["replayed_baseline"] == 0


@pytest.mark.parametrize(("args", "env", "code", "status"), [
    (["--as", "陈机要"], {"DINGMI_PASSWORD": PASSWORD}, "permission_denied", 1),
    (["--as", "李主任"], {}, "authentication_required", 1),
])
def test_simulate_needs_a_director_or_the_leading_group(register, trained_model, args, env,
                                                        code, status):
    res = CliRunner().invoke(main, ["models", "simulate", trained_model.name, "--json", *args],
                             env={"DINGMI_PASSWORD": "", **env}, input="")
    assert res.exit_code == status
    assert json.loads(res.output.splitlines()[0])["error"]["code"] == code


def test_unknown_version(register):
    res = _simulate("19990101")
    assert res.exit_code == 1
    assert json.loads(res.output.splitlines()[0])["error"]["code"] == "not_found"
