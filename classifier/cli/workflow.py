"""CLI verbs of the workflow: ``dingmi review …``, ``dingmi users …``, ``dingmi records …``.

As thin as the app pages: each command parses its options, calls one
:class:`classifier.workflow.Workflow` method and prints the result (human text, or with
``--json`` one JSON object per line). A refused action exits with status 1 and its coded
message (``[stale_version] …``); with ``--json`` the message is also printed as
``{"error": {"code", "message"}}`` so that a script can branch on the code (the one rule of
:mod:`classifier.cli.group`). The acting user is authenticated
(:func:`classifier.cli.accounts.signed_in`): ``--as NAME`` with that person's password, or
a personal token; ``--as`` alone is refused.

``dingmi mark`` writes a marked copy, ``dingmi records due|expire|review|form`` the periods
ending soon, the expiry job, the annual review and the approval form, and ``dingmi review
refer|superior|change|declassify|check|approve|reject`` the rest of a classification's life.

Source: issue 3 (§4 users, §6 CLI for the same verbs); issue 12 (items 2–7).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from classifier.catalogue import LEVEL_LABELS, Level
from classifier.cli.accounts import as_option, emit, signed_in
from classifier.cli.group import json_option
from classifier.errors import ClassifierError
from classifier.workflow import (
    ACTION_LABELS,
    Action,
    Classification,
    DocumentSummary,
    ReasonCode,
    Status,
    Workflow,
)

_LEVEL_CHOICES = [*LEVEL_LABELS, *(lv.name.lower() for lv in Level)]


def _level(value: str) -> Level:
    try:
        return Level.from_label(value)
    except ValueError:
        return Level[value.upper()]


def _act(actor: str | None, doc_id: int, as_json: bool,
         action: Callable[[Workflow, int], object]) -> None:
    """Run one workflow verb as the authenticated ``actor`` on ``doc_id``, then print it.

    ``action(workflow, user_id)`` performs the verb; a refusal reaches the group's rule.
    """
    with signed_in(actor) as (wf, me):
        action(wf, me.id)
        _show(wf, me.id, doc_id, as_json)


def _summary_dict(s: DocumentSummary) -> dict[str, Any]:
    d = {k: v.isoformat() if isinstance(v, date) and not isinstance(v, datetime) else v
         for k, v in asdict(s).items()}
    d["status_label"] = Status(s.status).label
    d["disagrees"] = s.disagrees
    return d


def _print_summary(s: DocumentSummary) -> None:
    from classifier.workflow.register import format_time

    flag = " ⚠ 与系统建议不一致" if s.disagrees else ""
    mark = s.mark or s.level or "未定"
    click.echo(f"#{s.id} v{s.version} [{Status(s.status).label}] {s.filename}  {mark}"
               f"  依据 {s.clause or '—'}{flag}")
    who = f"拟定：{s.drafter_name or '—'} {format_time(s.proposed_at)}"
    if s.decided_by:
        kind = (ACTION_LABELS[Action(s.decision_kind)] if s.decision_kind in set(Action)
                else s.decision_kind)
        who += f"；{kind}：{s.decided_by} {format_time(s.decided_at)}"
    shown = ("盲评（提交拟定意见或作出独立判断后显示）" if s.suggestion_withheld
             else f"{s.suggested_level or '—'} {s.suggested_clause or ''}")
    click.echo(f"    {who}；系统建议 {shown}")


def _show(wf: Workflow, reader_id: int, doc_id: int, as_json: bool) -> None:
    summary = next((s for s in wf.documents(reader_id, statuses=None) if s.id == doc_id), None)
    if summary is None:  # pragma: no cover - the action just returned this document
        return
    emit(_summary_dict(summary)) if as_json else _print_summary(summary)


_as_option = as_option
_json_option = json_option()
_version_option = click.option(
    "--expect-version", type=int, default=None,
    help="Refuse (stale_version) unless the document is still at this version.")


def _parse_passages(ctx: click.Context, param: click.Parameter, values: tuple[str, ...],
                    ) -> list[tuple[int, int]] | None:
    """``--passage START:END`` (repeatable) → ``[(start, end), ...]``; None when not given.

    Only the form is checked here; whether the range lies inside the document's text is
    the workflow's check (``invalid_passage``).
    """
    if not values:
        return None
    out = []
    for v in values:
        a, sep, b = v.partition(":")
        try:
            if not sep:
                raise ValueError(v)
            out.append((int(a), int(b)))
        except ValueError:
            raise click.UsageError(
                f"[usage_error] --passage {v!r} 无效，应写作 起点:终点（例如 35:52）", ctx) from None
    return out


_passage_option = click.option(
    "--passage", "passages", multiple=True, callback=_parse_passages, metavar="START:END",
    help="A passage that decides the level, as offsets into the extracted text "
         "(repeatable); stored with the decision and used by retraining.")


def _classification_options(f: Callable[..., Any]) -> Callable[..., Any]:
    f = click.option("--condition", default=None, help="Declassification condition (解密条件).")(f)
    f = click.option("--years", type=click.IntRange(1, 30), default=None,
                     help="Secrecy period in years (default: the legal maximum).")(f)
    f = click.option("--clause", default=None, help="Catalogue clause (定密依据), e.g. 4.3.")(f)
    f = click.option("--level", required=True, type=click.Choice(_LEVEL_CHOICES),
                     help="Level: 公开 内部 秘密 机密 绝密 (or pinyin).")(f)
    return f


def _classification(level: str, clause: str | None, years: int | None,
                    condition: str | None) -> Classification:
    return Classification(_level(level), clause, years, condition)


_AFTER_CHOICES = ["内部", "公开", "neibu", "gongkai"]


def _settle_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """--issued-on, --reason-code and --declassify-to of a settling decision."""
    f = click.option("--declassify-to", "declassify_to", type=click.Choice(_AFTER_CHOICES),
                     default=None,
                     help="What a secret becomes when declassified: 内部 (default) or 公开.")(f)
    f = _reason_code_option(f)
    f = click.option("--issued-on", type=click.DateTime(["%Y-%m-%d"]), default=None,
                     help="Date of issue (制发日) the period runs from; default today.")(f)
    return f


def _reason_code_option(f: Any) -> Any:
    """``--reason-code``, repeatable: the structured reasons of issue 14 §1."""
    return click.option(
        "--reason-code", "reason_codes", multiple=True,
        type=click.Choice([c.value for c in ReasonCode]),
        help="Coded reason, repeatable (" + ", ".join(f"{c.value}={c.label}" for c in ReasonCode)
        + "). Needed for a level below the clause's, and for a proposal that departs from "
          "the suggestion.")(f)


def _settle_kwargs(issued_on: Any, reason_codes: tuple[str, ...],
                   declassify_to: str | None) -> dict[str, Any]:
    return {"issued_on": issued_on.date() if issued_on else None,
            "reason_codes": list(reason_codes),
            "declassify_to": _level(declassify_to) if declassify_to else None}


@click.group()
def review() -> None:
    """The review workflow: list, upload, propose, confirm, override, escalate, decide."""


@review.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice([*[st.value for st in Status], "all"]),
              help="Statuses to list (repeatable; default: proposed).")
@_as_option
@_json_option
def review_list(statuses: tuple[str, ...], actor: str | None, as_json: bool) -> None:
    """List documents, oldest proposal first (default: those waiting for review)."""
    wanted = None if "all" in statuses else list(statuses or ["proposed"])
    with signed_in(actor) as (wf, me):
        for s in wf.documents(me.id, statuses=wanted, order="proposed"):
            emit(_summary_dict(s)) if as_json else _print_summary(s)


@review.command("upload")
@click.argument("paths", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_as_option
@_json_option
def review_upload(paths: tuple[Path, ...], actor: str, as_json: bool) -> None:
    """Register files (or open the existing record of the same bytes) with a suggestion.

    A file that cannot be registered is reported (its code) and the others go on; the exit
    status is then 1.
    """
    from classifier.config import Settings
    from classifier.suggest import Suggester

    failed = False
    with signed_in(actor) as (wf, me):
        sg = Suggester.load(Settings.from_env())
        for p in paths:
            try:
                r = wf.upload(me.id, p.read_bytes(), p.name, sg.suggest_upload)
            except ClassifierError as e:  # one bad file never stops the others
                failed = True
                if as_json:
                    emit({"file": p.name, "error": e.to_dict()})
                else:
                    click.echo(f"✗ {p.name}：{e}", err=True)
                continue
            if as_json:
                emit({"document_id": r.document.id, "created": r.created,
                       "version": r.document.version, "status": r.document.status,
                       "suggestion": r.suggestion.payload if r.suggestion else None,
                       "suggestion_withheld": r.view.withheld if r.view else None})
            else:
                word = "已登记" if r.created else "已存在（打开原记录）"
                click.echo(f"{word} #{r.document.id} v{r.document.version} {p.name}")
    if failed:
        sys.exit(1)


@review.command("propose")
@click.argument("doc_id", type=int)
@_as_option
@_classification_options
@click.option("--scope", default="", help="Need-to-know scope (知悉范围); required for secrets.")
@click.option("--note", default="", help="Note for the reviewer (the free-text reason).")
@_reason_code_option
@_version_option
@_json_option
def review_propose(doc_id: int, actor: str, level: str, clause: str | None, years: int | None,
                   condition: str | None, scope: str, note: str, reason_codes: tuple[str, ...],
                   expect_version: int | None, as_json: bool) -> None:
    """Propose the level of an uploaded document (拟定); one that departs from the
    suggestion needs a --reason-code."""
    _act(actor, doc_id, as_json, lambda w, uid: w.propose(
        uid, doc_id, _classification(level, clause, years, condition),
        scope=scope, note=note, expected_version=expect_version,
        reason_codes=list(reason_codes)))


@review.command("judge")
@click.argument("doc_id", type=int)
@_as_option
@click.option("--level", required=True, type=click.Choice(_LEVEL_CHOICES),
              help="Level: 公开 内部 秘密 机密 绝密 (or pinyin).")
@click.option("--clause", default=None, help="Catalogue clause (定密依据), e.g. 4.3.")
@_json_option
def review_judge(doc_id: int, actor: str, level: str, clause: str | None, as_json: bool) -> None:
    """Record a director's independent first judgement on a blind draft (盲评, issue 14 §3);
    the suggestion is shown to that director afterwards."""
    _act(actor, doc_id, as_json, lambda w, uid: w.judge(uid, doc_id, _level(level), clause))


@review.command("confirm")
@click.argument("doc_id", type=int)
@_as_option
@click.option("--reason", default="", help="Optional remark.")
@_passage_option
@_settle_options
@_version_option
@_json_option
def review_confirm(doc_id: int, actor: str, reason: str, passages: list[tuple[int, int]] | None,
                   issued_on: Any, reason_codes: tuple[str, ...], declassify_to: str | None,
                   expect_version: int | None, as_json: bool) -> None:
    """Confirm a proposal as it stands (director). Clause 4.12, a level off the clause's or
    above the office's authority is routed (leading group, superior), never settled alone."""
    _act(actor, doc_id, as_json, lambda w, uid: w.confirm(
        uid, doc_id, reason=reason, expected_version=expect_version, passages=passages,
        **_settle_kwargs(issued_on, reason_codes, declassify_to)))


@review.command("override")
@click.argument("doc_id", type=int)
@_as_option
@_classification_options
@click.option("--reason", required=True, help="Why the proposal is changed (required).")
@_passage_option
@_settle_options
@_version_option
@_json_option
def review_override(doc_id: int, actor: str, level: str, clause: str | None, years: int | None,
                    condition: str | None, reason: str, passages: list[tuple[int, int]] | None,
                    issued_on: Any, reason_codes: tuple[str, ...], declassify_to: str | None,
                    expect_version: int | None, as_json: bool) -> None:
    """Override a proposal's clause or period (director); another level than the drafter's
    goes to the leading group."""
    _act(actor, doc_id, as_json, lambda w, uid: w.override(
        uid, doc_id, _classification(level, clause, years, condition),
        reason=reason, expected_version=expect_version, passages=passages,
        **_settle_kwargs(issued_on, reason_codes, declassify_to)))


@review.command("escalate")
@click.argument("doc_id", type=int)
@_as_option
@click.option("--question", required=True, help="The question for the leading group.")
@_version_option
@_json_option
def review_escalate(doc_id: int, actor: str, question: str, expect_version: int | None,
                    as_json: bool) -> None:
    """Send a proposal to the leading group with a question (director)."""
    _act(actor, doc_id, as_json, lambda w, uid: w.escalate(
        uid, doc_id, question=question, expected_version=expect_version))


@review.command("decide")
@click.argument("doc_id", type=int)
@_as_option
@_classification_options
@click.option("--reason", required=True, help="The grounds of the decision (required).")
@_passage_option
@_settle_options
@_version_option
@_json_option
def review_decide(doc_id: int, actor: str, level: str, clause: str | None, years: int | None,
                  condition: str | None, reason: str, passages: list[tuple[int, int]] | None,
                  issued_on: Any, reason_codes: tuple[str, ...], declassify_to: str | None,
                  expect_version: int | None, as_json: bool) -> None:
    """Decide an escalated matter (leading group); above the office's authority it is
    referred to the superior."""
    _act(actor, doc_id, as_json, lambda w, uid: w.decide(
        uid, doc_id, _classification(level, clause, years, condition),
        reason=reason, expected_version=expect_version, passages=passages,
        **_settle_kwargs(issued_on, reason_codes, declassify_to)))


@review.command("refer")
@click.argument("doc_id", type=int)
@_as_option
@click.option("--question", required=True, help="What is reported to the superior.")
@_version_option
@_json_option
def review_refer(doc_id: int, actor: str, question: str, expect_version: int | None,
                 as_json: bool) -> None:
    """Report a matter to a superior with the authority (报请上级定密; director, leading group)."""
    _act(actor, doc_id, as_json, lambda w, uid: w.refer(
        uid, doc_id, question=question, expected_version=expect_version))


@review.command("superior")
@click.argument("doc_id", type=int)
@_as_option
@_classification_options
@click.option("--reason", required=True, help="The superior's reply (document number, date).")
@click.option("--issued-on", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date of issue (制发日); default today.")
@_version_option
@_json_option
def review_superior(doc_id: int, actor: str, level: str, clause: str | None, years: int | None,
                    condition: str | None, reason: str, issued_on: Any,
                    expect_version: int | None, as_json: bool) -> None:
    """Record the superior's decision on a referred matter (director, leading group)."""
    _act(actor, doc_id, as_json, lambda w, uid: w.record_superior(
        uid, doc_id, _classification(level, clause, years, condition), reason=reason,
        issued_on=issued_on.date() if issued_on else None, expected_version=expect_version))


@review.command("change")
@click.argument("doc_id", type=int)
@_as_option
@_classification_options
@click.option("--reason", required=True, help="Why the level or period should change.")
@_version_option
@_json_option
def review_change(doc_id: int, actor: str, level: str, clause: str | None, years: int | None,
                  condition: str | None, reason: str, expect_version: int | None,
                  as_json: bool) -> None:
    """Propose a change of level or period of a settled secret (drafter; 五(五)3)."""
    _act(actor, doc_id, as_json, lambda w, uid: w.request_change(
        uid, doc_id, _classification(level, clause, years, condition), reason=reason,
        expected_version=expect_version))


@review.command("declassify")
@click.argument("doc_id", type=int)
@_as_option
@click.option("--to", "to_level", type=click.Choice(_AFTER_CHOICES), default="内部",
              help="What the matter becomes: 内部 (default) or 公开.")
@click.option("--reason", required=True, help="Why secrecy is no longer needed.")
@_version_option
@_json_option
def review_declassify(doc_id: int, actor: str, to_level: str, reason: str,
                      expect_version: int | None, as_json: bool) -> None:
    """Propose to declassify a settled secret before its period ends (drafter; 五(五)3)."""
    _act(actor, doc_id, as_json, lambda w, uid: w.request_declassification(
        uid, doc_id, reason=reason, to_level=_level(to_level), expected_version=expect_version))


@review.command("check")
@click.argument("doc_id", type=int)
@_as_option
@click.option("--opinion", required=True, help="The office's opinion (required).")
@_version_option
@_json_option
def review_check(doc_id: int, actor: str, opinion: str, expect_version: int | None,
                 as_json: bool) -> None:
    """Check a change or declassification request and send it to the leading group (director)."""
    _act(actor, doc_id, as_json, lambda w, uid: w.check_change(
        uid, doc_id, opinion=opinion, expected_version=expect_version))


@review.command("approve")
@click.argument("doc_id", type=int)
@_as_option
@click.option("--reason", required=True, help="The leading group's opinion (required).")
@_version_option
@_json_option
def review_approve(doc_id: int, actor: str, reason: str, expect_version: int | None,
                   as_json: bool) -> None:
    """Approve a checked change or declassification (leading group)."""
    _act(actor, doc_id, as_json, lambda w, uid: w.approve_change(
        uid, doc_id, reason=reason, expected_version=expect_version))


@review.command("reject")
@click.argument("doc_id", type=int)
@_as_option
@click.option("--reason", required=True, help="Why the request is refused (required).")
@_version_option
@_json_option
def review_reject(doc_id: int, actor: str, reason: str, expect_version: int | None,
                  as_json: bool) -> None:
    """Refuse a change or declassification request (director, leading group)."""
    _act(actor, doc_id, as_json, lambda w, uid: w.reject_change(
        uid, doc_id, reason=reason, expected_version=expect_version))


@click.group()
def records() -> None:
    """The register (台账) of every document."""


@records.command("export")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, allow_dash=True,
              path_type=Path), help="File to write (.csv or .xlsx); '-' writes CSV to stdout.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default=None,
              help="Default: from the file name's suffix.")
@click.option("--status", "statuses", multiple=True, type=click.Choice([st.value for st in Status]))
@click.option("--level", "levels", multiple=True, type=click.Choice(list(LEVEL_LABELS)))
@click.option("--search", default=None, help="Text to look for.")
@_as_option
def records_export(output: Path, fmt: str | None, statuses: tuple[str, ...],
                   levels: tuple[str, ...], search: str | None, actor: str | None) -> None:
    """Export the register to CSV or XLSX."""
    from classifier.workflow.register import to_csv, to_xlsx

    to_stdout = str(output) == "-"
    suffix = output.suffix.lower().lstrip(".")
    if fmt is None:
        if to_stdout:
            fmt = "csv"
        elif suffix in ("csv", "xlsx"):
            fmt = suffix
        else:
            raise click.UsageError(f"[usage_error] 无法从文件名 {output.name} 判断导出格式，"
                                   "请使用 .csv 或 .xlsx 后缀，或指定 --format")
    if to_stdout and fmt == "xlsx":
        raise click.UsageError("[usage_error] XLSX 不能写到标准输出，请用 -o 指定文件")
    if not to_stdout and not output.parent.is_dir():
        raise click.UsageError(f"[usage_error] 目录不存在：{output.parent}")

    with signed_in(actor) as (wf, me):
        rows = wf.export_records(me.id, statuses=statuses or None, levels=levels or None,
                                 search=search)
    data: bytes = to_xlsx(rows) if fmt == "xlsx" else to_csv(rows)
    if to_stdout:
        sys.stdout.flush()  # (click.get_binary_stream is deprecated)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(output)  # never a half-written export
    click.echo(f"已导出 {len(rows)} 条记录到 {output}")


def _write_file(output: Path, data: bytes) -> None:
    """Write ``data`` to ``output`` atomically (never a half-written file)."""
    if not output.parent.is_dir():
        raise click.UsageError(f"[usage_error] 目录不存在：{output.parent}")
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(output)


@records.command("due")
@click.option("--within", "within_days", type=click.IntRange(0, 36500), default=90,
              show_default=True, help="Days ahead.")
@_as_option
@_json_option
def records_due(within_days: int, actor: str | None, as_json: bool) -> None:
    """List settled secrets whose period ends within N days (ended ones first)."""
    with signed_in(actor) as (wf, me):
        items = wf.due(me.id, within_days=within_days)
    for i in items:
        if as_json:
            emit({**asdict(i), "issued_on": i.issued_on.isoformat() if i.issued_on else None,
                  "period_ends_on": i.period_ends_on.isoformat()})
        else:
            when = f"剩余 {i.days_left} 天" if i.days_left >= 0 else "已届满，待解密"
            click.echo(f"#{i.id} {i.register_number} {i.filename}  {i.mark}  "
                       f"届满 {i.period_ends_on.isoformat()}（{when}）")
    if not items and not as_json:
        click.echo(f"{within_days} 天内没有保密期限届满的文件")


@records.command("expire")
@_as_option
@_json_option
def records_expire(actor: str | None, as_json: bool) -> None:
    """Declassify every secret whose period has ended (自行解密; safe to run again)."""
    with signed_in(actor) as (wf, me):
        run = wf.expire_due(me.id)
    if as_json:
        emit({"declassified": [{"id": d.id, "level": d.level,
                                "declassified_on": d.declassified_on.isoformat()
                                if d.declassified_on else None} for d in run.declassified]})
        return
    for d in run.declassified:
        click.echo(f"已解密 #{d.id} {d.filename}（作为{d.level}事项管理）")
    click.echo(f"本次解密 {len(run.declassified)} 件")


@records.command("review")
@click.option("-o", "--output", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="XLSX file to write.")
@click.option("--catalogue", "new_catalogue", default=None,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A new catalogue version: mark records whose clause changed or went.")
@_as_option
def records_review(output: Path, new_catalogue: Path | None, actor: str | None) -> None:
    """Write the annual review (every secret in force, remaining period or condition) as XLSX."""
    from classifier.catalogue import load_catalogue
    from classifier.workflow.outputs import review_to_xlsx

    new = load_catalogue(new_catalogue) if new_catalogue else None
    with signed_in(actor) as (wf, me):
        items = wf.annual_review(me.id, new_catalogue=new)
    _write_file(output, review_to_xlsx(items))
    click.echo(f"已导出年度审核清单 {len(items)} 条到 {output}")


@records.command("form")
@click.argument("doc_id", type=int)
@click.option("-o", "--output", required=True,
              type=click.Path(dir_okay=False, path_type=Path), help="DOCX file to write.")
@_as_option
def records_form(doc_id: int, output: Path, actor: str | None) -> None:
    """Write the approval form (定密审批表) of a document as DOCX."""
    with signed_in(actor) as (wf, me):
        data = wf.approval_form(me.id, doc_id)
    _write_file(output, data)
    click.echo(f"已生成定密审批表：{output}")


@click.command("mark")
@click.argument("doc_id", type=int)
@click.option("-o", "--output", required=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="File to write (the marked DOCX or PDF).")
@click.option("--copy", "copy_number", type=click.IntRange(1, 999999), default=1,
              show_default=True, help="份号 printed on line 1.")
@_as_option
def mark(doc_id: int, output: Path, copy_number: int, actor: str | None) -> None:
    """Write a copy of a settled document with its marks (GB/T 9704); the original is kept."""
    with signed_in(actor) as (wf, me):
        copy = wf.marked_copy(me.id, doc_id, copy_number=copy_number)
    _write_file(output, copy.data)
    for w in copy.warnings:
        click.echo(f"注意：{w}", err=True)
    shown = " / ".join(copy.text_lines) or "（公开，无标志）"
    click.echo(f"已生成标志件 {output}：{shown}")


COMMANDS = [review, records, mark]
