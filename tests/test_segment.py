"""Tokenisation: the rjieba default cuts exactly like jieba; domain terms stay whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.nlp.normalize import fold
from classifier.nlp.segment import NUM_TOKEN, Tokenizer, build_words, read_stopwords

REPO = Path(__file__).resolve().parent.parent


def _corpus_texts() -> list[str]:
    """Every text of corpus/: training drafts, catalogue, word lists, examples."""
    texts: list[str] = []
    for f in sorted((REPO / "corpus" / "train").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    for f in ("catalogue.toml", "userdict.txt", "README.md"):
        texts.append((REPO / "corpus" / f).read_text(encoding="utf-8"))
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples").glob("*.txt"))]
    return texts


@pytest.fixture(scope="module")
def words(catalogue):
    return build_words(REPO / "corpus" / "userdict.txt", catalogue.terms())


@pytest.mark.slow
def test_rjieba_cuts_identically_to_jieba_over_corpus(words, tmp_path):
    pytest.importorskip("rjieba")
    fast = Tokenizer(words, backend="rjieba")
    ref = Tokenizer(words, backend="jieba", cache_dir=tmp_path)
    texts = _corpus_texts()
    assert len(texts) > 20
    diffs = [(i, fast.cut(t), ref.cut(t)) for i, t in enumerate(texts) if fast.cut(t) != ref.cut(t)]
    assert not diffs, f"{len(diffs)} texts differ, first: {diffs[0][0]}"
    assert fast.backend_ == "rjieba" and ref.backend_ == "jieba"


def test_auto_backend_prefers_rjieba(words):
    tk = Tokenizer(words)
    tk.cut("测试")
    assert tk.backend_ in {"rjieba", "jieba"}


@pytest.mark.parametrize("text,term", [
    ("关于召开市管领导班子民主生活会的通知", "民主生活会"),
    ("做好考察预告和任前公示工作", "考察预告"),
    ("做好考察预告和任前公示工作", "任前公示"),
    ("市管後備幹部名單按機密級管理", "后备干部"),
    ("整理干部档案和考察材料", "干部档案"),
    ("换届人事安排方案", "换届"),
])
def test_domain_terms_are_whole_tokens(tokenizer, text, term):
    toks = tokenizer.tokens(text)
    assert term in toks or any(term in t and len(t) <= len(term) + 2 for t in toks), toks


def test_traditional_is_converted_before_cutting(tokenizer):
    toks = tokenizer.tokens("組織部關於調整幹部的請示")
    assert "组织部" in toks and "关于" in toks
    assert not any(ch in "".join(toks) for ch in "織關調幹請")


def test_numbers_fold_to_one_token_and_punctuation_drops(tokenizer):
    toks = tokenizer.tokens("共有党员５２３１８名，占比12.5%。")
    assert NUM_TOKEN in toks
    assert "，" not in toks and "。" not in toks
    assert "52318" not in toks


def test_userdict_adds_words(catalogue, tmp_path):
    ud = tmp_path / "office.txt"
    ud.write_text("青禾计划 100 n\n", encoding="utf-8")
    base = Tokenizer(build_words(REPO / "corpus" / "userdict.txt", catalogue.terms()))
    extra = Tokenizer(build_words(REPO / "corpus" / "userdict.txt", catalogue.terms(), [ud]))
    text = "关于实施青禾计划的方案"
    assert "青禾计划" not in base.tokens(text)
    assert "青禾计划" in extra.tokens(text)


def test_bad_userdict_frequency_is_a_usage_error(tmp_path):
    from classifier.errors import UsageError

    ud = tmp_path / "bad.txt"
    ud.write_text("青禾计划 many n\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"\[usage_error\].*第1行"):
        build_words(None, (), [ud])


def test_stopwords_file_reads():
    sw = read_stopwords(REPO / "corpus" / "stopwords.txt")
    assert "的" in sw and "拟" not in sw


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_cut_loses_no_character(tokenizer, s):
    joined = "".join(tokenizer.cut(s))
    assert joined == "".join(ch for ch in fold(s) if not ch.isspace()) or \
        "".join(joined.split()) == "".join(fold(s).split())
