"""Model persistence: plain arrays, the same probabilities as scikit-learn, safe and signed
loading."""

from __future__ import annotations

import json
import math
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.config import model_key_path
from classifier.engine.analysis import EXTRA_DENSE, analyse
from classifier.engine.matcher import Matcher
from classifier.engine.model import (
    MANIFEST,
    TextModel,
    TokenBag,
    doc_features,
    file_sha256,
    latest_model_dir,
    write_manifest,
)
from classifier.engine.signing import read_model_key
from classifier.errors import (
    ModelFormatError,
    ModelKeyError,
    ModelNotReadyError,
    ModelTamperedError,
    ModelUnsignedError,
)
from classifier.train import _fit, _predict, export_model, read_records

REPO = Path(__file__).resolve().parent.parent


def test_numpy_predictor_equals_sklearn(catalogue, tokenizer):
    records = read_records(REPO / "corpus" / "train")[::3]
    from classifier.train import label_of

    y = [label_of(r) for r in records]
    matcher = Matcher(catalogue)
    an = [analyse(r["text"], tokenizer, matcher) for r in records]
    names = [f"m:{c.id}" for c in catalogue.clauses if c.cues] + list(EXTRA_DENSE)
    dense = np.vstack([a.dense(names) for a in an])
    feats = [doc_features(a.tokens) for a in an]
    vec, clf = _fit(feats, dense, y, 10.0, 0)
    model = export_model(vec, clf, names, {"version": "t"})
    ref = _predict(vec, clf, feats, dense)
    ours = np.vstack([model.predict_proba(a.tokens, a.dense(names)) for a in an])
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, atol=1e-9)
    assert (ours.argmax(1) == ref.argmax(1)).all()


def test_saved_model_round_trips_and_carries_versions(trained_model, catalogue, model_key):
    m = TextModel.load(trained_model, key=model_key)
    meta = json.loads((trained_model / "metadata.json").read_text(encoding="utf-8"))
    assert m.version == meta["version"] == trained_model.name
    assert meta["catalogue_version"] == catalogue.version
    assert meta["format"] == "dingmi.tfidf_lr.v1"
    assert set(m.classes) >= {"公开", "内部", "4.1", "4.11"}
    assert latest_model_dir(trained_model.parent) == trained_model


def test_pickled_array_is_refused(trained_model, tmp_path, model_key):
    bad = tmp_path / "m"
    shutil.copytree(trained_model, bad)
    np.savez(bad / "model.npz", idf=np.array([object()], dtype=object), coef=np.zeros((1, 1)),
             intercept=np.zeros(1))
    with pytest.raises(ModelFormatError, match=r"\[model_tampered\]"):
        TextModel.load(bad, key=model_key)  # swapped after saving: the manifest refuses it
    write_manifest(bad, model_key)
    with pytest.raises(ModelFormatError, match=r"\[invalid_model\]"):
        TextModel.load(bad, key=model_key)  # even with a matching manifest, no object array is unpickled


@pytest.mark.parametrize("damage", ["shape", "format", "json", "missing"])
def test_damaged_model_raises_typed_error(trained_model, tmp_path, damage, model_key):
    bad = tmp_path / "m"
    shutil.copytree(trained_model, bad)
    if damage == "shape":
        with np.load(bad / "model.npz") as z:
            np.savez(bad / "model.npz", idf=z["idf"][:-1], coef=z["coef"], intercept=z["intercept"])
    elif damage == "format":
        meta = json.loads((bad / "metadata.json").read_text(encoding="utf-8"))
        meta["format"] = "pickle"
        (bad / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    elif damage == "json":
        (bad / "vocabulary.json").write_text("{not json", encoding="utf-8")
    else:
        (bad / "model.npz").unlink()
    if damage != "missing":
        write_manifest(bad, model_key)  # damaged when saved: the format checks refuse it
    with pytest.raises(ModelNotReadyError):
        TextModel.load(bad, key=model_key)


def test_no_model_is_model_not_ready(tmp_path):
    with pytest.raises(ModelNotReadyError, match=r"\[model_not_ready\].*dingmi train"):
        latest_model_dir(tmp_path / "models")


def test_serving_does_not_import_sklearn(trained_model, tmp_path, model_key):
    import subprocess
    import sys

    code = (
        "import sys, pathlib\n"
        "from classifier.engine.model import TextModel\n"
        f"m = TextModel.load(pathlib.Path({str(trained_model)!r}), key={model_key!r})\n"
        "import numpy as np\n"
        "m.predict_proba(['民主生活会'], np.zeros(len(m.dense_names)))\n"
        "assert 'sklearn' not in sys.modules, 'sklearn imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _proba_many_by_counter(m: TextModel, token_lists: list[list[str]]) -> np.ndarray:
    """The passage scorer as first written: a Counter of each text's feature strings."""
    n = len(token_lists)
    v = m.idf.shape[0]
    coef_t = np.ascontiguousarray(m.coef[:, :v].T)
    idx_all, tf_all, owner = [], [], []
    for j, toks in enumerate(token_lists):
        for f, c in Counter(f for f in m.features(toks) if f in m.vocabulary).items():
            idx_all.append(m.vocabulary[f])
            tf_all.append(1.0 + math.log(c))
            owner.append(j)
    z = np.tile(m.intercept, (n, 1))
    if idx_all:
        idx, own = np.asarray(idx_all, dtype=np.int64), np.asarray(owner, dtype=np.int64)
        val = np.asarray(tf_all) * m.idf[idx]
        norms = np.sqrt(np.bincount(own, weights=val * val, minlength=n))
        val = val / np.where(norms > 0, norms, 1.0)[own]
        starts = np.flatnonzero(np.r_[True, own[1:] != own[:-1]])
        z[own[starts]] += np.add.reduceat(coef_t[idx] * val[:, None], starts, axis=0)
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _counts_by_counter(vocab: dict[str, int], feats: list[str]) -> list[tuple[int, int]]:
    return [(vocab[f], c) for f, c in Counter(f for f in feats if f in vocab).items()]


def _check_bag(m: TextModel, token_lists: list[list[str]]) -> None:
    """TokenBag counts what doc_features + Counter count, in the same order, and the scores
    built on it are bit-identical to the Counter version's."""
    for chars in (False, True):
        bag = TokenBag(token_lists, chars=chars)
        own, idx, cnt = bag.passage_counts(m.vocabulary)
        ref = [(j, c, k) for j, t in enumerate(token_lists)
               for c, k in _counts_by_counter(m.vocabulary, doc_features(t, chars=chars))]
        assert list(zip(own.tolist(), idx.tolist(), cnt.tolist(), strict=True)) == ref
        flat = [t for ts in token_lists for t in ts]
        didx, dcnt = bag.document_counts(m.vocabulary)
        assert list(zip(didx.tolist(), dcnt.tolist(), strict=True)) == _counts_by_counter(
            m.vocabulary, doc_features(flat, chars=chars))
    assert np.array_equal(m.predict_proba_many(token_lists), _proba_many_by_counter(m, token_lists))


@pytest.fixture(scope="module")
def served(trained_model, model_key) -> TextModel:
    return TextModel.load(trained_model, key=model_key)


# --- the signed manifest (issue 11 §7) ---------------------------------------------------


def _recompute_unkeyed_manifest(d: Path, *, keep_signature: bool) -> None:
    """What a person without the key can do: recompute every file's sha256 in the manifest
    (keeping the old signature, or dropping it as a manifest of before signatures)."""
    doc = json.loads((d / MANIFEST).read_text(encoding="utf-8"))
    doc["sha256"] = {name: file_sha256(d / name) for name in doc["sha256"]}
    if not keep_signature:
        del doc["signature"]
    (d / MANIFEST).write_text(json.dumps(doc), encoding="utf-8")


@pytest.mark.parametrize("keep_signature", [True, False])
def test_changed_weights_with_recomputed_manifest_are_refused(trained_model, tmp_path, model_key,
                                                              keep_signature):
    """The security probe's attack: the weights changed, the manifest's sha256 recomputed."""
    bad = tmp_path / "m"
    shutil.copytree(trained_model, bad)
    with np.load(bad / "model.npz") as z:
        np.savez(bad / "model.npz", idf=z["idf"], coef=-z["coef"], intercept=z["intercept"])
    _recompute_unkeyed_manifest(bad, keep_signature=keep_signature)
    code, error = (("model_tampered", ModelTamperedError) if keep_signature
                   else ("model_unsigned", ModelUnsignedError))
    with pytest.raises(error, match=rf"\[{code}\].*已拒绝载入"):
        TextModel.load(bad, key=model_key)


def test_model_signed_by_another_installation_is_refused(trained_model, tmp_path, model_key):
    other = read_model_key(tmp_path / "other" / "keys" / "model.key", create=True)
    assert other != model_key
    copy = tmp_path / "m"
    shutil.copytree(trained_model, copy)
    write_manifest(copy, other)
    TextModel.load(copy, key=other)  # sound for the installation that signed it
    with pytest.raises(ModelTamperedError, match=r"\[model_tampered\].*另一套安装"):
        TextModel.load(copy, key=model_key)


def test_signing_key_is_created_once_0600_outside_the_models_folder(tmp_path):
    path = model_key_path(tmp_path / "home")
    assert "models" not in path.parts
    with pytest.raises(ModelUnsignedError, match=r"\[model_unsigned\]"):
        read_model_key(path)  # loading never creates it
    key = read_model_key(path, create=True)
    assert len(key) == 32 and read_model_key(path, create=True) == key
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    path.write_text("not a key\n", encoding="ascii")
    with pytest.raises(ModelKeyError, match=r"\[invalid_model_key\]"):
        read_model_key(path)


def test_token_bag_scores_exactly_as_feature_counters_over_corpus(served, catalogue, tokenizer):
    assert served.passage is not None and served.char_features
    matcher = Matcher(catalogue)
    for r in read_records(REPO / "corpus" / "train")[::7]:
        a = analyse(r["text"], tokenizer, matcher)
        _check_bag(served.passage, a.passage_tokens)
        flat, dense = a.tokens, a.dense(served.dense_names)
        counts = Counter(f for f in served.features(flat) if f in served.vocabulary)
        ref_idx = np.array([served.vocabulary[f] for f in counts], dtype=np.int64)
        ref_val = np.array([1.0 + math.log(c) for c in counts.values()]) * served.idf[ref_idx]
        if ref_idx.size:
            ref_val = ref_val / float(np.sqrt(ref_val @ ref_val))
        idx, val = served.vectorize(flat)
        assert np.array_equal(idx, ref_idx) and np.array_equal(val, ref_val)
        bag = TokenBag(a.passage_tokens, chars=True)
        assert np.array_equal(served.predict_proba(flat, dense, bag=bag),
                              served.predict_proba(flat, dense))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.sampled_from(
    ["<num>", "干部", "考察", "市管后备干部", "名单", "的", "a", "人事安排方案", "民主生活会", "xyz"]),
    max_size=12), max_size=6))
def test_token_bag_counts_like_feature_counters(served, token_lists):
    assert served.passage is not None
    _check_bag(served.passage, token_lists)
    _check_bag(served, token_lists)
