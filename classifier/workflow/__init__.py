"""The classification workflow: states and their rules, the service, the register (台账).

``states`` holds every rule of roles, statuses, actions, transitions and page access;
``classification`` what a person decides; ``reasons`` the coded reasons of a decision;
``reads``, ``core`` (the guards), ``lifecycle`` (change, declassification, expiry),
``outputs`` (marked copies, approval forms, due lists, annual review) and ``service`` the
:class:`Workflow` that pages and the CLI call (and nothing else); ``register`` the 台账 and
its exports;
``demo`` the demo users of a first start.
"""

from classifier.store import Document, DocumentSummary, StoredSuggestion, User
from classifier.workflow.classification import Classification, PassageRange, normalize_passages
from classifier.workflow.lifecycle import ExpiryRun
from classifier.workflow.outputs import DueItem, ReviewItem
from classifier.workflow.reasons import REASON_LABELS, ReasonCode
from classifier.workflow.service import KEEP_ON_ERROR, UploadResult, Workflow
from classifier.workflow.states import (
    ACTION_LABELS,
    EVENT_LABELS,
    FINAL_STATUSES,
    LIVE_STATUSES,
    MARK_ROLES,
    PAGE_ACCESS,
    RETRAIN_ROLES,
    REVIEW_ACTIONS,
    TRANSITIONS,
    UPLOAD_ROLES,
    Action,
    Page,
    Role,
    Status,
    Transition,
)

__all__ = [
    "ACTION_LABELS", "EVENT_LABELS", "FINAL_STATUSES", "KEEP_ON_ERROR", "LIVE_STATUSES",
    "MARK_ROLES", "PAGE_ACCESS", "REASON_LABELS", "DueItem", "ExpiryRun", "ReasonCode",
    "ReviewItem",
    "RETRAIN_ROLES", "REVIEW_ACTIONS", "TRANSITIONS", "UPLOAD_ROLES", "Action", "Classification",
    "Document", "DocumentSummary", "Page", "PassageRange", "Role", "Status", "StoredSuggestion",
    "Transition", "UploadResult", "User", "Workflow", "normalize_passages",
]
