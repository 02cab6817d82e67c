"""``dingmi backup`` and ``dingmi restore``: the data home in one verified archive, and back.

Both are for the system or the security administrator. ``backup`` authenticates like every
command (``--as`` with a password, or ``DINGMI_TOKEN``); ``restore`` checks the password
against the archive's own accounts (the data home may be empty), and with ``--force`` also
against the database it replaces. PostgreSQL is refused before any credential is asked:
its backups are ``pg_dump``'s job.

Source: issue 11 (§8 ``dingmi backup`` and ``dingmi restore``).
"""

from __future__ import annotations

from pathlib import Path

import click

from classifier.cli.accounts import _secret, as_option, emit, signed_in
from classifier.cli.group import json_option
from classifier.errors import AuthenticationRequiredError


@click.command("backup")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The archive to write (a tar file, 0600; must not exist).")
@as_option
@json_option()
def backup(output: Path, actor: str | None, as_json: bool) -> None:
    """Back up the data home (system or security administrator): the SQLite database copied
    with the online backup API and its audit chain verified on the copy, with the models,
    keys and originals, in one tar archive with a sha256 manifest. Prints the archive's
    sha256 to file on paper (restore --sha256 checks it)."""
    from classifier.config import Settings
    from classifier.workflow.backup import create_backup, require_sqlite

    settings = Settings.from_env()
    require_sqlite(settings)
    with signed_in(actor) as (wf, me):
        rep = create_backup(wf, me.id, Path(settings.home), output)
    if as_json:
        emit({"archive": str(rep.archive), "sha256": rep.sha256, "size": rep.size,
              "files": len(rep.manifest.files), "chain_count": rep.manifest.chain_count,
              "chain_head": rep.manifest.chain_head, "created_at": rep.manifest.created_at})
        return
    click.echo(f"已备份到《{rep.archive.name}》：{len(rep.manifest.files)} 个文件，"
               f"审计记录 {rep.manifest.chain_count} 条，校验通过")
    click.echo(f"sha256 {rep.sha256}")
    click.echo("请打印此校验值存档；恢复时可用 dingmi restore --sha256 核对。", err=True)


@click.command("restore")
@click.argument("archive", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True,
              help="Replace a data home that holds data (the old one is moved aside, kept).")
@click.option("--sha256", "expected", default=None,
              help="The archive's sha256 printed by dingmi backup: any other file is refused.")
@as_option
@json_option()
def restore(archive: Path, force: bool, expected: str | None, actor: str | None,
            as_json: bool) -> None:
    """Restore a backup into the data home (DINGMI_HOME): refuses an archive in which any
    byte changed or whose audit record does not verify, and a data home that holds data
    unless --force. The password (DINGMI_PASSWORD, prompt or stdin) is checked against the
    archive's accounts: a system or security administrator."""
    from classifier.config import Settings
    from classifier.workflow.backup import require_sqlite, restore_home

    settings = Settings.from_env()
    require_sqlite(settings)
    if not actor:
        raise AuthenticationRequiredError("请用 --as 指定备份中的系统管理员或安全保密管理员，并提供其口令")
    password = _secret("DINGMI_PASSWORD", f"{actor} 的口令")
    if not password:
        raise AuthenticationRequiredError(f"--as {actor} 不是身份凭证：须提供该用户的口令；未做任何操作")
    rep = restore_home(archive, settings, name=actor, password=password, force=force,
                       expected_sha256=expected)
    if as_json:
        emit({"home": str(rep.home), "sha256": rep.sha256, "files": len(rep.manifest.files),
              "backup_created_at": rep.manifest.created_at,
              "backup_created_by": rep.manifest.created_by,
              "replaced": str(rep.replaced) if rep.replaced else None})
        return
    click.echo(f"已恢复 {rep.manifest.created_at[:19]} 由{rep.manifest.created_by}所做的备份："
               f"{len(rep.manifest.files)} 个文件，审计记录校验通过")
    if rep.replaced:
        click.echo(f"原数据已移至《{rep.replaced.name}》保留，确认无误后由管理员按规定处理。")


COMMANDS = [backup, restore]
