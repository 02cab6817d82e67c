"""Who is acting on the command line: credentials, and the account, token, admin, audit verbs.

Every verb that reads or changes the database authenticates the person: a password
(``DINGMI_PASSWORD``, else a hidden prompt on a terminal, else the first line of standard
input) for the user named by ``--as`` (or ``DINGMI_USER``), or a personal token the person
created (``DINGMI_TOKEN``; ``dingmi token create``). ``--as`` alone is not a credential: it is
refused with ``[authentication_required]`` and nothing changes. A password login opens a
session for the one command and closes it after.

``dingmi admin init`` (the first three administrators, on the server) needs no credential and
refuses to run once administrators exist, unless ``--force`` with a recorded reason.

Source: issue 11 (§4 the CLI is not a back door; §3 三员; §6 ``audit verify``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime
from typing import Any

import click

from classifier.cli.group import emit_json, json_option
from classifier.errors import (
    AdminExistsError,
    AuthenticationError,
    AuthenticationRequiredError,
    UsageError,
)
from classifier.workflow import EVENT_LABELS, Role, User, Workflow

as_option = click.option("--as", "actor", default=None, envvar="DINGMI_USER",
                         help="Acting user's name (or DINGMI_USER); with a password "
                              "(DINGMI_PASSWORD, prompt or stdin) or DINGMI_TOKEN.")


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    return obj


def emit(obj: Any) -> None:
    """Print one JSON object (datetimes as ISO text)."""
    emit_json(_jsonable(obj))


@contextmanager
def open_workflow() -> Iterator[Workflow]:
    """The workflow over the database of the environment's settings."""
    from classifier.catalogue import load_catalogue
    from classifier.config import Settings

    settings = Settings.from_env()
    wf = Workflow.open(settings, load_catalogue(settings.catalogue_path))
    try:
        yield wf
    finally:
        wf.close()


def _secret(env: str, prompt: str) -> str:
    """A password: from ``env``, a hidden prompt on a terminal, or the next stdin line."""
    value = os.environ.get(env)
    if value:
        return value
    if sys.stdin is not None and sys.stdin.isatty():
        return str(click.prompt(prompt, hide_input=True, default="", show_default=False))
    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line.rstrip("\r\n")


@contextmanager
def signed_in(actor: str | None, *, allow_password_change: bool = False,
              ) -> Iterator[tuple[Workflow, User]]:
    """The workflow and the authenticated user (password or personal token), for one command.

    Raises
    ------
    AuthenticationRequiredError
        No password and no token: ``--as`` alone is refused, nothing is done.
    """
    with open_workflow() as wf:
        token = os.environ.get("DINGMI_TOKEN")
        if token:
            user = wf.token_user(token)
            if actor and actor != user.name:
                raise AuthenticationError(f"个人令牌不属于用户“{actor}”")
            yield wf, user
            return
        if not actor:
            raise AuthenticationRequiredError(
                "请用 --as 指定用户并提供其口令（DINGMI_PASSWORD、交互输入或标准输入），"
                "或设置个人令牌 DINGMI_TOKEN")
        password = _secret("DINGMI_PASSWORD", f"{actor} 的口令")
        if not password:
            raise AuthenticationRequiredError(
                f"--as {actor} 不是身份凭证：须提供该用户的口令（DINGMI_PASSWORD、交互输入或标准输入）"
                "或个人令牌（DINGMI_TOKEN）；未做任何操作")
        cred = wf.login(actor, password, via="cli")
        try:
            yield wf, wf.session_user(cred.token, allow_password_change=allow_password_change)
        finally:
            wf.logout(cred.token)


def _user_dict(u: User) -> dict[str, Any]:
    d = asdict(u)
    d["role_label"] = Role(u.role).label
    return d


# --- users (the system administrator; roles: the security administrator) ---


@click.group()
def users() -> None:
    """Accounts: the system administrator adds, resets, unlocks, disables; the security
    administrator assigns roles."""


@users.command("add")
@click.argument("name")
@as_option
@json_option()
def users_add(name: str, actor: str | None, as_json: bool) -> None:
    """Add an account (system administrator). Its first password: DINGMI_NEW_PASSWORD or
    the next stdin line; it must be changed at first login. A role is assigned by the
    security administrator (users role)."""
    with signed_in(actor) as (wf, me):
        password = _secret("DINGMI_NEW_PASSWORD", f"{name} 的初始口令")
        u = wf.create_account(me.id, name, password)
    emit(_user_dict(u)) if as_json else click.echo(
        f"已添加用户 #{u.id} {u.name}（尚未分配角色；首次登录须修改口令）")


@users.command("role")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]),
              help="The role to assign.")
@as_option
@json_option()
def users_role(name: str, role: str, actor: str | None, as_json: bool) -> None:
    """Assign a role (security administrator)."""
    with signed_in(actor) as (wf, me):
        u = wf.assign_role(me.id, wf.account_by_name(me.id, name).id, role)
    emit(_user_dict(u)) if as_json else click.echo(f"已将 {u.name} 的角色设为{Role(u.role).label}")


@users.command("reset-password")
@click.argument("name")
@as_option
def users_reset_password(name: str, actor: str | None) -> None:
    """Set a new first password (system administrator): DINGMI_NEW_PASSWORD or stdin."""
    with signed_in(actor) as (wf, me):
        target = wf.account_by_name(me.id, name)
        password = _secret("DINGMI_NEW_PASSWORD", f"{name} 的新初始口令")
        wf.reset_password(me.id, target.id, password)
    click.echo(f"已重置 {name} 的口令（首次登录须修改）")


@users.command("unlock")
@click.argument("name")
@as_option
def users_unlock(name: str, actor: str | None) -> None:
    """Lift a lockout (system administrator)."""
    with signed_in(actor) as (wf, me):
        wf.unlock(me.id, wf.account_by_name(me.id, name).id)
    click.echo(f"已解除 {name} 的锁定")


@users.command("disable")
@click.argument("name")
@as_option
def users_disable(name: str, actor: str | None) -> None:
    """Disable an account (system administrator)."""
    with signed_in(actor) as (wf, me):
        wf.disable(me.id, wf.account_by_name(me.id, name).id)
    click.echo(f"已停用 {name}")


@users.command("list")
@as_option
@json_option()
def users_list(actor: str | None, as_json: bool) -> None:
    """List accounts (system or security administrator)."""
    with signed_in(actor) as (wf, me):
        accounts = wf.accounts(me.id)
    for u in accounts:
        emit(_user_dict(u)) if as_json else click.echo(
            f"#{u.id} {u.name}  {Role(u.role).label}（{u.role}）"
            + ("" if u.active else "  已停用") + ("  已锁定" if u.locked_until else ""))


# --- one's own password and tokens ---


@click.command("passwd")
@as_option
def passwd(actor: str | None) -> None:
    """Change your password: the old one as for any command, the new one from
    DINGMI_NEW_PASSWORD or the next stdin line."""
    with signed_in(actor, allow_password_change=True) as (wf, me):
        old = os.environ.get("DINGMI_PASSWORD", "")
        new = _secret("DINGMI_NEW_PASSWORD", "新口令")
        if not old:
            raise UsageError("修改口令须以口令登录（不能用个人令牌）")
        wf.change_password(me.id, old, new)
    click.echo("口令已修改")


@click.group()
def token() -> None:
    """Your personal command-line tokens (DINGMI_TOKEN): create, list, revoke."""


@token.command("create")
@click.option("--name", default="命令行", help="What the token is for.")
@as_option
@json_option()
def token_create(name: str, actor: str | None, as_json: bool) -> None:
    """Create a token; it is shown once (only its sha256 is kept)."""
    with signed_in(actor) as (wf, me):
        t, value = wf.create_token(me.id, name)
    if as_json:
        emit({**asdict(t), "token": value})
    else:
        click.echo(f"令牌 #{t.id}（{t.name}）：{value}")
        click.echo("请妥善保存：此令牌只显示这一次。使用时设置 DINGMI_TOKEN。", err=True)


@token.command("list")
@as_option
@json_option()
def token_list(actor: str | None, as_json: bool) -> None:
    """Your tokens with their last use."""
    from classifier.workflow.register import format_time

    with signed_in(actor) as (wf, me):
        for t in wf.tokens(me.id):
            emit(asdict(t)) if as_json else click.echo(
                f"#{t.id} {t.name}  创建 {format_time(t.created_at)}  最近使用 "
                f"{format_time(t.last_used_at) or '从未'}"
                + (f"  已吊销 {format_time(t.revoked_at)}" if t.revoked_at else ""))


@token.command("revoke")
@click.argument("token_id", type=int)
@as_option
def token_revoke(token_id: int, actor: str | None) -> None:
    """Revoke one of your tokens."""
    with signed_in(actor) as (wf, me):
        wf.revoke_token(me.id, token_id)
    click.echo(f"已吊销令牌 #{token_id}")


# --- admin init (no credential: the server's first step) ---


@click.group()
def admin() -> None:
    """Server setup: the first administrators."""


@admin.command("init")
@click.option("--sysadmin", default="系统管理员", show_default=True)
@click.option("--secadmin", default="安全保密管理员", show_default=True)
@click.option("--auditor", default="安全审计员", show_default=True)
@click.option("--force", is_flag=True, help="Even though administrators exist (needs --reason).")
@click.option("--reason", default="", help="Why --force is used (recorded).")
def admin_init(sysadmin: str, secadmin: str, auditor: str, force: bool, reason: str) -> None:
    """Create the system administrator, the security administrator and the auditor.

    First passwords: DINGMI_SYSADMIN_PASSWORD, DINGMI_SECADMIN_PASSWORD,
    DINGMI_AUDITOR_PASSWORD, else prompts or three stdin lines; each is changed at first login.
    """
    with open_workflow() as wf:
        if wf.has_admins() and not force:
            raise AdminExistsError("数据库中已有管理员；如确需重新初始化，请加 --force 并用 --reason 说明理由")
        accounts = [(sysadmin, Role.SYSADMIN, _secret("DINGMI_SYSADMIN_PASSWORD",
                                                      f"{sysadmin} 的初始口令")),
                    (secadmin, Role.SECADMIN, _secret("DINGMI_SECADMIN_PASSWORD",
                                                      f"{secadmin} 的初始口令")),
                    (auditor, Role.AUDITOR, _secret("DINGMI_AUDITOR_PASSWORD",
                                                    f"{auditor} 的初始口令"))]
        made = wf.init_admins(accounts, force=force, reason=reason)
    for u in made:
        click.echo(f"已创建 {Role(u.role).label} {u.name}（#{u.id}；首次登录须修改口令）")


# --- the audit record (the auditor) ---


@click.group()
def audit() -> None:
    """The audit record (security auditor): verify the hash chain, export its head."""


@audit.command("verify")
@click.option("--head", "expected_head", default=None,
              help="A head hash exported earlier (audit head): must still be in the chain.")
@as_option
@json_option()
def audit_verify(expected_head: str | None, actor: str | None, as_json: bool) -> None:
    """Walk the chain and the documents; exit 1 and name the first problem if any."""
    with signed_in(actor) as (wf, me):
        report = wf.audit_verify(me.id, expected_head)
    if as_json:
        emit({"ok": report.ok, "count": report.count, "head": report.head,
              "head_id": report.head_id, "problems": [asdict(p) for p in report.problems]})
    elif report.ok:
        click.echo(f"审计记录完好：共 {report.count} 条，链头 #{report.head_id} {report.head}")
    else:
        click.echo(f"审计记录被改动：发现 {len(report.problems)} 处问题", err=True)
        for p in report.problems:
            click.echo(f"  [{p.kind}] {p.message}", err=True)
    if not report.ok:
        sys.exit(1)


@audit.command("head")
@as_option
@json_option()
def audit_head(actor: str | None, as_json: bool) -> None:
    """Print the chain's head hash (count, last id), to print and file on paper."""
    with signed_in(actor) as (wf, me):
        report = wf.audit_verify(me.id)
    out = {"count": report.count, "head_id": report.head_id, "head": report.head,
           "ok": report.ok}
    emit(out) if as_json else click.echo(json.dumps(out, ensure_ascii=False))


@audit.command("log")
@as_option
@json_option()
def audit_log(actor: str | None, as_json: bool) -> None:
    """The whole audit record, oldest first (security auditor)."""
    from classifier.workflow.register import format_time

    with signed_in(actor) as (wf, me):
        events = wf.audit_events(me.id)
    for e in events:
        emit(asdict(e)) if as_json else click.echo(
            f"#{e.id} {format_time(e.created_at)} {EVENT_LABELS.get(e.action, e.action)} "
            f"用户#{e.actor_id or '—'} 文件#{e.document_id or '—'} {e.reason}")


COMMANDS = [users, passwd, token, admin, audit]
