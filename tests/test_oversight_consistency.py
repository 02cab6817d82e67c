"""classifier.oversight.consistency: the consistency alarm over the register (issue 14 §4)."""

from __future__ import annotations

import numpy as np
import pytest

from classifier.catalogue import Level
from classifier.oversight import (
    IndexFormatError,
    RegisteredDocument,
    SimilarityIndex,
    consistency_alarm,
    exact_jaccard,
    shingle_hashes,
)
from tests.registers import invented_register, near_duplicate

CLAUSES = {Level.MIMI: "4.5", Level.JIMI: "4.3", Level.JUEMI: "4.1"}


@pytest.fixture(scope="module")
def register_texts() -> list[str]:
    """1,000 invented, mutually dissimilar documents."""
    return invented_register(1000, seed=14, chars=700)


def _register(texts: list[str]) -> list[RegisteredDocument]:
    out = []
    for i, t in enumerate(texts):
        lv = Level(i % 5)
        out.append(RegisteredDocument(f"doc-{i:04d}", t, lv, CLAUSES.get(lv), title=f"文件{i}"))
    return out


def test_alarm_finds_the_near_duplicate_with_another_level(register_texts):
    docs = _register(register_texts)
    orig = docs[418]                                    # 机密, 4.3
    docs.append(RegisteredDocument("copy", near_duplicate(orig.text, edits=3), Level.GONGKAI,
                                   None, title="同一通知"))
    pairs = consistency_alarm(docs)
    assert [(p.doc_a, p.doc_b) for p in pairs] == [(orig.doc_id, "copy")]
    p = pairs[0]
    assert (p.level_a, p.level_b, p.kind, p.level_gap) == (Level.JIMI, Level.GONGKAI, "level", 3)
    assert p.jaccard == pytest.approx(
        exact_jaccard(shingle_hashes(orig.text), shingle_hashes(docs[-1].text)))
    assert 0.8 <= p.jaccard < 1.0
    assert abs(p.estimated - p.jaccard) < 0.15


def test_alarm_silent_when_decisions_agree(register_texts):
    docs = _register(register_texts)
    orig = docs[417]
    docs.append(RegisteredDocument("copy", near_duplicate(orig.text, edits=3), orig.level,
                                   orig.clause))
    docs.append(RegisteredDocument("copy2", orig.text, orig.level, orig.clause))
    assert consistency_alarm(docs) == []


def test_alarm_reports_a_clause_only_conflict():
    a, b = invented_register(2, seed=3)
    docs = [RegisteredDocument("a", a, Level.MIMI, "4.5"), RegisteredDocument("b", b, Level.MIMI),
            RegisteredDocument("a2", near_duplicate(a, seed=1), Level.MIMI, "4.6")]
    (p,) = consistency_alarm(docs)
    assert (p.doc_a, p.doc_b, p.kind, p.level_gap) == ("a", "a2", "clause", 0)


def test_similar_to_at_decision_time(register_texts):
    idx = SimilarityIndex()
    for d in _register(register_texts[:200]):
        idx.add(d)
    texts = {f"doc-{i:04d}": t for i, t in enumerate(register_texts[:200])}
    draft = near_duplicate(register_texts[42], edits=2, seed=5)    # doc 42: 秘密, 4.5
    (hit,) = idx.similar_to(draft, texts=texts)
    assert (hit.doc_id, hit.level, hit.clause) == ("doc-0042", Level.MIMI, "4.5")
    assert hit.jaccard is not None and hit.jaccard > 0.9
    msg = hit.message()
    assert "已定为秘密" in msg and "4.5" in msg and f"{int(hit.jaccard * 100)}%" in msg
    assert idx.similar_to(draft, exclude="doc-0042") == []
    assert idx.similar_to(register_texts[500]) == []
    assert idx.similar_to(" \n ") == []


def test_index_is_incremental_and_round_trips_without_pickle(tmp_path, register_texts):
    docs = _register(register_texts[:300])
    idx = SimilarityIndex()
    for d in docs[:150]:
        idx.add(d)
    for d in docs[150:]:                     # stored signatures: no rehash
        idx.add_signature(d.doc_id, idx.signature(d.text), d.level, d.clause, d.title)
    idx.add(RegisteredDocument("copy", near_duplicate(docs[7].text), Level.JUEMI, "4.1"))
    assert len(idx) == 301 and "copy" in idx
    (p,) = idx.conflicts()
    assert (p.doc_a, p.doc_b, p.jaccard) == ("copy", "doc-0007", None)

    idx.save(tmp_path / "index.npz")
    with np.load(tmp_path / "index.npz", allow_pickle=False) as z:   # plain arrays only
        assert z["signatures"].dtype == np.dtype("<u4")
        assert z["signatures"].shape == (301, 128)
    back = SimilarityIndex.load(tmp_path / "index.npz")
    assert back.doc_ids == idx.doc_ids and back.bands == idx.bands
    assert back.conflicts() == idx.conflicts()

    back.set_decision("copy", docs[7].level, docs[7].clause)   # decisions agree now
    assert back.conflicts() == []
    back.remove("copy")
    assert "copy" not in back and len(back) == 300


def test_signature_bytes_round_trip_and_match_datasketch():
    from datasketch import MinHash

    idx = SimilarityIndex()
    text = invented_register(1, seed=9)[0]
    sig = idx.signature(text)
    assert np.array_equal(idx.signature_from_bytes(idx.signature_bytes(sig)), sig)
    m = MinHash(num_perm=128, seed=1, scheme="affine32", hashfunc=int)
    m.update_batch([int(h >> np.uint64(32)) for h in shingle_hashes(text)])
    assert np.array_equal(m.hashvalues, sig)
    with pytest.raises(IndexFormatError, match=r"\[invalid_index\]"):
        idx.signature_from_bytes(b"\0" * 10)


@pytest.mark.parametrize("content", [b"not an npz", b""])
def test_load_rejects_a_damaged_index(tmp_path, content):
    p = tmp_path / "index.npz"
    p.write_bytes(content)
    with pytest.raises(IndexFormatError, match=r"\[invalid_index\]"):
        SimilarityIndex.load(p)


def test_load_rejects_another_signature_version(tmp_path):
    import json

    np.savez(tmp_path / "i.npz", signatures=np.zeros((0, 128), dtype="<u4"),
             meta=np.array(json.dumps({"format": "dingmi-minhash-index",
                                       "signature_version": 0, "scheme": "affine32"})))
    with pytest.raises(IndexFormatError, match="另一版本"):
        SimilarityIndex.load(tmp_path / "i.npz")


@pytest.mark.parametrize(("a", "b", "same"), [
    ("关于做好２０２６年工作的通知", "关于做好 2026 年工作的\n通知", True),   # layout, full width
    ("关于做好2026年工作的通知", "关于做好2027年工作的通知", False),
])
def test_shingles_ignore_layout_not_content(a, b, same):
    assert np.array_equal(shingle_hashes(a), shingle_hashes(b)) is same


def test_shingles_of_short_and_empty_text():
    assert shingle_hashes("秘密").size == 1
    assert shingle_hashes(" \u3000\n").size == 0
    with pytest.raises(ValueError, match="shingle"):
        shingle_hashes("x", k=0)
