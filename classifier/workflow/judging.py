"""The director's independent first judgement on a blind draft (issue 14 §3).

On a blind draft (:mod:`classifier.workflow.blind`) the director sees neither the
suggestion nor anything derived from it until they have recorded their own judgement: a
level and a clause. The judgement is kept apart (table ``judgements``, append-only) and does
not change the document's status or version: the review (confirm, override, escalate) follows
as on any draft. Agreement reports it as the director's blind judgement
(:func:`classifier.workflow.oversight.decision_pairs`).

Source: issue 14 §3 ("the director no suggestion until a first judgement is recorded").
"""

from __future__ import annotations

from classifier.catalogue import Level
from classifier.errors import (
    AlreadyJudgedError,
    IllegalTransitionError,
    NotBlindError,
    PermissionDeniedError,
    SelfReviewError,
)
from classifier.store import Judgement
from classifier.workflow.blind import chosen_level
from classifier.workflow.classification import Classification
from classifier.workflow.core import ActionCore
from classifier.workflow.states import Role, Status

#: Who records a first judgement: the office director, who reviews the proposal.
JUDGE_ROLES = frozenset({Role.DIRECTOR})


class BlindJudging(ActionCore):
    """The ``judge`` action of blind mode (mixed into :class:`~classifier.workflow.Workflow`)."""

    def judge(self, actor_id: int, document_id: int, level: Level | str,
              clause: str | None = None) -> Judgement:
        """Record a director's independent first judgement on a blind draft under review.

        Parameters
        ----------
        actor_id : int
            A director other than the one who proposed the draft.
        document_id : int
            A blind draft (:attr:`classifier.store.Document.blind`) waiting for review
            (status ``proposed``).
        level : Level or str
            The level the director judges right (a :class:`Level` or its label, e.g. 秘密).
        clause : str, optional
            The catalogue clause (定密依据); required for 秘密, 机密 and 绝密, none for 公开
            and 内部 (as in a proposal).

        Returns
        -------
        Judgement
            The stored judgement; an audit event ``judge`` is written in the same transaction.

        Raises
        ------
        InvalidDecisionError
            No level, an unknown level, or a clause that does not fit the level.
        PermissionDeniedError
            The actor is not a director.
        SelfReviewError
            The actor proposed the draft.
        NotBlindError
            The draft is not in blind mode (its suggestion is shown: review it directly).
        IllegalTransitionError
            The draft is not waiting for review.
        AlreadyJudgedError
            This director has already recorded a judgement on it.
        """
        if not isinstance(level, Level):
            level = chosen_level(level)
        c = Classification(level, clause).normalized(self.catalogue)
        with self.store.transaction() as tx:
            actor = tx.user(actor_id)
            if Role(actor.role) not in JUDGE_ROLES:
                raise PermissionDeniedError(
                    f"{Role(actor.role).label}{actor.name}无权作出审核前的独立判断（仅限办公室主任）")
            doc = tx.document(document_id)
            if not doc.blind:
                raise NotBlindError(f"《{doc.filename}》不是盲评抽样文件，无需先作独立判断")
            if Status(doc.status) is not Status.PROPOSED:
                raise IllegalTransitionError(
                    f"《{doc.filename}》当前状态为“{Status(doc.status).label}”，不能作独立判断")
            proposal = tx.latest_proposal(doc.id)
            if proposal is not None and proposal.drafter_id == actor.id:
                raise SelfReviewError("不能审核本人拟定的文件，请由其他审核人办理")
            if tx.judgement(doc.id, actor.id) is not None:
                raise AlreadyJudgedError(f"您已对《{doc.filename}》作出独立判断，不能重复记录")
            judgement = tx.add_judgement(document_id=doc.id, actor_id=actor.id,
                                         actor_role=actor.role, level=c.level.label,
                                         clause=c.clause)
            tx.add_event("judge", document_id=doc.id, actor=actor, from_status=doc.status,
                         to_status=doc.status,
                         detail={"judgement_id": judgement.id, "level": c.level.label,
                                 "clause": c.clause, "blind": True})
            return judgement
