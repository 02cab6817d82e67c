"""Settings: one table of defaults, read from the environment only at the edges.

Source: house style §4.7 (settings table, ``DINGMI_HOME``); issue 2 (§8) and issue 3 (§2).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from classifier.errors import InvalidSettingError

#: Root of the repository checkout (holds ``corpus/``) when running from source.
PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
CORPUS_DIR = REPO_DIR / "corpus"


def model_key_path(home: Path) -> Path:
    """Where the data home ``home`` keeps the key that signs its models' manifests.

    ``<home>/keys/model.key``: beside ``<home>/models``, never inside it, so that whoever may
    write a model folder (or copies one in) does not hold the key (issue 11 §7).
    """
    return Path(home) / "keys" / "model.key"


@dataclass(frozen=True)
class AuthPolicy:
    """Accounts and sessions (issue 11): password hashing, password rules, lockout, idle time.

    Attributes
    ----------
    argon2_time_cost, argon2_memory_kib, argon2_parallelism : int
        argon2id parameters; the defaults are argon2-cffi's (RFC 9106's second recommended
        option: 3 passes, 64 MiB, 4 lanes). ``DINGMI_ARGON2_TIME_COST``,
        ``DINGMI_ARGON2_MEMORY_KIB``, ``DINGMI_ARGON2_PARALLELISM`` (tests lower them; a
        stored hash keeps its own parameters and is rehashed at the next login).
    min_password_length : int
        At least 10 characters, of at least three kinds (upper case, lower case, digits,
        other); never containing the user name. Source: BMB20-2007 (口令长度不少于10位，
        由多种字符组合).
    lockout_failures : int
        Consecutive failed logins before the account is locked (default 5).
    lockout_seconds : float
        The first lock lasts this long (default 60 s); every further failure doubles it,
        up to ``lockout_max_seconds`` (default 24 h). ``DINGMI_LOCKOUT_SECONDS``.
    session_idle_minutes : float
        A session ends after this much inactivity (default 30; ``DINGMI_SESSION_IDLE_MINUTES``).
    """

    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4
    min_password_length: int = 10
    lockout_failures: int = 5
    lockout_seconds: float = 60.0
    lockout_max_seconds: float = 86400.0
    session_idle_minutes: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> AuthPolicy:
        """Build the policy from ``DINGMI_*`` variables (see the attributes)."""
        env = os.environ if environ is None else environ
        changes: dict[str, Any] = {}
        for name, attr, kind in (("DINGMI_ARGON2_TIME_COST", "argon2_time_cost", int),
                                 ("DINGMI_ARGON2_MEMORY_KIB", "argon2_memory_kib", int),
                                 ("DINGMI_ARGON2_PARALLELISM", "argon2_parallelism", int),
                                 ("DINGMI_LOCKOUT_FAILURES", "lockout_failures", int),
                                 ("DINGMI_LOCKOUT_SECONDS", "lockout_seconds", float),
                                 ("DINGMI_SESSION_IDLE_MINUTES", "session_idle_minutes", float)):
            if env.get(name):
                changes[attr] = kind(env[name])
        return cls(**changes)


#: The office's share of drafts drawn for blind mode when ``DINGMI_BLIND_SHARE`` is not set
#: (issue 14 §3: "a configured share of drafts (default 10 %)").
DEFAULT_BLIND_SHARE = 0.10


@dataclass(frozen=True)
class DecisionPolicy:
    """The office's rules for settling a classification (issue 12).

    Attributes
    ----------
    authority_max_level : str
        The highest level the office may classify itself (定密权限), a level label: 秘密, 机密
        or 绝密. Default 机密: organs of a city with districts classify up to 机密; above it
        the matter is protected at once and reported to a superior (报请上级定密). Source:
        国家秘密定密管理规定 2025, art. 11 (../shared/docs/law-notes.md, "authority").
        ``DINGMI_AUTHORITY_MAX_LEVEL``.
    register_pattern : str
        How register numbers (登记编号) are written: ``{year}`` and ``{seq}`` (default
        ``组密〔{year}〕{seq:04d}号``; ``DINGMI_REGISTER_PATTERN``). Source: issue 12, item 4.
    internal_mark : str
        The mark printed on a 内部 document (default 内部; e.g. "内部事项 注意保管";
        ``DINGMI_INTERNAL_MARK``). Never a ★ (law-notes.md, "marks on documents").
    unit : str
        The classifying unit's name, printed on the approval form (``DINGMI_UNIT``).
    blind_share : float
        The share in [0, 1] of new drafts drawn at upload for blind mode (``DINGMI_BLIND_SHARE``,
        default :data:`DEFAULT_BLIND_SHARE` = 0.10 when read from the environment; 0 turns
        blind mode off, and a policy built in code without it has it off, so a script or a test
        never draws blind by chance): the drafter sees no suggestion until
        the proposal is submitted, the director none until a first judgement is recorded, so
        that agreement can be reported apart for blind and shown items. Source: issue 14 §3
        (blind mode against anchoring, "default 10 %").

    Raises
    ------
    InvalidSettingError
        ``blind_share`` is not a number in [0, 1] (code ``invalid_setting``).
    """

    authority_max_level: str = "机密"
    register_pattern: str = "组密〔{year}〕{seq:04d}号"
    internal_mark: str = "内部"
    unit: str = ""
    blind_share: float = 0.0

    def __post_init__(self) -> None:
        share = self.blind_share
        if (isinstance(share, bool) or not isinstance(share, int | float)
                or not 0.0 <= float(share) <= 1.0):
            raise InvalidSettingError(
                f"盲评抽样比例（DINGMI_BLIND_SHARE）应为 0 到 1 之间的数，现为 {share!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DecisionPolicy:
        """Build the policy from ``DINGMI_*`` variables (see the attributes).

        Raises
        ------
        InvalidSettingError
            ``DINGMI_BLIND_SHARE`` is not a number in [0, 1].
        """
        env = os.environ if environ is None else environ
        changes: dict[str, Any] = {attr: env[name] for name, attr in (
            ("DINGMI_AUTHORITY_MAX_LEVEL", "authority_max_level"),
            ("DINGMI_REGISTER_PATTERN", "register_pattern"),
            ("DINGMI_INTERNAL_MARK", "internal_mark"),
            ("DINGMI_UNIT", "unit")) if env.get(name)}
        raw = env.get("DINGMI_BLIND_SHARE", "").strip()
        changes["blind_share"] = DEFAULT_BLIND_SHARE
        if raw:
            try:
                share = float(raw)
            except ValueError:
                raise InvalidSettingError(
                    f"盲评抽样比例（DINGMI_BLIND_SHARE）应为 0 到 1 之间的数，现为 {raw!r}") from None
            if math.isnan(share):
                raise InvalidSettingError(
                    f"盲评抽样比例（DINGMI_BLIND_SHARE）应为 0 到 1 之间的数，现为 {raw!r}")
            changes["blind_share"] = share
        return cls(**changes)


def _number(env: Mapping[str, str], name: str, kind: type[int] | type[float], *,
            allow_zero: bool = False) -> Any:
    """The positive number in ``env[name]`` (int or float as ``kind``; zero too with
    ``allow_zero``), for a setting whose negative value makes no sense (a size, a time, a
    count).

    Raises
    ------
    InvalidSettingError
        Not a number, or not above zero (code ``invalid_setting``): a configuration problem,
        never a traceback.
    """
    raw = env[name].strip()
    try:
        value = kind(raw)
    except ValueError:
        raise InvalidSettingError(f"设置 {name} 应为正数，现为 {raw!r}") from None
    if not (value >= 0 if allow_zero else value > 0):  # also refuses NaN
        raise InvalidSettingError(f"设置 {name} 应为{'非负数' if allow_zero else '正数'}，现为 {raw!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Runtime settings with their defaults.

    Attributes
    ----------
    home : pathlib.Path
        Data home (database, models, stored uploads). Default ``var/`` in the
        working directory; ``DINGMI_HOME`` overrides it.
    corpus_dir : pathlib.Path
        Folder with ``catalogue.toml``, ``userdict.txt``, ``stopwords.txt`` and ``train/``.
    catalogue_path : pathlib.Path
        The scope catalogue in use (``--catalogue`` overrides).
    max_file_bytes : int
        Largest accepted upload, bytes (default 50 MiB). Larger files raise ``too_large``.
    max_pages : int
        Largest accepted PDF page count (default 500).
    extract_timeout : float
        Time limit for reading one document, seconds (default 300; ``DINGMI_EXTRACT_TIMEOUT``,
        0 for none). Over it a document fails with ``timeout`` and the batch goes on.
    database_url : str or None
        SQLAlchemy URL; ``None`` means the embedded SQLite file ``<home>/dingmi.sqlite3``.
        ``DINGMI_DATABASE_URL`` overrides it.
    store_originals : bool
        Keep the uploaded bytes in the database (``DINGMI_STORE_ORIGINALS=1``).
    max_chars : int
        Most characters extracted from one document (default 2,500,000, about 800 pages;
        ``DINGMI_MAX_CHARS``, 0 for none). More is ``too_large``.
    isolate : bool
        Read and classify each document of a batch or upload in a child process with a
        memory limit, killed at the time limit (default on; ``DINGMI_ISOLATE=0`` turns it
        off). One file then never stops the batch or the app.
    worker_memory_mb : int
        Memory limit of that child process, MiB (default 3072; ``DINGMI_WORKER_MEMORY_MB``):
        its data segment (``RLIMIT_DATA``: heap and private mappings) may not grow past it.
        Source: measured — the OCR models' ONNX runtime needs more than 1 GiB of data segment
        after a few scanned pages (at 1024 the second scan of a batch failed with an ONNX
        allocation error); a hostile file is refused long before (its caps, issue 8).
    auth : AuthPolicy
        Password hashing, password rules, lockout and session idle time (issue 11).
    decision : DecisionPolicy
        定密权限, register numbers and marks (issue 12).
    retrain_cv_folds : int
        Folds of the leave-writers-out cross-validation when the model page retrains (default
        5, as ``dingmi train``; ``DINGMI_RETRAIN_CV_FOLDS``, 0 skips it and keeps the shipped
        decision rule: a retrain in about a tenth of the time).
    vocab_min_docs : int
        Fewest distinct training documents a word, word pair or character pair must occur in
        to stand in a model's files (default 3; ``DINGMI_VOCAB_MIN_DOCS``): a name taken from
        one or two decisions never does (issue 11 §7; :data:`classifier.train.MIN_DOCS`).
    busy_timeout_s : float
        Seconds a SQLite writer waits for another connection's lock before the action is
        refused with ``database_busy`` (default 10; ``DINGMI_BUSY_TIMEOUT``).
    database_key : str or None
        Encrypts the embedded SQLite file with SQLCipher (``sqlcipher3``; ``DINGMI_DATABASE_KEY``
        or, better, ``DINGMI_DATABASE_KEY_FILE``: a file 0600 outside the repository whose
        first line is the key). Never shown in ``repr``. None: not encrypted. Issue 11 §8.
    """

    home: Path = field(default_factory=lambda: Path("var"))
    corpus_dir: Path = CORPUS_DIR
    catalogue_path: Path = CORPUS_DIR / "catalogue.toml"
    max_file_bytes: int = 50 * 1024 * 1024
    max_pages: int = 500
    extract_timeout: float = 300.0
    database_url: str | None = None
    store_originals: bool = False
    max_chars: int = 2_500_000
    isolate: bool = True
    worker_memory_mb: int = 3072
    auth: AuthPolicy = field(default_factory=AuthPolicy)
    decision: DecisionPolicy = field(default_factory=DecisionPolicy)
    retrain_cv_folds: int = 5
    vocab_min_docs: int = 3
    busy_timeout_s: float = 10.0
    database_key: str | None = field(default=None, repr=False)

    @property
    def models_dir(self) -> Path:
        """Folder holding model versions (``<home>/models``)."""
        return self.home / "models"

    @property
    def model_key_path(self) -> Path:
        """The key that signs model manifests (``<home>/keys/model.key``, 0600), kept outside
        ``models_dir`` (:func:`model_key_path`)."""
        return model_key_path(self.home)

    @property
    def golden_path(self) -> Path:
        """The golden evaluation set (``corpus/eval/golden.jsonl``), never trained on."""
        return self.corpus_dir / "eval" / "golden.jsonl"

    @property
    def userdict_path(self) -> Path:
        """The domain word list (``corpus/userdict.txt``)."""
        return self.corpus_dir / "userdict.txt"

    @property
    def stopwords_path(self) -> Path:
        """The stop-word list (``corpus/stopwords.txt``)."""
        return self.corpus_dir / "stopwords.txt"

    @property
    def db_url(self) -> str:
        """The database URL in effect (SQLite file under ``home`` by default)."""
        if self.database_url:
            return self.database_url
        path = (self.home / "dingmi.sqlite3").resolve()
        if self.database_key:  # SQLCipher (SQLAlchemy's pysqlcipher dialect, sqlcipher3)
            return f"sqlite+pysqlcipher://:{quote(self.database_key, safe='')}@/{path}"
        return f"sqlite:///{path}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Build settings from ``DINGMI_*`` environment variables.

        Parameters
        ----------
        environ : dict, optional
            Mapping to read instead of ``os.environ`` (for tests).
        """
        env = os.environ if environ is None else environ
        s = cls()
        if env.get("DINGMI_HOME"):
            s = replace(s, home=Path(env["DINGMI_HOME"]))
        if env.get("DINGMI_DATABASE_URL"):
            s = replace(s, database_url=env["DINGMI_DATABASE_URL"])
        if env.get("DINGMI_STORE_ORIGINALS", "").lower() in {"1", "true", "yes"}:
            s = replace(s, store_originals=True)
        if env.get("DINGMI_MAX_FILE_BYTES"):
            s = replace(s, max_file_bytes=_number(env, "DINGMI_MAX_FILE_BYTES", int))
        if env.get("DINGMI_EXTRACT_TIMEOUT"):
            s = replace(s, extract_timeout=_number(env, "DINGMI_EXTRACT_TIMEOUT", float))
        if env.get("DINGMI_MAX_CHARS"):
            s = replace(s, max_chars=_number(env, "DINGMI_MAX_CHARS", int))
        if env.get("DINGMI_ISOLATE", "").lower() in {"0", "false", "no"}:
            s = replace(s, isolate=False)
        if env.get("DINGMI_WORKER_MEMORY_MB"):
            s = replace(s, worker_memory_mb=_number(env, "DINGMI_WORKER_MEMORY_MB", int))
        if env.get("DINGMI_RETRAIN_CV_FOLDS"):
            s = replace(s, retrain_cv_folds=_number(env, "DINGMI_RETRAIN_CV_FOLDS", int, allow_zero=True))
        if env.get("DINGMI_VOCAB_MIN_DOCS"):
            s = replace(s, vocab_min_docs=max(1, _number(env, "DINGMI_VOCAB_MIN_DOCS", int)))
        if env.get("DINGMI_DATABASE_KEY_FILE"):
            lines = Path(env["DINGMI_DATABASE_KEY_FILE"]).read_text(encoding="utf-8").splitlines()
            s = replace(s, database_key=(lines[0].strip() if lines else "") or None)
        elif env.get("DINGMI_DATABASE_KEY"):
            s = replace(s, database_key=env["DINGMI_DATABASE_KEY"])
        if env.get("DINGMI_BUSY_TIMEOUT"):
            s = replace(s, busy_timeout_s=_number(env, "DINGMI_BUSY_TIMEOUT", float, allow_zero=True))
        return replace(s, auth=AuthPolicy.from_env(env), decision=DecisionPolicy.from_env(env))
