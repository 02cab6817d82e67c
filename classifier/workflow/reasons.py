"""Reason codes a reviewer gives with a decision that departs from a proposal or a clause.

One enumeration for every decision that needs a coded reason: a level below the cited
clause's catalogue level is settled by the director alone only with one of these
(:func:`classifier.documents.rules.needs_leading_group`); the oversight analytics (issue 14)
count the same codes on overrides and leading-group decisions.

Source: issue 12 (item 1: a level below the clause's without a reason code goes to the
leading group); issue 14 (item 1: the list of structured reasons).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from classifier.errors import InvalidReasonCodeError


class ReasonCode(StrEnum):
    """Why a decision differs from the proposal, the suggestion or the clause's level."""

    WRONG_CLAUSE = "wrong_clause"
    ALREADY_PUBLIC = "already_public"
    WORK_MATTER = "work_matter"
    HIGHER_LEVEL = "higher_level"
    WRONG_PERIOD = "wrong_period"
    DERIVED = "derived"
    OUTSIDE_CATALOGUE = "outside_catalogue"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Chinese name shown in the UI."""
        return REASON_LABELS[self]


#: Chinese labels of the reason codes, in the order the UI lists them.
REASON_LABELS: dict[ReasonCode, str] = {
    ReasonCode.WRONG_CLAUSE: "定密依据条款不对",
    ReasonCode.ALREADY_PUBLIC: "内容已公开",
    ReasonCode.WORK_MATTER: "仅属工作秘密（内部）",
    ReasonCode.HIGHER_LEVEL: "应定更高密级",
    ReasonCode.WRONG_PERIOD: "保密期限或解密条件不对",
    ReasonCode.DERIVED: "派生自已定密的来源",
    ReasonCode.OUTSIDE_CATALOGUE: "不在保密事项范围内",
    ReasonCode.OTHER: "其他",
}


def check_reason_code(code: str | ReasonCode | None) -> ReasonCode | None:
    """Return the :class:`ReasonCode` of ``code`` (None or blank: no code).

    Raises
    ------
    InvalidReasonCodeError
        An unknown code (``invalid_reason_code``, an :class:`InvalidDecisionError`; the
        message lists the known ones).
    """
    if code is None or (isinstance(code, str) and not code.strip()):
        return None
    try:
        return ReasonCode(str(code).strip())
    except ValueError:
        known = "、".join(f"{c.value}（{c.label}）" for c in ReasonCode)
        raise InvalidReasonCodeError(f"理由代码 {code!r} 无效，应为：{known}") from None


def check_reason_codes(codes: Iterable[str | ReasonCode | None] | str | ReasonCode | None = None,
                       reason_code: str | ReasonCode | None = None) -> tuple[ReasonCode, ...]:
    """Every reason code of a decision or proposal, checked, deduplicated, in the given order.

    Parameters
    ----------
    codes : iterable of str or ReasonCode, or one code, optional
        The codes given (``reason_codes=``); blanks and None are skipped.
    reason_code : str or ReasonCode, optional
        The single code of the older keyword (``reason_code=``), kept for callers that give
        one; it goes first.

    Returns
    -------
    tuple of ReasonCode
        Possibly empty.

    Raises
    ------
    InvalidReasonCodeError
        Any code is unknown (``invalid_reason_code``).

    Examples
    --------
    >>> check_reason_codes(["already_public", "other", "already_public"])
    (<ReasonCode.ALREADY_PUBLIC: 'already_public'>, <ReasonCode.OTHER: 'other'>)
    """
    given: list[str | ReasonCode | None] = [reason_code]
    if isinstance(codes, str):
        given.append(codes)
    elif codes is not None:
        given.extend(codes)
    out = (check_reason_code(c) for c in given)
    return tuple(dict.fromkeys(c for c in out if c is not None))


def reason_labels(codes: Iterable[str] | None) -> str:
    """The Chinese labels of stored codes, joined with “、” (an unknown code shows as given)."""
    out = []
    for c in codes or ():
        try:
            out.append(ReasonCode(c).label)
        except ValueError:
            out.append(c)
    return "、".join(out)
