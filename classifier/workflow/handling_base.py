"""The common part of the clerk's services: the workflow, the policy, who may act.

Source: the office's regulation, section 八; issue 13.
"""

from __future__ import annotations

from collections.abc import Sequence

from classifier.errors import PermissionDeniedError
from classifier.handling.policy import HandlingPolicy
from classifier.store import User
from classifier.store.handling import HandlingStore
from classifier.workflow.service import Workflow
from classifier.workflow.states import REGISTER_ROLES, Role


class HandlingBase:
    """The workflow, the policy and the permission checks shared by the handling services.

    Parameters
    ----------
    workflow : Workflow
        The service layer (its store, clock ``now`` and need-to-know reads).
    policy : HandlingPolicy, optional
        Limits and approvers (default :class:`HandlingPolicy` ()).
    """

    def __init__(self, workflow: Workflow, policy: HandlingPolicy | None = None) -> None:
        self.wf = workflow
        self.policy = policy or HandlingPolicy()
        self.reads = HandlingStore(workflow.store)

    def _actor(self, actor_id: int, roles: Sequence[str], what: str) -> User:
        actor = self.wf.store.user(actor_id)
        if actor.role not in roles:
            allowed = "、".join(Role(r).label for r in roles)
            raise PermissionDeniedError(f"{Role(actor.role).label}{actor.name}无权{what}（仅限{allowed}）")
        return actor

    def _clerk(self, actor_id: int, what: str) -> User:
        return self._actor(actor_id, (Role.CLERK.value,), what)

    def _reader(self, actor_id: int) -> User:
        return self._actor(actor_id, tuple(r.value for r in REGISTER_ROLES), "查阅涉密文件登记簿")
