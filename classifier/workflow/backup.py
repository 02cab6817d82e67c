"""Backups and restores of a data home: one tar archive with a sha256 manifest.

:func:`create_backup` (``dingmi backup``) copies the live SQLite database through SQLite's
online backup API (:func:`classifier.store.backup.copy_database`), runs the audit chain
verification (:func:`classifier.workflow.audit.verify_record`) on the copy and refuses to
write a backup of a record that does not verify; then it packs the copy with the data home's
``models/``, ``keys/`` (the model-signing key: without it no restored model would load),
``originals/`` and ``userdict.txt`` into one tar file, 0600, written beside its final name and
renamed into place, so there is never a half-written archive. The archive's first members are
``manifest.json`` (the sha256 of every other member, who made it and when, the copy's chain
head) and ``manifest.sha256`` (the manifest's own sha256). The backup is an audit event.

:func:`restore_home` (``dingmi restore``) refuses an archive in which any byte changed — a
member that differs from its sha256, a manifest that differs from its own, a tar header whose
checksum fails, a byte outside the members (tar's zero padding) that is not zero — and one
whose database's audit chain does not verify, each with ``backup_tampered``; it refuses a data
home that already holds data unless ``force`` (the data home found there is kept aside, not
deleted). The person is authenticated against the archive's own accounts (and, with
``force``, against the database being replaced) and must be a system or security
administrator; the restore is an audit event in the restored database.

A manifest proves the archive is whole, not who made it: someone who rewrites the database
and recomputes every digest makes an archive that unpacks — the audit chain verification
then finds the edited record, and ``expected_sha256`` (the archive's sha256 that
``dingmi backup`` prints, to be filed on paper) finds any change at all.

PostgreSQL databases are backed up with ``pg_dump`` (``backup_unsupported``).

Source: issue 11 (§8 data at rest: "dingmi backup (SQLite online backup API, verified by
audit verify on the copy) and dingmi restore"); 分级保护 practice (the system administrator
keeps the backups, 三员分立).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO

from classifier.config import Settings
from classifier.errors import (
    BackupError,
    BackupTamperedError,
    BackupUnsupportedError,
    BackupUnverifiedError,
    HomeNotEmptyError,
    PermissionDeniedError,
    UsageError,
)
from classifier.store import ChainReport, Store, User
from classifier.store.backup import (
    PG_DUMP_MESSAGE,
    copy_database,
    rollback_journal,
    sqlite_file,
    url_for_copy,
)
from classifier.workflow.audit import verify_record
from classifier.workflow.service import Workflow
from classifier.workflow.states import Role

#: Who may back up and restore a data home: the system and the security administrator.
BACKUP_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN})
#: ``format`` of the manifest.
FORMAT = "dingmi-backup/1"
MANIFEST = "manifest.json"
MANIFEST_SHA256 = "manifest.sha256"
#: The database's name inside the archive.
DATABASE = "dingmi.sqlite3"
#: What of the data home goes into a backup besides the database (those present).
HOME_PARTS = ("models", "keys", "originals", "userdict.txt")
#: Files never backed up (a lock file's presence means nothing in another home).
_SKIP_NAMES = frozenset({".lock"})


@dataclass(frozen=True)
class BackupManifest:
    """What an archive holds.

    Attributes
    ----------
    created_at : str
        When the backup was made (ISO 8601, UTC).
    created_by : str
        The administrator who made it.
    chain_count : int
        Events in the copy's audit record.
    chain_head : str
        The copy's audit chain head (sha256 hex).
    files : dict of str -> str
        Member name (``dingmi.sqlite3``, ``models/…``, ``keys/…``) → sha256 hex.
    """

    created_at: str
    created_by: str
    chain_count: int
    chain_head: str
    files: dict[str, str]

    def to_json(self) -> bytes:
        """The manifest as stored (UTF-8 JSON, keys sorted)."""
        return json.dumps({"format": FORMAT, "created_at": self.created_at,
                           "created_by": self.created_by, "chain_count": self.chain_count,
                           "chain_head": self.chain_head, "files": self.files},
                          ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


@dataclass(frozen=True)
class BackupReport:
    """A backup written: where, its sha256 (to file on paper), what it holds."""

    archive: Path
    sha256: str
    size: int
    manifest: BackupManifest


@dataclass(frozen=True)
class RestoreReport:
    """A restore done: the data home, the archive's sha256, what it held, by whom, and where
    the data home that was there before went (``force``), if any."""

    home: Path
    sha256: str
    manifest: BackupManifest
    restored_by: str
    replaced: Path | None


def require_sqlite(settings: Settings) -> Path:
    """The SQLite database file of ``settings``.

    Raises
    ------
    BackupUnsupportedError
        The settings use PostgreSQL: its backups are ``pg_dump``'s job.
    """
    db = sqlite_file(settings.db_url)
    if db is None:
        raise BackupUnsupportedError(PG_DUMP_MESSAGE)
    return db


def require_backup_role(wf: Workflow, actor_id: int) -> User:
    """The acting user, if a system or security administrator (:data:`BACKUP_ROLES`).

    Raises
    ------
    PermissionDeniedError
        Any other role.
    """
    actor = wf.store.user(actor_id)
    if Role(actor.role) not in BACKUP_ROLES:
        raise PermissionDeniedError(
            f"{Role(actor.role).label}无权备份或恢复数据（仅限系统管理员、安全保密管理员）")
    return actor


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _home_files(home: Path) -> Iterator[tuple[str, Path]]:
    """(member name, path) of every regular file of :data:`HOME_PARTS` (links not followed)."""
    for part in HOME_PARTS:
        top = home / part
        if top.is_file() and not top.is_symlink():
            yield part, top
        elif top.is_dir() and not top.is_symlink():
            for path in sorted(top.rglob("*")):
                if path.is_file() and not path.is_symlink() and path.name not in _SKIP_NAMES:
                    yield path.relative_to(home).as_posix(), path


def _tarinfo(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(mtime)
    return info


def create_backup(wf: Workflow, actor_id: int, home: Path, dest: Path, *,
                  now: datetime | None = None) -> BackupReport:
    """``dingmi backup``: the database, models, keys and originals of ``home`` in one archive.

    Parameters
    ----------
    wf : Workflow
        Open on the data home's SQLite database.
    actor_id : int
        A system or security administrator.
    home : pathlib.Path
        The data home (its ``models/``, ``keys/``, ``originals/``, ``userdict.txt``).
    dest : pathlib.Path
        The archive to write (a tar file, 0600); must not exist.
    now : datetime, optional
        The time recorded in the manifest (aware; default: now, UTC).

    Returns
    -------
    BackupReport

    Raises
    ------
    PermissionDeniedError
        Not an administrator of :data:`BACKUP_ROLES`.
    BackupUnsupportedError
        The database is PostgreSQL (``pg_dump`` is its tool).
    BackupUnverifiedError
        The copy's audit record does not verify: nothing is written.
    UsageError
        ``dest`` exists already, or its folder does not.
    DatabaseBusyError
        The database stayed locked.
    """
    actor = require_backup_role(wf, actor_id)
    if wf.store.db_engine.dialect.name != "sqlite":
        raise BackupUnsupportedError(PG_DUMP_MESSAGE)
    dest = Path(dest)
    if dest.exists():
        raise UsageError(f"备份文件《{dest.name}》已存在，请另选文件名")
    if not dest.parent.is_dir():
        raise UsageError(f"备份文件的目录《{dest.parent.name}》不存在")
    when = (now or datetime.now(UTC)).astimezone(UTC)
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=home))  # 0700, on the home's disk
    part = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.part")
    try:
        copy = work / DATABASE
        copy_database(wf.store, copy)
        report = _verified(url_for_copy(
            wf.store.db_engine.url.render_as_string(hide_password=False), copy))
        if not report.ok:
            raise BackupUnverifiedError(
                f"数据库副本的审计记录校验未通过（{report.problems[0].message}），未生成备份；"
                "请安全审计员运行 dingmi audit verify 查明原因")
        members = [(DATABASE, copy), *_home_files(home)]
        digests = {name: _sha256(path) for name, path in members}
        manifest = BackupManifest(when.isoformat(), actor.name, report.count, report.head,
                                  digests)
        body = manifest.to_json()
        own = hashlib.sha256(body).hexdigest().encode("ascii") + b"\n"
        fd = os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "wb") as raw:
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
                for name, data in ((MANIFEST, body), (MANIFEST_SHA256, own)):
                    tar.addfile(_tarinfo(name, len(data), when.timestamp()), io.BytesIO(data))
                for name, path in members:
                    st = path.stat()
                    with open(path, "rb") as f:
                        tar.addfile(_tarinfo(name, st.st_size, st.st_mtime), f)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    sha = _sha256(dest)
    with wf.store.transaction() as tx:
        tx.add_event("backup", actor=tx.user(actor.id),
                     detail={"archive": dest.name, "sha256": sha, "files": len(digests),
                             "chain_count": report.count, "chain_head": report.head})
    return BackupReport(dest, sha, dest.stat().st_size, manifest)


def _verified(url: str) -> ChainReport:
    """The audit verification of a database copy (closed after); left one self-contained file."""
    store = Store.from_url(url)
    try:
        report = verify_record(store)
    finally:
        store.close()
    rollback_journal(url)
    return report


# --- restore ---


def _occupied(home: Path, db: Path) -> bool:
    """Whether the data home (or the database file it uses) already holds anything."""
    if db.exists():
        return True
    if not home.exists():
        return False
    for entry in home.iterdir():
        if entry.name == "tmp" and entry.is_dir() and not any(entry.iterdir()):
            continue
        return True
    return False


def _tampered(why: str) -> BackupTamperedError:
    return BackupTamperedError(f"备份文件未通过完整性校验（{why}），已拒绝恢复，数据目录未作任何改动")


def _member_path(name: str) -> PurePosixPath:
    """A manifest name, checked to stay inside the data home."""
    p = PurePosixPath(name)
    if (p.is_absolute() or not p.parts or any(x in ("", ".", "..") for x in p.parts)
            or (p.parts[0] not in HOME_PARTS and name != DATABASE)):
        raise _tampered(f"清单中的文件名 {name!r} 无效")
    return p


def _zeros(f: IO[bytes], start: int, end: int | None) -> bool:
    """Whether the bytes of ``f`` from ``start`` to ``end`` (EOF when None) are all zero."""
    f.seek(start)
    left = None if end is None else end - start
    while left is None or left > 0:
        chunk = f.read(1 << 20 if left is None else min(1 << 20, left))
        if not chunk:
            return left is None or left == 0
        if chunk.count(0) != len(chunk):
            return False
        if left is not None:
            left -= len(chunk)
    return True


def unpack_archive(archive: Path, into: Path) -> BackupManifest:
    """Check every byte of ``archive`` and unpack it into the empty folder ``into``.

    Returns
    -------
    BackupManifest

    Raises
    ------
    BackupTamperedError
        Not a dingmi backup, or any byte changed (see the module docstring).
    """
    try:
        raw = open(archive, "rb")
    except OSError as e:
        raise UsageError(f"无法读取备份文件《{Path(archive).name}》") from e
    with raw:
        try:
            tar = tarfile.open(fileobj=raw, mode="r:")
        except (tarfile.TarError, EOFError) as e:
            raise _tampered("不是 dingmi 备份文件，或文件头已损坏") from e
        with tar:
            try:
                manifest, body, seen, covered = None, b"", set(), 0
                for member in tar:
                    if member.offset != covered and not _zeros(raw, covered, member.offset):
                        raise _tampered("文件之间的填充字节被改动")
                    covered = member.offset_data + member.size  # padding: checked next
                    if not member.isreg():
                        raise _tampered(f"{member.name} 不是普通文件")
                    f = tar.extractfile(member)
                    assert f is not None
                    if manifest is None:
                        if member.name == MANIFEST and not body:
                            body = f.read(1 << 22)
                            continue
                        if member.name != MANIFEST_SHA256 or not body:
                            raise _tampered("缺少文件清单")
                        if f.read(128).strip().decode("ascii", "replace") != hashlib.sha256(
                                body).hexdigest():
                            raise _tampered("文件清单与其校验值不符")
                        manifest = _manifest(body)
                        continue
                    if member.name in seen or member.name not in manifest.files:
                        raise _tampered(f"{member.name} 不在文件清单中")
                    _copy_checked(f, member, into / _member_path(member.name),
                                  manifest.files[member.name])
                    seen.add(member.name)
                # bytes after the last member: tar's end blocks and record padding, all zero
                if not _zeros(raw, covered, None):
                    raise _tampered("文件尾部被改动")
            except (tarfile.TarError, EOFError, OSError) as e:
                raise _tampered("文件已损坏") from e
    if manifest is None:
        raise _tampered("缺少文件清单")
    missing = sorted(set(manifest.files) - seen)
    if missing:
        raise _tampered(f"缺少文件 {missing[0]}")
    return manifest


def _copy_checked(src: IO[bytes], member: tarfile.TarInfo, dest: Path, sha256: str) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    h = hashlib.sha256()
    fd = os.open(dest, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as out:
        for block in iter(lambda: src.read(1 << 20), b""):
            h.update(block)
            out.write(block)
    if h.hexdigest() != sha256:
        raise _tampered(f"{member.name} 与清单中的校验值不符")
    os.utime(dest, (member.mtime, member.mtime))


def _manifest(body: bytes) -> BackupManifest:
    try:
        d = json.loads(body.decode("utf-8"))
        if d.get("format") != FORMAT:
            raise ValueError(d.get("format"))
        files = {str(k): str(v) for k, v in d["files"].items()}
        for name in files:
            _member_path(name)
        if DATABASE not in files:
            raise ValueError("no database")
        return BackupManifest(str(d["created_at"]), str(d["created_by"]),
                              int(d["chain_count"]), str(d["chain_head"]), files)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as e:
        raise _tampered("文件清单无法读取") from e


def _sign_in(store: Store, settings: Settings, name: str, password: str) -> tuple[Workflow,
                                                                                 User, str]:
    wf = Workflow(store, auth=settings.auth, decision=settings.decision)
    cred = wf.login(name, password, via="cli")
    user = wf.session_user(cred.token)
    require_backup_role(wf, user.id)
    return wf, user, cred.token


def restore_home(archive: Path, settings: Settings, *, name: str, password: str,
                 force: bool = False, expected_sha256: str | None = None,
                 now: datetime | None = None) -> RestoreReport:
    """``dingmi restore``: put a backup in place as the data home of ``settings``.

    Parameters
    ----------
    archive : pathlib.Path
        A file written by :func:`create_backup`.
    settings : Settings
        The data home to restore into, and its SQLite database file.
    name, password : str
        A system or security administrator of the archive's database (and, with ``force``,
        of the database being replaced).
    force : bool
        Replace a data home that holds data; the old one is moved aside (its path is in the
        report), never deleted.
    expected_sha256 : str, optional
        The archive's sha256 as printed by ``dingmi backup``: any other archive is refused.
    now : datetime, optional
        The time of the aside folder's name (aware; default now).

    Returns
    -------
    RestoreReport

    Raises
    ------
    BackupUnsupportedError
        The settings use PostgreSQL (``pg_restore``).
    HomeNotEmptyError
        The data home holds data and ``force`` is not given.
    BackupTamperedError
        The archive is not whole, or its audit record does not verify.
    AuthenticationError, AccountLockedError, PermissionDeniedError
        The person is not an administrator of :data:`BACKUP_ROLES` there.
    """
    db = require_sqlite(settings).absolute()
    home = Path(settings.home).absolute()
    occupied = _occupied(home, db)
    if occupied and not force:
        raise HomeNotEmptyError(f"数据目录《{home.name}》中已有数据，未作改动；"
                                "确需以备份替换现有数据时，请加 --force（原数据将移至旁边保留）")
    archive = Path(archive)
    sha = _sha256(archive) if archive.is_file() else ""
    if not sha:
        raise UsageError(f"备份文件《{archive.name}》不存在")
    if expected_sha256 and expected_sha256.strip().lower() != sha:
        raise _tampered("文件的 sha256 与备份时记录的不符")
    home.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{home.name}.restore-", dir=home.parent))
    try:
        manifest = unpack_archive(archive, staging)
        store = Store.from_url(url_for_copy(settings.db_url, staging / DATABASE),
                               busy_timeout_s=settings.busy_timeout_s)
        try:
            report = verify_record(store)
            if not report.ok:
                raise _tampered(f"数据库的审计记录校验未通过：{report.problems[0].message}")
            if (report.count, report.head) != (manifest.chain_count, manifest.chain_head):
                raise _tampered("数据库的审计记录与清单不符")
            wf, user, token = _sign_in(store, settings, name, password)
            if occupied and db.exists():
                _replace_event(db, settings, name, password, sha, manifest)
            with store.transaction() as tx:
                tx.add_event("restore", actor=tx.user(user.id),
                             detail={"archive": archive.name, "sha256": sha,
                                     "backup_created_at": manifest.created_at,
                                     "backup_created_by": manifest.created_by,
                                     "backup_chain_head": manifest.chain_head,
                                     "files": len(manifest.files), "replaced": occupied})
            wf.logout(token)
        finally:
            store.close()
        replaced = _move_into_place(staging, home, db, occupied, now)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return RestoreReport(home, sha, manifest, user.name, replaced)


def _replace_event(db: Path, settings: Settings, name: str, password: str, sha: str,
                   manifest: BackupManifest) -> None:
    """With ``force``: the same person must be an administrator of the database replaced,
    and the replacement is recorded in it (it is kept aside)."""
    old = Store.from_url(settings.db_url, busy_timeout_s=settings.busy_timeout_s)
    try:
        wf, user, token = _sign_in(old, settings, name, password)
        with old.transaction() as tx:
            tx.add_event("restore_replace", actor=tx.user(user.id),
                         detail={"sha256": sha, "backup_created_at": manifest.created_at})
        wf.logout(token)
    finally:
        old.close()


def _move_into_place(staging: Path, home: Path, db: Path, occupied: bool,
                     now: datetime | None) -> Path | None:
    """Rename the checked copy into place (the old data home, if any, kept aside)."""
    aside = None
    if occupied:
        stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = home.with_name(f"{home.name}.replaced-{stamp}")
        if aside.exists():
            raise BackupError(f"《{aside.name}》已存在，请稍后重试")
        aside.mkdir(mode=0o700)
        if home.exists():
            for entry in home.iterdir():
                os.replace(entry, aside / entry.name)
        if db.exists():
            shutil.move(db, aside / db.name)
            for suffix in ("-wal", "-shm"):
                side = db.with_name(db.name + suffix)
                if side.exists():
                    shutil.move(side, aside / side.name)
    home.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(home, 0o700)
    for entry in staging.iterdir():
        target = db if entry.name == DATABASE else home / entry.name
        if entry.name == DATABASE and target.parent != home:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(entry, target)
        else:
            os.replace(entry, target)
    staging.rmdir()
    return aside
