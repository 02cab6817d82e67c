"""Model persistence: plain arrays, the same probabilities as scikit-learn, safe loading."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from classifier.engine.analysis import EXTRA_DENSE, analyse
from classifier.engine.matcher import Matcher
from classifier.engine.model import TextModel, doc_features, latest_model_dir, write_manifest
from classifier.errors import ModelFormatError, ModelNotReadyError
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


def test_saved_model_round_trips_and_carries_versions(trained_model, catalogue):
    m = TextModel.load(trained_model)
    meta = json.loads((trained_model / "metadata.json").read_text(encoding="utf-8"))
    assert m.version == meta["version"] == trained_model.name
    assert meta["catalogue_version"] == catalogue.version
    assert meta["format"] == "dingmi.tfidf_lr.v1"
    assert set(m.classes) >= {"公开", "内部", "4.1", "4.11"}
    assert latest_model_dir(trained_model.parent) == trained_model


def test_pickled_array_is_refused(trained_model, tmp_path):
    bad = tmp_path / "m"
    shutil.copytree(trained_model, bad)
    np.savez(bad / "model.npz", idf=np.array([object()], dtype=object), coef=np.zeros((1, 1)),
             intercept=np.zeros(1))
    with pytest.raises(ModelFormatError, match=r"\[model_tampered\]"):
        TextModel.load(bad)  # swapped after saving: the manifest refuses it
    write_manifest(bad)
    with pytest.raises(ModelFormatError, match=r"\[invalid_model\]"):
        TextModel.load(bad)  # even with a matching manifest, no object array is unpickled


@pytest.mark.parametrize("damage", ["shape", "format", "json", "missing"])
def test_damaged_model_raises_typed_error(trained_model, tmp_path, damage):
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
        write_manifest(bad)  # damaged when saved: the format checks, not the hashes, refuse it
    with pytest.raises(ModelNotReadyError):
        TextModel.load(bad)


def test_no_model_is_model_not_ready(tmp_path):
    with pytest.raises(ModelNotReadyError, match=r"\[model_not_ready\].*dingmi train"):
        latest_model_dir(tmp_path / "models")


def test_serving_does_not_import_sklearn(trained_model, tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, pathlib\n"
        "from classifier.engine.model import TextModel\n"
        f"m = TextModel.load(pathlib.Path({str(trained_model)!r}))\n"
        "import numpy as np\n"
        "m.predict_proba(['民主生活会'], np.zeros(len(m.dense_names)))\n"
        "assert 'sklearn' not in sys.modules, 'sklearn imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
