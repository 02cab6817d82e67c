"""Demo users, created on the app's first start so that a newcomer can walk the round trip.

Every demo account gets the same documented first password, :data:`DEMO_PASSWORD`, which
must be changed at the first login (README, "The app").

Source: issue 3 (§7: "on first start it creates the database and a few demo users");
issue 11 (§1: demo users get documented first passwords that must be changed).
"""

from __future__ import annotations

from classifier.errors import UserExistsError
from classifier.store import User
from classifier.workflow.service import Workflow
from classifier.workflow.states import Role

#: The first password of every demo account (documented in the README; changed at first login).
DEMO_PASSWORD = "Dingmi-2026!"

#: (name, role) of the demo users: the workflow, the 机要 clerk and the three administrators.
DEMO_USERS: tuple[tuple[str, Role], ...] = (
    ("张承办", Role.DRAFTER),
    ("李主任", Role.DIRECTOR),
    ("赵副主任", Role.DIRECTOR),
    ("王组长", Role.LEADING_GROUP),
    ("陈机要", Role.CLERK),
    ("系统管理员", Role.SYSADMIN),
    ("安全保密管理员", Role.SECADMIN),
    ("安全审计员", Role.AUDITOR),
)


def ensure_demo_users(wf: Workflow) -> list[User]:
    """Create the demo users when the user table is empty; return those created.

    A database that already has users (demo or real) is left alone, so deleting or renaming
    the demo users is permanent.
    """
    if wf.users(include_inactive=True):
        return []
    created = []
    for name, role in DEMO_USERS:
        try:
            created.append(wf.add_user(name, role, password=DEMO_PASSWORD))
        except UserExistsError:  # another process started at the same moment
            continue
    return created
