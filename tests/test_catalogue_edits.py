"""Recurring reasons and proposed catalogue edits (issue 14 §1): the pure proposal function on
hand-built decisions, and the workflow read and answer on a real SQLite file."""

from __future__ import annotations

import tomllib

import pytest

from classifier.catalogue import load_catalogue
from classifier.errors import PermissionDeniedError
from classifier.oversight.catalogue_edits import (
    MIN_SUPPORT,
    ProposedEdit,
    ReasonedDecision,
    apply_edits,
    bump_version,
    catalogue_toml,
    propose_edits,
    reason_counts,
)
from classifier.suggest import make_tokenizer
from classifier.workflow.catalogue_edits import answer_edit, reason_review
from tests.registers import Entry, store_register

#: Public notices that carry clause 4.5's cue “谈话” and no other 4.5 cue.
PUBLIC = [f"关于开展集体谈话活动的通知{i}：请各单位按时组织，结果在网站公布。" for i in "甲乙丙丁"]


def _public(n: int, code: str = "already_public") -> list[ReasonedDecision]:
    return [ReasonedDecision(str(i), PUBLIC[i], "4.5", None, (code,)) for i in range(n)]


@pytest.mark.parametrize("code", ["already_public", "work_matter"])
def test_three_lowering_reasons_propose_removing_the_cue_that_fired(catalogue, code):
    edits = propose_edits(_public(3, code), catalogue, str.split)
    assert edits == [ProposedEdit("4.5", "remove", "谈话", code, 3, ("0", "1", "2"))]
    assert MIN_SUPPORT == 3


def test_below_min_support_proposes_nothing(catalogue):
    assert propose_edits(_public(MIN_SUPPORT - 1), catalogue, str.split) == []
    counts = reason_counts(_public(2))
    assert [(c.clause, c.reason_code, c.n) for c in counts] == [("4.5", "already_public", 2)]


def test_wrong_clause_proposes_shared_terms_for_the_decided_clause(settings, catalogue):
    tok = make_tokenizer(settings, catalogue).tokens
    texts = [f"全市后备干部储备库第{i}批人员情况统计，储备库人员共{n}名。"
             for i, n in ((1, 12), (2, 30), (3, 41))]
    decs = [ReasonedDecision(str(i), t, "4.5", "4.4", ("wrong_clause",))
            for i, t in enumerate(texts)]
    edits = propose_edits(decs, catalogue, tok)
    assert edits and all(e.clause == "4.4" and e.action == "add" and e.support == 3
                         for e in edits)
    terms = {e.term for e in edits}
    assert terms & {"储备库", "后备干部"} and not terms & set(catalogue.get("4.4").cues)
    assert propose_edits(decs[:2], catalogue, tok) == []


def test_apply_edits_bumps_version_and_round_trips(catalogue, settings):
    data = tomllib.loads(settings.catalogue_path.read_text(encoding="utf-8"))
    new = apply_edits(data, [("4.5", "remove", "民主测评"), ("4.4", "add", "储备库")])
    assert new["version"] == bump_version(data["version"]) != data["version"]
    assert "民主测评" in data["clause"][4]["cues"]  # the input is not changed
    path = settings.home / "cand.toml"
    path.write_text(catalogue_toml(new), encoding="utf-8")
    cat = load_catalogue(path)
    assert "民主测评" not in cat.get("4.5").cues and "储备库" in cat.get("4.4").cues
    assert cat.ids == catalogue.ids and cat.version == new["version"]


def _seed(workflow, people):
    entries = [Entry(t, "内部", None, proposed=("秘密", "4.5"), kind="override",
                     reason="已在网站公布", reason_code="already_public", filename=f"通知{i}.txt")
               for i, t in enumerate(PUBLIC[:3])]
    return store_register(workflow.store, entries, drafter_id=people.drafter.id,
                          director_id=people.director.id)


def test_accepting_writes_row_event_and_a_loadable_candidate(workflow, people, settings,
                                                             catalogue, tmp_path):
    ids = _seed(workflow, people)
    tok = make_tokenizer(settings, catalogue).tokens
    kw = {"home": tmp_path, "catalogue_path": settings.catalogue_path}
    review = reason_review(workflow, people.director.id, tokenize=tok, **kw)
    assert [(c.clause, c.reason_code, c.n) for c in review.counts] == [
        ("4.5", "already_public", 3)]
    (edit,) = review.proposals
    assert (edit.clause, edit.action, edit.term) == ("4.5", "remove", "谈话")
    assert set(edit.doc_ids) == {str(i) for i in ids} and review.candidate is None
    # the leading group reads the list but may not answer; nor may a drafter read it
    assert reason_review(workflow, people.leader.id, tokenize=tok, **kw).proposals == [edit]
    with pytest.raises(PermissionDeniedError, match=r"\[permission_denied\]"):
        answer_edit(workflow, people.leader.id, edit, "accepted", **kw)
    with pytest.raises(PermissionDeniedError):
        reason_review(workflow, people.drafter.id, tokenize=tok, **kw)
    with pytest.raises(PermissionDeniedError):
        answer_edit(workflow, people.sysadmin.id, edit, "accepted", **kw)
    assert workflow.store.catalogue_edits() == []

    path = answer_edit(workflow, people.director.id, edit, "accepted", note="公开通知常用", **kw)
    (row,) = workflow.store.catalogue_edits()
    assert (row.clause, row.action, row.term, row.outcome, row.support, row.actor_id) == (
        "4.5", "remove", "谈话", "accepted", 3, people.director.id)
    ev = workflow.store.events()[-1]
    assert ev.action == "catalogue_edit" and ev.detail["edit_id"] == row.id
    assert ev.detail["candidate"] == path.name and ev.actor_id == people.director.id
    cand = load_catalogue(path)
    assert "谈话" not in cand.get("4.5").cues and cand.version != catalogue.version
    assert path.parent == tmp_path / "catalogue"
    # the catalogue in use is unchanged, and the answered edit is no longer proposed
    assert "谈话" in load_catalogue(settings.catalogue_path).get("4.5").cues
    again = reason_review(workflow, people.director.id, tokenize=tok, **kw)
    assert again.proposals == [] and again.candidate == path and len(again.answered) == 1


def test_rejecting_records_the_answer_without_a_candidate(workflow, people, settings,
                                                          catalogue, tmp_path):
    _seed(workflow, people)
    kw = {"home": tmp_path, "catalogue_path": settings.catalogue_path}
    (edit,) = reason_review(workflow, people.director.id,
                            tokenize=make_tokenizer(settings, catalogue).tokens, **kw).proposals
    assert answer_edit(workflow, people.director.id, edit, "rejected", **kw) is None
    assert [e.outcome for e in workflow.store.catalogue_edits()] == ["rejected"]
    assert not (tmp_path / "catalogue").exists()
