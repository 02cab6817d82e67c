"""Engine parts: sentences, printed marking, catalogue matching, and suggestions."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.catalogue import Level
from classifier.engine.marking import find_marking, mask_marking
from classifier.engine.matcher import ClauseMatch, Matcher
from classifier.engine.sentences import Sentence, split_sentences

REPO = Path(__file__).resolve().parent.parent


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_sentences_index_the_text(text):
    prev = 0
    for s in split_sentences(text):
        assert text[s.start:s.end] == s.text
        assert s.text.strip() == s.text and s.text
        assert s.start >= prev
        prev = s.end


def test_sentences_split_on_chinese_punctuation_and_lines():
    text = "第一句。第二句！\n标题\t单元格；末句"
    assert [s.text for s in split_sentences(text)] == ["第一句。", "第二句！", "标题", "单元格；", "末句"]


@pytest.mark.parametrize("text,level,years,condition", [
    ("机密★20年\n关于……", Level.JIMI, 20, None),
    ("秘密★10年\n", Level.MIMI, 10, None),
    ("  机密 ★ 考试结束后\n", Level.JIMI, None, "考试结束后"),
    ("机密\n正文", Level.JIMI, 20, None),          # bare level: the longest period by law
    ("秘密\n正文", Level.MIMI, 10, None),
    ("绝密★\n", Level.JUEMI, 30, None),
    ("内部\n正文", Level.NEIBU, None, None),
    ("内部资料 注意保存\n", Level.NEIBU, None, None),
    ("0001\n密级：机密\n", Level.JIMI, 20, None),
    ("标题\n此件属机密，阅后收回", Level.JIMI, 20, None),
])
def test_find_marking(text, level, years, condition):
    m = find_marking(text)
    assert m is not None and m.level is level
    assert m.years == years and m.condition == condition
    assert text[m.start:m.end] == m.text


@pytest.mark.parametrize("text", [
    "关于加强内部管理的通知\n正文", "各单位要做好保密工作，不得泄露国家秘密。", "机密文件管理办法（公开）\n",
    "正文\n" * 20 + "机密★20年",
])
def test_no_marking_in_ordinary_text(text):
    assert find_marking(text) is None


def test_mask_marking_keeps_length():
    t = "机密★20年\n正文"
    m = find_marking(t)
    assert len(mask_marking(t, m)) == len(t) and "机密" not in mask_marking(t, m)


def test_matcher_points_to_clause_with_evidence(catalogue):
    sents = split_sentences("关于市管后备干部调整补充的名单（讨论稿）。今天天气很好。")
    ms = {m.clause: m for m in Matcher(catalogue).match(sents)}
    top = max(ms.values(), key=lambda m: m.score)
    assert top.clause == "4.9"
    assert top.evidence[0][0].text.startswith("关于市管后备干部")


def test_counter_cues_weaken_a_clause(catalogue):
    mt = Matcher(catalogue)
    secret = mt.match(split_sentences("拟任人选考察材料"))
    public = mt.match(split_sentences("任前公示：拟任人选考察材料已公布"))
    s = {m.clause: m.score for m in secret}
    p = {m.clause: m.score for m in public}
    assert p["4.5"] < s["4.5"]


def _match_term_by_term(mt: Matcher, sentences, folded) -> list[ClauseMatch]:
    """The matcher as first written: every cue, qualifier and counter-cue tested on every
    sentence with ``in``. The regex scan of :meth:`Matcher.match` must give exactly this."""
    out = []
    for cid, weights in mt.weights_.items():
        if not weights:
            continue
        quals, counters = mt.qualifiers_[cid], mt.counters_[cid]
        total, scored, found, n_qual, n_counter = 0.0, [], set(), 0, 0
        for s, f in zip(sentences, folded, strict=True):
            hits = [t for t in weights if t in f]
            if not hits:
                continue
            hits = [t for t in hits if not any(t != u and t in u for u in hits)]
            sc = sum(weights[t] for t in hits)
            if len(hits) > 1:
                sc *= 1.0 + 0.25 * (len(hits) - 1)
            if any(q in f for q in quals):
                sc *= 1.5
                n_qual += 1
            if any(c in f for c in counters):
                sc *= 0.5
                n_counter += 1
            found.update(hits)
            scored.append((s, sc))
            total += sc
        scored.sort(key=lambda x: -x[1])
        out.append(ClauseMatch(cid, math.log1p(total), tuple(scored[:3]), tuple(sorted(found)),
                               n_qual, n_counter))
    return out


def test_matcher_equals_term_by_term_matching_over_corpus(catalogue):
    from classifier.engine.passages import split_passages
    from classifier.nlp.normalize import fold

    mt = Matcher(catalogue)
    n = 0
    for f in sorted((REPO / "corpus" / "train").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            text = json.loads(line)["text"]
            ps = split_passages(mask_marking(text, find_marking(text)))
            folded = [fold(p.text) for p in ps]
            assert mt.match(ps, folded) == _match_term_by_term(mt, ps, folded), text[:40]
            n += 1
    assert n > 2000


def _catalogue_words(catalogue) -> list[str]:
    mt = Matcher(catalogue)
    return sorted({t for d in (mt.weights_, mt.qualifiers_, mt.counters_)
                   for ts in d.values() for t in ts})


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_matcher_equals_term_by_term_matching(catalogue, data):
    # Sentences made of catalogue terms, pieces of them and filler, so that terms overlap,
    # nest (人事安排 in 人事安排方案) and run into each other.
    words = _catalogue_words(catalogue)
    piece = st.one_of(st.sampled_from(words), st.sampled_from(words).map(lambda w: w[1:]),
                      st.sampled_from(words).map(lambda w: w[:-1]),
                      st.text(st.sampled_from(list("的了和拟在\x00 ,。")), max_size=3))
    sentences = data.draw(st.lists(st.lists(piece, max_size=8).map("".join), max_size=6))
    mt = Matcher(catalogue)
    ss = [Sentence(s, 0, len(s)) for s in sentences]
    assert mt.match(ss, sentences) == _match_term_by_term(mt, ss, sentences)
