"""All shared fixtures (one conftest, the spaCy rule)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

# argon2id at its lowest cost in tests (issue 11): the app, the CLI and the browser test's
# server inherit it; production keeps argon2-cffi's defaults (classifier.config.AuthPolicy).
os.environ.update(DINGMI_ARGON2_TIME_COST="1", DINGMI_ARGON2_MEMORY_KIB="64",
                  DINGMI_ARGON2_PARALLELISM="1")
# Blind mode off unless a test asks for it (issue 14 §3): a random 10 % of blind drafts
# would make the pages' assertions on the suggestion flaky.
os.environ["DINGMI_BLIND_SHARE"] = "0"
#: The password every test account gets (passes the policy).
PASSWORD = "Test-pass-2026"


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
def model_key(settings, trained_model) -> bytes:
    """The session data home's model-signing key (created by training ``trained_model``)."""
    from classifier.engine.signing import read_model_key

    return read_model_key(settings.model_key_path)


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

    def add(name, role):
        return workflow.add_user(name, role, password=PASSWORD, must_change_password=False)

    return SimpleNamespace(
        drafter=add("张承办", "drafter"),
        director=add("李主任", "director"),
        director2=add("赵副主任", "director"),
        leader=add("王组长", "leading_group"),
        clerk=add("陈机要", "clerk"),
        sysadmin=add("系统管理员", "sysadmin"),
        secadmin=add("安全保密管理员", "secadmin"),
        auditor=add("安全审计员", "auditor"),
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
    directory; the copy is signed through the registry (:meth:`Registry.sign`, the key of
    ``models_dir``'s data home) so that it is a sound model in its own right.
    """
    import json
    import shutil

    from classifier.training.registry import Registry

    def make(models_dir: Path, name: str, *, created_at: str | None = None, **golden) -> Path:
        d = models_dir / name
        shutil.copytree(trained_model, d)
        meta = json.loads((d / "metadata.json").read_text(encoding="utf-8"))
        g = {"macro_f1": 0.9, "under": 0.02, "over": 0.1, "clause_top1": 0.9, "level_acc": 0.9,
             "n": 109, "golden_sha256": "g1"}
        g.update(golden)
        meta.update(version=name, golden=g, created_at=created_at or f"2026-01-01T00:00:{len(list(models_dir.iterdir())):02d}+00:00")
        (d / "metadata.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        Registry(models_dir).sign(d)
        return d

    return make


def install_model(model_dir: Path, home: Path) -> Path:
    """Copy a trained model into ``home/models`` and sign it with ``home``'s key (a model
    signed by another data home is refused there); return the copy."""
    import shutil

    from classifier.training.registry import Registry

    d = home / "models" / model_dir.name
    shutil.copytree(model_dir, d)
    Registry(home / "models").sign(d)
    return d


# --- accounts (issue 11) -----------------------------------------------------------------


def ready_demo_users(db_url: str | None = None) -> None:
    """Give every demo user of the database :data:`PASSWORD` (their first one changed)."""
    from classifier.store import Store
    from classifier.workflow import Workflow
    from classifier.workflow.demo import DEMO_PASSWORD

    store = Store.from_url(db_url or os.environ["DINGMI_DATABASE_URL"])
    try:
        wf = Workflow(store)
        for u in wf.users():
            if u.must_change_password:
                wf.change_password(u.id, DEMO_PASSWORD, PASSWORD)
    finally:
        store.close()


def app_login(at, name: str, password: str = PASSWORD):
    """Log the Streamlit AppTest in as ``name`` (logging out whoever was in)."""
    if [b for b in at.sidebar.button if b.key == "logout"]:
        at.sidebar.button(key="logout").click().run()
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at = [b for b in at.button if b.label == "登录"][0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def pick_reasons(at, *codes: str) -> None:
    """Choose reason codes (issue 14 §1; default ``other``) in every empty 理由类别 field."""
    for box in at.multiselect:
        if box.label.startswith("理由类别") and not box.value:
            box.set_value(list(codes or ("other",)))


def submit_confirmed(at, label: str):
    """Take the second step before an irreversible decision (issue 15): tick every
    “我已核对以上内容，确认提交” box on the page, then click the button ``label`` and run."""
    from app_pages.common import CONFIRM_LABEL

    for box in at.checkbox:
        if box.label == CONFIRM_LABEL:
            box.check()
    return [b for b in at.button if b.label == label][0].click().run()


# --- handling classified documents (issue 13) --------------------------------------------


class MovableClock:
    """An injectable clock for the service layer: starts at ``start``, moved by :meth:`advance`."""

    def __init__(self, start=None):
        from datetime import UTC, datetime

        self.now = start or datetime(2026, 3, 2, 1, 0, tzinfo=UTC)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        from datetime import timedelta

        self.now += timedelta(**delta)


@pytest.fixture()
def clock():
    """A :class:`MovableClock` (aware UTC) that tests move forward instead of sleeping."""
    return MovableClock()


@pytest.fixture()
def handling(store, catalogue, clock, people):
    """The clerk's service (:class:`classifier.workflow.handling.Handling`) on ``store``, with
    ``clock`` as its time (``people`` already made)."""
    from classifier.workflow import Workflow
    from classifier.workflow.handling import Handling

    return Handling(Workflow(store, catalogue, clock=clock))


@pytest.fixture()
def register_cli(tmp_path, monkeypatch):
    """CLI tests of ``dingmi register``: a fresh data home (no model needed), the 机要 clerk
    陈机要, the director 李主任 and the leading group's 王组长, all with :data:`PASSWORD` in
    ``DINGMI_PASSWORD``. Returns the data home."""
    from classifier.config import Settings
    from classifier.workflow import Workflow

    home = tmp_path / "home"
    monkeypatch.setenv("DINGMI_HOME", str(home))
    monkeypatch.delenv("DINGMI_DATABASE_URL", raising=False)
    monkeypatch.delenv("DINGMI_TOKEN", raising=False)
    monkeypatch.setenv("DINGMI_PASSWORD", PASSWORD)
    wf = Workflow.open(Settings(home=home))
    try:
        for name, role in (("陈机要", "clerk"), ("李主任", "director"), ("王组长", "leading_group")):
            wf.add_user(name, role, password=PASSWORD, must_change_password=False)
    finally:
        wf.close()
    return home


@pytest.fixture()
def register_app_env(tmp_path, monkeypatch) -> Path:
    """The app on a fresh SQLite database and data home, no model (the 登记簿 page needs none)."""
    db = tmp_path / "app.sqlite3"
    monkeypatch.setenv("DINGMI_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DINGMI_DATABASE_URL", f"sqlite:///{db}")
    return db
