"""The service of the 机要 clerk: the register of classified documents, copies and hand-overs,
circulation, borrowing, the half-year clean-up; derived classification and release on an event
as suggestions a person confirms.

Every action checks its input and the actor's role first, then writes the change and an audit
event (the hash chain of :mod:`classifier.store.chain`) in one transaction: a refused action
writes nothing, and an import stores each good row on its own and reports every bad one.

Who may do what (section 八 of the office's regulation):

- the 机要 clerk keeps the register: registers received, sent and internal documents, records
  every hand-over, circulation, loan, return and disposal, imports the paper register;
- the office director approves ordinary loans; the head of the department (the roles of
  :attr:`HandlingPolicy.head_roles`) approves loans of the 部长办公会 records and any original
  lent to an outside unit, with a recorded reason;
- the clerk, the director and the leading group read the register, the overdue list and the
  half-year clean-up list.

Source: the office's regulation, section 八 (一)–(四); issue 13 (§1–8).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from classifier.catalogue import Level
from classifier.documents.rules import check_period
from classifier.errors import (
    CopyUnavailableError,
    EmptyReasonError,
    HandlingError,
    InvalidDecisionError,
    LoanApprovalError,
    NotHolderError,
    OriginalNotLentError,
    PermissionDeniedError,
    UsageError,
    WitnessesRequiredError,
)
from classifier.handling.policy import DOCUMENT_KINDS, HandlingPolicy
from classifier.store.handling import (
    Circulation,
    Copy,
    Disposal,
    HandlingTx,
    Loan,
    RegisterLine,
    Transfer,
    backups_holding,
)
from classifier.workflow.audit import text_sha256
from classifier.workflow.derivation import Derivation, DerivedView, ReleaseView
from classifier.workflow.register_import import ImportReport, RegisterImport, RejectedRow
from classifier.workflow.states import Role

#: Who sees the 登记簿 page (app_pages/handling.py), after their other pages: the 机要 clerk
#: keeps the register there; the director and the leading group approve loans, read the
#: overdue and half-year lists and answer release proposals.
HANDLING_PAGE_ROLES: tuple[str, ...] = ("clerk", "director", "leading_group")
#: Directions of a register line and their number prefixes (收文, 发文, 内部).
DIRECTIONS = {"in": "收", "out": "发", "internal": "内"}
#: Chinese names of the directions, line statuses, copy states and loan statuses.
DIRECTION_LABELS = {"in": "收文", "out": "发文", "internal": "内部传递"}
LINE_STATUS_LABELS = {"open": "在办", "closed": "已销号", "archived": "已归档",
                      "sent_back": "已清退", "destroyed": "已销毁"}
COPY_STATE_LABELS = {"office": "在办公室", "reader": "阅办中", "circulating": "传阅中",
                     "lent": "借出", "sent": "已发出", "archived": "已归档", "gone": "已处置"}
LOAN_STATUS_LABELS = {"requested": "待审批", "approved": "已批准", "refused": "未批准",
                      "lent": "已借出", "returned": "已归还"}
DISPOSAL_LABELS = {"archive": "归档", "send_back": "清退", "destroy": "销毁"}
#: Copy states in which a copy is out of the office and must come back.
OUT_STATES = frozenset({"reader", "circulating", "lent"})
#: Line statuses after which nothing more happens to its copies.
DISPOSED = frozenset({"archived", "sent_back", "destroyed"})
_SECRET_LABELS = tuple(lv.label for lv in Level if lv.is_secret)


def _text(value: str | None, what: str, *, limit: int = 200) -> str:
    out = " ".join((value or "").split())
    if not out:
        raise EmptyReasonError(f"{what}不能为空")
    if len(out) > limit:
        raise UsageError(f"{what}过长（最多 {limit} 个字符）")
    return out

# --- Results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CopyPlace:
    """Where one copy is: its line, the copy, and the open circulation or loan holding it."""

    line: RegisterLine
    copy: Copy
    circulation: Circulation | None = None
    loan: Loan | None = None


@dataclass(frozen=True)
class OverdueItem:
    """A copy out for longer than allowed.

    Attributes
    ----------
    kind : str
        ``circulation`` (a circulation sheet or a copy with one reader) or ``loan``.
    line, copy : the register line and the copy
    holder : str
        Who holds it now.
    since : datetime
        When it left the office.
    due : datetime
        When it should have been back (a loan: the start of the day after its due date).
    urgent : bool
        An urgent kind (电报, 快件, 急件) with its configured hours.
    """

    kind: str
    line: RegisterLine
    copy: Copy
    holder: str
    since: datetime
    due: datetime
    urgent: bool


@dataclass(frozen=True)
class CleanupList:
    """The half-year clean-up (八(三) 办公室每半年对涉密文件进行一次清理).

    Attributes
    ----------
    copies_out : list of CopyPlace
        Every copy not back in the office.
    loans_overdue : list of OverdueItem
        Loans past their due date.
    circulations_open : list of CopyPlace
        Every circulation not yet back.
    to_send_back : list of RegisterLine
        Lines whose return date (清退) has come.
    to_dispose : list of RegisterLine
        Lines closed (every copy back) and not yet archived, sent back or destroyed.
    """

    as_of: datetime
    copies_out: list[CopyPlace]
    loans_overdue: list[OverdueItem]
    circulations_open: list[CopyPlace]
    to_send_back: list[RegisterLine]
    to_dispose: list[RegisterLine]


@dataclass(frozen=True)
class DestructionReport:
    """What a destruction did: the disposal, the erased document and the backups holding it."""

    line: RegisterLine
    disposal: Disposal
    erased_document_id: int | None
    backups: list[str]


# --- The service -----------------------------------------------------------------------------


class Handling(RegisterImport, Derivation):
    """The register of classified documents and what happens to their copies.

    Parameters
    ----------
    workflow : Workflow
        The service layer (its store, clock ``now`` and need-to-know reads).
    policy : HandlingPolicy, optional
        Limits and approvers (default :class:`HandlingPolicy` ()).

    Notes
    -----
    The import of a paper register is :class:`~classifier.workflow.register_import.RegisterImport`'s;
    derived classification and release on an event are
    :class:`~classifier.workflow.derivation.Derivation`'s.
    """

    # --- the register (八(一)) ---

    def register(self, actor_id: int, *, direction: str, title: str, level: str,
                 copies: int, kind: str = "文件", period_years: int | None = None,
                 condition: str | None = None, issuer: str = "", issuer_number: str = "",
                 recipient: str = "", dated: date | None = None, return_by: date | None = None,
                 document_id: int | None = None, number: str | None = None,
                 note: str = "") -> RegisterLine:
        """Register a classified document received, sent or passed round, with its copies.

        Parameters
        ----------
        actor_id : int
            The 机要 clerk.
        direction : {"in", "out", "internal"}
            收文 (from ``issuer``, their number ``issuer_number``), 发文 (to ``recipient``) or
            内部 (produced here and passed round).
        title : str
        level : str
            秘密, 机密 or 绝密.
        copies : int
            Copies received or made, 1 … 999; numbered 份号 1 … ``copies``, held by the office.
        kind : str
            文件, 电报, 快件, 急件, 部长办公会记录 … (urgent kinds and head-approval kinds per
            :class:`HandlingPolicy`).
        period_years, condition : the secrecy period or declassification condition (checked
            against the law; neither: the level's longest period).
        dated, return_by : datetime.date, optional
            The document's date; when it must be returned to its issuer (清退).
        document_id : int, optional
            The stored document (dingmi's own record) this line registers.
        number : str, optional
            Keep a paper register's number; default the next ``收2026-0001``.

        Returns
        -------
        RegisterLine

        Raises
        ------
        PermissionDeniedError
            The actor is not the clerk.
        InvalidDecisionError
            A level that is not a state secret, a bad period (its own code), bad copies.
        UsageError
            An unknown direction, an empty title, a number already in use.
        """
        actor = self._clerk(actor_id, "登记涉密文件")
        if direction not in DIRECTIONS:
            raise UsageError(f"登记类别 {direction!r} 无效，应为 in（收文）、out（发文）或 internal（内部）")
        fields = self._line_fields(title=title, level=level, copies=copies, kind=kind,
                                   period_years=period_years, condition=condition)
        if direction == "out" and not (recipient or "").strip():
            raise EmptyReasonError("发文须写明发往单位")
        now = self.wf.now()
        with self.wf.store.transaction() as tx:
            htx = HandlingTx(tx)
            if document_id is not None:
                tx.document(document_id)  # NotFoundError
            if number:
                number = _text(number, "登记编号", limit=40)
                if htx.number_taken(number):
                    raise UsageError(f"登记编号 {number} 已被使用")
            else:
                number = htx.next_number(DIRECTIONS[direction], now.astimezone().year)
            line = htx.add_line(number=number, direction=direction, document_id=document_id,
                                issuer=" ".join((issuer or "").split())[:200],
                                issuer_number=" ".join((issuer_number or "").split())[:100],
                                recipient=" ".join((recipient or "").split())[:200],
                                dated=dated, return_by=return_by, registered_by=actor.id,
                                registered_at=now, status="open", closed_at=None,
                                note=(note or "").strip(), **fields)
            for n in range(1, line.copies + 1):
                htx.add_copy(line_id=line.id, copy_no=n, original=True,
                             holder=self.policy.office, holding_for=None, since=now,
                             state="office")
            tx.add_event(f"register_{direction}", document_id=document_id, actor=actor,
                         detail={"line_id": line.id, "number": line.number, "title": line.title,
                                 "level": line.level, "copies": line.copies, "kind": line.kind})
        return line

    def _line_fields(self, *, title: str, level: str, copies: int, kind: str,
                     period_years: int | None, condition: str | None) -> dict[str, Any]:
        title = _text(title, "文件标题", limit=255)
        if level not in _SECRET_LABELS:
            raise InvalidDecisionError(f"密级“{level}”无效：登记簿只登记秘密、机密、绝密文件")
        lv = Level.from_label(level)
        if not period_years and not (condition or "").strip():
            period_years = lv.max_period_years  # a bare level: its longest period (the Law)
        period = check_period(lv, period_years or None, condition)
        years = period.years
        if not isinstance(copies, int) or not 1 <= copies <= 999:
            raise InvalidDecisionError(f"份数应为 1–999 的整数，收到 {copies!r}")
        return {"title": title, "level": level, "copies": copies,
                "kind": _text(kind, "文件种类", limit=40), "period_years": years,
                "condition": period.condition}

    def lines(self, actor_id: int, *, statuses: Sequence[str] | None = None) -> list[RegisterLine]:
        """The register, newest line first (clerk, director, leading group)."""
        self._reader(actor_id)
        return self.reads.lines(statuses=list(statuses) if statuses else None)

    def line(self, actor_id: int, line_id: int) -> RegisterLine:
        """One register line."""
        self._reader(actor_id)
        return self.reads.line(line_id)

    def copies(self, actor_id: int, line_id: int) -> list[Copy]:
        """The copies of a line, by 份号."""
        self._reader(actor_id)
        return self.reads.copies(line_id)

    def transfers(self, actor_id: int, copy_id: int) -> list[Transfer]:
        """Every hand-over of a copy, oldest first."""
        self._reader(actor_id)
        return self.reads.transfers(copy_id)

    def whereabouts(self, actor_id: int, *, include_disposed: bool = False) -> list[CopyPlace]:
        """Where every copy is (the office sees where every copy is, 八(三))."""
        self._reader(actor_id)
        lines = {ln.id: ln for ln in self.reads.lines()}
        circ = {c.copy_id: c for c in self.reads.circulations(open_only=True)}
        loans = {ln.copy_id: ln for ln in self.reads.loans(statuses=["lent"])}
        return [CopyPlace(lines[c.line_id], c, circ.get(c.id), loans.get(c.id))
                for c in self.reads.copies()
                if include_disposed or lines[c.line_id].status not in DISPOSED]

    # --- copies and holders (八(二)) ---

    def _movable(self, htx: HandlingTx, copy_id: int) -> tuple[Copy, RegisterLine]:
        c = htx.copy(copy_id)
        line = htx.line(c.line_id)
        if line.status in DISPOSED:
            raise CopyUnavailableError(
                f"{line.number} 第 {c.copy_no} 份已{LINE_STATUS_LABELS[line.status]}，不能再交接")
        return c, line

    def hand_over(self, actor_id: int, copy_id: int, *, from_holder: str, to_holder: str,
                  note: str = "") -> Copy:
        """Record a hand-over of a copy between two named people.

        Parameters
        ----------
        actor_id : int
            The clerk recording it.
        copy_id : int
        from_holder : str
            Who hands it over: must be the copy's holder now (no indirect passing, 八(二)).
        to_holder : str
            Who receives it (the office's name, :attr:`HandlingPolicy.office`, for a return).

        Returns
        -------
        Copy
            The copy with its new holder. Back at the office it is returned (销号 of its line
            once every copy is back); with someone else it is ``reader`` (呈阅), or stays in
            its circulation or loan.

        Raises
        ------
        NotHolderError
            ``from_holder`` does not hold the copy.
        CopyUnavailableError
            The copy is disposed of, in circulation (hand it on with :meth:`pass_on`) or lent
            (:meth:`return_loan`).
        """
        actor = self._clerk(actor_id, "登记交接")
        giver, taker = _text(from_holder, "交出人", limit=100), _text(to_holder, "接收人", limit=100)
        if giver == taker:
            raise UsageError("交出人与接收人不能是同一人")
        with self.wf.store.transaction() as tx:
            htx = HandlingTx(tx)
            c, line = self._movable(htx, copy_id)
            if c.holder != giver:
                raise NotHolderError(f"{line.number} 第 {c.copy_no} 份现由“{c.holder}”保管，"
                                     f"不能由“{giver}”交出：涉密文件只能由保管人直接交接，不得间接转递")
            if c.state == "circulating":
                raise CopyUnavailableError(f"{line.number} 第 {c.copy_no} 份正在传阅，请按传阅单顺序传递或交回")
            if c.state == "lent":
                raise CopyUnavailableError(f"{line.number} 第 {c.copy_no} 份已借出，请办理归还")
            back = taker == self.policy.office
            moved = htx.move_copy(c.id, kind="return" if back else "handover",
                                  from_holder=giver, to_holder=taker, actor_id=actor.id,
                                  state="office" if back else "reader", at=self.wf.now(),
                                  note=(note or "").strip())
            closed = back and htx.close_line_if_all_back(line.id, self.wf.now())
            tx.add_event("copy_return" if back else "handover", document_id=line.document_id,
                         actor=actor, reason=(note or "").strip(),
                         detail={"line_id": line.id, "number": line.number,
                                 "copy_no": c.copy_no, "from": giver, "to": taker,
                                 "line_closed": closed})
        return moved

    def stand_in(self, actor_id: int, *, holder: str, stand_in: str, note: str = "",
                 back: bool = False) -> list[Copy]:
        """A holder going away hands every copy to a named stand-in (八(二)), or takes them back.

        Parameters
        ----------
        holder : str
            The person going away (or coming back, with ``back``).
        stand_in : str
            The person named to keep the copies meanwhile.
        back : bool
            The holder is back: the copies the stand-in holds for them return to them.

        Returns
        -------
        list of Copy
            The copies handed over (possibly none).
        """
        actor = self._clerk(actor_id, "登记临时接替")
        who, sub = _text(holder, "保管人", limit=100), _text(stand_in, "接替人", limit=100)
        if who == sub:
            raise UsageError("接替人不能是保管人本人")
        moved = []
        with self.wf.store.transaction() as tx:
            htx = HandlingTx(tx)
            held = htx.copies_held_by(sub if back else who)
            for c in held:
                if back and c.holding_for != who:
                    continue
                moved.append(htx.move_copy(
                    c.id, kind="stand_in_back" if back else "stand_in",
                    from_holder=c.holder, to_holder=who if back else sub, actor_id=actor.id,
                    state=c.state, holding_for=None if back else who, at=self.wf.now(),
                    note=(note or "").strip()))
            tx.add_event("stand_in", actor=actor, reason=(note or "").strip(),
                         detail={"holder": who, "stand_in": sub, "back": back,
                                 "copies": [c.id for c in moved]})
        return moved

    # --- circulation (八(三)) ---

    def circulate(self, actor_id: int, copy_id: int, readers: Sequence[str]) -> Circulation:
        """Send a copy round: a circulation sheet with readers in order; the first receives it.

        Raises
        ------
        CopyUnavailableError
            The copy is not in the office.
        UsageError
            No reader, or a reader named twice.
        """
        actor = self._clerk(actor_id, "办理传阅")
        names = [_text(r, "传阅人", limit=100) for r in readers]
        if not names:
            raise UsageError("传阅单至少应有一名传阅人")
        if len(set(names)) != len(names):
            raise UsageError("传阅人不能重复")
        now = self.wf.now()
        with self.wf.store.transaction() as tx:
            htx = HandlingTx(tx)
            c, line = self._movable(htx, copy_id)
            if c.state != "office":
                raise CopyUnavailableError(f"{line.number} 第 {c.copy_no} 份不在办公室（现由“{c.holder}”保管）")
            sheet = htx.add_circulation(copy_id=c.id, readers=names, position=0, out_at=now,
                                        due_at=self.policy.circulation_due(line.kind, now),
                                        back_at=None, created_by=actor.id)
            htx.move_copy(c.id, kind="circulate", from_holder=c.holder, to_holder=names[0],
                          actor_id=actor.id, state="circulating", at=now)
            if line.status == "closed":
                htx.update_line(line.id, status="open", closed_at=None)
            tx.add_event("circulate", document_id=line.document_id, actor=actor,
                         detail={"line_id": line.id, "number": line.number,
                                 "copy_no": c.copy_no, "circulation_id": sheet.id,
                                 "readers": names, "due_at": sheet.due_at.isoformat()})
        return sheet

    def pass_on(self, actor_id: int, circulation_id: int) -> Circulation:
        """The reader holding the copy hands it directly to the next reader on the sheet.

        Raises
        ------
        HandlingError
            The sheet is back, or the holder is the last reader (return it with
            :meth:`circulation_back`).
        """
        actor = self._clerk(actor_id, "办理传阅")
        with self.wf.store.transaction() as tx:
            htx = HandlingTx(tx)
            sheet = htx.circulation(circulation_id)
            if sheet.back_at is not None:
                raise HandlingError(f"传阅单 {sheet.id} 已交回")
            if sheet.position + 1 >= len(sheet.readers):
                raise HandlingError("已传至最后一名传阅人，请交回办公室")
            c, line = self._movable(htx, sheet.copy_id)
            nxt = sheet.readers[sheet.position + 1]
            htx.move_copy(c.id, kind="circulate", from_holder=c.holder, to_holder=nxt,
                          actor_id=actor.id, state="circulating", at=self.wf.now())
            sheet = htx.update_circulation(sheet.id, position=sheet.position + 1)
            tx.add_event("circulation_pass", document_id=line.document_id, actor=actor,
                         detail={"circulation_id": sheet.id, "number": line.number,
                                 "copy_no": c.copy_no, "from": c.holder, "to": nxt})
        return sheet

    def circulation_back(self, actor_id: int, circulation_id: int) -> Circulation:
        """The copy comes back to the office: the sheet is closed (销号 once all are back)."""
        actor = self._clerk(actor_id, "办理传阅")
        now = self.wf.now()
        with self.wf.store.transaction() as tx:
            htx = HandlingTx(tx)
            sheet = htx.circulation(circulation_id)
            if sheet.back_at is not None:
                raise HandlingError(f"传阅单 {sheet.id} 已交回")
            c, line = self._movable(htx, sheet.copy_id)
            htx.move_copy(c.id, kind="return", from_holder=c.holder, to_holder=self.policy.office,
                          actor_id=actor.id, state="office", at=now)
            sheet = htx.update_circulation(sheet.id, back_at=now)
            closed = htx.close_line_if_all_back(line.id, now)
            tx.add_event("circulation_back", document_id=line.document_id, actor=actor,
                         detail={"circulation_id": sheet.id, "number": line.number,
                                 "copy_no": c.copy_no, "from": c.holder, "line_closed": closed,
                                 "overdue": now > sheet.due_at})
        return sheet

    def circulations(self, actor_id: int, *, open_only: bool = False) -> list[Circulation]:
        """The circulation sheets, oldest first."""
        self._reader(actor_id)
        return self.reads.circulations(open_only=open_only)

    def overdue(self, actor_id: int, *, as_of: datetime | None = None) -> list[OverdueItem]:
        """Every copy out longer than allowed, longest overdue first.

        Parameters
        ----------
        as_of : datetime, optional
            The time to judge at (aware; default the workflow's clock). The office may look
            ahead: "what will be overdue at the end of the month".

        Returns
        -------
        list of OverdueItem
            Circulations (and copies with a single reader) out for more than one calendar
            month, or an urgent kind (电报, 快件, 急件) for more than its configured hours
            (八(三)); loans past their due date (八(四) 按期归还).
        """
        self._reader(actor_id)
        now = as_of or self.wf.now()
        lines = {ln.id: ln for ln in self.reads.lines()}
        copies = {c.id: c for c in self.reads.copies()}
        out: list[OverdueItem] = []
        circulating = set()
        for sheet in self.reads.circulations(open_only=True):
            c, line = copies[sheet.copy_id], lines[copies[sheet.copy_id].line_id]
            circulating.add(c.id)
            if now > sheet.due_at:
                out.append(OverdueItem("circulation", line, c, c.holder, sheet.out_at,
                                       sheet.due_at, self.policy.is_urgent(line.kind)))
        for c in copies.values():
            line = lines[c.line_id]
            if c.state == "reader" and c.id not in circulating and line.status not in DISPOSED:
                due = self.policy.circulation_due(line.kind, c.since)
                if now > due:
                    out.append(OverdueItem("circulation", line, c, c.holder, c.since, due,
                                           self.policy.is_urgent(line.kind)))
        for loan in self.reads.loans(statuses=["lent"]):
            due = _day_after(loan.due_on, now)
            if now >= due:
                c = copies[loan.copy_id]
                out.append(OverdueItem("loan", lines[c.line_id], c, c.holder,
                                       loan.lent_at or loan.requested_at, due, False))
        out.sort(key=lambda o: o.due)
        return out

    # --- borrowing (八(四)) ---

    def request_loan(self, actor_id: int, copy_id: int, *, borrower: str, purpose: str,
                     due_on: date, unit: str | None = None) -> Loan:
        """Record a request to borrow a copy, and who must approve it.

        Parameters
        ----------
        borrower : str
            The person borrowing.
        purpose : str
            Why (required).
        due_on : datetime.date
            When it comes back (today or later, local date).
        unit : str, optional
            An outside unit the borrower belongs to (None: a person of this department).

        Returns
        -------
        Loan
            ``approver``: ``head`` for the kinds of :attr:`HandlingPolicy.head_kinds` (部长办公会
            记录) and for an original lent to an outside unit, else ``director``.
        """
        actor = self._clerk(actor_id, "登记借阅")
        who = _text(borrower, "借阅人", limit=100)
        why = _text(purpose, "借阅事由", limit=1000)
        outside = " ".join((unit or "").split()) or None
        now = self.wf.now()
        if due_on < now.astimezone().date():
            raise UsageError(f"归还日期 {due_on.isoformat()} 早于今天")
        with self.wf.store.transaction() as tx:
            htx = HandlingTx(tx)
            c, line = self._movable(htx, copy_id)
            approver = ("head" if self.policy.needs_head(line.kind, outside_unit=outside is not None,
                                                         original=c.original) else "director")
            loan = htx.add_loan(copy_id=c.id, borrower=who, unit=outside, purpose=why,
                                due_on=due_on, approver=approver, status="requested",
                                requested_by=actor.id, requested_at=now, decided_by=None,
                                decided_at=None, decision_reason="", lent_at=None,
                                returned_at=None)
            tx.add_event("loan_request", document_id=line.document_id, actor=actor,
                         reason=why, detail={"loan_id": loan.id, "number": line.number,
                                             "copy_no": c.copy_no, "borrower": who,
                                             "unit": outside, "approver": approver,
                                             "due_on": due_on.isoformat()})
        return loan

    def _decide_loan(self, actor_id: int, loan_id: int, approve: bool, reason: str) -> Loan:
        actor = self.wf.store.user(actor_id)
        role = actor.role
        with self.wf.store.transaction() as tx:
            htx = HandlingTx(tx)
            loan = htx.loan(loan_id)
            if loan.status != "requested":
                raise HandlingError(f"借阅申请 {loan.id} 当前为“{LOAN_STATUS_LABELS[loan.status]}”，不能再审批")
            c, line = self._movable(htx, loan.copy_id)
            head = role in self.policy.head_roles
            if loan.approver == "head" and not head:
                why = ("部长办公会记录" if line.kind in self.policy.head_kinds
                       else "向外单位借阅原件")
                raise (OriginalNotLentError if why == "向外单位借阅原件" else LoanApprovalError)(
                    f"{why}须经部长批准，{Role(role).label}无权批准")
            if not head and role not in self.policy.director_roles:
                raise PermissionDeniedError(f"{Role(role).label}无权审批借阅")
            if loan.requested_by == actor.id:
                raise LoanApprovalError("不能审批本人登记的借阅申请")
            if approve and loan.unit is not None and c.original and not reason:
                raise OriginalNotLentError("一般不向外单位借阅涉密文件原件：如确需借出，须由部长批准并写明理由")
            if not approve and not reason:
                raise EmptyReasonError("不批准借阅须说明理由")
            now = self.wf.now()
            loan = htx.update_loan(loan.id, status="approved" if approve else "refused",
                                   decided_by=actor.id, decided_at=now, decision_reason=reason)
            tx.add_event("loan_approve" if approve else "loan_refuse",
                         document_id=line.document_id, actor=actor, reason=reason,
                         detail={"loan_id": loan.id, "number": line.number,
                                 "copy_no": c.copy_no, "approver": loan.approver,
                                 "unit": loan.unit})
        return loan

    def approve_loan(self, actor_id: int, loan_id: int, *, reason: str = "") -> Loan:
        """Approve a loan request.

        Raises
        ------
        LoanApprovalError
            The loan needs the head and the actor is the office director, or the actor
            recorded the request.
        OriginalNotLentError
            An original to an outside unit: only the head approves it, and only with a reason.
        PermissionDeniedError
            The actor approves no loans.
        """
        return self._decide_loan(actor_id, loan_id, True, " ".join((reason or "").split()))

    def refuse_loan(self, actor_id: int, loan_id: int, *, reason: str) -> Loan:
        """Refuse a loan request (a reason is required)."""
        return self._decide_loan(actor_id, loan_id, False, " ".join((reason or "").split()))

    def lend(self, actor_id: int, loan_id: int) -> Loan:
        """Hand an approved loan's copy to the borrower.

        Raises
        ------
        HandlingError
            The loan is not approved.
        CopyUnavailableError
            The copy is not in the office.
        """
        actor = self._clerk(actor_id, "办理借出")
        now = self.wf.now()
        with self.wf.store.transaction() as tx:
            htx = HandlingTx(tx)
            loan = htx.loan(loan_id)
            if loan.status != "approved":
                raise HandlingError(f"借阅申请 {loan.id} 当前为“{LOAN_STATUS_LABELS[loan.status]}”，未经批准不能借出")
            c, line = self._movable(htx, loan.copy_id)
            if c.state != "office":
                raise CopyUnavailableError(f"{line.number} 第 {c.copy_no} 份不在办公室（现由“{c.holder}”保管）")
            htx.move_copy(c.id, kind="lend", from_holder=c.holder, to_holder=loan.borrower,
                          actor_id=actor.id, state="lent", at=now)
            loan = htx.update_loan(loan.id, status="lent", lent_at=now)
            if line.status == "closed":
                htx.update_line(line.id, status="open", closed_at=None)
            tx.add_event("loan_lend", document_id=line.document_id, actor=actor,
                         detail={"loan_id": loan.id, "number": line.number,
                                 "copy_no": c.copy_no, "borrower": loan.borrower})
        return loan

    def return_loan(self, actor_id: int, loan_id: int) -> Loan:
        """The borrower brings the copy back (the loan is closed; 销号 once all are back)."""
        actor = self._clerk(actor_id, "办理归还")
        now = self.wf.now()
        with self.wf.store.transaction() as tx:
            htx = HandlingTx(tx)
            loan = htx.loan(loan_id)
            if loan.status != "lent":
                raise HandlingError(f"借阅申请 {loan.id} 当前为“{LOAN_STATUS_LABELS[loan.status]}”，无需归还")
            c, line = self._movable(htx, loan.copy_id)
            htx.move_copy(c.id, kind="loan_return", from_holder=c.holder,
                          to_holder=self.policy.office, actor_id=actor.id, state="office", at=now)
            loan = htx.update_loan(loan.id, status="returned", returned_at=now)
            closed = htx.close_line_if_all_back(line.id, now)
            tx.add_event("loan_return", document_id=line.document_id, actor=actor,
                         detail={"loan_id": loan.id, "number": line.number,
                                 "copy_no": c.copy_no, "line_closed": closed,
                                 "late": now.astimezone().date() > loan.due_on})
        return loan

    def loans(self, actor_id: int, *, statuses: Sequence[str] | None = None) -> list[Loan]:
        """Loans, oldest first (clerk, director, leading group)."""
        self._reader(actor_id)
        return self.reads.loans(statuses=list(statuses) if statuses else None)

    def loans_to_approve(self, actor_id: int) -> list[Loan]:
        """The requests this approver may answer (the director: ordinary ones; the head: all)."""
        actor = self.wf.store.user(actor_id)
        if actor.role in self.policy.head_roles:
            wanted = {"director", "head"}
        elif actor.role in self.policy.director_roles:
            wanted = {"director"}
        else:
            return []
        return [ln for ln in self.reads.loans(statuses=["requested"])
                if ln.approver in wanted and ln.requested_by != actor.id]

    # --- the half-year clean-up (八(三)) ---

    def cleanup_list(self, actor_id: int, *, as_of: datetime | None = None) -> CleanupList:
        """Every copy not back, loan overdue, circulation open and line due for disposal."""
        self._reader(actor_id)
        now = as_of or self.wf.now()
        places = self.whereabouts(actor_id)
        today = now.astimezone().date()
        lines = self.reads.lines()
        return CleanupList(
            as_of=now,
            copies_out=[p for p in places if p.copy.state in OUT_STATES],
            loans_overdue=[o for o in self.overdue(actor_id, as_of=now) if o.kind == "loan"],
            circulations_open=[p for p in places if p.circulation is not None],
            to_send_back=[ln for ln in lines if ln.status not in DISPOSED
                          and ln.return_by is not None and ln.return_by <= today],
            to_dispose=[ln for ln in lines if ln.status == "closed"],
        )

    def _dispose(self, actor_id: int, line_id: int, action: str, note: str,
                 witnesses: Sequence[str] = ()) -> DestructionReport:
        actor = self._clerk(actor_id, f"办理{DISPOSAL_LABELS[action]}")
        names: list[str] = []
        if action == "destroy":
            names = [" ".join((w or "").split()) for w in witnesses]
            if (len(names) != 2 or not all(names) or names[0] == names[1]
                    or actor.name in names):
                raise WitnessesRequiredError("销毁涉密文件须有两名监销人（不含经办的机要员本人）在场并登记姓名")
        now = self.wf.now()
        backups: list[str] = []
        erased = None
        with self.wf.store.transaction() as tx:
            htx = HandlingTx(tx)
            line = htx.line(line_id)
            if line.status in DISPOSED:
                raise HandlingError(f"{line.number} 已{LINE_STATUS_LABELS[line.status]}")
            out = [c for c in htx.copies(line.id) if c.state in OUT_STATES]
            if out:
                raise CopyUnavailableError(
                    f"{line.number} 尚有 {len(out)} 份未交回（" + "、".join(
                        f"第 {c.copy_no} 份在“{c.holder}”处" for c in out) + "），请先收回")
            to = {"archive": "档案室", "send_back": line.issuer or "原发文机关",
                  "destroy": "销毁"}[action]
            for c in htx.copies(line.id):
                if c.state in ("office",):
                    htx.move_copy(c.id, kind=action, from_holder=c.holder, to_holder=to,
                                  actor_id=actor.id, state="archived" if action == "archive"
                                  else "gone", at=now)
            status = {"archive": "archived", "send_back": "sent_back", "destroy": "destroyed"}
            line = htx.update_line(line.id, status=status[action],
                                   closed_at=line.closed_at or now)
            old_hash = None
            if action == "destroy" and line.document_id is not None:
                doc = tx.document(line.document_id)
                old_hash = text_sha256(doc.text) if doc.text else None
                backups = backups_holding(self.policy.backup_dirs, doc.sha256, now)
                _, version = htx.erase_document(doc.id)
                erased = doc.id
                tx.add_event("destroy", document_id=doc.id, actor=actor, reason=note,
                             detail={"line_id": line.id, "number": line.number,
                                     "witnesses": names, "text_sha256": text_sha256(""),
                                     "destroyed_text_sha256": old_hash, "version": version,
                                     "backups": backups})
            else:
                tx.add_event(action, document_id=line.document_id, actor=actor, reason=note,
                             detail={"line_id": line.id, "number": line.number,
                                     "witnesses": names})
            disposal = htx.add_disposal(line_id=line.id, action=action, actor_id=actor.id,
                                        at=now, witnesses=names, note=note,
                                        text_sha256=old_hash, backups=backups)
        return DestructionReport(line, disposal, erased, backups)

    def archive(self, actor_id: int, line_id: int, *, note: str = "") -> Disposal:
        """归档: every copy goes to the archive."""
        return self._dispose(actor_id, line_id, "archive", (note or "").strip()).disposal

    def send_back(self, actor_id: int, line_id: int, *, note: str = "") -> Disposal:
        """清退: every copy goes back to the issuing office."""
        return self._dispose(actor_id, line_id, "send_back", (note or "").strip()).disposal

    def destroy(self, actor_id: int, line_id: int, *, witnesses: Sequence[str],
                note: str = "") -> DestructionReport:
        """销毁 with two witnesses; the stored document's text and original are erased.

        The register line, the document's row (its file and text hashes, its decisions and
        suggestions) and the audit record stay; the text and the uploaded bytes are gone
        from the database, the backups that may still hold them are listed (a SQLite backup
        is opened read-only and checked), and the text's hash is kept so that no later
        training run uses it (:func:`classifier.training.decisions.decision_records`).

        Raises
        ------
        WitnessesRequiredError
            Not two distinct witnesses other than the clerk.
        CopyUnavailableError
            A copy is still out.
        """
        return self._dispose(actor_id, line_id, "destroy", (note or "").strip(), witnesses)

    def disposals(self, actor_id: int, line_id: int | None = None) -> list[Disposal]:
        """归档, 清退 and 销毁 records, oldest first."""
        self._reader(actor_id)
        return self.reads.disposals(line_id)


# --- helpers ---------------------------------------------------------------------------------


def _day_after(day: date, like: datetime) -> datetime:
    """Local midnight after ``day``, in ``like``'s timezone (a loan due on a day is late
    from the next day)."""
    local = datetime.combine(day + timedelta(days=1), datetime.min.time()).astimezone()
    return local.astimezone(like.tzinfo)


__all__ = [
    "COPY_STATE_LABELS", "DIRECTION_LABELS", "HANDLING_PAGE_ROLES", "DISPOSAL_LABELS", "DOCUMENT_KINDS",
    "LINE_STATUS_LABELS", "LOAN_STATUS_LABELS", "CleanupList", "CopyPlace", "DerivedView",
    "DestructionReport", "Handling", "HandlingPolicy", "ImportReport", "OverdueItem",
    "RejectedRow", "ReleaseView",
]
