"""The model registry: every trained version kept, one active, promotion by the golden set.

Layout of ``<home>/models``::

    CURRENT                 the active version's name (what :class:`Suggester` loads)
    registry.json           status and reason per version, and the history of activations
    <version>/              model.npz, vocabulary.json, metadata.json, manifest.json

and, beside ``models``, the key that signs every version's manifest (``<home>/keys/model.key``,
:mod:`classifier.engine.signing`): registering, promoting and rolling back check the
signature, so a version whose files were changed and whose manifest was recomputed is never
activated or loaded. :meth:`Registry.sign` signs a version as its files are (a copy made on
purpose); :meth:`Registry.promote` lets a person vouch for a version saved before signatures
existed.

A version's own figures (creation time, training counts per class, catalogue and code
version, golden-set metrics, cross-validated score on the office's decisions) are in its
``metadata.json``, covered by the signed manifest; ``registry.json`` only records what
happened to it (``active``, ``candidate`` with the reason it was refused, ``retired``).

Promotion rule (:func:`promotion_problems`): a new version becomes active automatically
only when, on the golden set, its under-classification rate is not higher than the active
version's (no tolerance: under-classification leaks secrets), and its level macro-F1 and
clause top-1 are not lower, and its over-classification rate not higher, by more than
:data:`TOLERANCE`. Otherwise it stays a candidate with the reasons; a person may still
promote it (``dingmi models promote``).

Retraining (train, register, promote; in the background for the app) is
:mod:`classifier.training.retrain`.

Source: issue 4 (registry); house style §4.8 (a new artifact becomes current only if it is
not worse; old artifacts are kept).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from classifier.config import model_key_path
from classifier.engine.model import latest_model_dir
from classifier.engine.signing import (
    read_manifest,
    read_model_key,
    verify_files,
    verify_manifest,
    write_manifest,
)
from classifier.errors import ModelNotReadyError, ModelUnsignedError, NotFoundError, UsageError
from classifier.evaluation import metric_name

#: Chinese names of a version's ``status``, for every page and human-readable listing.
STATUS_LABELS: dict[str, str] = {"active": "启用中", "candidate": "候选", "retired": "已停用"}

#: Largest drop in golden-set level macro-F1 and clause top-1, and largest rise in the
#: over-classification rate, that still lets a new version replace the active one
#: (0.02 ≈ one draft of the ~56 secret ones in corpus/eval/golden.jsonl).
TOLERANCE = 0.02
REGISTRY_FILE = "registry.json"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ModelVersion:
    """One model version as the registry sees it.

    Attributes
    ----------
    version : str
    path : pathlib.Path
    active : bool
    status : str
        ``active``, ``candidate`` (never active; ``reason`` says why when promotion was
        refused) or ``retired`` (was active, replaced or rolled back).
    reason : str or None
    metadata : dict
        The version's ``metadata.json``.
    """

    version: str
    path: Path
    active: bool
    status: str
    reason: str | None
    metadata: dict[str, Any] = field(repr=False)

    @property
    def created_at(self) -> str:
        """ISO 8601 creation time (UTC)."""
        m = self.metadata
        if m.get("created_at"):
            return str(m["created_at"])
        stamp = str(m.get("trained_at") or self.version[:16])
        try:
            return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).isoformat()
        except ValueError:
            return stamp

    @property
    def metrics(self) -> dict[str, Any]:
        """Headline figures: golden set (``macro_f1``, ``under``, ``over``, ``clause_top1``,
        ``n``), cross-validation on the whole training set (``cv``) and on the office's
        decisions (``decision_cv``)."""
        g = self.metadata.get("golden") or {}
        out: dict[str, Any] = {k: g.get(k) for k in ("macro_f1", "under", "over", "clause_top1",
                                                      "level_acc", "n")}
        out["cv"] = self.metadata.get("cv_metrics") or {}
        out["cv_by_writer"] = self.metadata.get("cv_by_writer") or {}
        out["decision_cv"] = self.metadata.get("decision_cv") or {}
        return out

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        """JSON form (``dingmi models list --json``); ``full`` adds the training details."""
        m = self.metadata
        d: dict[str, Any] = {
            "version": self.version, "active": self.active, "created_at": self.created_at,
            "status": self.status, "metrics": self.metrics,
            "catalogue_version": m.get("catalogue_version"),
            "code_version": m.get("code_version"), "n_docs": m.get("n_docs"),
            "n_decisions": m.get("n_extra_docs", 0),
        }
        if self.reason:
            d["reason"] = self.reason
        if full:
            d.update(class_counts=m.get("class_counts", {}), training_set=m.get("training_set", {}),
                     weights=m.get("weights", {}), thresholds=m.get("thresholds", {}),
                     hyperparameters=m.get("hyperparameters", {}), golden=m.get("golden", {}),
                     policy=m.get("policy", {}), cv_by_writer=m.get("cv_by_writer", {}),
                     path=str(self.path))
        return d


@dataclass(frozen=True)
class RegisterResult:
    """What happened to a newly registered version."""

    version: ModelVersion
    promoted: bool
    reasons: tuple[str, ...]


def promotion_problems(new: dict[str, Any], active: dict[str, Any],
                       tolerance: float = TOLERANCE) -> list[str]:
    """Why ``new`` golden-set metrics may not replace ``active`` ones (empty: it may).

    Parameters
    ----------
    new, active : dict
        :func:`classifier.evaluation.golden_metrics` results of the same golden set.
    tolerance : float
        See :data:`TOLERANCE`.

    Returns
    -------
    list of str
        Chinese reasons with the figures; empty when the new version is not worse.
    """
    if not new:
        return ["新版本没有金标准集评测结果"]
    if not active:
        return []
    out = []
    if new["under"] > active["under"] + 1e-12:
        out.append(f"{metric_name('under')} {new['under']:.3f} 高于当前版本的 {active['under']:.3f}")
    for key in ("macro_f1", "clause_top1"):
        name = metric_name(key)
        if new[key] < active[key] - tolerance - 1e-12:
            out.append(f"{name} {new[key]:.3f} 低于当前版本的 {active[key]:.3f}，超出容差 {tolerance}")
    if new["over"] > active["over"] + tolerance + 1e-12:
        out.append(f"{metric_name('over')} {new['over']:.3f} 高于当前版本的 {active['over']:.3f}，"
                   f"超出容差 {tolerance}")
    return out


class Registry:
    """The model versions under ``models_dir``.

    Parameters
    ----------
    models_dir : pathlib.Path
        ``<home>/models``.
    key_path : pathlib.Path, optional
        The signing key (default ``<home>/keys/model.key``,
        :func:`classifier.config.model_key_path` of ``models_dir``'s parent).
    """

    def __init__(self, models_dir: Path, key_path: Path | None = None) -> None:
        self.models_dir = Path(models_dir)
        self.key_path = Path(key_path) if key_path else model_key_path(self.models_dir.parent)

    def key(self, *, create: bool = False) -> bytes:
        """The installation's signing key (see :func:`classifier.engine.signing.read_model_key`)."""
        return read_model_key(self.key_path, create=create)

    # --- state -------------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        p = self.models_dir / REGISTRY_FILE
        if not p.is_file():
            return {"versions": {}, "history": []}
        try:
            state = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise UsageError(f"{p} 无法读取：{e}", path=p) from e
        state.setdefault("versions", {})
        state.setdefault("history", [])
        return state

    def _write_state(self, state: dict[str, Any]) -> None:
        tmp = self.models_dir / f".{REGISTRY_FILE}.tmp"
        tmp.write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
        os.chmod(tmp, 0o600)  # the data home's files are 0600 whatever the caller's umask
        tmp.replace(self.models_dir / REGISTRY_FILE)

    @contextmanager
    def _locked(self) -> Iterator[dict[str, Any]]:
        """Read-modify-write of the registry under an exclusive file lock."""
        import fcntl

        self.models_dir.mkdir(parents=True, exist_ok=True)
        with open(self.models_dir / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                state = self._state()
                yield state
                self._write_state(state)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def active_name(self) -> str | None:
        """The active version's name (``CURRENT``), or None."""
        try:
            return latest_model_dir(self.models_dir).name
        except ModelNotReadyError:
            return None

    def _set_current(self, version: str) -> None:
        tmp = self.models_dir / ".CURRENT.tmp"
        tmp.write_text(version, encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.models_dir / "CURRENT")

    # --- reads -------------------------------------------------------------------------

    def _version(self, path: Path, active: str | None, state: dict[str, Any]) -> ModelVersion:
        try:
            meta = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
        entry = state["versions"].get(path.name, {})
        is_active = path.name == active
        status = entry.get("status", "candidate")
        if is_active:
            status = "active"
        elif status == "active":  # CURRENT was moved by hand
            status = "retired"
        return ModelVersion(path.name, path, is_active, status,
                            None if is_active else entry.get("reason"),
                            meta if isinstance(meta, dict) else {})

    def versions(self) -> list[ModelVersion]:
        """Every version, oldest first."""
        if not self.models_dir.is_dir():
            return []
        state = self._state()
        active = self.active_name()
        dirs = [p for p in self.models_dir.iterdir()
                if p.is_dir() and not p.name.startswith(".") and (p / "metadata.json").is_file()]
        out = [self._version(p, active, state) for p in dirs]
        return sorted(out, key=lambda v: (v.created_at, v.version))

    def get(self, version: str) -> ModelVersion:
        """One version by name (a unique prefix is enough).

        Raises
        ------
        NotFoundError
            No such version, or the prefix is ambiguous.
        """
        found = [v for v in self.versions() if v.version == version]
        found = found or [v for v in self.versions() if v.version.startswith(version)]
        if len(found) != 1:
            raise NotFoundError(f"模型版本 {version} {'不唯一' if found else '不存在'}"
                                "（dingmi models list 查看全部版本）")
        return found[0]

    def active(self) -> ModelVersion | None:
        """The active version, or None before the first training."""
        return next((v for v in self.versions() if v.active), None)

    def history(self) -> list[dict[str, Any]]:
        """Activations, oldest first: ``{"at", "action", "version", "previous", "by"}``."""
        return list(self._state()["history"])

    # --- writes ------------------------------------------------------------------------

    def register(self, model_dir: Path, *, auto_promote: bool = True,
                 reevaluate: Callable[[Path], dict[str, Any]] | None = None,
                 tolerance: float = TOLERANCE) -> RegisterResult:
        """Record a freshly trained version and promote it if it is not worse.

        Parameters
        ----------
        model_dir : pathlib.Path
            A version directory inside ``models_dir`` written by :func:`classifier.train.train`
            with ``make_current=False``.
        auto_promote : bool
            Apply the promotion rule; False keeps it a candidate.
        reevaluate : callable, optional
            Scores a model directory on the current golden set; used when the active
            version was scored on another golden set (its hash differs).
        tolerance : float

        Returns
        -------
        RegisterResult
        """
        verify_manifest(model_dir, self.key())
        meta = json.loads((model_dir / "metadata.json").read_text(encoding="utf-8"))
        new = meta.get("golden") or {}
        with self._locked() as state:
            active = self.active_name()
            reasons: list[str] = []
            if active is not None and active != model_dir.name:
                try:
                    act_meta = json.loads((self.models_dir / active / "metadata.json")
                                          .read_text(encoding="utf-8"))
                    verify_manifest(self.models_dir / active, self.key())
                except (OSError, ValueError, ModelNotReadyError):
                    act_meta = None  # a broken active version never blocks a sound one
                if act_meta is not None:
                    old = act_meta.get("golden") or {}
                    if new and old and old.get("golden_sha256") != new.get("golden_sha256"):
                        old = reevaluate(self.models_dir / active) if reevaluate else {}
                        if not old:
                            reasons.append("当前版本的评测结果来自另一金标准集，无法比较")
                    reasons += promotion_problems(new, old, tolerance)
            if not auto_promote:
                reasons = reasons or ["未自动启用（--no-promote）"]
            entry = {"registered_at": _now(), "status": "candidate",
                     "reason": "；".join(reasons) if reasons else None}
            state["versions"][model_dir.name] = entry
            promoted = not reasons
            if promoted:
                self._activate(state, model_dir.name, "promote", by="auto")
        return RegisterResult(self.get(model_dir.name), promoted, tuple(reasons))

    def _activate(self, state: dict[str, Any], version: str, action: str, by: str) -> None:
        previous = self.active_name()
        if previous and previous != version:
            state["versions"].setdefault(previous, {})["status"] = "retired"
            state["versions"][previous]["reason"] = None
        state["versions"].setdefault(version, {}).update(status="active", reason=None)
        state["history"].append({"at": _now(), "action": action, "version": version,
                                 "previous": previous, "by": by})
        self._set_current(version)

    def sign(self, model_dir: Path) -> dict[str, str]:
        """Sign a model directory as its files are now (the key is created if missing).

        For a copy made on purpose (a version moved to another installation, a test's
        fixture): whoever calls this vouches for the files. Training signs its own output.

        Returns
        -------
        dict of str -> str
            File name → sha256, as signed.
        """
        return write_manifest(Path(model_dir), self.key(create=True))

    def _checked(self, path: Path) -> bool:
        """Check a version before it is activated; True when a person vouched for it now.

        A signed version must match its signature. One saved before signatures existed is
        signed here when its files still match the sha256 its manifest recorded: the person
        activating it vouches for it (and the history says so).

        Raises
        ------
        ModelTamperedError, ModelFormatError
            A bad signature, or a file that differs from its manifest.
        """
        try:
            verify_manifest(path, self.key(create=True))
            return False
        except ModelUnsignedError:
            recorded, _ = read_manifest(path)
            verify_files(path, recorded)
            write_manifest(path, self.key(create=True))
            return True

    def promote(self, version: str, *, by: str = "cli") -> ModelVersion:
        """Make a version active by hand (a person overrules the promotion rule).

        Raises
        ------
        NotFoundError
            No such version.
        ModelTamperedError, ModelFormatError
            Its signature or files do not match its manifest: a tampered model is never
            activated. A version saved before signatures existed whose files match is signed
            (the person promoting it vouches for it).
        """
        v = self.get(version)
        vouched = self._checked(v.path)
        with self._locked() as state:
            self._activate(state, v.version, "promote", by=by)
            if vouched:
                state["history"][-1]["signed"] = True
        return self.get(v.version)

    def rollback(self, *, by: str = "cli") -> ModelVersion:
        """Reactivate the version that was active before the current one.

        Raises
        ------
        UsageError
            Nothing to roll back to.
        ModelTamperedError, ModelFormatError
            As :meth:`promote`.
        """
        current = self.active_name()
        history = self.history()
        rolled_back = {h["previous"] for h in history if h["action"] == "rollback"}
        target = next((h["version"] for h in reversed(history)
                       if h["version"] not in (current, *rolled_back)
                       and (self.models_dir / h["version"]).is_dir()), None)
        if target is None:
            raise UsageError("没有可回退的上一版本")
        vouched = self._checked(self.models_dir / target)
        with self._locked() as state:
            self._activate(state, target, "rollback", by=by)
            if vouched:
                state["history"][-1]["signed"] = True
            if current:
                state["versions"][current]["reason"] = "已回退"
        return self.get(target)

    def check(self, version: str) -> dict[str, str]:
        """Verify a version's signature and files (raises ``model_tampered``,
        ``model_unsigned``)."""
        return verify_manifest(self.get(version).path, self.key())
