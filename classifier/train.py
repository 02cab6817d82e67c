"""Train the text model from ``corpus/train`` (and confirmed decisions) into a model directory.

scikit-learn is imported here only: serving uses :class:`classifier.engine.model.TextModel`.

Source: issue 2 (§7, §8); house style §4.8 (only final human decisions train the model; a new
artifact carries its version, the catalogue version and its cross-validated metrics).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from classifier.catalogue import Catalogue, Level
from classifier.engine import DEFAULT_SECRET_THRESHOLD, secret_score
from classifier.engine.analysis import EXTRA_DENSE, Analysis, analyse
from classifier.engine.matcher import Matcher
from classifier.engine.model import TextModel, doc_features
from classifier.errors import UsageError
from classifier.nlp.segment import Tokenizer

LEVELS = {lv.label: lv for lv in Level}
#: How much worse an under-classification is than an over-classification when picking the
#: secret threshold (glossary, 定密不当: the under-classified document leaks secrets).
UNDER_COST = 5.0
#: Largest number of documents cross-validated at training time (a stratified sample beyond).
CV_MAX_DOCS = 2000
#: A cross-validated cost margin (same units as the cost) within which the active model's
#: secret threshold is kept rather than replaced by the new best grid point.
THRESHOLD_HYSTERESIS = 0.01
#: Highest secret threshold (on the :func:`classifier.engine.secret_score` scale) training may
#: pick. Measured on corpus/train (5-fold CV) and corpus/eval: from 0.30 to 0.45 the
#: under-classification rate stays flat while over-classification falls slowly; 0.35 keeps a
#: margin for messier real drafts.
MAX_SECRET_THRESHOLD = 0.35

#: Sample weights in the logistic loss (multiplied by the balanced class weight). A drafted
#: corpus example and a decision that simply confirms the model's suggestion count once; a
#: correction (the director overrode, the leading group decided, or the final level/clause
#: differs from what the model suggested) counts CORRECTION_WEIGHT times: it is where the
#: model was wrong for this office, the most informative label there is.
CORPUS_WEIGHT = 1.0
DECISION_WEIGHT = 1.0
CORRECTION_WEIGHT = 3.0

ProgressFn = Callable[[float, str], None]


def text_key(text: str) -> str:
    """sha256 of a text with whitespace removed: two uploads of the same draft (a DOCX and
    its PDF) share it."""
    return hashlib.sha256("".join(text.split()).encode("utf-8")).hexdigest()


def is_correction(record: dict[str, Any]) -> bool:
    """True for a decision where a person disagreed with the model (see CORRECTION_WEIGHT)."""
    if record.get("status") in ("overridden", "decided"):
        return True
    if "suggested_level" not in record:
        return False
    return (record.get("suggested_level"), record.get("suggested_clause") or None) != (
        record.get("level"), record.get("clause") or None)


def assemble_records(corpus: Sequence[dict[str, Any]], decisions: Iterable[dict[str, Any]],
                     catalogue: Catalogue | None = None
                     ) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The training set: corpus drafts plus the office's final decisions, deduplicated.

    Parameters
    ----------
    corpus : sequence of dict
        ``corpus/train`` records.
    decisions : iterable of dict
        From :func:`classifier.store.final_decision_records` (``sha256``, ``decided_at``,
        ``status``, ``suggested_level``/``suggested_clause`` are used when present).
    catalogue : Catalogue, optional
        When given, decisions on a clause without an automatic level (4.12) or unknown to
        it are left out: there is no class to learn.

    Returns
    -------
    records : list of dict
        Each with ``weight`` (float) and ``origin`` (``"corpus"`` or ``"decision"``).
    counts : dict
        ``corpus``, ``decisions`` (used), ``corrections``, ``duplicates`` (decisions
        dropped as older copies of the same document or text), ``replaced`` (corpus drafts
        whose text a decision relabelled), ``skipped`` (decisions with no trainable class).

    Notes
    -----
    Deduplication: by the uploaded file's sha256, then by :func:`text_key`; the latest
    decision wins (``decided_at``, then database order). A decision on a text that is also
    in the corpus replaces the corpus draft (the office's own answer wins).
    """
    counts = {"corpus": 0, "decisions": 0, "corrections": 0, "duplicates": 0, "replaced": 0,
              "skipped": 0}
    valid: list[tuple[tuple[str, int], dict[str, Any]]] = []
    for n, r in enumerate(decisions):
        clause = r.get("clause") or None
        if r.get("level") not in LEVELS or (
                LEVELS[r["level"]].is_secret and catalogue is not None
                and (not clause or clause not in catalogue or catalogue.get(clause).level is None)):
            counts["skipped"] += 1
            continue
        valid.append(((str(r.get("decided_at") or ""), n), r))
    seen: set[str] = set()
    keep: list[tuple[tuple[str, int], dict[str, Any]]] = []
    for order, r in sorted(valid, key=lambda t: t[0], reverse=True):  # latest first
        keys = {f"text:{text_key(r['text'])}"} | ({f"sha:{r['sha256']}"} if r.get("sha256") else set())
        if keys & seen:
            counts["duplicates"] += 1
        else:
            keep.append((order, r))
        seen |= keys
    dec_keys = {text_key(r["text"]) for _, r in keep}
    out: list[dict[str, Any]] = []
    for r in corpus:
        if text_key(r["text"]) in dec_keys:
            counts["replaced"] += 1
            continue
        out.append({**r, "weight": CORPUS_WEIGHT, "origin": "corpus"})
    counts["corpus"] = len(out)
    for _, r in sorted(keep, key=lambda t: t[0]):
        corr = is_correction(r)
        counts["corrections"] += corr
        out.append({**r, "weight": CORRECTION_WEIGHT if corr else DECISION_WEIGHT,
                    "origin": "decision"})
        counts["decisions"] += 1
    return out, counts


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
    golden : dict
        Golden-set metrics (:func:`classifier.evaluation.golden_metrics`), empty without one.
    decision_cv : dict
        The cross-validated metrics restricted to the office's decisions (``n`` of them);
        empty without decisions or without cross-validation.
    counts : dict
        The training set's make-up (:func:`assemble_records`).
    """

    model_dir: Path
    version: str
    n_docs: int
    metrics: dict[str, float]
    thresholds: dict[str, float]
    golden: dict[str, Any] = field(default_factory=dict)
    decision_cv: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


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
    files = sorted(train_dir.glob("*.jsonl"))
    if not files:
        raise UsageError(f"训练目录 {train_dir} 中没有 .jsonl 文件", path=train_dir)
    return [r for f in files for r in read_jsonl(f)]


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read labelled records, one JSON object per line (``text``, ``level``, ``clause`` …).

    Raises
    ------
    UsageError
        If a line is not valid JSON, lacks ``text``, has an unknown ``level``, or is a state
        secret without a ``clause``; the message names the file and the line.
    """
    out: list[dict[str, Any]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            r = json.loads(line)
        except json.JSONDecodeError as e:
            raise UsageError(f"{path.name} 第{n}行不是有效的 JSON：{e}", path=path) from e
        if not isinstance(r, dict) or not isinstance(r.get("text"), str) or r.get("level") not in LEVELS:
            raise UsageError(f"{path.name} 第{n}行缺少 text 或 level 无效", path=path)
        if LEVELS[r["level"]].is_secret and not r.get("clause"):
            raise UsageError(f"{path.name} 第{n}行：国家秘密须写明 clause", path=path)
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


def _fit(feats: list[list[str]], dense: np.ndarray, y: list[str], C: float, random_state: int,
         sample_weight: np.ndarray | None = None) -> Any:
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=2, norm="l2")
    xt = vec.fit_transform(feats)
    x = hstack([xt, csr_matrix(dense)]).tocsr()
    # saga with tol 1e-3: the same cross-validated quality as lbfgs on corpus/train, 5-15x faster.
    clf = LogisticRegression(C=C, solver="saga", tol=1e-3, max_iter=3000, class_weight="balanced",
                             random_state=random_state)
    # One BLAS/OpenMP thread: on two shared cores, threads contending made L-BFGS 3-5x slower.
    with threadpool_limits(limits=1):
        clf.fit(x, y, sample_weight=sample_weight)
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
        if secret_score(row, sec, non) >= secret_threshold:
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
    golden: Sequence[dict[str, Any]] | None = None,
    C: float = 50.0,
    dense_weight: float = 0.0,
    random_state: int = 0,
    cv_folds: int = 5,
    make_current: bool = True,
    user_words: Iterable[tuple[str, int | None, str | None]] = (),
    threshold_hint: float | None = None,
    progress: ProgressFn | None = None,
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
        ``clause``; see :func:`assemble_records` for deduplication and weights); pending
        ones must not be passed.
    golden : sequence of dict, optional
        The golden set (:func:`classifier.evaluation.read_golden`); the new model is scored
        on it and the figures stored in its metadata (``golden``). Never trained on.
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
        report metrics, overall and on the office's decisions alone (0 disables it).
    make_current : bool
        Point ``models_dir/CURRENT`` at the new version (the registry passes False and
        decides itself).
    user_words : iterable of (word, freq, tag)
        The office's own words the tokenizer was given; stored in the model's metadata.
    threshold_hint : float, optional
        The active model's secret threshold, kept unless another is better by more than
        ``THRESHOLD_HYSTERESIS`` in cross-validated cost.
    progress : callable, optional
        Called with (fraction done in [0, 1], Chinese stage name).

    Returns
    -------
    TrainReport

    Raises
    ------
    UsageError
        If the corpus is missing or malformed, or has fewer than two classes.
    """
    def tick(frac: float, stage: str) -> None:
        if progress is not None:
            progress(frac, stage)

    tick(0.0, "读取训练数据")
    corpus = read_records(train_dir)
    records, counts = assemble_records(corpus, extra_records, catalogue)
    y = [label_of(r) for r in records]
    if len(set(y)) < 2:
        raise UsageError("训练数据至少需要两个类别")
    weights = np.array([float(r.get("weight", 1.0)) for r in records])
    is_decision = np.array([r.get("origin") == "decision" for r in records])
    tick(0.05, "分词与特征")
    matcher = Matcher(catalogue)
    analyses: list[Analysis] = [analyse(r["text"], tokenizer, matcher if dense_weight else None)
                                for r in records]
    feats = [doc_features(a.tokens) for a in analyses]
    dense_names = ([f"m:{c.id}" for c in catalogue.clauses if c.cues] + list(EXTRA_DENSE)
                   if dense_weight else [])
    dense = (np.vstack([a.dense(dense_names) for a in analyses]) * dense_weight if dense_weight
             else np.zeros((len(analyses), 0)))

    thresholds = {"secret_threshold": DEFAULT_SECRET_THRESHOLD, "review_below": 0.55}
    metrics: dict[str, float] = {}
    decision_cv: dict[str, float] = {}
    if cv_folds:
        from sklearn.model_selection import StratifiedKFold

        # Classes rarer than the folds share one stratum, so that one rare class (a clause
        # the office decided once) does not switch cross-validation off for everything.
        counts_y = {c: y.count(c) for c in set(y)}
        strata = [c if counts_y[c] >= cv_folds else "_rare" for c in y]
        if 0 < strata.count("_rare") < cv_folds:  # too few even together: join the largest
            largest = max(counts_y, key=lambda c: counts_y[c])
            strata = [largest if s == "_rare" else s for s in strata]
        folds = min(cv_folds, min(strata.count(s) for s in set(strata)))
        # Cross-validate on at most CV_MAX_DOCS documents (a stratified sample, every decision
        # kept): the threshold and the reported metrics need a sample, not 10,000 refits.
        cv_idx = np.arange(len(y))
        if len(y) > CV_MAX_DOCS:
            from sklearn.model_selection import train_test_split

            dec_idx = np.flatnonzero(is_decision)[:CV_MAX_DOCS // 2]
            rest = np.setdiff1d(cv_idx, dec_idx)
            take = CV_MAX_DOCS - dec_idx.size
            try:
                sample, _ = train_test_split(rest, train_size=take, random_state=random_state,
                                             stratify=[strata[i] for i in rest])
            except ValueError:  # a stratum too small to split: a plain random sample
                sample = np.random.default_rng(random_state).choice(rest, take, replace=False)
            cv_idx = np.sort(np.concatenate([dec_idx, sample]))
        if folds >= 2:
            classes_sorted = sorted(set(y))
            skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
            oof = np.zeros((len(y), len(classes_sorted)))
            cv_strata = [strata[i] for i in cv_idx]
            for k, (tr_s, te_s) in enumerate(skf.split(np.zeros(len(cv_idx)), cv_strata)):
                tr, te = cv_idx[tr_s], cv_idx[te_s]
                tick(0.1 + 0.6 * k / folds, f"交叉验证 第{k + 1}/{folds}折")
                vec, clf = _fit([feats[i] for i in tr], dense[tr], [y[i] for i in tr], C,
                                random_state, weights[tr])
                pr = _predict(vec, clf, [feats[i] for i in te], dense[te])
                cols = [classes_sorted.index(c) for c in clf.classes_]
                oof[np.ix_(te, cols)] = pr
            # Minimise cost = UNDER_COST × under + over: under-classification leaks secrets
            # and is the costliest error; ties go to the lower (more cautious) threshold.
            y_cv, oof_cv = [y[i] for i in cv_idx], oof[cv_idx]
            costs = []
            # Never above MAX_SECRET_THRESHOLD: CV on invented drafts is optimistic (real drafts
            # are messier), and a lower threshold errs on the side of caution.
            for t in np.arange(0.1, MAX_SECRET_THRESHOLD + 1e-9, 0.05):
                m = evaluate(y_cv, oof_cv, classes_sorted, catalogue, float(t))
                costs.append((UNDER_COST * m["under"] + m["over"], float(t)))
            best_cost, best = min(costs)
            if threshold_hint is not None:
                # Keep the active model's threshold unless another is clearly better: a few
                # new decisions must not make the threshold jump between grid points.
                hint_cost = min(costs, key=lambda c: abs(c[1] - threshold_hint))[0]
                if hint_cost <= best_cost + THRESHOLD_HYSTERESIS:
                    best = float(threshold_hint)
            thresholds["secret_threshold"] = round(best, 2)
            metrics = evaluate(y_cv, oof_cv, classes_sorted, catalogue, best)
            metrics["cv_folds"] = float(folds)
            metrics["cv_docs"] = float(cv_idx.size)
            dec = np.intersect1d(np.flatnonzero(is_decision), cv_idx)
            if dec.size:
                decision_cv = evaluate([y[i] for i in dec], oof[dec], classes_sorted, catalogue,
                                       best)
                decision_cv["n"] = float(dec.size)

    tick(0.75, "训练最终模型")
    vec, clf = _fit(feats, dense, y, C, random_state, weights)
    corpus_hash = hashlib.sha256("\n".join(f"{r['text']}\t{lab}\t{r.get('weight', 1.0)}"
                                           for r, lab in zip(records, y, strict=True))
                                 .encode("utf-8")).hexdigest()
    now = datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    version = f"{stamp}-{corpus_hash[:8]}"
    n = 2
    while (models_dir / version).exists():
        version = f"{stamp}-{corpus_hash[:8]}-{n}"
        n += 1
    import sklearn

    import classifier

    model = export_model(vec, clf, dense_names, {
            "version": version,
            "recipe": "tfidf_lr.v1",
            "catalogue_version": catalogue.version,
            "code_version": classifier.__version__,
            "trained_at": stamp,
            "created_at": now.isoformat(timespec="seconds"),
            "n_docs": len(records),
            "n_extra_docs": counts["decisions"],
            "training_set": counts,
            "weights": {"corpus": CORPUS_WEIGHT, "decision": DECISION_WEIGHT,
                        "correction": CORRECTION_WEIGHT},
            "class_counts": {c: y.count(c) for c in sorted(set(y))},
            "corpus_sha256": corpus_hash,
            "hyperparameters": {"C": C, "dense_weight": dense_weight, "min_df": 2, "sublinear_tf": True, "ngrams": "1-2 tokens",
                                "random_state": random_state},
            "tokenizer_backend": tokenizer.backend_,
            # The office's own words the tokenizer had: serving adds them back (same tokens).
            "user_words": [list(w) for w in user_words],
            "sklearn_version": sklearn.__version__,
            "cv_metrics": metrics,
            "decision_cv": decision_cv,
            "thresholds": thresholds,
        })
    if dense_weight:
        # Fold the scaling into the coefficients so that serving uses the raw match scores.
        model.coef[:, len(model.vocabulary):] *= dense_weight
    if golden:
        from classifier.engine import Classifier
        from classifier.evaluation import golden_metrics

        tick(0.9, "金标准集评测")
        scorer = Classifier(catalogue, tokenizer, model, **thresholds)
        model.metadata["golden"] = golden_metrics(scorer, golden)
    tick(0.95, "保存模型")
    out = models_dir / version
    model.save(out)
    if make_current:
        tmp = models_dir / ".CURRENT.tmp"
        tmp.write_text(version, encoding="utf-8")
        tmp.replace(models_dir / "CURRENT")
    tick(1.0, "完成")
    return TrainReport(out, version, len(records), metrics, thresholds,
                       golden=model.metadata.get("golden", {}), decision_cv=decision_cv,
                       counts=counts)
