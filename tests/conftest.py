"""All shared fixtures (one conftest, the spaCy rule)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def repo_dir() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def catalogue():
    """The default scope catalogue (corpus/catalogue.toml)."""
    from classifier.catalogue import load_catalogue

    return load_catalogue(REPO / "corpus" / "catalogue.toml")


@pytest.fixture(scope="session")
def session_home(tmp_path_factory) -> Path:
    """A data home for the whole session (holds the trained model)."""
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session")
def settings(session_home):
    """Settings pointing at the session data home."""
    from classifier.config import Settings

    return Settings(home=session_home)


@pytest.fixture(scope="session")
def tokenizer(settings, catalogue):
    """The default tokenizer (rjieba backend where installed)."""
    from classifier.suggest import make_tokenizer

    return make_tokenizer(settings, catalogue)


@pytest.fixture(scope="session")
def trained_model(settings, catalogue, tokenizer) -> Path:
    """Train the default model once per session from corpus/train; return its directory."""
    from classifier.train import train

    rep = train(catalogue, tokenizer, REPO / "corpus" / "train", settings.models_dir, cv_folds=3)
    return rep.model_dir


@pytest.fixture(scope="session")
def suggester(settings, trained_model):
    """A Suggester over the session model."""
    from classifier.suggest import Suggester

    return Suggester.load(settings, model_dir=trained_model)


@pytest.fixture()
def home_env(tmp_path, monkeypatch, session_home, trained_model) -> Path:
    """Point DINGMI_HOME at the session home (model already trained) for CLI tests."""
    monkeypatch.setenv("DINGMI_HOME", str(session_home))
    return session_home




# --- store, workflow and app (issue 3) -------------------------------------------------


@pytest.fixture()
def store(tmp_path):
    """A Store on a real SQLite file under tmp_path (WAL and locking as in production)."""
    from classifier.store import Store

    st = Store.from_url(f"sqlite:///{tmp_path / 'dingmi.sqlite3'}")
    yield st
    st.close()


@pytest.fixture()
def workflow(store, catalogue):
    """The service layer over ``store``, checking clauses against the default catalogue."""
    from classifier.workflow import Workflow

    return Workflow(store, catalogue)


@pytest.fixture()
def people(workflow):
    """One user per role, plus a second director: a namespace with attributes by role."""
    from types import SimpleNamespace

    return SimpleNamespace(
        drafter=workflow.add_user("张承办", "drafter"),
        director=workflow.add_user("李主任", "director"),
        director2=workflow.add_user("赵副主任", "director"),
        leader=workflow.add_user("王组长", "leading_group"),
        admin=workflow.add_user("管理员", "admin"),
    )


@pytest.fixture()
def app_env(tmp_path, monkeypatch, session_home, trained_model) -> Path:
    """Environment for the app: the session model, a fresh SQLite database under tmp_path."""
    db = tmp_path / "app.sqlite3"
    monkeypatch.setenv("DINGMI_HOME", str(session_home))
    monkeypatch.setenv("DINGMI_DATABASE_URL", f"sqlite:///{db}")
    return db


def require_postgres_bin() -> Path:
    """The folder holding PostgreSQL's ``initdb`` and ``pg_ctl``; fails naming the package."""
    import glob
    import shutil

    found = shutil.which("initdb")
    candidates = ([Path(found).parent] if found else []) + [
        Path(p).parent for p in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)]
    for d in candidates:
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    pytest.fail("PostgreSQL server binaries (initdb, pg_ctl) not found: "
                "install Debian's `postgresql` (.ci/run does)", pytrace=False)


@pytest.fixture(scope="session")
def pg_url():
    """A throw-away PostgreSQL cluster on a unix socket.

    Uses the machine's ``initdb``/``pg_ctl`` (on PATH, or Debian's
    ``/usr/lib/postgresql/<version>/bin``) and the ``psycopg`` driver; as root the server runs
    as the ``postgres`` user. A machine without them fails with the package to install
    (``.ci/run`` installs it), never a silent skip.
    """
    import shutil
    import socket
    import subprocess
    import tempfile

    import psycopg  # noqa: F401  (a dev dependency: a missing driver is an install error)

    bindir = require_postgres_bin()
    data = Path(tempfile.mkdtemp(prefix="dingmi-pg-"))  # pytest's tmp dirs are 0700 root
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(data, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = lambda *a: subprocess.run([*prefix, *a], check=True, capture_output=True)  # noqa: E731
    initdb, pg_ctl = str(bindir / "initdb"), str(bindir / "pg_ctl")
    run(initdb, "-D", str(data / "db"), "-A", "trust", "-U", "dingmi", "-E", "UTF8",
        "--locale", "C.UTF-8")
    run(pg_ctl, "-D", str(data / "db"), "-w", "-l", str(data / "log"), "-o",
        f"-k {data} -p {port} -c listen_addresses=''", "start")
    yield f"postgresql+psycopg://dingmi@/postgres?host={data}&port={port}"
    run(pg_ctl, "-D", str(data / "db"), "-m", "immediate", "stop")
    shutil.rmtree(data, ignore_errors=True)


# --- model registry and retraining (issue 4) -------------------------------------------


@pytest.fixture(scope="session")
def golden_set() -> list[dict]:
    """The golden evaluation set (corpus/eval/golden.jsonl); never trained on."""
    from classifier.training.dataset import read_golden

    return read_golden(REPO / "corpus" / "eval" / "golden.jsonl")


@pytest.fixture()
def make_version(trained_model):
    """Factory: copy the session model into ``models_dir/<name>`` with given golden metrics.

    ``make_version(models_dir, name, under=…, macro_f1=…, over=…, clause_top1=…)`` returns the
    directory; the manifest is rewritten so the copy is a sound model in its own right.
    """
    import json
    import shutil

    from classifier.engine.model import write_manifest

    def make(models_dir: Path, name: str, *, created_at: str | None = None, **golden) -> Path:
        d = models_dir / name
        shutil.copytree(trained_model, d)
        meta = json.loads((d / "metadata.json").read_text(encoding="utf-8"))
        g = {"macro_f1": 0.9, "under": 0.02, "over": 0.1, "clause_top1": 0.9, "level_acc": 0.9,
             "n": 109, "golden_sha256": "g1"}
        g.update(golden)
        meta.update(version=name, golden=g, created_at=created_at or f"2026-01-01T00:00:{len(list(models_dir.iterdir())):02d}+00:00")
        (d / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        write_manifest(d)
        return d

    return make
