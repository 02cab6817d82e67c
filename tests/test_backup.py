"""``dingmi backup`` and ``dingmi restore`` (issue 11 §8) on real SQLite data homes: a backup
restored into a fresh home verifies, its documents open for their readers and its model
loads; a flipped byte anywhere in the archive, a rewritten record, a full data home, the wrong
role and PostgreSQL are each refused with their code."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.catalogue import Level
from classifier.cli import main
from classifier.config import Settings
from classifier.errors import BackupTamperedError
from classifier.workflow import Classification, Workflow
from classifier.workflow.backup import DATABASE, restore_home, unpack_archive
from tests.conftest import PASSWORD, install_model

TEXT = ("关于拟任干部人选的请示\n经部务会研究，拟提名张某某同志为市财政局局长人选。"
        "以上人选尚未公布，请严格控制知悉范围。")
PEOPLE = (("系统管理员", "sysadmin"), ("安全审计员", "auditor"), ("张承办", "drafter"),
          ("李主任", "director"), ("赵副主任", "director"))


def _cli(args, code=0):
    res = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert res.exit_code == code, (args, res.output)
    assert "Traceback" not in res.output
    return res


def _home(path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("DINGMI_HOME", str(path))
    return path


def _filled_home(home: Path, suggester, model: Path | None = None) -> int:
    """A data home with the people, one settled 机密 document (need to know: 张承办、李主任)
    and, if given, a model signed with this home's key; the document's id."""
    wf = Workflow.open(Settings(home=home))
    try:
        ids = {n: wf.add_user(n, r, password=PASSWORD, must_change_password=False).id
               for n, r in PEOPLE}
        doc = wf.upload(ids["张承办"], TEXT.encode(), "请示.txt", suggester.suggest_upload).document
        wf.propose(ids["张承办"], doc.id, Classification(Level.JIMI, "4.3", 10),
                   scope="张承办、李主任")
        wf.confirm(ids["李主任"], doc.id, reason="同意")
    finally:
        wf.close()
    if model is not None:
        install_model(model, home)
    return doc.id


@pytest.fixture()
def cli_env(monkeypatch):
    monkeypatch.delenv("DINGMI_DATABASE_URL", raising=False)
    monkeypatch.delenv("DINGMI_TOKEN", raising=False)
    monkeypatch.setenv("DINGMI_PASSWORD", PASSWORD)


def test_backup_then_restore_into_a_fresh_home(tmp_path, monkeypatch, cli_env, suggester,
                                               trained_model):
    from classifier.engine.model import TextModel
    from classifier.engine.signing import read_model_key

    old = _home(tmp_path / "old", monkeypatch)
    doc_id = _filled_home(old, suggester, trained_model)
    archive = tmp_path / "备份.tar"
    (out,) = [json.loads(x) for x in _cli(["backup", "-o", archive, "--as", "系统管理员",
                                           "--json"]).stdout.splitlines()]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600 and out["chain_count"] > 5
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert names[:3] == ["manifest.json", "manifest.sha256", DATABASE]
    assert "keys/model.key" in names and f"models/{trained_model.name}/model.npz" in names
    assert not any(n.endswith(".lock") or "tmp/" in n for n in names)
    # the backup is an audit event of the home it was made from
    wf = Workflow.open(Settings(home=old))
    (event,) = [e for e in wf.store.chain() if e.action == "backup"]
    assert (event.detail["sha256"], event.actor_role) == (out["sha256"], "sysadmin")
    wf.close()

    new = _home(tmp_path / "new", monkeypatch)
    res = _cli(["restore", archive, "--as", "系统管理员", "--sha256", out["sha256"]])
    assert "审计记录校验通过" in res.stdout
    assert stat.S_IMODE(new.stat().st_mode) == 0o700
    assert stat.S_IMODE((new / DATABASE).stat().st_mode) == 0o600
    assert "审计记录完好" in _cli(["audit", "verify", "--as", "安全审计员"]).stdout
    wf = Workflow.open(Settings(home=new))
    try:
        reader = wf.store.user_by_name("张承办")
        assert wf.document(doc_id, reader.id).text == TEXT
        (event,) = [e for e in wf.store.chain() if e.action == "restore"]
        assert event.detail["sha256"] == out["sha256"] and not event.detail["replaced"]
    finally:
        wf.close()
    # the model is restored with the key that signed it: it loads in the new home
    model = TextModel.load(new / "models" / trained_model.name,
                           key=read_model_key(Settings(home=new).model_key_path))
    assert model is not None

    # a home with data is not overwritten without --force; with it, the old one is kept aside
    before = sorted(p.name for p in new.iterdir())
    res = _cli(["restore", archive, "--as", "系统管理员"], code=1)
    assert "[home_not_empty]" in res.stderr
    assert sorted(p.name for p in new.iterdir()) == before
    res = _cli(["restore", archive, "--as", "系统管理员", "--force", "--json"])
    aside = Path(json.loads(res.stdout)["replaced"])
    assert (aside / DATABASE).is_file() and (new / DATABASE).is_file()
    assert "审计记录完好" in _cli(["audit", "verify", "--as", "安全审计员"]).stdout


@pytest.fixture()
def small_archive(tmp_path, monkeypatch, cli_env, suggester) -> Path:
    """A backup of a home without a model (fast to flip and restore)."""
    home = _home(tmp_path / "src", monkeypatch)
    _filled_home(home, suggester)
    archive = tmp_path / "small.tar"
    _cli(["backup", "-o", archive, "--as", "系统管理员"])
    return archive


def _offsets(archive: Path) -> dict[str, int]:
    with tarfile.open(archive) as tar:
        m = {x.name: x for x in tar.getmembers()}
    db, man = m[DATABASE], m["manifest.json"]
    return {"database": db.offset_data + db.size // 2, "manifest": man.offset_data + 20,
            "header": db.offset + 3, "padding": man.offset_data + man.size + 1,
            "tail": archive.stat().st_size - 1}


@pytest.mark.parametrize("where", ["database", "manifest", "header", "padding", "tail"])
def test_restore_refuses_an_archive_with_a_flipped_byte(small_archive, tmp_path, monkeypatch,
                                                        where):
    bad = tmp_path / f"bad-{where}.tar"
    shutil.copyfile(small_archive, bad)
    at = _offsets(bad)[where]
    with open(bad, "r+b") as f:
        f.seek(at)
        byte = f.read(1)
        f.seek(at)
        f.write(bytes([byte[0] ^ 0x01]))
    home = _home(tmp_path / f"restored-{where}", monkeypatch)
    res = _cli(["restore", bad, "--as", "系统管理员"], code=1)
    assert "[backup_tampered]" in res.stderr and str(tmp_path) not in res.output
    assert not home.exists() or not any(home.iterdir())
    assert not [p for p in tmp_path.iterdir() if ".restore-" in p.name]  # nothing left over


def test_restore_refuses_a_rewritten_record_with_a_recomputed_manifest(small_archive,
                                                                       tmp_path):
    """Whoever edits the database and recomputes every digest gets past the manifest, not the
    audit chain (and --sha256 finds any change at all)."""
    import hashlib

    work = tmp_path / "unpacked"
    work.mkdir()
    manifest = unpack_archive(small_archive, work)
    db = sqlite3.connect(work / DATABASE)
    with db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
            db.execute(f"DROP TRIGGER {name}")
        db.execute("UPDATE documents SET level = '公开'")
    db.close()
    files = {**manifest.files, DATABASE: hashlib.sha256((work / DATABASE).read_bytes()).hexdigest()}
    forged = type(manifest)(manifest.created_at, manifest.created_by, manifest.chain_count,
                            manifest.chain_head, files)
    body = forged.to_json()
    bad = tmp_path / "forged.tar"
    with tarfile.open(bad, "w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in (("manifest.json", body),
                           ("manifest.sha256", hashlib.sha256(body).hexdigest().encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            import io

            tar.addfile(info, io.BytesIO(data))
        for name in files:
            tar.add(work / name, arcname=name)
    settings = Settings(home=tmp_path / "forged-home")
    with pytest.raises(BackupTamperedError, match=r"\[backup_tampered\].*审计记录"):
        restore_home(bad, settings, name="系统管理员", password=PASSWORD)
    assert not settings.home.exists()
    with pytest.raises(BackupTamperedError, match="sha256"):
        restore_home(small_archive, settings, name="系统管理员", password=PASSWORD,
                     expected_sha256=hashlib.sha256(bad.read_bytes()).hexdigest())


def test_backup_and_restore_are_for_the_administrators_only(small_archive, tmp_path,
                                                            monkeypatch):
    res = _cli(["backup", "-o", tmp_path / "x.tar", "--as", "李主任"], code=1)
    assert "[permission_denied]" in res.stderr and not (tmp_path / "x.tar").exists()
    _home(tmp_path / "fresh", monkeypatch)
    res = _cli(["restore", small_archive, "--as", "李主任"], code=1)
    assert "[permission_denied]" in res.stderr
    assert not (tmp_path / "fresh").exists()
    monkeypatch.delenv("DINGMI_PASSWORD")
    res = CliRunner().invoke(main, ["restore", str(small_archive), "--as", "系统管理员"],
                             input="")
    assert res.exit_code == 1 and "[authentication_required]" in res.stderr


def test_backup_of_a_record_that_does_not_verify_is_refused(tmp_path, monkeypatch, cli_env,
                                                            suggester):
    home = _home(tmp_path / "src", monkeypatch)
    _filled_home(home, suggester)
    db = sqlite3.connect(home / DATABASE)
    with db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
            db.execute(f"DROP TRIGGER {name}")
        db.execute("UPDATE documents SET level = '公开'")
    db.close()
    res = _cli(["backup", "-o", tmp_path / "b.tar", "--as", "系统管理员"], code=1)
    assert "[backup_unverified]" in res.stderr and not (tmp_path / "b.tar").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    assert not [p for p in home.iterdir() if p.name.startswith(".backup-")]


@pytest.mark.parametrize("verb", ["backup", "restore"])
def test_postgresql_backups_are_pg_dumps_job(tmp_path, monkeypatch, verb):
    monkeypatch.setenv("DINGMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DINGMI_DATABASE_URL", "postgresql+psycopg://dingmi@127.0.0.1:1/dingmi")
    args = ["backup", "-o", tmp_path / "x.tar"] if verb == "backup" else ["restore",
                                                                          tmp_path / "x.tar"]
    res = _cli([*args, "--as", "系统管理员"], code=1)
    assert "[backup_unsupported]" in res.stderr and "pg_dump" in res.stderr
    assert not os.path.exists(tmp_path / "home" / DATABASE)


def test_encrypted_database_holds_no_readable_text_and_backs_up_encrypted(
        tmp_path, monkeypatch, cli_env, suggester):
    """SQLCipher (issue 11 §8): with DINGMI_DATABASE_KEY_FILE the file does not contain a
    stored document's text; without the key or with another one it is refused with a code;
    its backup stays encrypted and restores with the key."""
    pytest.importorskip("sqlcipher3")
    from classifier.errors import DatabaseKeyError
    from classifier.store import Store

    key_file = tmp_path / "db.key"
    key_file.write_text("Ein-Schlüssel'2026\n", encoding="utf-8")
    monkeypatch.setenv("DINGMI_DATABASE_KEY_FILE", str(key_file))
    settings = Settings.from_env()
    assert settings.database_key == "Ein-Schlüssel'2026" and "Schl" not in repr(settings)
    home = _home(tmp_path / "enc", monkeypatch)
    settings = Settings.from_env()
    wf = Workflow.open(settings)
    try:
        ids = {n: wf.add_user(n, r, password=PASSWORD, must_change_password=False).id
               for n, r in PEOPLE}
        doc = wf.upload(ids["张承办"], TEXT.encode(), "请示.txt", suggester.suggest_upload).document
    finally:
        wf.close()
    raw = (home / DATABASE).read_bytes()
    assert "市财政局局长人选".encode() not in raw and b"SQLite format 3" not in raw
    for url in (f"sqlite:///{home / DATABASE}",
                f"sqlite+pysqlcipher://:other@/{home / DATABASE}"):
        with pytest.raises(DatabaseKeyError, match=r"^\[database_key_invalid\] "):
            Store.from_url(url)

    archive = tmp_path / "enc.tar"
    _cli(["backup", "-o", archive, "--as", "系统管理员"])
    with tarfile.open(archive) as tar:
        copy = tar.extractfile(DATABASE).read()
    assert "市财政局局长人选".encode() not in copy
    _home(tmp_path / "enc-restored", monkeypatch)
    _cli(["restore", archive, "--as", "系统管理员"])
    assert "审计记录完好" in _cli(["audit", "verify", "--as", "安全审计员"]).stdout
    wf = Workflow.open(Settings.from_env())
    try:
        assert wf.document(doc.id, wf.store.user_by_name("张承办").id).text == TEXT
    finally:
        wf.close()
