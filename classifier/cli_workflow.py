"""CLI verbs of the workflow (``dingmi review …``, ``dingmi users …``, ``dingmi db …``).

Placeholder: filled in by the app issue (issue 3).
"""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Attach the workflow command groups to the top-level ``dingmi`` group."""
    return None
