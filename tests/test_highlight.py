"""Escaping and highlighting of untrusted document text."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from classifier.highlight import Span, escape_markdown, evidence_spans, highlight_html

_TAG = re.compile(r"<(/?)(\w+)")


def _visible(out: str) -> str:
    inner = out[out.index(">") + 1 : out.rindex("</div>")]
    return html.unescape(re.sub(r"<mark [^>]*>|</mark>", "", inner))


@given(text=st.text(max_size=200), spans=st.lists(
    st.tuples(st.integers(-5, 210), st.integers(-5, 210), st.integers(0, 2)), max_size=6))
def test_highlight_keeps_the_text_and_adds_only_our_tags(text, spans):
    out = highlight_html(text, [Span(a, b, r) for a, b, r in spans])
    assert _visible(out) == text
    assert {m.group(2) for m in _TAG.finditer(out)} <= {"div", "mark"}


@pytest.mark.parametrize(
    "evil",
    ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>",
     "[点我](http://evil.example)", "![x](http://evil.example/a.png)", "</mark></div><script>"],
)
def test_highlight_escapes_markup_inside_and_outside_marks(evil):
    text = f"前文{evil}后文"
    for spans in ([], [Span(0, len(text))], [Span(1, 5, 0, evil)]):
        out = highlight_html(text, spans)
        assert "<script" not in out and "<img" not in out and "<svg" not in out
        assert _visible(out) == text


def test_highlight_stronger_rank_wins_where_spans_overlap():
    out = highlight_html("abcdef", [Span(0, 4, 1), Span(2, 6, 0)])
    assert out.count("<mark") == 2
    assert ">ab</mark>" in out and ">cdef</mark>" in out


def test_evidence_spans_clip_and_skip_bad_offsets():
    payload = {"candidates": [
        {"clause": "4.3", "level": "机密", "evidence": [{"text": "x", "start": 2, "end": 99},
                                                       {"start": "bad", "end": 3}]},
        {"clause": None, "level": "公开", "evidence": [{"text": "y", "start": 5, "end": 5}]},
    ]}
    assert evidence_spans(payload, 10) == [Span(2, 10, 0, "4.3 机密")]


def test_escape_markdown_neutralises_links_and_markup():
    out = escape_markdown("[a](http://x) **b** <i>")
    assert "](" not in out.replace("\\]\\(", "") and "\\*\\*b\\*\\*" in out
    assert escape_markdown("机密★20年") == "机密★20年"
