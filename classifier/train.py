"""Train the text model from ``corpus/train`` (and confirmed decisions) into a model directory.

scikit-learn is imported here only: serving uses :class:`classifier.engine.model.TextModel`.

Source: issue 2 (§7, §8); house style §4.8 (only final human decisions train the model; a new
artifact carries its version, the catalogue version and its cross-validated metrics).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from classifier.catalogue import Catalogue, Level
from classifier.engine.analysis import EXTRA_DENSE, Analysis, analyse
from classifier.engine.matcher import Matcher
from classifier.engine.model import TextModel, doc_features
from classifier.errors import UsageError
from classifier.nlp.segment import Tokenizer

LEVELS = {lv.label: lv for lv in Level}
#: How much worse an under-classification is than an over-classification when picking the
#: secret threshold (glossary, 定密不当: the under-classified document leaks secrets).
UNDER_COST = 3.0


@dataclass(frozen=True)
class TrainReport:
    """Summary of one training run.

    Attributes
    ----------
    model_dir : pathlib.Path
        Where the model was written.
    version : str
        Model version (the directory name).
    n_docs : int
        Training documents used.
    metrics : dict
        Cross-validated (5-fold, stratified) level accuracy, under-/over-classification rate,
        clause accuracy and macro-F1 over levels, at the chosen thresholds.
    thresholds : dict
        ``secret_threshold`` and ``review_below`` stored with the model.
    """

    model_dir: Path
    version: str
    n_docs: int
    metrics: dict[str, float]
    thresholds: dict[str, float]


def read_records(train_dir: Path) -> list[dict[str, Any]]:
    """Read every ``*.jsonl`` under ``train_dir`` (sorted by file name).

    Returns
    -------
    list of dict
        Records with at least ``text``, ``level`` and ``clause``.

    Raises
    ------
    UsageError
        If a line is not valid JSON or a record lacks a field or has an unknown level.
    """
    out: list[dict[str, Any]] = []
    files = sorted(train_dir.glob("*.jsonl"))
    if not files:
        raise UsageError(f"训练目录 {train_dir} 中没有 .jsonl 文件", path=train_dir)
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                r = json.loads(line)
            except json.JSONDecodeError as e:
                raise UsageError(f"{f.name} 第{n}行不是有效的 JSON：{e}", path=f) from e
            if not isinstance(r, dict) or not isinstance(r.get("text"), str) or r.get("level") not in LEVELS:
                raise UsageError(f"{f.name} 第{n}行缺少 text 或 level 无效", path=f)
            out.append(r)
    return out


def label_of(record: dict[str, Any]) -> str:
    """The class a record trains: its clause id for state secrets, else its level label."""
    lv = LEVELS[record["level"]]
    if lv.is_secret:
        if not record.get("clause"):
            raise UsageError(f"密级为{lv.label}的训练样本缺少 clause：{record.get('id')}")
        return str(record["clause"])
    return lv.label


def _identity(x: list[str]) -> list[str]:
    return x


def _fit(feats: list[list[str]], dense: np.ndarray, y: list[str], C: float, random_state: int) -> Any:
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2, norm="l2")
    xt = vec.fit_transform(feats)
    x = hstack([xt, csr_matrix(dense)]).tocsr()
    clf = LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=random_state)
    clf.fit(x, y)
    return vec, clf


def _predict(vec: Any, clf: Any, feats: list[list[str]], dense: np.ndarray) -> np.ndarray:
    from scipy.sparse import csr_matrix, hstack

    x = hstack([vec.transform(feats), csr_matrix(dense)]).tocsr()
    return clf.predict_proba(x)


def export_model(vec: Any, clf: Any, dense_names: list[str], metadata: dict[str, Any]) -> TextModel:
    """Copy the fitted parameters of a vectorizer and a logistic regression into plain arrays.

    Parameters
    ----------
    vec : sklearn TfidfVectorizer, fitted (``vocabulary_`` of V terms, ``idf_`` (V,))
    clf : sklearn LogisticRegression, fitted (``coef_`` (K, V + D), ``intercept_`` (K,))
    dense_names : list of str, length D
    metadata : dict

    Returns
    -------
    TextModel
        Gives the same probabilities as ``clf.predict_proba`` on the same features.
    """
    return TextModel(
        classes=[str(c) for c in clf.classes_],
        vocabulary={f: int(i) for f, i in vec.vocabulary_.items()},
        idf=np.asarray(vec.idf_, dtype=np.float64),
        coef=np.asarray(clf.coef_, dtype=np.float64),
        intercept=np.asarray(clf.intercept_, dtype=np.float64),
        dense_names=list(dense_names),
        metadata=metadata,
    )


def evaluate(y: list[str], proba: np.ndarray, classes: list[str], catalogue: Catalogue,
             secret_threshold: float) -> dict[str, float]:
    """Level accuracy, under/over-classification and clause accuracy of probabilities.

    Parameters
    ----------
    y : list of str, length N
        True labels.
    proba : ndarray of shape (N, K)
    classes : list of str, length K
    catalogue : Catalogue
    secret_threshold : float

    Returns
    -------
    dict
        ``level_acc``, ``under`` (secret predicted 公开/内部, rate over secret docs), ``over``
        (公开/内部 predicted secret, rate over non-secret docs), ``clause_acc`` (over secret
        docs), ``macro_f1`` over levels.
    """
    def lvl(label: str) -> Level:
        return LEVELS[label] if label in ("公开", "内部") else catalogue.get(label).level or Level.MIMI

    lv_of = [lvl(c) for c in classes]
    sec = [i for i, lv in enumerate(lv_of) if lv.is_secret]
    non = [i for i, lv in enumerate(lv_of) if not lv.is_secret]
    pred = []
    for row in proba:
        if row[sec].sum() >= secret_threshold:
            pred.append(classes[max(sec, key=lambda i: row[i])])
        else:
            pred.append(classes[max(non, key=lambda i: row[i])])
    gl = [lvl(t) for t in y]
    pl = [lvl(t) for t in pred]
    n_sec = sum(g.is_secret for g in gl) or 1
    n_non = sum(not g.is_secret for g in gl) or 1
    f1s = []
    for lv in sorted(set(gl)):
        tp = sum(g == lv and p == lv for g, p in zip(gl, pl, strict=True))
        fp = sum(g != lv and p == lv for g, p in zip(gl, pl, strict=True))
        fn = sum(g == lv and p != lv for g, p in zip(gl, pl, strict=True))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return {
        "level_acc": float(np.mean([g == p for g, p in zip(gl, pl, strict=True)])),
        "under": sum(g.is_secret and not p.is_secret for g, p in zip(gl, pl, strict=True)) / n_sec,
        "over": sum(not g.is_secret and p.is_secret for g, p in zip(gl, pl, strict=True)) / n_non,
        "clause_acc": sum(t == p for t, p, g in zip(y, pred, gl, strict=True) if g.is_secret) / n_sec,
        "macro_f1": float(np.mean(f1s)),
    }


def train(
    catalogue: Catalogue,
    tokenizer: Tokenizer,
    train_dir: Path,
    models_dir: Path,
    *,
    extra_records: Iterable[dict[str, Any]] = (),
    C: float = 50.0,
    dense_weight: float = 0.0,
    random_state: int = 0,
    cv_folds: int = 5,
    make_current: bool = True,
) -> TrainReport:
    """Fit the model on the corpus (plus final human decisions) and write a new version.

    Parameters
    ----------
    catalogue : Catalogue
        Supplies clause levels and cue terms (the dense catalogue features).
    tokenizer : Tokenizer
    train_dir : pathlib.Path
        ``corpus/train``.
    models_dir : pathlib.Path
        ``<home>/models``; the model goes to ``<UTC timestamp>-<hash8>/`` inside it.
    extra_records : iterable of dict
        Confirmed/overridden/decided documents from the database (``text``, ``level``,
        ``clause``); pending ones must not be passed.
    C : float
        Inverse regularisation strength of the logistic regression.
    dense_weight : float
        Scale of the dense catalogue-match features appended to the tf-idf columns (0 leaves
        them out of the model; catalogue matching then serves as evidence and as a second
        opinion only). Cross-validation on corpus/train preferred 0 (see README, "Model").
    random_state : int
        Seed for the folds and the estimator.
    cv_folds : int
        Folds of the stratified cross-validation used to pick the secret threshold and to
        report metrics (0 disables it).
    make_current : bool
        Point ``models_dir/CURRENT`` at the new version.

    Returns
    -------
    TrainReport

    Raises
    ------
    UsageError
        If the corpus is missing or malformed, or has fewer than two classes.
    """
    records = read_records(train_dir) + list(extra_records)
    y = [label_of(r) for r in records]
    if len(set(y)) < 2:
        raise UsageError("训练数据至少需要两个类别")
    matcher = Matcher(catalogue)
    analyses: list[Analysis] = [analyse(r["text"], tokenizer, matcher) for r in records]
    feats = [doc_features(a.tokens) for a in analyses]
    dense_names = ([f"m:{c.id}" for c in catalogue.clauses if c.cues] + list(EXTRA_DENSE)
                   if dense_weight else [])
    dense = (np.vstack([a.dense(dense_names) for a in analyses]) * dense_weight if dense_weight
             else np.zeros((len(analyses), 0)))

    thresholds = {"secret_threshold": 0.35, "review_below": 0.55}
    metrics: dict[str, float] = {}
    if cv_folds:
        from sklearn.model_selection import StratifiedKFold

        counts = {c: y.count(c) for c in set(y)}
        folds = min(cv_folds, min(counts.values()))
        if folds >= 2:
            oof: np.ndarray | None = None
            classes_sorted = sorted(set(y))
            skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
            oof = np.zeros((len(y), len(classes_sorted)))
            for tr, te in skf.split(np.zeros(len(y)), y):
                vec, clf = _fit([feats[i] for i in tr], dense[tr], [y[i] for i in tr], C, random_state)
                pr = _predict(vec, clf, [feats[i] for i in te], dense[te])
                cols = [classes_sorted.index(c) for c in clf.classes_]
                oof[np.ix_(te, cols)] = pr
            # Minimise cost = UNDER_COST × under + over: under-classification leaks secrets
            # and is the costliest error; ties go to the lower (more cautious) threshold.
            costs = []
            for t in np.arange(0.15, 0.55, 0.05):
                m = evaluate(y, oof, classes_sorted, catalogue, float(t))
                costs.append((UNDER_COST * m["under"] + m["over"], float(t)))
            best = min(costs)[1]
            thresholds["secret_threshold"] = round(best, 2)
            metrics = evaluate(y, oof, classes_sorted, catalogue, best)
            metrics["cv_folds"] = float(folds)

    vec, clf = _fit(feats, dense, y, C, random_state)
    corpus_hash = hashlib.sha256("\n".join(r["text"] + "\t" + lab for r, lab in zip(records, y, strict=True))
                                 .encode("utf-8")).hexdigest()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    version = f"{stamp}-{corpus_hash[:8]}"
    import sklearn

    model = export_model(vec, clf, dense_names, {
            "version": version,
            "recipe": "tfidf_lr.v1",
            "catalogue_version": catalogue.version,
            "trained_at": stamp,
            "n_docs": len(records),
            "n_extra_docs": len(records) - len(read_records(train_dir)),
            "class_counts": {c: y.count(c) for c in sorted(set(y))},
            "corpus_sha256": corpus_hash,
            "hyperparameters": {"C": C, "dense_weight": dense_weight, "min_df": 2, "sublinear_tf": True, "ngrams": "1-2 tokens",
                                "random_state": random_state},
            "tokenizer_backend": tokenizer.backend_,
            "sklearn_version": sklearn.__version__,
            "cv_metrics": metrics,
            "thresholds": thresholds,
        })
    if dense_weight:
        # Fold the scaling into the coefficients so that serving uses the raw match scores.
        model.coef[:, len(model.vocabulary):] *= dense_weight
    out = models_dir / version
    model.save(out)
    if make_current:
        tmp = models_dir / ".CURRENT.tmp"
        tmp.write_text(version, encoding="utf-8")
        tmp.replace(models_dir / "CURRENT")
    return TrainReport(out, version, len(records), metrics, thresholds)
