"""Which passages are shown as a candidate's evidence, best first.

Shared by serving (:class:`classifier.engine.Classifier`) and leave-writers-out validation
(:mod:`classifier.crossval`, the ``evidence_hit`` figure), so the figure measures what a person
sees. Source: issue 9 (§3).
"""

from __future__ import annotations

import numpy as np

from classifier.engine.analysis import Analysis
from classifier.engine.decide import DocScores
from classifier.nlp.normalize import fold

#: Bonus (probability units) for the passage the catalogue's cue terms point to most.
CUE_BONUS = 0.1
#: Passages shorter than this (characters) rank lower as evidence, in proportion.
EVIDENCE_CHARS = 80


def rank_evidence(a: Analysis, sc: DocScores, k: int, clause: str | None, n: int = 3) -> list[int]:
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
    if clause is not None:
        score = pp[:, k] * (0.6 + 0.4 * length)
        m = a.matches.get(clause)
        if m and m.evidence:
            by_start = {p.start: j for j, p in enumerate(a.passages)}
            j = by_start.get(m.evidence[0][0].start)
            if j is not None:
                score[j] += CUE_BONUS
    else:
        score = sc.passage_secret() * (0.6 + 0.4 * length)
        n = 1
    best: list[int] = []
    seen: set[str] = set()
    for j in np.argsort(-score, kind="stable"):
        key = fold("".join(a.passages[j].text.split()))
        if key in seen:  # the same passage repeated (running header, cover page)
            continue
        seen.add(key)
        best.append(int(j))
        if len(best) == n:
            break
    return best
