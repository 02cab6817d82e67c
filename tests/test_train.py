"""Training data (corpus + final decisions, deduplicated, weighted), retraining edge cases, and
the vocabulary rule that keeps rare terms (names) out of model files."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from classifier.config import Settings
from classifier.engine.model import TextModel
from classifier.train import (
    CORPUS_WEIGHT,
    CORRECTION_WEIGHT,
    DECISION_WEIGHT,
    HARD_NEGATIVE_WEIGHT,
    MIN_DOCS,
    UNDER_CLASSIFIED_WEIGHT,
    assemble_records,
    read_records,
    text_key,
    train,
)
from classifier.training.registry import Registry
from classifier.training.retrain import retrain

REPO = Path(__file__).resolve().parent.parent
CORPUS = [
    {"id": "c1", "text": "关于举办培训班的通知", "level": "内部", "clause": None},
    {"id": "c2", "text": "干部考察材料 民主测评", "level": "秘密", "clause": "4.5"},
]


def _dec(i, text, level, clause, *, at, sha=None, status="confirmed", s_level=None, s_clause=None):
    return {"id": f"db-{i}", "text": text, "level": level, "clause": clause, "status": status,
            "sha256": sha or f"sha{i}", "decided_at": at, "suggested_level": s_level or level,
            "suggested_clause": s_clause if s_level else clause}


def test_assemble_latest_decision_wins_by_sha_and_text(catalogue):
    decs = [
        _dec(1, "同一文稿", "秘密", "4.5", at="2026-01-02", sha="A"),
        _dec(2, "同一文稿（改后）", "机密", "4.3", at="2026-01-05", sha="A"),   # same file, later
        _dec(3, "另一 文稿", "公开", None, at="2026-01-01", sha="B"),
        _dec(4, "另一文稿", "内部", None, at="2026-01-03", sha="C"),           # same text as B
    ]
    out, counts = assemble_records(CORPUS, decs, catalogue)
    got = {r["id"]: (r["level"], r["clause"]) for r in out if r["origin"] == "decision"}
    assert got == {"db-2": ("机密", "4.3"), "db-4": ("内部", None)}
    assert counts["duplicates"] == 2 and counts["decisions"] == 2 and counts["corpus"] == 2


def test_assemble_weights_and_corpus_replacement(catalogue):
    decs = [
        _dec(1, "关于举办培训班的通知", "公开", None, at="1", status="overridden"),  # relabels c1
        _dec(2, "新文稿甲", "秘密", "4.8", at="2"),                                 # agrees with model
        _dec(3, "新文稿乙", "机密", "4.3", at="3", s_level="机密", s_clause="4.12"),  # model was wrong
        _dec(4, "新文稿丙", "机密", "4.12", at="4", status="decided"),              # no class to learn
    ]
    out, counts = assemble_records(CORPUS, decs, catalogue)
    w = {r["id"]: r["weight"] for r in out}
    assert w == {"c2": CORPUS_WEIGHT, "db-1": CORRECTION_WEIGHT, "db-2": DECISION_WEIGHT,
                 "db-3": CORRECTION_WEIGHT}
    assert counts == {"corpus": 1, "decisions": 3, "corrections": 2, "duplicates": 0,
                      "replaced": 1, "skipped": 1}
    assert CORRECTION_WEIGHT > DECISION_WEIGHT >= CORPUS_WEIGHT


@pytest.mark.parametrize(("codes", "status", "factor"), [
    (["already_public"], "overridden", HARD_NEGATIVE_WEIGHT),
    (["work_matter", "other"], "overridden", HARD_NEGATIVE_WEIGHT),
    (["outside_catalogue"], "decided", HARD_NEGATIVE_WEIGHT),
    (["higher_level"], "overridden", UNDER_CLASSIFIED_WEIGHT),
    (["wrong_period"], "overridden", 1.0),
    ([], "overridden", 1.0),
])
def test_assemble_reason_codes_weigh_hard_negatives(catalogue, codes, status, factor):
    """Issue 14 §1: an "already public" (or work-matter, outside-the-catalogue) decision weighs
    as a hard negative, a "higher level" one as an under-classification."""
    d = {**_dec(1, "新文稿丁", "内部", None, at="1", status=status), "reason_codes": codes}
    out, _ = assemble_records([], [d], catalogue)
    (r,) = out
    assert r["weight"] == CORRECTION_WEIGHT * factor and r["reason_codes"] == codes
    assert HARD_NEGATIVE_WEIGHT > 1 and UNDER_CLASSIFIED_WEIGHT > 1


def test_decision_records_carry_reason_codes(workflow, people, suggester, catalogue):
    """The training record of a settled decision carries its codes; a confirmed proposal that
    departed from the suggestion carries the drafter's codes."""
    from classifier.catalogue import Level
    from classifier.training.decisions import decision_records
    from classifier.workflow import Classification

    text = "市委组织部召开新闻发布会\n近日，市委组织部举行新闻发布会，通报全市党员教育培训工作情况。"
    a = workflow.upload(people.drafter.id, f"{text}甲".encode(), "甲.txt",
                        suggester.suggest_upload).document
    b = workflow.upload(people.drafter.id, f"{text}乙".encode(), "乙.txt",
                        suggester.suggest_upload).document
    for doc in (a, b):
        workflow.propose(people.drafter.id, doc.id, Classification(Level.MIMI, "4.5", 10),
                         scope="部务会成员", reason_codes=["higher_level"])
    workflow.override(people.director.id, a.id, Classification(Level.MIMI, "4.5", 10),
                      reason="已在报纸刊登", reason_codes=["already_public", "other"])
    workflow.confirm(people.director.id, b.id)
    recs = {r["id"]: r for r in decision_records(workflow.store)}
    assert recs[f"db-{a.id}"]["reason_codes"] == ["already_public", "other"]
    assert recs[f"db-{b.id}"]["reason_codes"] == ["higher_level"]
    out, _ = assemble_records([], recs.values(), catalogue)
    w = {r["id"]: r["weight"] for r in out}
    assert w[f"db-{a.id}"] == CORRECTION_WEIGHT * HARD_NEGATIVE_WEIGHT


def test_model_metadata_records_the_reason_weights(trained_model):
    meta = json.loads((trained_model / "metadata.json").read_text(encoding="utf-8"))
    w = meta["weights"]
    assert w["hard_negative"] == HARD_NEGATIVE_WEIGHT
    assert w["under_classified"] == UNDER_CLASSIFIED_WEIGHT
    assert w["hard_negative_codes"] == ["already_public", "outside_catalogue", "work_matter"]
    assert w["under_classified_codes"] == ["higher_level"]


def test_text_key_ignores_whitespace():
    assert text_key("干部 考察\n材料") == text_key("干部考察材料")


def test_retrain_with_empty_database(tmp_path):
    """No database file at all: corpus only; the database is not created by training."""
    s = Settings(home=tmp_path)
    res = retrain(s, cv_folds=0)
    assert res.promoted and res.report.counts["decisions"] == 0
    assert not (tmp_path / "dingmi.sqlite3").exists()
    assert res.report.golden["n"] >= 95
    assert Registry(s.models_dir).active().version == res.report.version


def test_retrain_with_a_class_missing(tmp_path, catalogue, tokenizer, golden_set):
    """A corpus without clause 4.11: the model trains, never suggests 4.11, and is scored."""
    train_dir = tmp_path / "train"
    train_dir.mkdir()
    # Every third document: the behaviour under test needs the classes, not the whole corpus.
    recs = [r for r in read_records(REPO / "corpus" / "train")[::3] if r.get("clause") != "4.11"]
    (train_dir / "t.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs),
                                       encoding="utf-8")
    rep = train(catalogue, tokenizer, train_dir, tmp_path / "models", golden=golden_set,
                cv_folds=3, make_current=False)
    meta = json.loads((rep.model_dir / "metadata.json").read_text(encoding="utf-8"))
    assert "4.11" not in meta["classes"] and "4.11" not in rep.golden["confusion"].get("4.11", {})
    assert rep.golden["per_class"]["4.11"]["recall"] == 0.0
    assert rep.metrics["cv_folds"] == 3


def test_retrain_with_one_rare_class_keeps_cross_validation(tmp_path, catalogue, tokenizer):
    rare = [{"id": "d1", "text": "新文稿：涉密网络口令清单", "level": "秘密", "clause": "4.11",
             "origin": "decision"}]
    train_dir = tmp_path / "train"
    train_dir.mkdir()
    # Every third document: the behaviour under test needs the classes, not the whole corpus.
    recs = [r for r in read_records(REPO / "corpus" / "train")[::3] if r.get("clause") != "4.11"]
    (train_dir / "t.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs),
                                       encoding="utf-8")
    rep = train(catalogue, tokenizer, train_dir, tmp_path / "models", extra_records=rare,
                cv_folds=3, make_current=False)
    assert rep.metrics["cv_folds"] == 3 and rep.decision_cv["n"] == 1


def test_retrain_with_thousands_of_decisions(tmp_path, store, catalogue, people):
    """2,000 settled documents in a real SQLite file: read, deduplicated, trained on."""
    from classifier.training.decisions import final_decision_records

    corpus = read_records(REPO / "corpus" / "train")
    n = 2000
    with store.transaction() as tx:
        for i in range(n):
            r = corpus[i % len(corpus)]
            text = f"{r['text']}\n（本单位第{i}号文稿）"
            doc = tx.add_document(sha256=f"{i:064x}", filename=f"{i}.txt", size_bytes=len(text),
                                  format="txt", text=text, uploaded_by=people.drafter.id,
                                  status="uploaded")
            tx.add_suggestion(doc.id, {"level": r["level"], "clause": r["clause"],
                                       "confidence": 0.9, "model_version": "v0"})
            status = "overridden" if i % 10 == 0 else "confirmed"
            fields = {"level": r["level"], "clause": r["clause"]}
            tx.add_decision(document_id=doc.id, kind=status[:-2] if status == "confirmed" else "override",
                            actor_id=people.director.id, actor_role="director", reason="",
                            **fields)
            tx.update_document(doc.id, doc.version, status=status, **fields)
    url = str(store.db_engine.url)
    s = Settings(home=tmp_path / "home", database_url=url)
    decs = list(final_decision_records(s))
    assert len(decs) == n
    t0 = time.perf_counter()
    res = retrain(s, cv_folds=0)
    elapsed = time.perf_counter() - t0
    c = res.report.counts
    assert c["decisions"] == n and c["corrections"] == n // 10 and c["corpus"] == len(corpus)
    assert res.report.n_docs == len(corpus) + n
    assert res.report.golden["under"] <= 0.05
    assert elapsed < 120


def _model_bytes(model_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(model_dir.iterdir()) if p.is_file())


def test_name_from_two_decisions_stays_out_of_every_model_file(tmp_path, catalogue, tokenizer):
    """Issue 11 §7: a person's name taken from two 机密 decisions is in no file of the model;
    a term of many documents is. (jieba cuts 郜振霖 as one word: the name would be a feature.)"""
    name = "郜振霖"
    assert name in tokenizer.tokens(f"拟将{name}同志列入市管后备干部名单。")
    decisions = [
        {"id": f"db-{i}", "text": f"关于{name}同志的考察材料（第{i}稿）\n经组织考察，{name}同志"
                                  f"拟列入市管后备干部名单，考察情况如下。以上材料未经公布。",
         "level": "机密", "clause": "4.9", "origin": "decision", "sha256": f"s{i}"}
        for i in (1, 2)]
    train_dir = tmp_path / "train"
    train_dir.mkdir()
    # Every sixth document: the behaviour under test needs a vocabulary, not the whole corpus.
    recs = read_records(REPO / "corpus" / "train")[::6]
    (train_dir / "t.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs),
                                       encoding="utf-8")

    def fit(min_docs: int) -> Path:
        return train(catalogue, tokenizer, train_dir, tmp_path / f"models{min_docs}",
                     extra_records=decisions, cv_folds=0, make_current=False,
                     min_docs=min_docs).model_dir

    leaky = fit(2)  # the rule of before: two documents were enough
    assert name in json.loads((leaky / "vocabulary.json").read_text(encoding="utf-8"))
    model_dir = fit(MIN_DOCS)
    assert MIN_DOCS >= 3 and json.loads((model_dir / "metadata.json").read_text(
        encoding="utf-8"))["hyperparameters"]["min_docs"] == MIN_DOCS
    assert name.encode("utf-8") not in _model_bytes(model_dir)
    assert name.encode("unicode_escape") not in _model_bytes(model_dir)  # nor as \\uXXXX
    for vocab in ("vocabulary.json", "passage_vocabulary.json"):
        words = json.loads((model_dir / vocab).read_text(encoding="utf-8"))
        assert not [w for w in words if name[:2] in w or name[1:] in w], vocab
        assert "后备干部" in words or "市管后备干部" in words
    m = TextModel.load(model_dir, key=Registry(tmp_path / f"models{MIN_DOCS}").key())
    assert not [t for c in m.classes for t, _ in m.top_terms(c, 50) if name[:2] in t]
