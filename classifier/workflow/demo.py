"""Demo users, created on the app's first start so that a newcomer can walk the round trip.

Source: issue 3 (§7: "on first start it creates the database and a few demo users").
"""

from __future__ import annotations

from classifier.errors import UserExistsError
from classifier.store import User
from classifier.workflow.service import Workflow
from classifier.workflow.states import Role

#: (name, role) of the demo users, in the order the user picker lists them.
DEMO_USERS: tuple[tuple[str, Role], ...] = (
    ("张承办", Role.DRAFTER),
    ("李主任", Role.DIRECTOR),
    ("赵副主任", Role.DIRECTOR),
    ("王组长", Role.LEADING_GROUP),
    ("管理员", Role.ADMIN),
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
            created.append(wf.add_user(name, role))
        except UserExistsError:  # another process started at the same moment
            continue
    return created
