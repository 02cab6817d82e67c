"""classifier.workflow.blind and .judging: blind mode against anchoring (issue 14 §3) on a real
SQLite store: the draw at upload, who sees the suggestion when, the director's independent
first judgement, and agreement split by the real blind flags."""

from __future__ import annotations

import itertools

import pytest

from classifier.catalogue import Level
from classifier.config import DecisionPolicy, Settings
from classifier.errors import (
    AlreadyJudgedError,
    IllegalTransitionError,
    InvalidDecisionError,
    InvalidSettingError,
    JudgementRequiredError,
    NotBlindError,
    PermissionDeniedError,
    SelfReviewError,
)
from classifier.workflow import Classification, Status, Workflow
from classifier.workflow.blind import (
    BLIND_BEFORE_JUDGEMENT,
    BLIND_BEFORE_PROPOSAL,
    BLIND_LABEL,
    draw_blind,
)
from classifier.workflow.oversight import agreement_overview
from tests.test_workflow import PUBLIC_TEXT, SECRET_TEXT

_counter = itertools.count()
JIMI_43 = Classification(Level.JIMI, "4.3", None, "任免正式公布后")
GONGKAI = Classification(Level.GONGKAI)


def _wf(store, catalogue, share: float) -> Workflow:
    return Workflow(store, catalogue, decision=DecisionPolicy(blind_share=share))


@pytest.fixture()
def blind_wf(store, catalogue, people):
    """The workflow of an office that draws every draft blind (``people`` made first)."""
    return _wf(store, catalogue, 1.0)


def _upload(wf, who, suggester, text=SECRET_TEXT):
    data = f"{text}\n（盲评第{next(_counter)}稿）".encode()
    return wf.upload(who.id, data, "请示.txt", suggester.suggest_upload)


# --- the setting ------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "raw"), [
    ("DINGMI_EXTRACT_TIMEOUT", "abc"), ("DINGMI_MAX_FILE_BYTES", "-5"),
    ("DINGMI_WORKER_MEMORY_MB", "0"), ("DINGMI_MAX_CHARS", "nan"),
    ("DINGMI_BUSY_TIMEOUT", "-1"), ("DINGMI_RETRAIN_CV_FOLDS", "x")])
def test_bad_numeric_settings_raise_invalid_setting(name, raw):
    """Every numeric setting is checked where it is read: a word or a negative size is a
    coded configuration error, never a ValueError from deep inside (a new user's trial)."""
    with pytest.raises(InvalidSettingError, match=rf"\[invalid_setting\].*{name}"):
        Settings.from_env({name: raw})


def test_zero_is_allowed_where_it_means_off():
    s = Settings.from_env({"DINGMI_RETRAIN_CV_FOLDS": "0", "DINGMI_BUSY_TIMEOUT": "0"})
    assert (s.retrain_cv_folds, s.busy_timeout_s) == (0, 0.0)


@pytest.mark.parametrize(("raw", "share"), [("", 0.10), ("0", 0.0), ("1", 1.0), ("0.25", 0.25)])
def test_blind_share_from_env(raw, share):
    assert Settings.from_env({"DINGMI_BLIND_SHARE": raw}).decision.blind_share == share


@pytest.mark.parametrize("raw", ["abc", "1.5", "-0.1", "nan", "10%"])
def test_blind_share_bad_value_raises_invalid_setting(raw):
    with pytest.raises(InvalidSettingError, match=r"\[invalid_setting\].*DINGMI_BLIND_SHARE"):
        Settings.from_env({"DINGMI_BLIND_SHARE": raw})
    assert InvalidSettingError.code == "invalid_setting"


@pytest.mark.parametrize("share", [-0.5, 2.0, True])
def test_blind_share_policy_checks_its_range(share):
    with pytest.raises(InvalidSettingError):
        DecisionPolicy(blind_share=share)


@pytest.mark.parametrize(("share", "expected"), [(0.0, {False}), (1.0, {True}),
                                                 (0.5, {False, True})])
def test_draw_blind_follows_the_share(share, expected):
    assert {draw_blind(share) for _ in range(200)} == expected


# --- the draw at upload -----------------------------------------------------------------------


@pytest.mark.parametrize(("share", "blind"), [(1.0, True), (0.0, False)])
def test_upload_draws_blind_by_the_share(store, catalogue, people, suggester, share, blind):
    wf = _wf(store, catalogue, share)
    docs = [_upload(wf, people.drafter, suggester).document for _ in range(3)]
    assert [store.document(d.id).blind for d in docs] == [blind] * 3
    uploads = [e for d in docs for e in store.events(d.id) if e.action == "upload"]
    assert [e.detail["blind"] for e in uploads] == [blind] * 3
    assert all(s.blind is blind for s in store.summaries())


def test_upload_result_withholds_the_suggestion_and_a_reopen_keeps_the_draw(
        store, catalogue, blind_wf, people, suggester):
    data = f"{SECRET_TEXT}\n（重开）".encode()
    first = blind_wf.upload(people.drafter.id, data, "a.txt", suggester.suggest_upload)
    assert first.document.blind and first.suggestion is None
    assert first.view is not None and first.view.withheld == BLIND_BEFORE_PROPOSAL
    assert "提交后可查看系统建议" in (first.view.note or "")
    again = _wf(store, catalogue, 0.0).upload(people.drafter.id, data, "b.txt",
                                             suggester.suggest_upload)
    assert not again.created and again.document.blind and again.suggestion is None


def test_library_workflow_without_a_policy_never_draws_blind(workflow, people, suggester):
    assert workflow.decision_policy.blind_share == 0.0
    assert not _upload(workflow, people.drafter, suggester).document.blind


# --- who sees the suggestion when -------------------------------------------------------------


def test_suggestion_for_follows_the_blind_rule(store, blind_wf, people, suggester):
    doc = _upload(blind_wf, people.drafter, suggester).document
    assert store.latest_suggestion(doc.id) is not None  # stored, only withheld

    def seen(user):
        return blind_wf.suggestion_for(doc.id, user.id)

    # before the proposal: neither the drafter nor a director sees it; the leading group does
    assert seen(people.drafter).suggestion is None
    assert seen(people.drafter).withheld == BLIND_BEFORE_PROPOSAL
    assert seen(people.director).withheld == BLIND_BEFORE_PROPOSAL
    assert seen(people.leader).suggestion is not None
    assert [s.suggested_level for s in blind_wf.documents(people.drafter.id)] == [None]
    assert blind_wf.documents(people.drafter.id)[0].suggestion_withheld == BLIND_BEFORE_PROPOSAL

    doc = blind_wf.propose(people.drafter.id, doc.id, JIMI_43, scope="部务会成员")
    # after the proposal: the drafter sees it; each director only after their own judgement
    assert seen(people.drafter).suggestion is not None
    assert blind_wf.suggestion_visible(people.drafter, store.document(doc.id))
    assert seen(people.director).suggestion is None
    assert seen(people.director).withheld == BLIND_BEFORE_JUDGEMENT
    (row,) = blind_wf.review_queue(reader_id=people.director.id)
    assert (row.suggested_level, row.confidence, row.suggestion_withheld) == (
        None, None, BLIND_BEFORE_JUDGEMENT)
    assert not row.disagrees  # the ⚠ would tell the director what the model said
    (rec,) = blind_wf.records(people.director.id)
    assert rec.suggested == BLIND_LABEL

    blind_wf.judge(people.director.id, doc.id, "机密", "4.3")
    assert seen(people.director).suggestion is not None
    assert seen(people.director).withheld is None
    (row,) = blind_wf.review_queue(reader_id=people.director.id)
    assert row.suggested_level is not None
    assert seen(people.director2).withheld == BLIND_BEFORE_JUDGEMENT  # judged per person

    # once the draft leaves review, the blind window is over for everyone
    blind_wf.confirm(people.director.id, doc.id)
    assert Status(store.document(doc.id).status) is not Status.PROPOSED
    assert seen(people.director2).suggestion is not None


def test_shown_draft_shows_the_suggestion_to_everyone(store, catalogue, people, suggester):
    wf = _wf(store, catalogue, 0.0)
    doc = _upload(wf, people.drafter, suggester).document
    for user in (people.drafter, people.director, people.leader):
        view = wf.suggestion_for(doc.id, user.id)
        assert view.suggestion is not None and view.withheld is None and not view.blind


def test_suggestion_for_checks_need_to_know(store, catalogue, people, suggester):
    wf = _wf(store, catalogue, 1.0)
    other = wf.add_user("孙承办", "drafter", password="Test-pass-2026",
                        must_change_password=False)
    doc = _upload(wf, people.drafter, suggester).document
    with pytest.raises(PermissionDeniedError, match=r"\[permission_denied\]"):
        wf.suggestion_for(doc.id, other.id)


# --- the director's first judgement -----------------------------------------------------------


def test_judge_records_the_judgement_and_an_audit_event(store, blind_wf, people, suggester):
    doc = _upload(blind_wf, people.drafter, suggester).document
    doc = blind_wf.propose(people.drafter.id, doc.id, JIMI_43, scope="部务会成员")
    j = blind_wf.judge(people.director.id, doc.id, Level.MIMI, "4.5")
    assert (j.level, j.clause, j.actor_id, j.actor_role) == ("秘密", "4.5", people.director.id,
                                                             "director")
    assert store.judgements(doc.id) == [j]
    assert blind_wf.judgement(doc.id, people.director.id) == j
    after = store.document(doc.id)
    assert (after.status, after.version) == (doc.status, doc.version)  # the review follows
    (ev,) = [e for e in store.events(doc.id) if e.action == "judge"]
    assert ev.actor_id == people.director.id and ev.detail["level"] == "秘密"
    assert ev.detail["judgement_id"] == j.id and ev.detail["blind"] is True


def test_judge_refusals(store, catalogue, blind_wf, people, suggester):
    doc = _upload(blind_wf, people.drafter, suggester).document
    with pytest.raises(IllegalTransitionError, match=r"\[illegal_transition\]"):
        blind_wf.judge(people.director.id, doc.id, "机密", "4.3")  # not proposed yet
    doc = blind_wf.propose(people.drafter.id, doc.id, JIMI_43, scope="部务会成员")
    with pytest.raises(PermissionDeniedError, match=r"\[permission_denied\]"):
        blind_wf.judge(people.drafter.id, doc.id, "机密", "4.3")
    with pytest.raises(PermissionDeniedError):
        blind_wf.judge(people.leader.id, doc.id, "机密", "4.3")
    with pytest.raises(InvalidDecisionError, match=r"\[invalid_decision\]"):
        blind_wf.judge(people.director.id, doc.id, None, None)  # type: ignore[arg-type]
    with pytest.raises(InvalidDecisionError):
        blind_wf.judge(people.director.id, doc.id, "机密", None)  # a secret needs a clause
    blind_wf.judge(people.director.id, doc.id, "机密", "4.3")
    with pytest.raises(AlreadyJudgedError, match=r"\[already_judged\]"):
        blind_wf.judge(people.director.id, doc.id, "秘密", "4.5")
    assert len(store.judgements(doc.id)) == 1

    shown = _wf(store, catalogue, 0.0)
    plain = _upload(shown, people.drafter, suggester).document
    shown.propose(people.drafter.id, plain.id, JIMI_43, scope="部务会成员")
    with pytest.raises(NotBlindError, match=r"\[not_blind\]"):
        shown.judge(people.director.id, plain.id, "机密", "4.3")

    own = _upload(blind_wf, people.director, suggester).document
    blind_wf.propose(people.director.id, own.id, JIMI_43, scope="部务会成员")
    with pytest.raises(SelfReviewError, match=r"\[self_review\]"):
        blind_wf.judge(people.director.id, own.id, "机密", "4.3")
    assert [e.action for e in store.events(plain.id)].count("judge") == 0


def test_review_of_a_blind_draft_needs_the_directors_judgement_first(store, blind_wf, people,
                                                                     suggester):
    """From any caller (page or command line), confirm and override of a blind draft wait
    for the director's own first judgement; nothing is written before it."""
    doc = _upload(blind_wf, people.drafter, suggester).document
    doc = blind_wf.propose(people.drafter.id, doc.id, JIMI_43, scope="部务会成员")
    with pytest.raises(JudgementRequiredError, match=r"\[judgement_required\]"):
        blind_wf.confirm(people.director.id, doc.id)
    with pytest.raises(JudgementRequiredError):
        blind_wf.override(people.director.id, doc.id, JIMI_43, reason_codes=["other"], reason="按拟定")
    assert store.decisions(doc.id) == []
    assert Status(store.document(doc.id).status) is Status.PROPOSED
    blind_wf.judge(people.director.id, doc.id, "机密", "4.3")
    assert Status(blind_wf.confirm(people.director.id, doc.id).status) is Status.CONFIRMED


# --- agreement split by the real blind flags --------------------------------------------------


def test_agreement_splits_blind_and_shown_by_hand(store, catalogue, people, suggester):
    """Four blind and four shown drafts, two texts the model labels A (secret text) and B
    (public text). Blind drafters agree on 2 of 4, shown ones on 4 of 4.

    By hand (model vs drafter, level): blind p_o = 2/4 = 0.5; both raters' marginals are
    A 1/2, B 1/2, so p_e = 0.5 and κ = (0.5 − 0.5) / 0.5 = 0. Shown: p_o = 1, p_e = 0.5,
    κ = 1. Difference shown − blind = 0.5 (50 percentage points).
    """
    blind, shown = _wf(store, catalogue, 1.0), _wf(store, catalogue, 0.0)
    texts = [SECRET_TEXT, SECRET_TEXT, PUBLIC_TEXT, PUBLIC_TEXT]
    labels = {}
    for wf, agree in ((blind, [True, False, True, False]), (shown, [True] * 4)):
        for text, ok in zip(texts, agree, strict=True):
            doc = _upload(wf, people.drafter, suggester, text).document
            suggested = store.latest_suggestion(doc.id).level
            labels.setdefault(text, suggested)
            assert suggested == labels[text]
            same = GONGKAI if suggested == "公开" else JIMI_43
            other = JIMI_43 if suggested == "公开" else GONGKAI
            wf.propose(people.drafter.id, doc.id, same if ok else other, scope="部务会成员")
    assert labels[SECRET_TEXT] == "机密" and labels[PUBLIC_TEXT] == "公开"  # the A and B

    ag = agreement_overview(blind, people.leader.id)
    pairs = ag.pairs[("model", "drafter")]
    assert [p.blind for p in pairs] == [True] * 4 + [False] * 4
    bias = ag.level[("model", "drafter")].automation_bias
    assert (bias.n_blind, bias.n_shown) == (4, 4)
    assert bias.observed_blind == pytest.approx(0.5)
    assert bias.kappa_blind == pytest.approx(0.0)
    assert bias.observed_shown == pytest.approx(1.0)
    assert bias.kappa_shown == pytest.approx(1.0)
    assert bias.difference == pytest.approx(0.5)


def test_agreement_uses_the_directors_blind_judgement(store, catalogue, people, suggester):
    """On a blind draft the "decision" rater is the director's first judgement (blind); on a
    shown draft the final decision (shown)."""
    blind, shown = _wf(store, catalogue, 1.0), _wf(store, catalogue, 0.0)
    b = _upload(blind, people.drafter, suggester).document
    blind.propose(people.drafter.id, b.id, JIMI_43, scope="部务会成员")
    blind.judge(people.director.id, b.id, "公开", None)  # disagrees with the model (机密)
    blind.confirm(people.director.id, b.id)  # after seeing the suggestion: 机密 as proposed
    s = _upload(shown, people.drafter, suggester).document
    shown.propose(people.drafter.id, s.id, JIMI_43, scope="部务会成员")
    shown.confirm(people.director.id, s.id)

    ag = agreement_overview(blind, people.director2.id)
    pairs = {p.doc_id: p for p in ag.pairs[("model", "decision")]}
    assert pairs[str(b.id)].blind and pairs[str(b.id)].rater_b.level is Level.GONGKAI
    assert pairs[str(b.id)].person == "李主任"
    assert not pairs[str(s.id)].blind and pairs[str(s.id)].rater_b.level is Level.JIMI
    bias = ag.level[("model", "decision")].automation_bias
    assert (bias.n_blind, bias.n_shown, bias.observed_blind, bias.observed_shown) == (
        1, 1, 0.0, 1.0)
    assert bias.difference == pytest.approx(1.0)


def test_uncertain_order_does_not_reveal_a_withheld_confidence(store, catalogue, people,
                                                               suggester):
    blind, shown = _wf(store, catalogue, 1.0), _wf(store, catalogue, 0.0)
    ids = []
    for wf in (blind, shown, blind):
        doc = _upload(wf, people.drafter, suggester).document
        ids.append(wf.propose(people.drafter.id, doc.id, JIMI_43, scope="部务会成员").id)
    queue = blind.review_queue("uncertain", reader_id=people.director.id)
    assert [r.id for r in queue] == [ids[1], ids[0], ids[2]]  # shown first, blind by time
    assert [r.suggestion_withheld for r in queue] == [None, BLIND_BEFORE_JUDGEMENT,
                                                      BLIND_BEFORE_JUDGEMENT]
