"""CLI verbs of the workflow: ``dingmi review …``, ``dingmi users …``, ``dingmi records …``.

As thin as the app pages: each command parses its options, calls one
:class:`classifier.workflow.Workflow` method and prints the result (human text, or with
``--json`` one JSON object per line). A refused action exits with status 1 and its coded
message (``[stale_version] …``); with ``--json`` the message is also printed as
``{"error": {"code", "message"}}`` so that a script can branch on the code (the one rule of
:mod:`classifier.cli.group`). The acting user is authenticated
(:func:`classifier.cli.accounts.signed_in`): ``--as NAME`` with that person's password, or
a personal token; ``--as`` alone is refused.

Source: issue 3 (§4 users, §6 CLI for the same verbs).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from classifier.catalogue import LEVEL_LABELS, Level
from classifier.cli.accounts import as_option, emit, signed_in
from classifier.cli.group import json_option
from classifier.workflow import (
    ACTION_LABELS,
    Action,
    Classification,
    DocumentSummary,
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
    d = asdict(s)
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
    click.echo(f"    {who}；系统建议 {s.suggested_level or '—'} {s.suggested_clause or ''}")


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
    """Register files (or open the existing record of the same bytes) with a suggestion."""
    from classifier.config import Settings
    from classifier.suggest import Suggester

    with signed_in(actor) as (wf, me):
        sg = Suggester.load(Settings.from_env())
        for p in paths:
            r = wf.upload(me.id, p.read_bytes(), p.name, sg.suggest_upload)
            if as_json:
                emit({"document_id": r.document.id, "created": r.created,
                       "version": r.document.version, "status": r.document.status,
                       "suggestion": r.suggestion.payload if r.suggestion else None})
            else:
                word = "已登记" if r.created else "已存在（打开原记录）"
                click.echo(f"{word} #{r.document.id} v{r.document.version} {p.name}")


@review.command("propose")
@click.argument("doc_id", type=int)
@_as_option
@_classification_options
@click.option("--scope", default="", help="Need-to-know scope (知悉范围); required for secrets.")
@click.option("--note", default="", help="Note for the reviewer.")
@_version_option
@_json_option
def review_propose(doc_id: int, actor: str, level: str, clause: str | None, years: int | None,
                   condition: str | None, scope: str, note: str, expect_version: int | None,
                   as_json: bool) -> None:
    """Propose the level of an uploaded document (拟定)."""
    _act(actor, doc_id, as_json, lambda w, uid: w.propose(
        uid, doc_id, _classification(level, clause, years, condition),
        scope=scope, note=note, expected_version=expect_version))


@review.command("confirm")
@click.argument("doc_id", type=int)
@_as_option
@click.option("--reason", default="", help="Optional remark.")
@_passage_option
@_version_option
@_json_option
def review_confirm(doc_id: int, actor: str, reason: str, passages: list[tuple[int, int]] | None,
                   expect_version: int | None, as_json: bool) -> None:
    """Confirm a proposal as it stands (director)."""
    _act(actor, doc_id, as_json, lambda w, uid: w.confirm(
        uid, doc_id, reason=reason, expected_version=expect_version, passages=passages))


@review.command("override")
@click.argument("doc_id", type=int)
@_as_option
@_classification_options
@click.option("--reason", required=True, help="Why the proposal is changed (required).")
@_passage_option
@_version_option
@_json_option
def review_override(doc_id: int, actor: str, level: str, clause: str | None, years: int | None,
                    condition: str | None, reason: str, passages: list[tuple[int, int]] | None,
                    expect_version: int | None, as_json: bool) -> None:
    """Override a proposal with another level, clause or period (director)."""
    _act(actor, doc_id, as_json, lambda w, uid: w.override(
        uid, doc_id, _classification(level, clause, years, condition),
        reason=reason, expected_version=expect_version, passages=passages))


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
@_version_option
@_json_option
def review_decide(doc_id: int, actor: str, level: str, clause: str | None, years: int | None,
                  condition: str | None, reason: str, passages: list[tuple[int, int]] | None,
                  expect_version: int | None, as_json: bool) -> None:
    """Decide an escalated matter (leading group)."""
    _act(actor, doc_id, as_json, lambda w, uid: w.decide(
        uid, doc_id, _classification(level, clause, years, condition),
        reason=reason, expected_version=expect_version, passages=passages))


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


COMMANDS = [review, records]
