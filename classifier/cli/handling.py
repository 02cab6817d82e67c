"""``dingmi register …``: the 机要 clerk's register of classified documents on the command line.

As thin as the other verbs: each command parses its options, calls one
:class:`classifier.workflow.handling.Handling` method as the authenticated user
(:func:`classifier.cli.accounts.signed_in`) and prints the result (Chinese lines, or with
``--json`` one JSON object per line). A refused action exits with status 1 and its coded
message (``[not_holder] …``); the one rule of :mod:`classifier.cli.group`.

Source: the office's regulation, section 八; issue 13 (§1–5, 7).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import click

from classifier.cli.accounts import as_option, emit, signed_in
from classifier.cli.group import json_option
from classifier.workflow import User
from classifier.workflow.handling import (
    COPY_STATE_LABELS,
    DIRECTION_LABELS,
    DISPOSAL_LABELS,
    LINE_STATUS_LABELS,
    LOAN_STATUS_LABELS,
    Handling,
    HandlingPolicy,
)
from classifier.workflow.register import format_time

_json = json_option()


@contextmanager
def _handling(actor: str | None) -> Iterator[tuple[Handling, User]]:
    with signed_in(actor) as (wf, me):
        yield Handling(wf, HandlingPolicy.from_env()), me


def _as_of(value: date | None) -> datetime | None:
    """The end of a local day, as the time to judge the overdue list at."""
    return None if value is None else datetime.combine(value, time(23, 59)).astimezone()


_date_type = click.DateTime(formats=["%Y-%m-%d"])


def _day(value: datetime | None) -> date | None:
    return None if value is None else value.date()


def _dates(obj: Any) -> Any:
    """Dates as ISO text (``emit`` handles datetimes)."""
    if isinstance(obj, date) and not isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {k: _dates(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_dates(v) for v in obj]
    return obj


def _out(as_json: bool, obj: Any, line: str) -> None:
    if as_json:
        emit(_dates(asdict(obj) if hasattr(obj, "__dataclass_fields__") else obj))
    else:
        click.echo(line)


def _line_text(ln: Any) -> str:
    period = f"{ln.level}★{ln.period_years}年" if ln.period_years else f"{ln.level}★{ln.condition}"
    return (f"{ln.number} [{LINE_STATUS_LABELS.get(ln.status, ln.status)}] "
            f"{DIRECTION_LABELS.get(ln.direction, ln.direction)} 《{ln.title}》 {period} "
            f"{ln.kind} 共 {ln.copies} 份 （#{ln.id}）")


def _simple(name: str, help: str, call: Callable[[Handling, int, int], Any],
            show: Callable[[Any], str]) -> click.Command:
    """A command taking one id and acting on it."""

    @click.command(name, help=help)
    @click.argument("item_id", type=int)
    @as_option
    @_json
    def command(item_id: int, actor: str | None, as_json: bool) -> None:
        with _handling(actor) as (h, me):
            result = call(h, me.id, item_id)
        _out(as_json, result, show(result))

    return command


@click.group()
def register() -> None:
    """The register of classified documents (机要): copies, circulation, loans, clean-up."""


@register.command("add")
@click.option("--direction", type=click.Choice(["in", "out", "internal"]), default="in",
              help="in: received (收文); out: sent (发文); internal: passed round inside.")
@click.option("--title", required=True, help="The document's title.")
@click.option("--level", required=True, type=click.Choice(["秘密", "机密", "绝密"]))
@click.option("--copies", type=click.IntRange(1, 999), default=1, help="Copies (份数).")
@click.option("--years", type=click.IntRange(1, 30), default=None, help="Secrecy period.")
@click.option("--condition", default=None, help="Declassification condition.")
@click.option("--kind", default="文件", help="文件, 电报, 快件, 急件, 部长办公会记录 …")
@click.option("--issuer", default="", help="Issuing office (收文).")
@click.option("--issuer-number", default="", help="Their document number (文号).")
@click.option("--recipient", default="", help="Where it is sent (发文).")
@click.option("--return-by", type=_date_type, default=None, help="Date to return it (清退).")
@click.option("--document", "document_id", type=int, default=None,
              help="The stored document this line registers.")
@as_option
@_json
def register_add(direction: str, title: str, level: str, copies: int, years: int | None,
                 condition: str | None, kind: str, issuer: str, issuer_number: str,
                 recipient: str, return_by: datetime | None, document_id: int | None,
                 actor: str | None, as_json: bool) -> None:
    """Register a classified document with its copies (clerk)."""
    with _handling(actor) as (h, me):
        ln = h.register(me.id, direction=direction, title=title, level=level, copies=copies,
                        period_years=years, condition=condition, kind=kind, issuer=issuer,
                        issuer_number=issuer_number, recipient=recipient,
                        return_by=_day(return_by), document_id=document_id)
    _out(as_json, ln, "已登记 " + _line_text(ln))


@register.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(list(LINE_STATUS_LABELS)))
@as_option
@_json
def register_list(statuses: tuple[str, ...], actor: str | None, as_json: bool) -> None:
    """List the register, newest line first."""
    with _handling(actor) as (h, me):
        for ln in h.lines(me.id, statuses=statuses or None):
            _out(as_json, ln, _line_text(ln))


@register.command("copies")
@click.argument("line_id", type=int)
@as_option
@_json
def register_copies(line_id: int, actor: str | None, as_json: bool) -> None:
    """Where each copy of a register line is."""
    with _handling(actor) as (h, me):
        for c in h.copies(me.id, line_id):
            extra = f"（代{c.holding_for}保管）" if c.holding_for else ""
            _out(as_json, c, f"第 {c.copy_no} 份（份号记录 #{c.id}）："
                 f"{COPY_STATE_LABELS.get(c.state, c.state)}，{c.holder}{extra}，"
                 f"自 {format_time(c.since)}")


@register.command("handover")
@click.argument("copy_id", type=int)
@click.option("--from", "giver", required=True, help="Who hands it over (the holder).")
@click.option("--to", "taker", required=True, help="Who receives it (办公室 for a return).")
@click.option("--note", default="")
@as_option
@_json
def register_handover(copy_id: int, giver: str, taker: str, note: str, actor: str | None,
                      as_json: bool) -> None:
    """Record a direct hand-over of a copy between two named people (clerk)."""
    with _handling(actor) as (h, me):
        c = h.hand_over(me.id, copy_id, from_holder=giver, to_holder=taker, note=note)
    _out(as_json, c, f"已交接：份号记录 #{c.id} 由“{giver}”交“{c.holder}”")


@register.command("standin")
@click.option("--holder", required=True, help="The holder going away (or back).")
@click.option("--by", "stand_in", required=True, help="The stand-in.")
@click.option("--back", is_flag=True, help="The holder is back: copies return to them.")
@click.option("--note", default="")
@as_option
@_json
def register_standin(holder: str, stand_in: str, back: bool, note: str, actor: str | None,
                     as_json: bool) -> None:
    """A holder going away hands every copy to a stand-in (or takes them back)."""
    with _handling(actor) as (h, me):
        moved = h.stand_in(me.id, holder=holder, stand_in=stand_in, note=note, back=back)
    _out(as_json, {"copies": [c.id for c in moved]}, f"已交接 {len(moved)} 份")


@register.command("circulate")
@click.argument("copy_id", type=int)
@click.argument("readers", nargs=-1, required=True)
@as_option
@_json
def register_circulate(copy_id: int, readers: tuple[str, ...], actor: str | None,
                       as_json: bool) -> None:
    """Send a copy round: readers in order on a circulation sheet (clerk)."""
    with _handling(actor) as (h, me):
        s = h.circulate(me.id, copy_id, list(readers))
    _out(as_json, s, f"传阅单 #{s.id}：{' → '.join(s.readers)}，应于 {format_time(s.due_at)} 前交回")


register.add_command(_simple(
    "pass", "Hand a circulating copy to the next reader on its sheet (clerk).",
    lambda h, uid, i: h.pass_on(uid, i),
    lambda s: f"传阅单 #{s.id}：现由“{s.readers[s.position]}”阅办"))
register.add_command(_simple(
    "back", "A circulating copy comes back to the office (clerk).",
    lambda h, uid, i: h.circulation_back(uid, i), lambda s: f"传阅单 #{s.id} 已交回"))


@register.command("overdue")
@click.option("--as-of", type=_date_type, default=None, help="Judge at the end of this day.")
@as_option
@_json
def register_overdue(as_of: datetime | None, actor: str | None, as_json: bool) -> None:
    """Copies out longer than allowed (one month; urgent kinds: their hours) and late loans."""
    with _handling(actor) as (h, me):
        items = h.overdue(me.id, as_of=_as_of(_day(as_of)))
    for o in items:
        what = "借阅" if o.kind == "loan" else "传阅"
        _out(as_json, {"kind": o.kind, "number": o.line.number, "title": o.line.title,
                       "copy_no": o.copy.copy_no, "copy_id": o.copy.id, "holder": o.holder,
                       "since": o.since, "due": o.due, "urgent": o.urgent},
             f"{o.line.number} 第 {o.copy.copy_no} 份《{o.line.title}》{what}超期："
             f"在“{o.holder}”处，应于 {format_time(o.due)} 前交回")
    if not items and not as_json:
        click.echo("没有超期未交回的涉密文件")


@register.command("loan")
@click.argument("copy_id", type=int)
@click.option("--borrower", required=True)
@click.option("--purpose", required=True)
@click.option("--due", "due_on", required=True, type=_date_type, help="Return date.")
@click.option("--unit", default=None, help="The borrower's outside unit, if any.")
@as_option
@_json
def register_loan(copy_id: int, borrower: str, purpose: str, due_on: datetime,
                  unit: str | None, actor: str | None, as_json: bool) -> None:
    """Record a loan request (clerk); says who must approve it."""
    with _handling(actor) as (h, me):
        loan = h.request_loan(me.id, copy_id, borrower=borrower, purpose=purpose,
                              due_on=due_on.date(), unit=unit)
    who = "部长" if loan.approver == "head" else "办公室主任"
    _out(as_json, loan, f"借阅申请 #{loan.id} 已登记，须经{who}批准")


@register.command("approve")
@click.argument("loan_id", type=int)
@click.option("--reason", default="", help="Required for an original to an outside unit.")
@as_option
@_json
def register_approve(loan_id: int, reason: str, actor: str | None, as_json: bool) -> None:
    """Approve a loan (office director; the head for 部长办公会 records and outside units)."""
    with _handling(actor) as (h, me):
        loan = h.approve_loan(me.id, loan_id, reason=reason)
    _out(as_json, loan, f"借阅申请 #{loan.id} 已批准")


@register.command("refuse")
@click.argument("loan_id", type=int)
@click.option("--reason", required=True)
@as_option
@_json
def register_refuse(loan_id: int, reason: str, actor: str | None, as_json: bool) -> None:
    """Refuse a loan, with a reason."""
    with _handling(actor) as (h, me):
        loan = h.refuse_loan(me.id, loan_id, reason=reason)
    _out(as_json, loan, f"借阅申请 #{loan.id} 未批准")


register.add_command(_simple(
    "lend", "Hand an approved loan's copy to the borrower (clerk).",
    lambda h, uid, i: h.lend(uid, i), lambda x: f"借阅 #{x.id}：已借出给“{x.borrower}”"))
register.add_command(_simple(
    "return", "The borrower brings the copy back (clerk).",
    lambda h, uid, i: h.return_loan(uid, i), lambda x: f"借阅 #{x.id}：已归还"))


@register.command("loans")
@click.option("--status", "statuses", multiple=True, type=click.Choice(list(LOAN_STATUS_LABELS)))
@as_option
@_json
def register_loans(statuses: tuple[str, ...], actor: str | None, as_json: bool) -> None:
    """List loans, oldest first."""
    with _handling(actor) as (h, me):
        for x in h.loans(me.id, statuses=statuses or None):
            _out(as_json, x, f"#{x.id} [{LOAN_STATUS_LABELS[x.status]}] {x.borrower}"
                 f"{'（' + x.unit + '）' if x.unit else ''} 份号记录 #{x.copy_id} "
                 f"至 {x.due_on.isoformat()}：{x.purpose}")


@register.command("cleanup")
@click.option("--as-of", type=_date_type, default=None, help="Judge at the end of this day.")
@as_option
@_json
def register_cleanup(as_of: datetime | None, actor: str | None, as_json: bool) -> None:
    """The half-year clean-up list: copies out, late loans, open circulations, lines due."""
    with _handling(actor) as (h, me):
        lst = h.cleanup_list(me.id, as_of=_as_of(_day(as_of)))
    rows = ([("copy_out", p.line, f"第 {p.copy.copy_no} 份在“{p.copy.holder}”处未交回")
             for p in lst.copies_out]
            + [("loan_overdue", o.line, f"第 {o.copy.copy_no} 份借阅超期（{o.holder}）")
               for o in lst.loans_overdue]
            + [("circulation_open", p.line, f"第 {p.copy.copy_no} 份传阅中")
               for p in lst.circulations_open]
            + [("send_back", ln, "应清退") for ln in lst.to_send_back]
            + [("dispose", ln, "已销号，待归档或销毁") for ln in lst.to_dispose])
    for kind, ln, text in rows:
        _out(as_json, {"item": kind, "line_id": ln.id, "number": ln.number, "title": ln.title,
                       "note": text}, f"{ln.number}《{ln.title}》：{text}")
    if not rows and not as_json:
        click.echo("清理清单为空")


register.add_command(_simple(
    "archive", "归档: every copy of a line goes to the archive (clerk).",
    lambda h, uid, i: h.archive(uid, i),
    lambda d: f"登记记录 #{d.line_id} 已{DISPOSAL_LABELS[d.action]}"))
register.add_command(_simple(
    "sendback", "清退: every copy of a line goes back to its issuer (clerk).",
    lambda h, uid, i: h.send_back(uid, i),
    lambda d: f"登记记录 #{d.line_id} 已{DISPOSAL_LABELS[d.action]}"))


@register.command("destroy")
@click.argument("line_id", type=int)
@click.option("--witness", "witnesses", multiple=True, required=True,
              help="A witness (give two).")
@click.option("--note", default="")
@as_option
@_json
def register_destroy(line_id: int, witnesses: tuple[str, ...], note: str, actor: str | None,
                     as_json: bool) -> None:
    """销毁 with two witnesses; the stored text and original are erased (clerk)."""
    with _handling(actor) as (h, me):
        rep = h.destroy(me.id, line_id, witnesses=list(witnesses), note=note)
    if as_json:
        emit({"line": _dates(asdict(rep.line)), "erased_document_id": rep.erased_document_id,
              "backups": rep.backups})
        return
    click.echo(f"{rep.line.number} 已销毁（监销人：{'、'.join(rep.disposal.witnesses)}）")
    if rep.erased_document_id is not None:
        click.echo(f"文件记录 #{rep.erased_document_id} 的正文和原件已从数据库删除")
    for b in rep.backups:
        click.echo(f"以下备份仍可能存有该文件，请一并处理：{b}")


@register.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--direction", type=click.Choice(["in", "out", "internal"]), default="in",
              help="For rows without a 类别.")
@as_option
@_json
def register_import(path: Path, direction: str, actor: str | None, as_json: bool) -> None:
    """Import a paper register typed into an XLSX sheet; rows that do not fit are reported."""
    with _handling(actor) as (h, me):
        rep = h.import_xlsx(me.id, path.read_bytes(), direction=direction)
    if as_json:
        emit({"imported": [ln.number for ln in rep.imported],
              "rejected": [asdict(r) for r in rep.rejected]})
        return
    click.echo(f"已导入 {len(rep.imported)} 条；未导入 {len(rep.rejected)} 条")
    for r in rep.rejected:
        click.echo(f"  第 {r.row} 行：[{r.code}] {r.message}")


@register.command("derived")
@click.argument("document_id", type=int)
@click.option("--record", is_flag=True, help="Record the sources with the decision.")
@as_option
@_json
def register_derived(document_id: int, record: bool, actor: str | None, as_json: bool) -> None:
    """The registered secrets a stored draft quotes or reproduces (派生定密)."""
    with _handling(actor) as (h, me):
        view = h.derived_for(me.id, document_id)
        recorded = h.record_derived(me.id, document_id) if record and view else []
    if view is None:
        _out(as_json, {"document_id": document_id, "sources": []}, "未发现引用的涉密文件")
        return
    s = view.suggestion
    if as_json:
        emit({"document_id": document_id, "level": s.level.label, "mark": s.mark,
              "period_years": s.period_years, "condition": s.condition, "clause": s.clause,
              "needs_review": s.needs_review, "recorded": recorded,
              "sources": [{"document_id": i, "title": m.record.title, "mark": m.record.mark,
                           "reasons": list(m.reasons),
                           "passages": [[p.draft_start, p.draft_end] for p in m.passages]}
                          for i, m in zip(view.source_ids, s.sources, strict=True)]})
        return
    click.echo(s.message())
    if recorded:
        click.echo(f"已记录派生来源：{'、'.join(f'#{i}' for i in recorded)}")


@register.command("observe")
@click.argument("document_id", type=int)
@as_option
@_json
def register_observe(document_id: int, actor: str | None, as_json: bool) -> None:
    """Check a public document against every open declassification condition."""
    with _handling(actor) as (h, me):
        views = h.observe_public(me.id, document_id)
    for v in views:
        _out(as_json, {"document_id": v.document_id, "title": v.title, "k": v.state.k,
                       "n": v.state.n, "proposed": v.state.proposed},
             f"#{v.document_id}《{v.title}》：{v.state.message()}")
    if not views and not as_json:
        click.echo("该文件未满足任何解密条件")


@register.command("releases")
@as_option
@_json
def register_releases(actor: str | None, as_json: bool) -> None:
    """Every open declassification condition and how far it is fulfilled."""
    with _handling(actor) as (h, me):
        views, by_hand = h.release_states(me.id)
    for v in views:
        _out(as_json, {"document_id": v.document_id, "title": v.title, "k": v.state.k,
                       "n": v.state.n, "proposed": v.state.proposed,
                       "reviewed": v.review.outcome if v.review else None},
             f"#{v.document_id}《{v.title}》：{v.state.message()}")
    for doc_id, why in by_hand:
        _out(as_json, {"document_id": doc_id, "by_hand": why}, f"#{doc_id}：{why}")


@register.command("release")
@click.argument("document_id", type=int)
@click.option("--accept/--dismiss", default=True, help="Accept the proposal, or dismiss it.")
@click.option("--reason", default="", help="Required to dismiss.")
@as_option
@_json
def register_release(document_id: int, accept: bool, reason: str, actor: str | None,
                     as_json: bool) -> None:
    """Answer a proposal to declassify a record whose condition is met: the director accepts
    (the record then waits for the leading group's approval: review approve) or dismisses;
    the leading group may dismiss."""
    with _handling(actor) as (h, me):
        r = h.review_release(me.id, document_id, accept=accept, reason=reason)
    _out(as_json, r, f"#{document_id}：" + ("同意提请解密，已报领导小组审批" if accept else "不予解密"))


COMMANDS = [register]
