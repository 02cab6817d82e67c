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
from classifier.config import model_key_path
from classifier.engine.analysis import Analysis, analyse
from classifier.engine.decide import DEFAULT_POLICY, DEFAULT_STACKER, Policy, Stacker
from classifier.engine.matcher import Matcher
from classifier.engine.model import TextModel, doc_features
from classifier.engine.signing import read_model_key
from classifier.errors import UsageError
from classifier.nlp.segment import Tokenizer
from classifier.workflow.reasons import ReasonCode

LEVELS = {lv.label: lv for lv in Level}
#: Largest number of saga epochs. Converged fits take 20–80 here (tol 1e-3); a class with a
#: single example can keep saga going for thousands of epochs for no gain in accuracy.
MAX_ITER = 300
#: Epochs of saga for the passage model: ~45,000 passages, where 300 epochs (the tolerance is
#: never reached) cost 45 s a fit on one core and 60 give the same leave-writers-out figures
#: (README, "Model"); six fits per ``dingmi train``.
PASSAGE_MAX_ITER = 60

#: Sample weights in the logistic loss (multiplied by the balanced class weight). A drafted
#: corpus example and a decision that simply confirms the model's suggestion count once; a
#: correction (the director overrode, the leading group decided, or the final level/clause
#: differs from what the model suggested) counts CORRECTION_WEIGHT times: it is where the
#: model was wrong for this office, the most informative label there is.
CORPUS_WEIGHT = 1.0
DECISION_WEIGHT = 1.0
CORRECTION_WEIGHT = 3.0

#: Reason codes (issue 14 §1) that mark a decision as a hard negative: the person lowered the
#: level because the matter is already public, only a work matter (内部), or outside the
#: catalogue. The text carries the clause's cues but is not that secret: exactly what the
#: model gets wrong, so such a record weighs HARD_NEGATIVE_WEIGHT times its decision weight.
HARD_NEGATIVE_CODES = frozenset({ReasonCode.ALREADY_PUBLIC.value, ReasonCode.WORK_MATTER.value,
                                  ReasonCode.OUTSIDE_CATALOGUE.value})
HARD_NEGATIVE_WEIGHT = 3.0
#: Reason codes that mark an under-classification (应定未定, 定密过低: the model or the
#: drafter put it too low), the mistake that leaks secrets: weighed UNDER_CLASSIFIED_WEIGHT
#: times the decision weight.
UNDER_CLASSIFIED_CODES = frozenset({ReasonCode.HIGHER_LEVEL.value})
UNDER_CLASSIFIED_WEIGHT = 3.0

#: Fewest distinct training documents a feature (word, word pair, character pair) must occur
#: in to enter a model's vocabulary. A model file is read by whoever can read the data home,
#: so a term from one or two documents (a person's name from two 机密 decisions) must not stand
#: in it; the passage model keeps only features of the document model's vocabulary. Source:
#: issue 11 (§7). 3 was chosen by leave-writers-out CV against 5 and 2 (README, "Model"): 5
#: cost level accuracy (0.946 → 0.938) and over-classification (0.041 → 0.054); an office that
#: wants more margin raises it with ``DINGMI_VOCAB_MIN_DOCS``.
MIN_DOCS = 3

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


def reason_weight(record: dict[str, Any]) -> float:
    """The factor a record's reason codes put on its decision weight (issue 14 §1).

    Parameters
    ----------
    record : dict
        A training record; ``reason_codes`` (list of str, may be absent) is read.

    Returns
    -------
    float
        :data:`HARD_NEGATIVE_WEIGHT` when a code is in :data:`HARD_NEGATIVE_CODES`,
        :data:`UNDER_CLASSIFIED_WEIGHT` when one is in :data:`UNDER_CLASSIFIED_CODES` (the
        larger when both), else 1.0. The factors do not stack beyond the larger one: a
        record is either a hard negative or an under-classification in practice, and the
        balanced class weight already scales each class.

    Notes
    -----
    Source: issue 14 §1 ("already public" examples weigh as hard negatives).
    """
    codes = set(record.get("reason_codes") or ())
    factor = 1.0
    if codes & HARD_NEGATIVE_CODES:
        factor = max(factor, HARD_NEGATIVE_WEIGHT)
    if codes & UNDER_CLASSIFIED_CODES:
        factor = max(factor, UNDER_CLASSIFIED_WEIGHT)
    return factor


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
        Each with ``weight`` (float) and ``origin`` (``"corpus"`` or ``"decision"``). A
        decision weighs :data:`CORRECTION_WEIGHT` when it corrects the model, else
        :data:`DECISION_WEIGHT`, times :func:`reason_weight` of its ``reason_codes``.
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
        base = CORRECTION_WEIGHT if corr else DECISION_WEIGHT
        out.append({**r, "weight": base * reason_weight(r), "origin": "decision"})
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
    # A record without a writer is held out with the other records of its file.
    return [r if r.get("writer") else {**r, "_file": f.stem} for f in files for r in read_jsonl(f)]


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
         sample_weight: np.ndarray | None = None, max_iter: int | None = None,
         min_df: int = 2) -> Any:
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    vec = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=min_df, norm="l2")
    try:
        xt = vec.fit_transform(feats)
    except ValueError as e:  # every feature pruned: too few documents for the vocabulary rule
        raise UsageError(f"训练文件太少：没有任何词语出现在至少 {min_df} 篇文件中"
                         "（词表的最少文件数，见 DINGMI_VOCAB_MIN_DOCS）") from e
    x = hstack([xt, csr_matrix(dense)]).tocsr()
    # saga with tol 1e-3: the same cross-validated quality as lbfgs on corpus/train, 5-15x faster.
    clf = LogisticRegression(C=C, solver="saga", tol=1e-3, max_iter=max_iter or MAX_ITER,
                             class_weight="balanced",
                             random_state=random_state)
    # One BLAS/OpenMP thread: on two shared cores, threads contending made L-BFGS 3-5x slower.
    # A loose tolerance is on purpose (measured: the same CV quality): a fold that stops at
    # max_iter is not an error.
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
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


def train(
    catalogue: Catalogue,
    tokenizer: Tokenizer,
    train_dir: Path,
    models_dir: Path,
    *,
    extra_records: Iterable[dict[str, Any]] = (),
    golden: Sequence[dict[str, Any]] | None = None,
    C: float = 10.0,
    passage_C: float = 10.0,
    context_weight: float = 3.0,
    features: str = "tokens12+chars2",
    dense_weight: float = 0.0,
    random_state: int = 0,
    cv_folds: int = 5,
    min_docs: int = MIN_DOCS,
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
        ``<home>/models``; the model goes to ``<UTC timestamp>-<hash8>/`` inside it, its
        manifest signed with ``<home>/keys/model.key`` (created when missing).
    extra_records : iterable of dict
        Confirmed/overridden/decided documents from the database (``text``, ``level``,
        ``clause``; see :func:`assemble_records` for deduplication and weights); pending
        ones must not be passed.
    golden : sequence of dict, optional
        The golden set (:func:`classifier.evaluation.read_golden`); the new model is scored
        on it and the figures stored in its metadata (``golden``). Never trained on.
    C : float
        Inverse regularisation strength of the document model's logistic regression.
    passage_C : float
        The same for the passage model.
    context_weight : float
        Total weight, per annotated secret document, of its undecisive passages as 内部
        examples of the passage model (:func:`passage_examples`). 3 was chosen by
        leave-writers-out CV against 0 and 1 (README, "Model").
    features : str
        ``"tokens12"`` (token unigrams and bigrams) or ``"tokens12+chars2"`` (plus character
        bigrams of long tokens); chosen by leave-writers-out CV (README, "Model").
    dense_weight : float
        Ignored (kept for callers of the first version: the catalogue's cue scores now serve
        as evidence and in the catch-all rule, not as model features).
    random_state : int
        Seed for the folds and the estimator.
    min_docs : int
        Fewest distinct training documents a feature must occur in to be kept in the
        model's files (:data:`MIN_DOCS`; ``Settings.vocab_min_docs``).
    cv_folds : int
        Folds of the cross-validation that leaves writers out (``GroupKFold`` by ``writer``):
        it fits the stacker, picks the decision rule's thresholds (:mod:`classifier.crossval`)
        and reports ``cv_by_writer``. 0 skips it: the model then carries
        :data:`classifier.engine.decide.DEFAULT_STACKER` and ``DEFAULT_POLICY``, measured on
        the shipped corpus.
    make_current : bool
        Point ``models_dir/CURRENT`` at the new version (the registry passes False and
        decides itself).
    user_words : iterable of (word, freq, tag)
        The office's own words the tokenizer was given; stored in the model's metadata.
    threshold_hint : float, optional
        Ignored (the first version's threshold hysteresis; thresholds now come from the
        leave-writers-out search every time).
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

    from classifier.crossval import (
        Scored,
        choose_policy,
        fit_stacker,
        key_spans,
        stack_matrix,
    )
    from classifier.engine import Classifier

    tick(0.0, "读取训练数据")
    corpus = read_records(train_dir)
    records, counts = assemble_records(corpus, extra_records, catalogue)
    y = [label_of(r) for r in records]
    if len(set(y)) < 2:
        raise UsageError("训练数据至少需要两个类别")
    weights = np.array([float(r.get("weight", 1.0)) for r in records])
    is_decision = np.array([r.get("origin") == "decision" for r in records])
    groups = [writer_of(r) for r in records]
    tick(0.05, "分词与特征")
    matcher = Matcher(catalogue)
    analyses: list[Analysis] = [analyse(r["text"], tokenizer, matcher) for r in records]
    keys = [key_spans(r) for r in records]
    classes_sorted = sorted(set(y))
    hyper = {"C": C, "passage_C": passage_C, "context_weight": context_weight,
             "features": features, "min_df": 2, "min_docs": min_docs,
             "sublinear_tf": True, "random_state": random_state}

    def fit(idx: np.ndarray) -> TextModel:
        return _fit_models(analyses, keys, y, weights, idx, classes_sorted, hyper)

    catch_all = catalogue.catch_all.id if catalogue.catch_all else None
    base = Policy.from_dict(None)
    # Without cross-validation, the decision rule keeps the numbers measured on the shipped
    # corpus (leave-writers-out; README, "Model").
    policy = DEFAULT_POLICY
    stacker: Stacker | None = DEFAULT_STACKER
    metrics: dict[str, float] = {}
    decision_cv: dict[str, float] = {}
    folds, fold_of = _group_folds(groups, y, cv_folds, random_state)
    if folds >= 2:
        # Out-of-fold scores, whole writers held out: the models never saw the writer they score.
        items: list[Scored] = []
        for k in range(folds):
            tick(0.1 + 0.55 * k / folds, f"交叉验证（按撰稿人留出）第{k + 1}/{folds}折")
            tr, te = np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)
            scorer = Classifier(catalogue, tokenizer, fit(tr), policy=base)
            for i in te:
                r = records[i]
                items.append(Scored(scorer.scores(analyses[i]), analyses[i], LEVELS[r["level"]],
                                    r.get("clause") if LEVELS[r["level"]].is_secret else None,
                                    keys[i], int(k)))
        order = np.concatenate([np.flatnonzero(fold_of == k) for k in range(folds)])
        tick(0.7, "拟合综合判断与阈值")
        x, ys, xo, yo, ns = stack_matrix(items, base)
        item_fold = np.array([it.fold for it in items])
        # Each fold's stacker is fitted on the other folds' scores: the thresholds are chosen
        # on out-of-fold P(secret) too.
        stackers = {}
        for k in range(folds):
            tr_k = item_fold != k
            stackers[k] = fit_stacker(x[tr_k], ys[tr_k], xo[tr_k & ns], yo[tr_k & ns])
        policy, cv_all = choose_policy(items, base, catch_all, stackers)
        stacker = fit_stacker(x, ys, xo[ns], yo[ns])
        metrics = {**cv_all, "cv_folds": float(folds), "cv_docs": float(len(items)),
                   "writers": float(len(set(groups))),
                   "grouped": float(len(set(groups)) >= folds)}
        metrics["clause_acc"] = metrics["clause_top1"]
        dec = [it for it, i in zip(items, order, strict=True) if is_decision[i]]
        if dec:
            from classifier.crossval import decision_metrics

            decision_cv = decision_metrics(dec, policy, stackers, catch_all)
            decision_cv["clause_acc"] = decision_cv["clause_top1"]
    thresholds = {"secret_threshold": policy.secret_threshold, "review_below": policy.review_below}

    tick(0.75, "训练最终模型")
    model = fit(np.arange(len(y)))
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

    model.metadata.update({
            "version": version,
            "recipe": "passages_lr.v2",
            "features": features,
            "catalogue_version": catalogue.version,
            "code_version": classifier.__version__,
            "trained_at": stamp,
            "created_at": now.isoformat(timespec="seconds"),
            "n_docs": len(records),
            "n_extra_docs": counts["decisions"],
            "training_set": counts,
            "writers": sorted(set(groups)),
            "weights": {"corpus": CORPUS_WEIGHT, "decision": DECISION_WEIGHT,
                        "correction": CORRECTION_WEIGHT,
                        "hard_negative": HARD_NEGATIVE_WEIGHT,
                        "hard_negative_codes": sorted(HARD_NEGATIVE_CODES),
                        "under_classified": UNDER_CLASSIFIED_WEIGHT,
                        "under_classified_codes": sorted(UNDER_CLASSIFIED_CODES)},
            "class_counts": {c: y.count(c) for c in sorted(set(y))},
            "corpus_sha256": corpus_hash,
            "hyperparameters": hyper,
            "tokenizer_backend": tokenizer.backend_,
            # The office's own words the tokenizer had: serving adds them back (same tokens).
            "user_words": [list(w) for w in user_words],
            "sklearn_version": sklearn.__version__,
            "cv_by_writer": metrics,
            "cv_metrics": metrics,
            "decision_cv": decision_cv,
            "thresholds": thresholds,
            "policy": policy.to_dict(),
            "stacker": stacker.to_dict() if stacker else None,
        })
    if golden:
        from classifier.evaluation import golden_metrics

        tick(0.9, "金标准集评测")
        scorer = Classifier(catalogue, tokenizer, model)
        model.metadata["golden"] = golden_metrics(scorer, golden)
    tick(0.95, "保存模型")
    out = models_dir / version
    # Signed with the data home's key (beside models_dir, issue 11 §7), created at first use.
    model.save(out, key=read_model_key(model_key_path(models_dir.parent), create=True))
    if make_current:
        tmp = models_dir / ".CURRENT.tmp"
        tmp.write_text(version, encoding="utf-8")
        tmp.replace(models_dir / "CURRENT")
    tick(1.0, "完成")
    return TrainReport(out, version, len(records), metrics, thresholds,
                       golden=model.metadata.get("golden", {}), decision_cv=decision_cv,
                       counts=counts)


def writer_of(record: dict[str, Any]) -> str:
    """The group a record is held out with: its ``writer``, else its source file or origin."""
    return str(record.get("writer") or record.get("_file") or record.get("origin") or "corpus")


def _group_folds(groups: list[str], y: list[str], folds: int, random_state: int
                 ) -> tuple[int, np.ndarray]:
    """Assign every record a fold, holding whole writers out.

    With fewer writers than ``folds`` (a small office corpus), records are folded one by one
    (stratified by class) instead: the figures are then not leave-writers-out, and the
    metrics say so (``grouped`` = 0).

    Returns
    -------
    n_folds : int
        0 when cross-validation is impossible.
    fold_of : ndarray of int, shape (N,)
    """
    n = len(y)
    if folds < 2 or n < 2 * folds:
        return 0, np.full(n, -1)
    uniq = sorted(set(groups))
    fold_of = np.full(n, -1)
    if len(uniq) >= folds:
        from sklearn.model_selection import GroupKFold

        for k, (_, te) in enumerate(GroupKFold(n_splits=folds).split(np.zeros(n), y, groups)):
            fold_of[te] = k
        return folds, fold_of
    from sklearn.model_selection import StratifiedKFold

    counts_y = {c: y.count(c) for c in set(y)}
    strata = [c if counts_y[c] >= folds else "_rare" for c in y]
    if 0 < strata.count("_rare") < folds:
        largest = max(counts_y, key=lambda c: counts_y[c])
        strata = [largest if s == "_rare" else s for s in strata]
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    for k, (_, te) in enumerate(skf.split(np.zeros(n), strata)):
        fold_of[te] = k
    return folds, fold_of


#: Weight of one passage of a 公开/内部 document in the passage model: a long document's many
#: passages together weigh about as much as ``NEG_PASSAGES`` passages.
NEG_PASSAGES = 12


def passage_examples(a: Analysis, keys: list[tuple[int, int]], label: str, weight: float,
                     is_secret: bool, context_weight: float = 0.0
                     ) -> list[tuple[list[str], str, float]]:
    """Training examples of the passage model from one document: (tokens, label, weight).

    A secret's annotated decisive passages carry its clause. Its other passages (the context
    around the deciding item: procedure, headings, routine business on the same topic) are
    examples of 内部 weighted ``context_weight`` in all (0 leaves them out): they teach the
    model that the topic alone does not decide. A secret without annotations gives its whole
    text as one example. Every passage of a 公开/内部 document is an example of its level,
    weighted so that a document's passages sum to about ``NEG_PASSAGES``.
    """
    from classifier.engine.passages import overlaps

    toks = a.passage_tokens
    if is_secret:
        if not keys:
            return [(a.tokens, label, weight)]
        hit = [bool(t) and any(overlaps(p, s, e) for s, e in keys)
               for p, t in zip(a.passages, toks, strict=True)]
        out = [(t, label, weight) for t, h in zip(toks, hit, strict=True) if h]
        if not out:
            return [(a.tokens, label, weight)]
        rest = [t for t, h in zip(toks, hit, strict=True) if t and not h]
        if context_weight > 0 and rest:
            w = weight * context_weight / len(rest)
            out += [(t, "内部", w) for t in rest]
        return out
    nonempty = [t for t in toks if t]
    w = weight * min(1.0, NEG_PASSAGES / max(1, len(nonempty)))
    return [(t, label, w) for t in nonempty]


def _fit_models(analyses: list[Analysis], keys: list[list[tuple[int, int]]], y: list[str],
                weights: np.ndarray, idx: np.ndarray, classes: list[str],
                hyper: dict[str, Any]) -> TextModel:
    """Fit the document model and the passage model on the records ``idx``.

    Returns
    -------
    TextModel
        The document model with ``passage`` set; both have exactly ``classes`` (a class
        absent from these records gets zero weights and an intercept of -30).
    """
    chars = hyper["features"] == "tokens12+chars2"
    docs = [doc_features(analyses[i].tokens, chars=chars) for i in idx]
    # The vocabulary rule (MIN_DOCS): the document model's min_df counts distinct documents.
    vec, clf = _fit(docs, np.zeros((len(idx), 0)), [y[i] for i in idx], hyper["C"],
                    hyper["random_state"], weights[idx], min_df=hyper.get("min_docs", 2))
    known = vec.vocabulary_
    doc_model = _aligned(export_model(vec, clf, [], {"features": hyper["features"]}), classes)
    ex: list[tuple[list[str], str, float]] = []
    for i in idx:
        lv = LEVELS.get(y[i])
        ex += passage_examples(analyses[i], keys[i], y[i], float(weights[i]),
                               lv is None or lv.is_secret, hyper.get("context_weight", 0.0))
    # Passages of one document are many examples: only the document vocabulary is learnt.
    pvec, pclf = _fit([[f for f in doc_features(t, chars=chars) if f in known]
                       for t, _, _ in ex], np.zeros((len(ex), 0)),
                      [lab for _, lab, _ in ex], hyper["passage_C"], hyper["random_state"],
                      np.array([w for _, _, w in ex]), max_iter=PASSAGE_MAX_ITER)
    doc_model.passage = _aligned(export_model(pvec, pclf, [], {"features": hyper["features"]}),
                                 classes)
    return doc_model


def _aligned(m: TextModel, classes: list[str]) -> TextModel:
    """``m`` with its rows reordered (and missing classes added) to follow ``classes``."""
    if m.classes == classes:
        return m
    k, width = len(classes), m.coef.shape[1]
    coef = np.zeros((k, width))
    intercept = np.full(k, -30.0)
    if len(m.classes) == 1:  # a one-class fit: scikit-learn refuses it, but be safe
        raise UsageError("训练数据至少需要两个类别")
    for j, c in enumerate(m.classes):
        i = classes.index(c)
        coef[i], intercept[i] = m.coef[j], m.intercept[j]
    return TextModel(classes=list(classes), vocabulary=m.vocabulary, idf=m.idf, coef=coef,
                     intercept=intercept, dense_names=m.dense_names, metadata=m.metadata)
