"""What a decision produces for people: the marked copy, the approval form, the lists of
periods ending soon and the annual review.

Every output that shows a document's particulars goes through need to know
(:meth:`~classifier.workflow.reads.WorkflowReads.document`: the read of a secret is audited),
and the marked copy and the approval form are audit events of their own
(``mark_copy``, ``approval_form``).

Source: issue 12 (items 2, 3, 5 and 7); GB/T 9704-2012 §7.2.1–7.2.2; the Law, art. 24
(annual review; ../shared/docs/law-notes.md).
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, fields
from datetime import date
from typing import TYPE_CHECKING

from classifier.catalogue import Catalogue, Level
from classifier.documents.approval_form import ApprovalFormData, approval_form_docx
from classifier.documents.marks import MarkedCopy, MarkSpec, PreviousMark, mark_copy
from classifier.errors import NotSettledError, OriginalNotKeptError, PermissionDeniedError
from classifier.store import Decision, Document
from classifier.workflow.core import local_today
from classifier.workflow.lifecycle import previous_classification
from classifier.workflow.reads import WorkflowReads
from classifier.workflow.register import table_xlsx
from classifier.workflow.states import (
    ACTION_LABELS,
    MARK_ROLES,
    REGISTER_ROLES,
    Action,
    Role,
    Status,
)

if TYPE_CHECKING:
    from classifier.store import User

#: Statuses whose document may be printed with marks: settled, referred (handled at the
#: reported level) or declassified (the old mark voided, 解密 with its date).
MARKABLE = frozenset({*(s for s in Status if s.is_live), Status.REFERRED, Status.DECLASSIFIED})
#: Decision kinds of the office director's review and of the leading group's, on the form.
_DIRECTOR_KINDS = frozenset({Action.CONFIRM.value, Action.OVERRIDE.value,
                             Action.ESCALATE.value, Action.REFER.value})
_GROUP_KINDS = frozenset({Action.DECIDE.value})


@dataclass(frozen=True)
class DueItem:
    """A settled secret whose period ends within the window asked for (or has ended).

    Attributes
    ----------
    id, filename, level, mark, register_number : the document
    issued_on : datetime.date or None
        The date of issue the period runs from.
    period_ends_on : datetime.date
        The period's last day.
    days_left : int
        Days from today to ``period_ends_on`` (negative: ended, not yet declassified).
    """

    id: int
    filename: str
    level: str
    mark: str
    register_number: str
    issued_on: date | None
    period_ends_on: date
    days_left: int


@dataclass(frozen=True)
class ReviewItem:
    """One line of the annual review (年度审核): a secret in force.

    Attributes
    ----------
    id, filename, status, mark, clause, register_number : the document (text columns)
    issued_on, period_ends_on : str
        ISO dates, or ``""``.
    remaining : str
        ``"剩余 N 天"``, ``"已届满"`` or ``"解密条件：…"`` (an open condition).
    clause_change : str
        With a new catalogue: ``"条款已删除"``, ``"条款已修改"`` (text or level), else ``""``.
    """

    id: int
    filename: str
    status: str
    mark: str
    clause: str
    register_number: str
    issued_on: str
    period_ends_on: str
    remaining: str
    clause_change: str


#: Column headers of the annual review, in order (one per :class:`ReviewItem` field).
REVIEW_HEADERS = ("编号", "文件名", "状态", "密级标志", "定密依据", "登记编号", "制发日期",
                  "保密期限届满", "剩余期限或解密条件", "保密事项范围变化")


class Outputs(WorkflowReads):
    """Marked copies, approval forms, due lists and the annual review."""

    def marked_copy(self, reader_id: int, document_id: int, *,
                    copy_number: int = 1) -> MarkedCopy:
        """A copy of the kept original with the marks of the classification in force.

        Parameters
        ----------
        reader_id : int
            Who asks (need to know; a drafter, director, leading-group member or clerk).
        copy_number : int
            The 份号 printed on line 1 (1 … 999999).

        Returns
        -------
        MarkedCopy
            DOCX or PDF: 份号 and 登记编号 on line 1, ``密级★期限`` on line 2 for a secret;
            the configured 内部 mark; nothing for 公开; after a change the old mark voided
            beside the new one, after declassification the old mark voided and 解密 with its
            date. The original is unchanged.

        Raises
        ------
        PermissionDeniedError
            Not allowed to read the document.
        NotSettledError
            The classification is not settled (nor referred, nor declassified).
        OriginalNotKeptError
            The uploaded file was not kept (``DINGMI_STORE_ORIGINALS=1``).
        UnsupportedFormatError, CorruptFileError, NoCjkFontError, InvalidMarkError
            From :func:`classifier.documents.marks.mark_copy`.
        """
        reader = self._marker(reader_id)
        doc = self.document(document_id, reader_id)
        if Status(doc.status) not in MARKABLE or doc.level is None:
            raise NotSettledError(
                f"《{doc.filename}》尚未定密（当前状态：{Status(doc.status).label}），不能制作标志件")
        original = self.store.original(doc.id)
        if original is None:
            raise OriginalNotKeptError(
                f"系统未保存《{doc.filename}》的原件，无法制作标志件"
                "（需在设置中开启保存原件：DINGMI_STORE_ORIGINALS=1，然后重新上传）")
        copy = mark_copy(original, self.mark_spec(doc, copy_number))
        with self.store.transaction() as tx:
            tx.add_event("mark_copy", document_id=doc.id, actor=tx.user(reader.id),
                         detail={"copy_number": copy_number, "format": copy.format,
                                 "register_number": doc.register_number,
                                 "lines": list(copy.text_lines)})
        return copy

    def mark_spec(self, doc: Document, copy_number: int = 1) -> MarkSpec:
        """The :class:`MarkSpec` of the classification in force on ``doc``."""
        level = Level.from_label(doc.level or "")
        prev = previous_classification(self.store.decisions(doc.id))
        previous = None
        if prev is not None and prev.level and Level.from_label(prev.level).is_secret and (
                prev.level, prev.period_years, prev.condition) != (
                doc.level, doc.period_years, doc.condition):
            previous = PreviousMark(Level.from_label(prev.level), prev.period_years,
                                    prev.condition)
        declassified = Status(doc.status) is Status.DECLASSIFIED
        return MarkSpec(
            level=level, period_years=doc.period_years, condition=doc.condition,
            copy_number=copy_number if (level.is_secret or doc.register_number) else None,
            register_number=doc.register_number,
            previous=previous if previous and (declassified or level.is_secret) else None,
            declassified_on=doc.declassified_on if declassified and previous else None,
            internal_mark=self.decision_policy.internal_mark,
        )

    def approval_form(self, reader_id: int, document_id: int) -> bytes:
        """The 定密审批表 of a document as DOCX (blank where still to be decided).

        Raises
        ------
        PermissionDeniedError
            Not allowed to read the document.
        NotSettledError
            Nothing has been proposed yet.
        """
        reader = self._marker(reader_id)
        doc = self.document(document_id, reader_id)
        form = self.approval_form_data(doc)
        data = approval_form_docx(form)
        with self.store.transaction() as tx:
            tx.add_event("approval_form", document_id=doc.id, actor=tx.user(reader.id),
                         detail={"register_number": doc.register_number})
        return data

    def approval_form_data(self, doc: Document) -> ApprovalFormData:
        """The form's particulars from the first proposal and the decisions on ``doc``."""
        proposal = next((p for p in self.store.proposals(doc.id) if p.kind == "classify"), None)
        if proposal is None:
            raise NotSettledError(f"《{doc.filename}》尚未拟定密级，没有定密审批表")
        names = {u.id: u.name for u in self.store.users(include_inactive=True)}
        decisions = self.store.decisions(doc.id)
        director = _last(decisions, _DIRECTOR_KINDS)
        group = _last(decisions, _GROUP_KINDS)
        final = Status(doc.status).is_final or Status(doc.status) is Status.DECLASSIFIED
        clause_id = doc.clause if final else proposal.clause
        clause_text = ""
        if clause_id and self.catalogue is not None and clause_id in self.catalogue:
            clause_text = self.catalogue.get(clause_id).text
        shown = doc if final else proposal
        return ApprovalFormData(
            document_title=_title(doc),
            drafter=names.get(proposal.drafter_id, ""),
            proposed_on=proposal.created_at.astimezone().date(),
            proposed_level=Level.from_label(proposal.level),
            period_years=shown.period_years, condition=shown.condition,
            clause_id=clause_id, clause_text=clause_text,
            need_to_know=doc.scope or proposal.scope,
            register_number=doc.register_number,
            decided_level=Level.from_label(doc.level) if final and doc.level else None,
            unit=self.decision_policy.unit,
            date_of_issue=doc.issued_on if final else None,
            director=names.get(director.actor_id) if director else None,
            director_opinion=_opinion(director) if director else None,
            director_on=director.created_at.astimezone().date() if director else None,
            leading_group_decision=group.reason if group else None,
            leading_group_signatory=names.get(group.actor_id) if group else None,
            leading_group_on=group.created_at.astimezone().date() if group else None,
        )

    def due(self, reader_id: int, *, within_days: int = 90,
            today: date | None = None) -> list[DueItem]:
        """Settled secrets whose period ends within ``within_days`` days, soonest first
        (those already ended and not yet declassified first of all).

        Raises
        ------
        PermissionDeniedError
            Not a register role (clerk, director, leading group).
        """
        self._register_reader(reader_id)
        day = today or local_today(self.now())
        out = []
        for s in self.store.summaries(statuses=[st.value for st in Status if st.is_live]):
            if s.period_ends_on is None:
                continue
            left = (s.period_ends_on - day).days
            if left <= within_days:
                out.append(DueItem(s.id, s.filename, s.level or "", s.mark or "",
                                   s.register_number or "", s.issued_on, s.period_ends_on, left))
        return sorted(out, key=lambda d: (d.period_ends_on, d.id))

    def annual_review(self, reader_id: int, *, new_catalogue: Catalogue | None = None,
                      today: date | None = None) -> list[ReviewItem]:
        """The annual review (the Law, art. 24): every secret in force with its remaining
        period or open condition; with ``new_catalogue``, whether its clause was removed or
        changed there (against the catalogue in use).

        Raises
        ------
        PermissionDeniedError
            Not a register role.
        """
        self._register_reader(reader_id)
        day = today or local_today(self.now())
        out = []
        for s in self.store.summaries(statuses=[st.value for st in Status if st.is_live],
                                      order="uploaded"):
            if not s.level or not Level.from_label(s.level).is_secret:
                continue
            if s.period_ends_on is not None:
                left = (s.period_ends_on - day).days
                remaining = f"剩余 {left} 天" if left >= 0 else "已届满"
            else:
                remaining = f"解密条件：{s.condition}" if s.condition else ""
            out.append(ReviewItem(
                s.id, s.filename, Status(s.status).label, s.mark or "", s.clause or "",
                s.register_number or "", s.issued_on.isoformat() if s.issued_on else "",
                s.period_ends_on.isoformat() if s.period_ends_on else "", remaining,
                _clause_change(s.clause, self.catalogue, new_catalogue)))
        return out

    def _marker(self, reader_id: int) -> User:
        reader = self.store.user(reader_id)
        if Role(reader.role) not in MARK_ROLES:
            raise PermissionDeniedError(f"{Role(reader.role).label}不能制作标志件或审批表")
        return reader

    def _register_reader(self, reader_id: int) -> User:
        reader = self.store.user(reader_id)
        if Role(reader.role) not in REGISTER_ROLES:
            raise PermissionDeniedError(f"{Role(reader.role).label}无权查阅台账")
        return reader


def review_to_xlsx(items: list[ReviewItem]) -> bytes:
    """The annual review as an XLSX workbook (sheet 年度审核; strings, never formulas)."""
    return table_xlsx("年度审核", REVIEW_HEADERS, (astuple(item) for item in items),
                      [36 if f.name == "filename" else 18 for f in fields(ReviewItem)])


def _clause_change(clause: str | None, old: Catalogue | None, new: Catalogue | None) -> str:
    if not clause or new is None:
        return ""
    if clause not in new:
        return "条款已删除"
    if old is not None and clause in old:
        a, b = old.get(clause), new.get(clause)
        if (a.title, a.level) != (b.title, b.level):
            return "条款已修改"
    return ""


def _last(decisions: list[Decision], kinds: frozenset[str]) -> Decision | None:
    return next((d for d in reversed(decisions) if d.kind in kinds), None)


def _opinion(d: Decision) -> str:
    label = ACTION_LABELS[Action(d.kind)]
    text = f"{label}：{d.mark or d.level or ''}".rstrip("：")
    return f"{text}。{d.reason}" if d.reason else text


def _title(doc: Document) -> str:
    """The document's title: its first non-blank line (at most 60 characters), else the file name."""
    first = next((ln.strip() for ln in doc.text.splitlines() if ln.strip()), "")
    return first[:60] or doc.filename
