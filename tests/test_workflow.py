"""The service layer on a real SQLite file with the real engine: transitions, permissions,
optimistic locking, duplicate uploads, and a hypothesis state machine over all of it."""

from __future__ import annotations

import itertools
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from classifier.catalogue import Level
from classifier.errors import (
    ERROR_CODES,
    ClassifierError,
    CorruptFileError,
    EmptyReasonError,
    EmptyTextError,
    IllegalTransitionError,
    InvalidDecisionError,
    PermissionDeniedError,
    SelfReviewError,
    StaleVersionError,
    UnknownUserError,
    UserExistsError,
    error_from_dict,
)
from classifier.store import Store
from classifier.suggest import FileResult
from classifier.workflow import (
    FINAL_STATUSES,
    LIVE_STATUSES,
    TRANSITIONS,
    Action,
    Classification,
    Role,
    Status,
    Workflow,
)

SECRET_TEXT = (
    "关于拟任干部人选的请示\n经部务会研究，拟提名张某某同志为市财政局局长人选，"
    "李某某同志为市发改委副主任人选。以上人选尚未公布，请严格控制知悉范围。"
)
PUBLIC_TEXT = "市委组织部召开新闻发布会\n近日，市委组织部举行新闻发布会，通报全市党员教育培训工作情况。"
_counter = itertools.count()

JIMI_43 = Classification(Level.JIMI, "4.3", None, "任免正式公布后")
MIMI_45 = Classification(Level.MIMI, "4.5", 10, None)
#: An override the director may settle alone: the drafter's level, the clause's level.
JIMI_43_10 = Classification(Level.JIMI, "4.3", 10, None)
JUEMI_43 = Classification(Level.JUEMI, "4.3", 30, None)


def _upload(workflow, people, suggester, text=SECRET_TEXT, who=None):
    data = f"{text}\n（第{next(_counter)}稿）".encode()
    return workflow.upload((who or people.drafter).id, data, "请示.txt", suggester.suggest_upload)


def _proposed(workflow, people, suggester, who=None):
    doc = _upload(workflow, people, suggester, who=who).document
    return workflow.propose((who or people.drafter).id, doc.id, JIMI_43, scope="部务会成员")


def _in_status(status, workflow, people, suggester, declassify=False):
    """A document brought to ``status`` through the workflow."""
    if status == Status.UPLOADED:
        return _upload(workflow, people, suggester).document
    doc = _proposed(workflow, people, suggester)
    d, lead, dr = people.director.id, people.leader.id, people.drafter.id
    confirm = lambda: workflow.confirm(d, doc.id)  # noqa: E731
    if declassify:
        request = lambda: workflow.request_declassification(dr, doc.id, reason="已公开")  # noqa: E731
    else:
        request = lambda: workflow.request_change(dr, doc.id, JIMI_43_10, reason="期限应改")  # noqa: E731
    check = lambda: workflow.check_change(d, doc.id, opinion="同意报批")  # noqa: E731
    steps = {
        Status.PROPOSED: [],
        Status.CONFIRMED: [confirm],
        Status.OVERRIDDEN: [lambda: workflow.override(d, doc.id, JIMI_43_10, reason_codes=["other"], reason="期限应定")],
        Status.ESCALATED: [lambda: workflow.escalate(d, doc.id, question="是否属于4.3？")],
        Status.DECIDED: [lambda: workflow.escalate(d, doc.id, question="是否属于4.3？"),
                         lambda: workflow.decide(lead, doc.id, JIMI_43, reason_codes=["other"], reason="属于4.3")],
        Status.REFERRED: [lambda: workflow.escalate(d, doc.id, question="是否应定绝密？"),
                          lambda: workflow.decide(lead, doc.id, JUEMI_43, reason_codes=["other"], reason="涉及主要负责人")],
        Status.CHANGE_PROPOSED: [confirm, request],
        Status.CHANGE_CHECKED: [confirm, request, check],
        Status.CHANGED: [confirm,
                         lambda: workflow.request_change(dr, doc.id, JIMI_43_10, reason="期限应改"),
                         check, lambda: workflow.approve_change(lead, doc.id, reason="同意")],
        Status.DECLASSIFIED: [confirm, lambda: workflow.request_declassification(
            dr, doc.id, reason="已公开"), check,
            lambda: workflow.approve_change(lead, doc.id, reason="同意解密")],
    }[status]
    for step in steps:
        doc = step()
    assert doc.status == status
    return doc


def _act(action, workflow, user_id, doc_id, version=None):
    kw = {"expected_version": version}
    return {
        Action.PROPOSE: lambda: workflow.propose(user_id, doc_id, JIMI_43, scope="部务会成员", **kw),
        Action.CONFIRM: lambda: workflow.confirm(user_id, doc_id, **kw),
        Action.OVERRIDE: lambda: workflow.override(user_id, doc_id, JIMI_43_10, reason_codes=["other"], reason="理由",
                                                   **kw),
        Action.ESCALATE: lambda: workflow.escalate(user_id, doc_id, question="问题", **kw),
        Action.DECIDE: lambda: workflow.decide(user_id, doc_id, JIMI_43, reason_codes=["other"], reason="理由", **kw),
        Action.REFER: lambda: workflow.refer(user_id, doc_id, question="超出权限", **kw),
        Action.RECORD_SUPERIOR: lambda: workflow.record_superior(
            user_id, doc_id, JUEMI_43, reason="上级复函", **kw),
        Action.REQUEST_CHANGE: lambda: workflow.request_change(
            user_id, doc_id, Classification(Level.JIMI, "4.3", 5), reason="缩短期限", **kw),
        Action.CHECK_CHANGE: lambda: workflow.check_change(user_id, doc_id, opinion="同意", **kw),
        Action.REJECT_CHANGE: lambda: workflow.reject_change(user_id, doc_id, reason="不同意",
                                                             **kw),
        Action.APPROVE_CHANGE: lambda: workflow.approve_change(user_id, doc_id, reason="同意",
                                                               **kw),
        Action.DECLASSIFY: lambda: workflow.approve_change(user_id, doc_id, reason="同意", **kw),
    }[action]()


def _actor_for(action, people):
    return {Action.PROPOSE: people.drafter, Action.CONFIRM: people.director,
            Action.OVERRIDE: people.director, Action.ESCALATE: people.director,
            Action.DECIDE: people.leader, Action.REFER: people.director,
            Action.RECORD_SUPERIOR: people.director, Action.REQUEST_CHANGE: people.drafter,
            Action.CHECK_CHANGE: people.director, Action.REJECT_CHANGE: people.leader,
            Action.APPROVE_CHANGE: people.leader, Action.DECLASSIFY: people.leader}[action]


#: Per-document actions (the expiry job runs over the register: tests/test_lifecycle.py).
DOC_ACTIONS = [a for a in Action if a is not Action.EXPIRE]


# --- transitions ----------------------------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", DOC_ACTIONS)
def test_workflow_every_transition_allowed_or_refused(workflow, people, suggester, status, action):
    doc = _in_status(status, workflow, people, suggester,
                     declassify=action is Action.DECLASSIFY)
    allowed = status in TRANSITIONS[action].sources
    n_events = len(workflow.store.events(doc.id))
    if allowed:
        new = _act(action, workflow, _actor_for(action, people).id, doc.id, doc.version)
        assert new.status == (TRANSITIONS[action].target or Status.CONFIRMED)
        assert new.version == doc.version + 1
        ev = workflow.store.events(doc.id)[-1]
        assert (ev.action, ev.from_status, ev.to_status) == (action, status, new.status)
    else:
        with pytest.raises(IllegalTransitionError, match=r"\[illegal_transition\]"):
            _act(action, workflow, _actor_for(action, people).id, doc.id, doc.version)
        assert workflow.store.document(doc.id).version == doc.version
        assert len(workflow.store.events(doc.id)) == n_events


def test_workflow_round_trip_records_actor_role_time_and_reason(workflow, people, suggester):
    up = _upload(workflow, people, suggester)
    assert up.created and up.document.status == Status.UPLOADED
    assert up.suggestion.payload["level"] in {lv.label for lv in Level}
    assert "text" not in up.suggestion.payload  # the text is kept once, on the document
    doc = workflow.propose(people.drafter.id, up.document.id, JIMI_43, scope="部务会成员",
                           note="拟任人选未公布")
    assert (doc.status, doc.mark, doc.scope) == ("proposed", "机密★任免正式公布后", "部务会成员")
    doc = workflow.escalate(people.director.id, doc.id, question="是否应定为绝密？")
    doc = workflow.decide(people.leader.id, doc.id,
                          Classification(Level.JIMI, "4.3", 20), reason_codes=["other"], reason="涉及班子主要负责人")
    assert (doc.status, doc.level, doc.mark) == ("decided", "机密", "机密★20年")
    events = workflow.store.events(doc.id)
    assert [(e.action, e.actor_role) for e in events] == [
        ("upload", "drafter"), ("propose", "drafter"), ("escalate", "director"),
        ("decide", "leading_group")]
    assert [e.reason for e in events] == ["", "拟任人选未公布", "是否应定为绝密？", "涉及班子主要负责人"]
    assert all(e.created_at.tzinfo is not None for e in events)
    decisions = workflow.store.decisions(doc.id)
    assert [(d.kind, d.actor_id, d.mark) for d in decisions] == [
        ("escalate", people.director.id, None), ("decide", people.leader.id, "机密★20年")]


def test_workflow_confirm_keeps_the_proposal(workflow, people, suggester):
    doc = _proposed(workflow, people, suggester)
    new = workflow.confirm(people.director.id, doc.id, reason="同意")
    assert (new.status, new.level, new.clause, new.mark) == ("confirmed", "机密", "4.3",
                                                             "机密★任免正式公布后")
    (dec,) = workflow.store.decisions(doc.id)
    assert (dec.kind, dec.level, dec.clause, dec.reason) == ("confirm", "机密", "4.3", "同意")


# --- permissions ----------------------------------------------------------------------


@pytest.mark.parametrize("action", DOC_ACTIONS)
@pytest.mark.parametrize("role", ["drafter", "director", "director2", "leader", "clerk",
                                  "sysadmin"])
def test_workflow_only_permitted_roles_act(workflow, people, suggester, action, role):
    source = sorted(TRANSITIONS[action].sources)[0]
    doc = _in_status(source, workflow, people, suggester, declassify=action is Action.DECLASSIFY)
    user = getattr(people, role)
    if Role(user.role) in TRANSITIONS[action].roles:
        assert _act(action, workflow, user.id, doc.id).status == (TRANSITIONS[action].target
                                                                  or Status.CONFIRMED)
    else:
        with pytest.raises(PermissionDeniedError, match=r"\[permission_denied\]"):
            _act(action, workflow, user.id, doc.id)


def test_workflow_drafter_cannot_confirm(workflow, people, suggester):
    doc = _proposed(workflow, people, suggester)
    with pytest.raises(PermissionDeniedError, match=r"\[permission_denied\].*承办人"):
        workflow.confirm(people.drafter.id, doc.id)


def test_workflow_drafter_acts_only_within_need_to_know(workflow, people, suggester):
    """A drafter cannot propose another drafter's upload, and the refusal names neither the
    file nor its status (found by a new user's trial)."""
    from tests.conftest import PASSWORD

    other = workflow.add_user("孙承办", "drafter", password=PASSWORD, must_change_password=False)
    doc = _upload(workflow, people, suggester, text=PUBLIC_TEXT).document
    with pytest.raises(PermissionDeniedError, match=r"\[permission_denied\]") as refused:
        workflow.propose(other.id, doc.id, JIMI_43, scope="部务会成员")
    assert doc.filename not in str(refused.value) and "状态" not in str(refused.value)
    assert workflow.store.proposals(doc.id) == []
    settled = _proposed(workflow, people, suggester)
    workflow.confirm(people.director.id, settled.id)
    with pytest.raises(PermissionDeniedError) as refused:
        workflow.propose(other.id, settled.id, JIMI_43, scope="部务会成员")
    assert settled.filename not in str(refused.value)


@pytest.mark.parametrize("action", [Action.CONFIRM, Action.OVERRIDE, Action.ESCALATE])
def test_workflow_director_cannot_review_own_proposal(workflow, people, suggester, action):
    doc = _proposed(workflow, people, suggester, who=people.director)
    with pytest.raises(SelfReviewError, match=r"\[self_review\]"):
        _act(action, workflow, people.director.id, doc.id)
    assert isinstance(SelfReviewError("x"), PermissionDeniedError)
    assert _act(action, workflow, people.director2.id, doc.id).status == TRANSITIONS[action].target


def test_workflow_allowed_actions_match_the_service(workflow, people, suggester):
    doc = _proposed(workflow, people, suggester, who=people.director)
    assert workflow.allowed_actions(people.director, doc) == []
    assert workflow.allowed_actions(people.director2, doc) == [
        Action.CONFIRM, Action.OVERRIDE, Action.ESCALATE, Action.REFER]
    assert workflow.allowed_actions(people.drafter, doc) == []


@pytest.mark.parametrize("user_id", [999, None])
def test_workflow_unknown_user_is_refused(workflow, people, suggester, user_id):
    doc = _proposed(workflow, people, suggester)
    with pytest.raises(UnknownUserError, match=r"\[unknown_user\]"):
        workflow.confirm(user_id if user_id is not None else -1, doc.id)


def test_workflow_users_add_validates(workflow, people):
    with pytest.raises(UserExistsError, match=r"\[user_exists\]"):
        workflow.add_user("李主任", "director")
    with pytest.raises(ClassifierError, match=r"\[usage_error\]"):
        workflow.add_user("某人", "boss")
    with pytest.raises(PermissionDeniedError):
        workflow.create_account(people.drafter.id, "某人", "Some-pass-2026")
    assert workflow.create_account(people.sysadmin.id, "新人", "Some-pass-2026").role == "none"


# --- reasons and classification checks -----------------------------------------------


@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_workflow_override_needs_a_reason(workflow, people, suggester, blank):
    doc = _proposed(workflow, people, suggester)
    with pytest.raises(EmptyReasonError, match=r"\[empty_reason\]"):
        workflow.override(people.director.id, doc.id, JIMI_43_10, reason_codes=["other"], reason=blank)
    with pytest.raises(EmptyReasonError, match=r"\[empty_reason\]"):
        workflow.escalate(people.director.id, doc.id, question=blank)
    doc = workflow.escalate(people.director.id, doc.id, question="请研究")
    with pytest.raises(EmptyReasonError, match=r"\[empty_reason\]"):
        workflow.decide(people.leader.id, doc.id, JIMI_43, reason_codes=["other"], reason=blank)
    assert workflow.store.document(doc.id).status == "escalated"


@pytest.mark.parametrize(
    "classification, scope, needle",
    [
        (Classification(Level.JIMI, None, 20), "部务会", "定密依据"),
        (Classification(Level.JIMI, "9.9", 20), "部务会", "不在保密事项范围"),
        (Classification(Level.MIMI, "4.5", 11), "部务会", "最长 10 年"),
        (Classification(Level.JIMI, "4.3", 20), "  ", "知悉范围"),
    ],
)
def test_workflow_invalid_proposals_are_refused(workflow, people, suggester, classification,
                                                scope, needle):
    doc = _upload(workflow, people, suggester).document
    codes = r"\[(invalid_decision|period_too_long)\]"
    with pytest.raises(InvalidDecisionError, match=rf"{codes}.*{needle}"):
        workflow.propose(people.drafter.id, doc.id, classification, scope=scope)
    assert workflow.store.document(doc.id).status == "uploaded"


@pytest.mark.parametrize(
    "classification, mark",
    [
        (Classification(Level.JIMI, "4.3"), "机密★20年"),
        (Classification(Level.JUEMI, "4.3"), "绝密★30年"),
        (Classification(Level.MIMI, "4.5", None, "考试结束后"), "秘密★考试结束后"),
        (Classification(Level.NEIBU, None, 5, "x"), ""),
        (Classification(Level.GONGKAI), ""),
    ],
)
def test_workflow_classification_fills_the_legal_period(classification, mark):
    assert classification.normalized().mark == mark


@pytest.mark.parametrize("classification", [
    Classification(Level.MIMI, "4.5", 5, "考试结束后"),   # a period and a condition: which one?
    Classification(Level.NEIBU, "4.5"),                  # 内部 resting on a state-secret clause
    Classification(Level.GONGKAI, "4.9"),
])
def test_workflow_contradictory_classification_is_refused(classification):
    from classifier.errors import InvalidDecisionError

    with pytest.raises(InvalidDecisionError, match=r"\[(invalid_decision|invalid_period)\]"):
        classification.normalized()


def test_workflow_public_proposal_needs_no_scope(workflow, people, suggester):
    doc = _upload(workflow, people, suggester, text=PUBLIC_TEXT).document
    new = workflow.propose(people.drafter.id, doc.id, Classification(Level.GONGKAI))
    assert (new.status, new.level, new.mark, new.period_years) == ("proposed", "公开", "", None)


# --- concurrency ------------------------------------------------------------------------


def _race(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, fn):
        barrier.wait()
        try:
            results[i] = fn().status
        except ClassifierError as e:
            results[i] = e.code

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.parametrize("second", ["confirm", "override", "escalate"])
def test_workflow_two_directors_at_once_exactly_one_wins(tmp_path, workflow, people, suggester,
                                                        second):
    # Two app processes: two Store objects (two connection pools) on one file.
    other = Workflow(Store.from_url(workflow.store.db_engine.url.render_as_string(False)),
                     workflow.catalogue)
    try:
        for _ in range(3):
            doc = _proposed(workflow, people, suggester)
            v = doc.version
            b = {
                "confirm": lambda d=doc.id, v=v: other.confirm(people.director2.id, d,
                                                               expected_version=v),
                "override": lambda d=doc.id, v=v: other.override(people.director2.id, d, JIMI_43_10,
                                                                 reason_codes=["other"], reason="改", expected_version=v),
                "escalate": lambda d=doc.id, v=v: other.escalate(people.director2.id, d,
                                                                 question="问", expected_version=v),
            }[second]

            def a(d=doc.id, v=v):
                return workflow.confirm(people.director.id, d, expected_version=v)

            results = _race([a, b])
            assert sorted(r == "stale_version" for r in results) == [False, True], results
            final = workflow.store.document(doc.id)
            assert final.version == v + 1
            assert len(workflow.store.decisions(doc.id)) == 1
            assert final.status in results
    finally:
        other.store.close()


def test_workflow_stale_version_is_reported_before_the_status(workflow, people, suggester):
    doc = _proposed(workflow, people, suggester)
    workflow.confirm(people.director.id, doc.id, expected_version=doc.version)
    with pytest.raises(StaleVersionError, match=r"\[stale_version\].*已确认"):
        workflow.override(people.director2.id, doc.id, JIMI_43_10, reason_codes=["other"], reason="改",
                          expected_version=doc.version)


# --- uploads ------------------------------------------------------------------------------


def test_workflow_same_file_twice_opens_the_existing_record(workflow, people, suggester):
    calls = []

    def counting(data, name):
        calls.append(name)
        return suggester.suggest_upload(data, name)

    data = (SECRET_TEXT + "重复").encode()
    first = workflow.upload(people.drafter.id, data, "a.txt", counting)
    again = workflow.upload(people.director.id, data, "改名.txt", counting)
    assert first.created and not again.created
    assert again.document.id == first.document.id and again.document.filename == "a.txt"
    assert again.suggestion == first.suggestion
    assert calls == ["a.txt"]  # the engine is not run again
    assert [e.action for e in workflow.store.events(first.document.id)] == ["upload", "reopen"]


@pytest.mark.parametrize("keep", [False, True])
def test_workflow_original_bytes_kept_only_if_configured(tmp_path, catalogue, suggester, keep):
    store = Store.from_url(f"sqlite:///{tmp_path / 'o.sqlite3'}", store_originals=keep)
    try:
        wf = Workflow(store, catalogue)
        u = wf.add_user("张承办", "drafter")
        data = SECRET_TEXT.encode("gb18030")
        doc = wf.upload(u.id, data, "gbk.txt", suggester.suggest_upload).document
        assert store.original(doc.id) == (data if keep else None)
        assert store.document(doc.id).has_original is keep
        assert store.document(doc.id).text.startswith("关于拟任干部人选的请示")
        assert store.document(doc.id).sha256 == __import__("hashlib").sha256(data).hexdigest()
    finally:
        store.close()


@pytest.mark.parametrize(
    "data, name, error",
    [(b"", "empty.txt", EmptyTextError), (b"PK\x03\x04broken zip", "a.docx", CorruptFileError)],
)
def test_workflow_unreadable_upload_raises_and_stores_nothing(workflow, people, suggester, data,
                                                              name, error):
    with pytest.raises(error):
        workflow.upload(people.drafter.id, data, name, suggester.suggest_upload)
    assert workflow.store.summaries() == []


def test_workflow_leading_group_cannot_upload(workflow, people, suggester):
    with pytest.raises(PermissionDeniedError):
        workflow.upload(people.leader.id, b"x", "x.txt", suggester.suggest_upload)


def test_workflow_review_queue_oldest_first_and_disagreement_flagged(workflow, people, suggester):
    a = _proposed(workflow, people, suggester)
    b = _upload(workflow, people, suggester).document
    b = workflow.propose(people.drafter.id, b.id, Classification(Level.GONGKAI))
    queue = workflow.review_queue()
    assert [s.id for s in queue] == [a.id, b.id]
    sug = workflow.store.latest_suggestion(a.id)
    assert queue[0].disagrees == ((sug.level, sug.clause) != ("机密", "4.3"))
    assert queue[1].disagrees == (sug.level != "公开")


def test_workflow_error_codes_are_registered():
    import classifier.errors as errors

    for name in ("IllegalTransitionError", "PermissionDeniedError", "SelfReviewError",
                 "StaleVersionError", "EmptyReasonError", "InvalidDecisionError",
                 "UnknownUserError", "UserExistsError", "StoreError"):
        assert getattr(errors, name).code in ERROR_CODES
    assert isinstance(error_from_dict({"code": "needs_ocr", "message": "[needs_ocr] 扫描件"}),
                      errors.NeedsOcrError)
    assert str(error_from_dict({"code": "corrupt_file", "message": "[corrupt_file] 坏"})) == \
        "[corrupt_file] 坏"
    assert error_from_dict({"code": "nonsense"}).code == "internal_error"
    assert set(FINAL_STATUSES) == {s.value for s in Status if s.is_final}


# --- property: no sequence of actions leaves the machine or loses a decision --------------


class WorkflowMachine(RuleBasedStateMachine):
    """Random actions by random users (any role), some with stale versions or blank reasons."""

    def __init__(self, suggester, catalogue):
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.store = Store.from_url(f"sqlite:///{Path(self.tmp.name) / 'm.sqlite3'}")
        self.wf = Workflow(self.store, catalogue)
        self.suggest = suggester.suggest_upload
        self.users = [self.wf.add_user(f"{r}{i}", r)
                      for r in ("drafter", "director", "leading_group", "clerk") for i in (1, 2)]
        self.model: dict[int, tuple[str, int]] = {}  # doc id -> (status, version)
        self.decisions: list[tuple] = []  # every decision the workflow accepted, in order
        self.n = 0

    def teardown(self):
        self.store.close()
        self.tmp.cleanup()

    @initialize()
    def two_proposals(self):
        """Start with proposals (one by a director) so that reviews happen early."""
        for i, who in enumerate((0, 2)):
            self.upload(who, public=False)
            doc = max(self.model)
            new = self.wf.propose(self.users[who].id, doc, JIMI_43, scope="部务会成员")
            self.model[doc] = (new.status, new.version)
            assert i == 0 or self.users[who].role == "director"

    @rule(who=st.integers(0, 7), public=st.booleans())
    def upload(self, who, public):
        self.n += 1
        data = f"{PUBLIC_TEXT if public else SECRET_TEXT}#{self.n}".encode()
        try:
            r = self.wf.upload(self.users[who].id, data, f"{self.n}.txt", self.suggest)
        except PermissionDeniedError:
            assert self.users[who].role not in ("drafter", "director")
            return
        self.model[r.document.id] = (r.document.status, r.document.version)

    @rule(action=st.sampled_from(DOC_ACTIONS), pick=st.integers(0, 99), who=st.integers(0, 7),
          any_doc=st.integers(0, 3).map(lambda x: x == 3),
          any_role=st.integers(0, 3).map(lambda x: x == 3),
          stale=st.integers(0, 5).map(lambda x: x == 5),
          blank=st.integers(0, 5).map(lambda x: x == 5),
          choice=st.sampled_from([(Level.JIMI, "4.3", 20), (Level.MIMI, "4.5", 10),
                                  (Level.GONGKAI, None, None), (Level.NEIBU, "4.5", None),
                                  (Level.JIMI, None, 20), (Level.MIMI, "9.9", 10),
                                  (Level.JUEMI, "4.3", 30), (Level.MIMI, "4.3", 10),
                                  (Level.JIMI, "4.12", 20), (Level.MIMI, "4.5", None),
                                  (Level.MIMI, "4.5", 15)]))
    def act(self, action, pick, who, any_doc, any_role, stale, blank, choice):
        if not self.model:
            return
        t = TRANSITIONS[action]
        # mostly a document and a user the action fits (so that the machine moves on)
        fits = [d for d, (s, _) in self.model.items() if Status(s) in t.sources]
        pool = sorted(self.model) if any_doc or not fits else fits
        doc = pool[pick % len(pool)]
        fit_users = [u for u in self.users if Role(u.role) in t.roles]
        user = self.users[who] if any_role else fit_users[who % len(fit_users)]
        status, version = self.model[doc]
        expected = version - 1 if stale else version
        c = Classification(choice[0], choice[1], choice[2], None)
        reason = " " if blank else "理由"
        fn = {
            Action.PROPOSE: lambda: self.wf.propose(user.id, doc, c, scope=reason.strip(),
                                                    expected_version=expected),
            Action.CONFIRM: lambda: self.wf.confirm(user.id, doc, expected_version=expected),
            Action.OVERRIDE: lambda: self.wf.override(user.id, doc, c, reason_codes=["other"], reason=reason,
                                                      expected_version=expected),
            Action.ESCALATE: lambda: self.wf.escalate(user.id, doc, question=reason,
                                                      expected_version=expected),
            Action.DECIDE: lambda: self.wf.decide(user.id, doc, c, reason_codes=["other"], reason=reason,
                                                  expected_version=expected),
            Action.REFER: lambda: self.wf.refer(user.id, doc, question=reason,
                                                expected_version=expected),
            Action.RECORD_SUPERIOR: lambda: self.wf.record_superior(
                user.id, doc, c, reason=reason, expected_version=expected),
            Action.REQUEST_CHANGE: lambda: (
                self.wf.request_change(user.id, doc, c, reason=reason, expected_version=expected)
                if choice[0].is_secret else self.wf.request_declassification(
                    user.id, doc, reason=reason, to_level=choice[0], expected_version=expected)),
            Action.CHECK_CHANGE: lambda: self.wf.check_change(user.id, doc, opinion=reason,
                                                              expected_version=expected),
            Action.REJECT_CHANGE: lambda: self.wf.reject_change(user.id, doc, reason=reason,
                                                                expected_version=expected),
            Action.APPROVE_CHANGE: lambda: self.wf.approve_change(user.id, doc, reason=reason,
                                                                  expected_version=expected),
            Action.DECLASSIFY: lambda: self.wf.approve_change(user.id, doc, reason=reason,
                                                              expected_version=expected),
        }[action]
        try:
            new = fn()
        except ClassifierError as e:
            event(f"{action.value}: {e.code}")
            assert e.code in ERROR_CODES
            legal = Status(status) in t.sources and Role(user.role) in t.roles and not stale
            if legal:  # only input checks, need to know or self-review may refuse a legal action
                assert e.code in {"empty_reason", "invalid_decision", "self_review",
                                  "period_required", "period_too_long", "invalid_period",
                                  "permission_denied"}, e
            return
        event(f"{action.value}: ok -> {new.status}")
        assert Status(status) in t.sources and Role(user.role) in t.roles and not stale
        assert new.version == version + 1
        assert Status(new.status) in _possible_targets(action, Status(status)), (action, new)
        self.model[doc] = (new.status, new.version)
        if action not in (Action.PROPOSE, Action.REQUEST_CHANGE):
            kind = {Status.ESCALATED: "escalate", Status.REFERRED: "refer"}.get(
                Status(new.status), action.value)
            if action in (Action.APPROVE_CHANGE, Action.DECLASSIFY) and kind not in (
                    "refer",):
                kind = ("declassify" if new.status == Status.DECLASSIFIED
                        else "approve_change")
            self.decisions.append((doc, kind, user.id))

    @invariant()
    def states_match_the_machine_and_no_decision_is_lost(self):
        if not hasattr(self, "store"):
            return
        for s in self.store.summaries():
            assert Status(s.status) in Status
            assert (s.status, s.version) == self.model[s.id]
        got = [(d.document_id, d.kind, d.actor_id) for d in self.store.decisions()]
        assert got == self.decisions
        for doc_id in self.model:
            events = [e for e in self.store.events(doc_id) if e.to_status]
            assert [e.to_status for e in events][-1] == self.model[doc_id][0]
            for prev, nxt in itertools.pairwise(events):
                assert prev.to_status == nxt.from_status


def _possible_targets(action, source):
    """Where an action may lead: its target, where the guards route it, or back."""
    t = TRANSITIONS[action].target
    routed = {
        Action.CONFIRM: {Status.ESCALATED, Status.REFERRED},
        Action.OVERRIDE: {Status.ESCALATED, Status.REFERRED},
        Action.DECIDE: {Status.REFERRED},
        Action.APPROVE_CHANGE: {Status.REFERRED, Status.DECLASSIFIED},
        Action.DECLASSIFY: {Status.REFERRED, Status.CHANGED},
        Action.REJECT_CHANGE: set(LIVE_STATUSES),
    }.get(action, set())
    return ({t} if t else set()) | routed


def test_workflow_state_machine_property(suggester, catalogue):
    run_state_machine_as_test(
        lambda: WorkflowMachine(suggester, catalogue),
        settings=settings(max_examples=50, stateful_step_count=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow]),
    )


def test_review_queue_sorted_by_uncertainty(workflow, people):
    from classifier.catalogue import Level
    from classifier.errors import UsageError
    from classifier.workflow import Classification

    ids = {}
    for name, conf in (("a.txt", 0.9), ("b.txt", 0.3), ("c.txt", 0.6)):
        def fake(data: bytes, filename: str, conf: float = conf) -> FileResult:
            return FileResult.from_record({
                "level": "内部", "clause": None, "confidence": conf, "needs_review": False,
                "text": data.decode(), "format": "txt", "error": None})
        doc = workflow.upload(people.drafter.id, name.encode() * 3, name, fake).document
        workflow.propose(people.drafter.id, doc.id, Classification(Level.NEIBU))
        ids[name] = doc.id
    assert [s.filename for s in workflow.review_queue()] == ["a.txt", "b.txt", "c.txt"]
    assert [s.filename for s in workflow.review_queue(order="uncertain")] == ["b.txt", "c.txt",
                                                                              "a.txt"]
    with pytest.raises(UsageError):
        workflow.review_queue(order="random")
