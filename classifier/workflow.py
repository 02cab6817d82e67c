"""The classification workflow: states, transitions, permissions; one transaction per action.

A document moves ``uploaded → proposed → confirmed | overridden | escalated``, and an
escalated one ``→ decided``. Every action checks, in this order, the input (a reason or
question must not be empty; the level, clause and period must make sense), the actor (an
active user), the role, the version the actor saw (optimistic locking: the loser of two
simultaneous reviews gets ``stale_version``), the transition, and that a reviewer is not
reviewing their own proposal. Then it writes the document's new state, the proposal or
decision, and an audit event, all in one transaction: nothing is half-done if the process
dies.

A final decision (confirm, override, the leading group's decide) may carry the passages the
decider ticked as deciding the level (``passages``: ``(start, end)`` offsets into the
document's text); they are stored with the decision and train the passage model
(:func:`classifier.store.final_decision_records`). A range that is not inside the text is
refused with ``invalid_passage``.

The app pages and ``dingmi review`` call these methods and nothing else.

Source: ../shared/docs/workflow.md (the regulation, section 五); issue 3 (§3, §4).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from classifier import errors
from classifier.catalogue import Catalogue, Level, format_mark
from classifier.errors import (
    ClassifierError,
    EmptyReasonError,
    IllegalTransitionError,
    InvalidDecisionError,
    InvalidPassageError,
    PermissionDeniedError,
    SelfReviewError,
    UsageError,
)
from classifier.store import (
    Document,
    DocumentSummary,
    Store,
    StoreTx,
    Suggestion,
    User,
)


class Role(StrEnum):
    """What a user may do."""

    DRAFTER = "drafter"
    DIRECTOR = "director"
    LEADING_GROUP = "leading_group"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """Chinese name shown in the UI."""
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.DRAFTER: "承办人",
    Role.DIRECTOR: "办公室主任",
    Role.LEADING_GROUP: "保密领导小组",
    Role.ADMIN: "管理员",
}


class Status(StrEnum):
    """Where a document is in the workflow."""

    UPLOADED = "uploaded"
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    OVERRIDDEN = "overridden"
    ESCALATED = "escalated"
    DECIDED = "decided"

    @property
    def label(self) -> str:
        """Chinese name shown in the UI."""
        return _STATUS_LABELS[self]

    @property
    def is_final(self) -> bool:
        """True when a person has settled the classification."""
        return self in (Status.CONFIRMED, Status.OVERRIDDEN, Status.DECIDED)


_STATUS_LABELS = {
    Status.UPLOADED: "已上传（未拟定）",
    Status.PROPOSED: "待审核",
    Status.CONFIRMED: "已确认",
    Status.OVERRIDDEN: "已变更",
    Status.ESCALATED: "报领导小组",
    Status.DECIDED: "领导小组已确定",
}


class Action(StrEnum):
    """The verbs that change a document's status."""

    PROPOSE = "propose"
    CONFIRM = "confirm"
    OVERRIDE = "override"
    ESCALATE = "escalate"
    DECIDE = "decide"


@dataclass(frozen=True)
class Transition:
    """Which statuses an action starts from, where it leads, and who may perform it."""

    sources: frozenset[Status]
    target: Status
    roles: frozenset[Role]


#: The state machine. Nothing else changes a document's status.
TRANSITIONS: dict[Action, Transition] = {
    Action.PROPOSE: Transition(
        frozenset({Status.UPLOADED}), Status.PROPOSED, frozenset({Role.DRAFTER, Role.DIRECTOR})
    ),
    Action.CONFIRM: Transition(
        frozenset({Status.PROPOSED}), Status.CONFIRMED, frozenset({Role.DIRECTOR})
    ),
    Action.OVERRIDE: Transition(
        frozenset({Status.PROPOSED}), Status.OVERRIDDEN, frozenset({Role.DIRECTOR})
    ),
    Action.ESCALATE: Transition(
        frozenset({Status.PROPOSED}), Status.ESCALATED, frozenset({Role.DIRECTOR})
    ),
    Action.DECIDE: Transition(
        frozenset({Status.ESCALATED}), Status.DECIDED, frozenset({Role.LEADING_GROUP})
    ),
}
#: Who may upload a file (the same people who may propose).
UPLOAD_ROLES = TRANSITIONS[Action.PROPOSE].roles
#: Review actions, which the proposal's own author may not take.
REVIEW_ACTIONS = frozenset({Action.CONFIRM, Action.OVERRIDE, Action.ESCALATE})
#: Extraction errors after which the document is still registered, to be judged by hand.
KEEP_ON_ERROR = frozenset({"needs_ocr"})


@dataclass(frozen=True)
class Classification:
    """A level with its clause (定密依据) and secrecy period or declassification condition.

    Attributes
    ----------
    level : Level
    clause : str or None
        Catalogue clause id such as ``"4.5"``; required for 秘密, 机密 and 绝密.
    period_years : int or None
        Secrecy period in years, 1 … the level's legal maximum.
    condition : str or None
        Declassification condition, used instead of ``period_years``.
    """

    level: Level
    clause: str | None = None
    period_years: int | None = None
    condition: str | None = None

    @property
    def mark(self) -> str:
        """The marking, e.g. ``机密★20年``; ``""`` for 公开 and 内部."""
        return format_mark(self.level, self.period_years, self.condition)

    def normalized(self, catalogue: Catalogue | None = None) -> Classification:
        """Return a checked copy: blanks stripped, the legal maximum period filled in.

        Raises
        ------
        InvalidDecisionError
            A secret level without a clause, a clause cited for 公开/内部, an unknown clause,
            both a period and a condition, or a period outside 1 … the level's maximum.
        """
        clause = (self.clause or "").strip() or None
        condition = (self.condition or "").strip() or None
        years = self.period_years or None
        if not isinstance(self.level, Level):
            raise InvalidDecisionError(f"密级无效：{self.level!r}")
        if clause is not None and catalogue is not None and clause not in catalogue:
            raise InvalidDecisionError(f"定密依据 {clause} 不在保密事项范围中")
        if not self.level.is_secret:
            if clause is not None:
                raise InvalidDecisionError(
                    f"{self.level.label}不是国家秘密，不应引用保密事项范围条款 {clause} 作为定密依据")
            return Classification(self.level, None, None, None)
        if years is not None and condition is not None:
            raise InvalidDecisionError("保密期限与解密条件只能填写一项（GB/T 9704：密级★期限）")
        if clause is None:
            raise InvalidDecisionError(f"定为{self.level.label}必须写明定密依据（保密事项范围条款）")
        max_years = self.level.max_period_years or 0
        if years is not None and not 1 <= years <= max_years:
            raise InvalidDecisionError(
                f"{self.level.label}的保密期限应为 1–{max_years} 年，收到 {years} 年"
            )
        if years is None and condition is None:
            years = max_years  # a bare level means the longest period by law
        return Classification(self.level, clause, years, None if years else condition)

    def as_fields(self) -> dict[str, Any]:
        """Columns for the store (level as its label)."""
        return {
            "level": self.level.label,
            "clause": self.clause,
            "period_years": self.period_years,
            "condition": self.condition,
            "mark": self.mark,
        }


@dataclass(frozen=True)
class UploadResult:
    """What :meth:`Workflow.upload` did: the document, its suggestion, and whether it is new."""

    document: Document
    suggestion: Suggestion | None
    created: bool


def _non_empty(text: str | None, what: str) -> str:
    value = (text or "").strip()
    if not value:
        raise EmptyReasonError(f"{what}不能为空")
    return value


#: A passage as given by a caller: ``(start, end)`` or ``{"start": …, "end": …}``.
PassageRange = tuple[int, int] | Mapping[str, int]


def normalize_passages(
    passages: Iterable[PassageRange] | None, text_len: int | None = None,
) -> list[dict[str, int]] | None:
    """Check ticked passages and return them as stored: ``[{"start", "end"}, ...]``.

    Parameters
    ----------
    passages : iterable of (int, int) or of mappings with ``start`` and ``end``, or None
        Offsets into the document's text, end exclusive. ``None`` means no passage labels.
    text_len : int, optional
        Length of the document's text; when given, every range must lie inside it.

    Returns
    -------
    list of dict or None
        Sorted by offsets, duplicates removed; ``None`` when ``passages`` is None.

    Raises
    ------
    InvalidPassageError
        A range that is not two whole numbers with ``0 <= start < end`` (``<= text_len``).
    """
    if passages is None:
        return None
    if isinstance(passages, str | bytes | Mapping):
        raise InvalidPassageError("段落应为若干（起点, 终点）范围的列表")
    out: set[tuple[int, int]] = set()
    for p in passages:
        try:
            start, end = (p["start"], p["end"]) if isinstance(p, Mapping) else p
        except (KeyError, TypeError, ValueError):
            raise InvalidPassageError(
                f"段落范围 {p!r} 无效，应为起点和终点两个整数") from None
        if type(start) is not int or type(end) is not int:
            raise InvalidPassageError(f"段落范围 {start!r}:{end!r} 无效，起点和终点应为整数")
        if start < 0 or start >= end:
            raise InvalidPassageError(f"段落范围 {start}:{end} 无效，应满足 0 ≤ 起点 < 终点")
        if text_len is not None and end > text_len:
            raise InvalidPassageError(
                f"段落范围 {start}:{end} 超出文稿（全文共 {text_len} 个字符），请刷新后重新勾选")
        out.add((start, end))
    return [{"start": a, "end": b} for a, b in sorted(out)]


def error_from_dict(err: dict[str, Any]) -> ClassifierError:
    """Rebuild a typed error from an engine JSON ``{"code", "message"}``."""
    code = str(err.get("code", "internal_error"))
    message = str(err.get("message", ""))
    prefix = f"[{code}] "
    message = message[len(prefix):] if message.startswith(prefix) else message
    todo: list[type[ClassifierError]] = [ClassifierError]
    while todo:
        cls = todo.pop()
        if cls.code == code:
            return cls(message)
        todo.extend(cls.__subclasses__())
    return errors.InternalError(message)


class Workflow:
    """The service layer over a :class:`~classifier.store.Store`.

    Parameters
    ----------
    store : Store
    catalogue : Catalogue, optional
        When given, clause ids are checked against it.
    """

    def __init__(self, store: Store, catalogue: Catalogue | None = None) -> None:
        self.store = store
        self.catalogue = catalogue

    # --- users ---

    def add_user(self, name: str, role: str | Role, *, actor_id: int | None = None) -> User:
        """Create a user (``dingmi users add``).

        Raises
        ------
        UsageError
            Empty name or unknown role.
        UserExistsError
            The name is taken.
        """
        name = (name or "").strip()
        if not name:
            raise UsageError("用户名不能为空")
        try:
            role = Role(role)
        except ValueError:
            raise UsageError(f"角色 {role!r} 无效，应为 {', '.join(r.value for r in Role)}") from None
        with self.store.transaction() as tx:
            actor = tx.user(actor_id) if actor_id is not None else None
            if actor is not None and actor.role != Role.ADMIN:
                raise PermissionDeniedError("只有管理员可以添加用户")
            user = tx.add_user(name, role.value)
            tx.add_event("user_add", actor=actor, detail={"user_id": user.id, "name": name,
                                                          "role": role.value})
            return user

    # --- documents ---

    def upload(
        self,
        actor_id: int,
        data: bytes,
        filename: str,
        suggest: Callable[[bytes, str], dict[str, Any]],
    ) -> UploadResult:
        """Register an uploaded file, or open the existing record of the same bytes.

        Parameters
        ----------
        actor_id : int
            The uploading user (drafter or director).
        data : bytes
            The file's content.
        filename : str
            The name it was uploaded under (shown, never trusted for the format).
        suggest : callable
            ``Suggester.suggest_bytes``: returns the engine's JSON object plus ``text``,
            ``format`` and ``sha256``. Not called for a file already stored.

        Raises
        ------
        ExtractionError
            The file cannot be read (its code, e.g. ``corrupt_file``); nothing is stored.
            A ``needs_ocr`` file is stored with its error, to be classified by hand.
        PermissionDeniedError
            The user may not upload.
        """
        sha = hashlib.sha256(data).hexdigest()
        actor = self.store.user(actor_id)
        if actor.role not in UPLOAD_ROLES:
            raise PermissionDeniedError(f"{Role(actor.role).label}不能上传文件")
        existing = self.store.document_by_sha256(sha)
        if existing is None:
            result = suggest(data, filename)
            err = result.get("error")
            if err and err.get("code") not in KEEP_ON_ERROR:
                raise error_from_dict(err)
            payload = {k: v for k, v in result.items() if k != "text"}
            with self.store.transaction() as tx:
                actor = tx.user(actor_id)
                doc = tx.add_document(
                    sha256=sha,
                    filename=filename[:255],
                    size_bytes=len(data),
                    format=str(result.get("format") or "unknown"),
                    text=str(result.get("text") or ""),
                    original=data if self.store.store_originals else None,
                    uploaded_by=actor.id,
                    status=Status.UPLOADED.value,
                )
                if doc is not None:
                    suggestion = tx.add_suggestion(doc.id, payload)
                    tx.add_event("upload", document_id=doc.id, actor=actor,
                                 to_status=Status.UPLOADED.value,
                                 detail={"filename": filename, "sha256": sha,
                                         "model_version": payload.get("model_version")})
                    return UploadResult(doc, suggestion, created=True)
            # another session stored the same bytes meanwhile: fall through and open it
        with self.store.transaction() as tx:
            actor = tx.user(actor_id)
            found = tx.document_by_sha256(sha)
            assert found is not None  # unique sha256, never deleted
            tx.add_event("reopen", document_id=found.id, actor=actor,
                         detail={"filename": filename})
        return UploadResult(found, self.store.latest_suggestion(found.id), created=False)

    def propose(
        self,
        actor_id: int,
        document_id: int,
        classification: Classification,
        *,
        scope: str = "",
        note: str = "",
        expected_version: int | None = None,
    ) -> Document:
        """The drafter's proposal (拟定): from now on the document is handled at that level.

        Raises
        ------
        InvalidDecisionError
            Bad classification, or a secret level without 知悉范围 (``scope``).
        """
        c = classification.normalized(self.catalogue)
        scope = (scope or "").strip()
        if c.level.is_secret and not scope:
            raise InvalidDecisionError("定为国家秘密的文件必须写明知悉范围")
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.PROPOSE, actor_id, document_id, expected_version)
            suggestion = tx.latest_suggestion(document_id)
            tx.add_proposal(
                document_id=doc.id, drafter_id=actor.id,
                suggestion_id=suggestion.id if suggestion else None,
                scope=scope, note=(note or "").strip(), **c.as_fields(),
            )
            return self._finish(tx, Action.PROPOSE, actor, doc, fields={**c.as_fields(),
                                "scope": scope}, reason=(note or "").strip(),
                                detail=c.as_fields())

    def confirm(
        self, actor_id: int, document_id: int, *, reason: str = "",
        expected_version: int | None = None,
        passages: Iterable[PassageRange] | None = None,
    ) -> Document:
        """The director confirms the proposal as it stands.

        Parameters
        ----------
        passages : iterable of (start, end), optional
            The passages the director ticked as deciding the level (see
            :func:`normalize_passages`); stored with the decision.

        Raises
        ------
        InvalidPassageError
            A passage is not a range of the document's text.
        """
        ticked = normalize_passages(passages)
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.CONFIRM, actor_id, document_id, expected_version)
            ticked = normalize_passages(ticked, len(doc.text))
            fields = {k: getattr(doc, k) for k in ("level", "clause", "period_years",
                                                   "condition", "mark")}
            self._decision(tx, Action.CONFIRM, actor, doc, fields, (reason or "").strip(),
                           ticked)
            return self._finish(tx, Action.CONFIRM, actor, doc, fields={},
                                reason=(reason or "").strip(),
                                detail=_with_passages(fields, ticked))

    def override(
        self, actor_id: int, document_id: int, classification: Classification, *, reason: str,
        expected_version: int | None = None,
        passages: Iterable[PassageRange] | None = None,
    ) -> Document:
        """The director changes the level, clause or period; the reason is mandatory.

        ``passages``: the ticked passages that decide the level, as in :meth:`confirm`.
        """
        reason = _non_empty(reason, "变更理由")
        c = classification.normalized(self.catalogue)
        ticked = normalize_passages(passages)
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.OVERRIDE, actor_id, document_id, expected_version)
            ticked = normalize_passages(ticked, len(doc.text))
            self._decision(tx, Action.OVERRIDE, actor, doc, c.as_fields(), reason, ticked)
            return self._finish(tx, Action.OVERRIDE, actor, doc, fields=c.as_fields(),
                                reason=reason, detail=_with_passages(c.as_fields(), ticked))

    def escalate(
        self, actor_id: int, document_id: int, *, question: str,
        expected_version: int | None = None,
    ) -> Document:
        """The director sends the matter to the leading group with a question."""
        question = _non_empty(question, "提请领导小组研究的问题")
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.ESCALATE, actor_id, document_id, expected_version)
            self._decision(tx, Action.ESCALATE, actor, doc, {}, question)
            return self._finish(tx, Action.ESCALATE, actor, doc, fields={}, reason=question,
                                detail={})

    def decide(
        self, actor_id: int, document_id: int, classification: Classification, *, reason: str,
        expected_version: int | None = None,
        passages: Iterable[PassageRange] | None = None,
    ) -> Document:
        """The leading group settles an escalated matter; the reason is mandatory.

        ``passages``: the ticked passages that decide the level, as in :meth:`confirm`.
        """
        reason = _non_empty(reason, "决定理由")
        c = classification.normalized(self.catalogue)
        ticked = normalize_passages(passages)
        with self.store.transaction() as tx:
            actor, doc = self._begin(tx, Action.DECIDE, actor_id, document_id, expected_version)
            ticked = normalize_passages(ticked, len(doc.text))
            self._decision(tx, Action.DECIDE, actor, doc, c.as_fields(), reason, ticked)
            return self._finish(tx, Action.DECIDE, actor, doc, fields=c.as_fields(),
                                reason=reason, detail=_with_passages(c.as_fields(), ticked))

    # --- queues ---

    def review_queue(self, order: str = "proposed") -> list[DocumentSummary]:
        """Proposals waiting for the director.

        Parameters
        ----------
        order : {"proposed", "uncertain"}
            Oldest proposal first (default), or most uncertain first: lowest model
            confidence (top class probability) first, so the most informative cases are
            decided first (house style §4.8, Prodigy's ``prefer_uncertain``).
        """
        if order not in ("proposed", "uncertain"):
            raise UsageError(f"排序方式 {order!r} 无效，应为 proposed 或 uncertain")
        return self.store.summaries(statuses=[Status.PROPOSED.value], order=order)

    def escalated(self) -> list[DocumentSummary]:
        """Matters waiting for the leading group, oldest first."""
        return self.store.summaries(statuses=[Status.ESCALATED.value], order="proposed")

    def allowed_actions(self, user: User, doc: Document) -> list[Action]:
        """The actions this user may take on this document now (for enabling buttons)."""
        out = []
        proposal = None
        for action, t in TRANSITIONS.items():
            if Status(doc.status) not in t.sources or Role(user.role) not in t.roles:
                continue
            if action in REVIEW_ACTIONS:
                if proposal is None:
                    proposals = self.store.proposals(doc.id)
                    proposal = proposals[-1] if proposals else None
                if proposal is not None and proposal.drafter_id == user.id:
                    continue
            out.append(action)
        return out

    # --- internals ---

    def _begin(
        self, tx: StoreTx, action: Action, actor_id: int, document_id: int,
        expected_version: int | None,
    ) -> tuple[User, Document]:
        """Load and check actor, role, version, transition and self-review."""
        t = TRANSITIONS[action]
        actor = tx.user(actor_id)
        if Role(actor.role) not in t.roles:
            allowed = "、".join(r.label for r in Role if r in t.roles)
            raise PermissionDeniedError(
                f"{Role(actor.role).label}{actor.name}无权执行“{ACTION_LABELS[action]}”（仅限{allowed}）"
            )
        doc = tx.document(document_id)
        if expected_version is not None and doc.version != expected_version:
            raise errors.StaleVersionError(
                f"《{doc.filename}》已被他人处理（当前状态：{Status(doc.status).label}），请刷新后重试"
            )
        if Status(doc.status) not in t.sources:
            raise IllegalTransitionError(
                f"《{doc.filename}》当前状态为“{Status(doc.status).label}”，不能执行“{ACTION_LABELS[action]}”"
            )
        if action in REVIEW_ACTIONS:
            proposal = tx.latest_proposal(doc.id)
            if proposal is not None and proposal.drafter_id == actor.id:
                raise SelfReviewError("不能审核本人拟定的文件，请由其他审核人办理")
        return actor, doc

    def _decision(
        self, tx: StoreTx, action: Action, actor: User, doc: Document, fields: dict[str, Any],
        reason: str, passages: list[dict[str, int]] | None = None,
    ) -> None:
        tx.add_decision(document_id=doc.id, kind=action.value, actor_id=actor.id,
                        actor_role=actor.role, reason=reason, passages=passages, **fields)

    def _finish(
        self, tx: StoreTx, action: Action, actor: User, doc: Document, *,
        fields: dict[str, Any], reason: str, detail: dict[str, Any],
    ) -> Document:
        target = TRANSITIONS[action].target
        new = tx.update_document(doc.id, doc.version, status=target.value, **fields)
        tx.add_event(action.value, document_id=doc.id, actor=actor, from_status=doc.status,
                     to_status=target.value, reason=reason,
                     detail={**detail, "version": new.version})
        return new


def _with_passages(detail: dict[str, Any], passages: list[dict[str, int]] | None,
                   ) -> dict[str, Any]:
    """The audit event's detail, with the ticked passages when there are any labels."""
    return detail if passages is None else {**detail, "passages": passages}


ACTION_LABELS = {
    Action.PROPOSE: "拟定密级",
    Action.CONFIRM: "确认",
    Action.OVERRIDE: "变更",
    Action.ESCALATE: "报领导小组",
    Action.DECIDE: "领导小组决定",
}
