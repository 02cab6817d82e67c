"""Which passages are shown as a candidate's evidence, best first.

Shared by serving (:class:`classifier.engine.Classifier`) and leave-writers-out validation
(:mod:`classifier.crossval`, the ``evidence_hit`` figure), so the figure measures what a person
sees. Source: issue 9 (§3).
"""

from __future__ import annotations

import re

import numpy as np

from classifier.engine.analysis import Analysis
from classifier.engine.decide import DocScores
from classifier.nlp.normalize import fold

#: Bonus (probability units) for the passage the catalogue's cue terms point to most.
CUE_BONUS = 0.1
#: Evidence passages shown for a clause, best first: a draft often has several passages of
#: the same kind (one row per nominee, one paragraph per criticised leader, one question per
#: exam item), the one that decides is not always the one the model likes best, and a person
#: checks the decision faster seeing a few of them than one. Six rather than five: where one
#: decisive item stands among many of its kind it often ranks just below the first five;
#: beyond six the extra passages add reading rather than the decisive one.
EVIDENCE_PASSAGES = 6
#: Passages shorter than this (characters) rank lower as evidence, in proportion.
EVIDENCE_CHARS = 80
#: Lines at most this long (characters) just above a table are the table's caption ...
CAPTION_CHARS = 100
#: ... up to this many of them (title, subtitle, unit line).
CAPTION_LINES = 3
#: Row groups of one table shown as evidence before other passages get their turn: two groups
#: and the caption say what the table is; more rows of the same roster add little.
ROWS_PER_TABLE = 2
#: A passage at most this long (characters) that ends without a sentence stop is a heading
#: ("第 1 题（综合分析能力，25 分）", "三、反映的问题："): shown as evidence, it brings the
#: passage it heads as context, for a heading alone says little.
HEADING_CHARS = 30
_SENTENCE_END = "。；;！!？?…"
_NOTE = re.compile(r"\s*(?:注|说明|备注|附注)\s*[:：\d１-９一二三（(]")


def rank_evidence(a: Analysis, sc: DocScores, k: int, clause: str | None,
                  n: int = EVIDENCE_PASSAGES) -> list[int]:
    """Indices into ``a.passages`` of the evidence for class column ``k``, best first.

    Parameters
    ----------
    a : Analysis
    sc : DocScores
        ``sc.p_passages`` has shape (len(a.passages), K).
    k : int
        Class column.
    clause : str or None
        The class's clause id; None for 公开/内部.
    n : int
        At most this many passages for a clause.

    Returns
    -------
    list of int
        For a clause: the passages the passage model gives that clause most (the catalogue's
        best cue passage gets :data:`CUE_BONUS`); repeats of the same text are skipped. For
        公开/内部: the one passage that looked most secret, so a person sees what was weighed
        and set aside.
    """
    if not a.passages:
        return []
    pp = sc.p_passages
    # Probabilities saturate near 1 on several passages of a secret draft: among them, the one
    # with more to read is the better evidence (a heading alone says little).
    length = np.array([min(1.0, len(p.text) / EVIDENCE_CHARS) for p in a.passages])
    # Log-odds, not probabilities: several passages of a secret draft saturate near 1, and
    # only the log scale still orders them by how strongly they point at the class.
    eps = 1e-12
    p_non = np.clip(1.0 - sc.passage_secret(), eps, 1.0)
    if clause is not None:
        score = (np.log(np.clip(pp[:, k], eps, 1.0)) - np.log(p_non)) + np.log(0.3 + 0.7 * length)
        m = a.matches.get(clause)
        if m and m.evidence:
            by_start = {p.start: j for j, p in enumerate(a.passages)}
            j = by_start.get(m.evidence[0][0].start)
            if j is not None:
                score[j] += CUE_BONUS
    else:
        score = (np.log(np.clip(sc.passage_secret(), eps, 1.0)) - np.log(p_non)
                 + np.log(0.3 + 0.7 * length))
        n = 1
    run = table_runs(a)
    best: list[int] = []
    seen: set[str] = set()
    per_run: dict[int, int] = {}
    spare: list[int] = []
    for j in np.argsort(-score, kind="stable"):
        key = fold("".join(a.passages[j].text.split()))
        if key in seen:  # the same passage repeated (running header, cover page)
            continue
        seen.add(key)
        r = run[j]
        if r >= 0 and per_run.get(r, 0) >= ROWS_PER_TABLE:
            spare.append(int(j))  # more rows of a table already shown: only if nothing else
            continue
        if r >= 0:
            per_run[r] = per_run.get(r, 0) + 1
        best.append(int(j))
        if len(best) == n:
            break
    best += spare[:n - len(best)]
    return best


def table_runs(a: Analysis) -> list[int]:
    """For each passage, the number of the table it belongs to (consecutive table passages
    form one table), or -1 for a passage that is not table rows."""
    out, n, prev = [], -1, False
    for p in a.passages:
        is_table = p.kind == "table"
        if is_table and not prev:
            n += 1
        out.append(n if is_table else -1)
        prev = is_table
    return out


def caption_of(a: Analysis, j: int) -> list[int]:
    """Indices of the caption and notes of the table that passage ``j`` belongs to.

    Rows of a roster say little on their own (names and dates); the lines above the table
    ("……人选名单", "（共23名）", "单位：名") and a note under it ("注：……", "说明：……") say
    what they are. The caption is up to :data:`CAPTION_LINES` passages just before the
    table's first row group, each at most :data:`CAPTION_CHARS` long and none of them table
    rows; the note is the passage right after the table when it opens with 注/说明/备注.
    Empty when ``j`` is not a table passage.
    """
    ps = a.passages
    if ps[j].kind != "table":
        return []
    i = j
    while i > 0 and ps[i - 1].kind == "table":
        i -= 1
    out = []
    c = i - 1
    while c >= 0 and i - c <= CAPTION_LINES and ps[c].kind != "table" and len(ps[c].text) <= CAPTION_CHARS:
        out.insert(0, c)
        c -= 1
    e = j
    while e + 1 < len(ps) and ps[e + 1].kind == "table":
        e += 1
    if e + 1 < len(ps) and _NOTE.match(ps[e + 1].text):
        out.append(e + 1)
    return out


def with_context(a: Analysis, idx: list[int]) -> list[tuple[int, str]]:
    """The evidence passages ``idx`` with each table's caption put before its rows.

    Returns
    -------
    list of (int, str)
        (passage index, ``"passage"`` or ``"context"``), without repeats; a caption that is
        itself among ``idx`` keeps its own place.
    """
    out: list[tuple[int, str]] = []
    seen = set(idx)
    for j in idx:
        for c in caption_of(a, j):
            if c not in seen:
                seen.add(c)
                out.append((c, "context"))
        out.append((j, "passage"))
        b = body_of(a, j)
        if b is not None and b not in seen:
            seen.add(b)
            out.append((b, "context"))
    return out


def body_of(a: Analysis, j: int) -> int | None:
    """The passage that passage ``j`` heads, when ``j`` is a heading, else None.

    A heading is a non-table passage at most :data:`HEADING_CHARS` long that does not end
    with a sentence stop; what it heads is the next passage, when that is a paragraph or
    an item longer than a heading (not table rows, not another heading).
    """
    ps = a.passages
    t = ps[j].text.strip()
    if ps[j].kind == "table" or not t or len(t) > HEADING_CHARS or t[-1] in _SENTENCE_END:
        return None
    if j + 1 >= len(ps):
        return None
    nxt = ps[j + 1]
    if nxt.kind == "table" or len(nxt.text.strip()) <= HEADING_CHARS:
        return None
    return j + 1
