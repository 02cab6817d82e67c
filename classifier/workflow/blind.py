"""Blind mode against anchoring (issue 14 §3): who may see a blind draft's suggestion, when.

A configured share of new drafts (:attr:`classifier.config.DecisionPolicy.blind_share`,
default 10 %) is drawn at upload with the operating system's random source, so that no one
can tell from a file whether it will be blind. On a blind draft:

- the drafter (and whoever uploaded it) sees no suggestion until a proposal exists;
- a director sees none until they have recorded their own first judgement (level and
  clause, :meth:`classifier.workflow.Workflow.judge`); a director who drafted it follows the
  drafter's rule (they may not review it anyway);
- the leading group acts after the director and sees it; so does everyone once the draft has
  left review (settled, escalated, referred …): the blind window is over.

The rule lives here and is applied by the workflow's reads (:meth:`WorkflowReads.suggestion_for`,
:meth:`WorkflowReads.documents`, :meth:`WorkflowReads.review_queue`), never only by a page.

Source: issue 14 §3 ("a configured share of drafts (default 10 %) shows the drafter no
suggestion until the proposal is submitted, and the director no suggestion until a first
judgement is recorded"); issue 15 §3 (blind rows in the batch table).
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from random import Random

from classifier.catalogue import Level
from classifier.errors import InvalidDecisionError
from classifier.store import DocumentSummary, OcrSummary, StoredSuggestion
from classifier.workflow.states import Role, Status

#: Withheld because the drafter has not yet submitted a proposal.
BLIND_BEFORE_PROPOSAL = "blind_before_proposal"
#: Withheld because this director has not yet recorded a first judgement.
BLIND_BEFORE_JUDGEMENT = "blind_before_judgement"
#: What a person is told when the suggestion is withheld (plain Chinese, issue 15 §2).
WITHHELD_NOTES: dict[str, str] = {
    BLIND_BEFORE_PROPOSAL: "本件为盲评抽样：请先独立拟定密级，提交后可查看系统建议。",
    BLIND_BEFORE_JUDGEMENT: "本件为盲评抽样：请先作出独立判断（密级和定密依据），记录后再查看系统建议和承办人意见的比较。",
}
#: The statuses in which the suggestion of a blind draft may be withheld (the blind window).
BLIND_WINDOW = frozenset({Status.UPLOADED, Status.PROPOSED})
#: The label shown in a table cell instead of a withheld suggestion.
BLIND_LABEL = "盲评"


def draw_blind(share: float, rng: Random | None = None) -> bool:
    """Draw whether a new draft is blind.

    Parameters
    ----------
    share : float
        Probability in [0, 1] (:attr:`classifier.config.DecisionPolicy.blind_share`); 0 never,
        1 always.
    rng : random.Random, optional
        Default :class:`random.SystemRandom` (the operating system's source): the draw cannot
        be predicted from the file or from earlier draws.

    Returns
    -------
    bool
    """
    if share <= 0:
        return False
    return (rng or secrets.SystemRandom()).random() < share


def withheld_reason(role: Role, reader_id: int, *, blind: bool, status: Status,
                    uploaded_by: int | None, drafter_ids: Collection[int],
                    judged: bool) -> str | None:
    """Why the suggestion of a draft is withheld from a reader, or None when it may be shown.

    Parameters
    ----------
    role : Role
        The reader's role.
    reader_id : int
    blind : bool
        The draft's draw (:attr:`classifier.store.Document.blind`).
    status : Status
        The draft's status.
    uploaded_by : int or None
        Who uploaded it (None when unknown: a summary).
    drafter_ids : collection of int
        Who proposed it (empty: no proposal yet).
    judged : bool
        Whether the reader recorded a first judgement on it.

    Returns
    -------
    str or None
        :data:`BLIND_BEFORE_PROPOSAL`, :data:`BLIND_BEFORE_JUDGEMENT` or None.
    """
    if not blind or status not in BLIND_WINDOW:
        return None
    if role is Role.DRAFTER or (reader_id == uploaded_by and not drafter_ids):
        return None if drafter_ids else BLIND_BEFORE_PROPOSAL
    if role is Role.DIRECTOR:
        if reader_id in drafter_ids:
            return None
        if not drafter_ids:
            return BLIND_BEFORE_PROPOSAL
        return None if judged else BLIND_BEFORE_JUDGEMENT
    return None


def mask_summary(s: DocumentSummary, reason: str | None) -> DocumentSummary:
    """``s`` without its suggestion when ``reason`` is set (see :class:`DocumentSummary`)."""
    if reason is None:
        return s
    return dataclasses.replace(s, suggested_level=None, suggested_clause=None, confidence=None,
                               needs_review=None, suggestion_withheld=reason)


@dataclass(frozen=True)
class SuggestionView:
    """The suggestion as a person may see it now.

    Attributes
    ----------
    suggestion : StoredSuggestion or None
        The latest stored suggestion; None when there is none or when it is withheld.
    withheld : str or None
        Why it is withheld (:data:`BLIND_BEFORE_PROPOSAL`, :data:`BLIND_BEFORE_JUDGEMENT`).
    blind : bool
        Whether the draft was drawn for blind mode.
    ocr : OcrSummary or None
        How the text was read by OCR: not part of the suggestion's judgement, so given even
        when the suggestion is withheld (the reader checks the text against the page).
    """

    suggestion: StoredSuggestion | None
    withheld: str | None = None
    blind: bool = False
    ocr: OcrSummary | None = None

    @property
    def note(self) -> str | None:
        """The plain Chinese sentence telling the reader why there is no suggestion yet."""
        return WITHHELD_NOTES.get(self.withheld) if self.withheld else None


def chosen_level(label: str | None) -> Level:
    """The level a person chose in a form that starts empty (a blind draft's form).

    Raises
    ------
    InvalidDecisionError
        Nothing chosen, or not a level label.
    """
    try:
        return Level.from_label((label or "").strip())
    except ValueError:
        raise InvalidDecisionError("本件为盲评抽样，须自行选择密级，请先选择密级再提交") from None
