"""Retraining: train on the corpus and the office's final decisions, register, maybe promote.

:func:`retrain` is what ``dingmi train`` and the model page run, through
:func:`retrain_recorded` (the same audit event from both); :class:`BackgroundRetrain` runs it
in a thread for the app, one at a time, with its progress.

Source: issue 4 (retraining from decisions, the registry's promotion rule).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classifier.errors import ClassifierError
from classifier.training.registry import Registry

if TYPE_CHECKING:
    from classifier.config import Settings
    from classifier.train import TrainReport
    from classifier.workflow import Workflow


@dataclass(frozen=True)
class RetrainResult:
    """A training run and what the registry did with its model."""

    report: TrainReport
    promoted: bool
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``dingmi train --json``)."""
        r = self.report
        return {"version": r.version, "model_dir": str(r.model_dir), "n_docs": r.n_docs,
                "training_set": r.counts, "metrics": r.metrics, "decision_cv": r.decision_cv,
                "golden": {k: r.golden.get(k) for k in ("n", "macro_f1", "under", "over",
                                                        "clause_top1", "level_acc")},
                "thresholds": r.thresholds, "promoted": self.promoted,
                "status": "active" if self.promoted else "candidate",
                "reason": "；".join(self.reasons) or None}


def retrain(settings: Settings, *, catalogue_path: Path | None = None,
            with_decisions: bool = True, cv_folds: int = 5, auto_promote: bool = True,
            progress: Callable[[float, str], None] | None = None,
            userdicts: Sequence[Path] = ()) -> RetrainResult:
    """Train on ``corpus/train`` + the office's final decisions, register, maybe promote.

    Parameters
    ----------
    settings : Settings
    catalogue_path : pathlib.Path, optional
    with_decisions : bool
        Include the database's final decisions
        (:func:`classifier.training.decisions.final_decision_records`).
    cv_folds : int
    auto_promote : bool
    progress : callable, optional
        ``(fraction, stage)``, see :func:`classifier.train.train`.
    userdicts : sequence of pathlib.Path
        Word lists added to ``<home>/userdict.txt`` (the office's own, if present); the model
        stores the words, and serving uses them.
    """
    from classifier.catalogue import load_catalogue
    from classifier.evaluation import golden_metrics
    from classifier.nlp.segment import build_words
    from classifier.suggest import load_classifier, make_tokenizer, office_userdicts
    from classifier.train import train
    from classifier.training.dataset import read_golden

    cat = load_catalogue(catalogue_path or settings.catalogue_path)
    words = build_words(None, (), [*office_userdicts(settings), *userdicts])
    tk = make_tokenizer(settings, cat, extra_words=words)
    extra: list[dict[str, Any]] = []
    if with_decisions:
        from classifier.training.decisions import final_decision_records

        extra = list(final_decision_records(settings))
    golden = read_golden(settings.golden_path) if settings.golden_path.is_file() else None
    hint = None
    try:
        from classifier.engine.model import latest_model_dir

        active = json.loads((latest_model_dir(settings.models_dir) / "metadata.json")
                            .read_text(encoding="utf-8"))
        hint = float(active["thresholds"]["secret_threshold"])
    except (ClassifierError, OSError, ValueError, KeyError, TypeError):
        hint = None  # no active model (first training) or an unreadable one
    rep = train(cat, tk, settings.corpus_dir / "train", settings.models_dir, extra_records=extra,
                golden=golden, cv_folds=cv_folds, make_current=False, progress=progress,
                user_words=words, threshold_hint=hint, min_docs=settings.vocab_min_docs)

    def reevaluate(model_dir: Path) -> dict[str, Any]:
        return golden_metrics(load_classifier(settings, cat, model_dir), golden or [])

    res = Registry(settings.models_dir).register(rep.model_dir, auto_promote=auto_promote,
                                                 reevaluate=reevaluate if golden else None)
    return RetrainResult(rep, res.promoted, res.reasons)


def retrain_recorded(settings: Settings, steward: tuple[Workflow, int] | None,
                     **kwargs: Any) -> RetrainResult:
    """:func:`retrain` as a recorded act: ``dingmi train`` and the model page's button.

    Parameters
    ----------
    settings : Settings
    steward : (Workflow, int) or None
        The workflow and the id of the person retraining, checked before training
        (:meth:`~classifier.workflow.accounts.Accounts.require_model_steward`); None only on
        a first install, when the database has no account yet.
    **kwargs
        As :func:`retrain`.

    Returns
    -------
    RetrainResult
        After the audit event ``model_train`` is appended: who, the version, the sha256 of
        each of its files as signed in its manifest, whether it was promoted and why not.

    Raises
    ------
    PermissionDeniedError
        The person may not train (nothing is trained).

    Source: issue 11 (§7: "promotion records each model file's sha256 in the audit chain";
    every model change is an audit event, from the CLI and the app alike).
    """
    if steward is not None:
        steward[0].require_model_steward(steward[1])
    res = retrain(settings, **kwargs)
    if steward is not None:
        wf, uid = steward
        files = Registry(settings.models_dir).check(res.report.version)
        wf.record_model_event(uid, "model_train", res.report.version, files,
                              promoted=res.promoted, reason="；".join(res.reasons))
    return res


class BackgroundRetrain:
    """One retraining at a time in a background thread, with its progress (for the app).

    Share one instance per process (``st.cache_resource``); the page polls :meth:`status`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._state: dict[str, Any] = {"running": False, "progress": 0.0, "stage": "",
                                       "result": None, "error": None, "started_by": None}

    def status(self) -> dict[str, Any]:
        """A copy of ``running``, ``progress`` (0–1), ``stage``, ``result`` (a
        :class:`RetrainResult`), ``error`` (``{"code", "message"}``) and ``started_by``."""
        with self._lock:
            return dict(self._state)

    def start(self, settings: Settings, *, started_by: str = "",
              steward: tuple[Workflow, int] | None = None, **kwargs: Any) -> bool:
        """Start :func:`retrain_recorded` in the background (``steward``: the workflow and
        the id of the person, whose act is audited); False when one is already running."""
        with self._lock:
            if self._state["running"]:
                return False
            self._state = {"running": True, "progress": 0.0, "stage": "准备", "result": None,
                           "error": None, "started_by": started_by}

        def progress(frac: float, stage: str) -> None:
            with self._lock:
                self._state.update(progress=frac, stage=stage)

        def run() -> None:
            try:
                res = retrain_recorded(settings, steward, progress=progress, **kwargs)
                update: dict[str, Any] = {"result": res}
            except ClassifierError as e:
                update = {"error": e.to_dict()}
            except Exception as e:  # noqa: BLE001 - reported on the page, never a traceback
                update = {"error": {"code": "internal_error",
                                    "message": f"[internal_error] {type(e).__name__}: {e}"}}
            with self._lock:
                self._state.update(running=False, progress=1.0, **update)

        self._thread = threading.Thread(target=run, name="dingmi-retrain", daemon=True)
        self._thread.start()
        return True

    def join(self, timeout_s: float | None = None) -> None:
        """Wait for the running job (tests)."""
        if self._thread is not None:
            self._thread.join(timeout_s)
