"""Recurring reasons per clause, and the catalogue edits they suggest (issue 14 §1).

Pure functions over plain records: no database, no workflow. The workflow read
(:func:`classifier.workflow.catalogue_edits.reason_review`) loads the settled decisions with
their reason codes and texts (need to know respected) and the catalogue in use.

- :func:`reason_counts` counts the reason codes per clause: the clause the suggestion or the
  proposal cited, the one the reviewer disagreed with.
- :func:`propose_edits` turns a reason that recurs on a clause at least ``min_support``
  times into proposed edits of the clause's cue terms:

  * the level was lowered (:data:`LOWERING_CODES`: already public, only a work matter,
    outside the catalogue): each cue of the cited clause that occurs in at least
    ``min_support`` of those documents is proposed for removal (``action="remove"``): it
    fired where the matter was not that secret;
  * the clause was wrong or the level too low (:data:`MISSING_CUE_CODES`): the terms
    (jieba tokens through :mod:`classifier.nlp`) shared by at least ``min_support`` of those
    documents and absent from the decided clause's cues are proposed as cues of the decided
    clause (``action="add"``).

An administrator accepts or rejects each proposal; accepted edits make a candidate catalogue
to be simulated before anyone adopts it (:func:`apply_edits`, :func:`catalogue_toml`).

Source: issue 14 §1 ("the model page lists the recurring reasons per clause and turns
repeated ones into proposed catalogue edits (cue terms to add or remove)").
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from classifier.catalogue import Catalogue
from classifier.nlp.normalize import fold

#: Fewest decisions giving the same reason on the same clause before an edit is proposed, and
#: fewest of their documents a term must occur in. Three: one or two decisions are an
#: individual judgement, three on the same clause are a pattern worth the administrator's
#: look (the same order as :data:`classifier.train.MIN_DOCS`, which keeps rarer terms out of
#: a model). Source: issue 14 §1 ("repeated ones").
MIN_SUPPORT = 3
#: Most "add" proposals per clause and reason (the most supported first).
MAX_ADD_TERMS = 8
#: Most example document ids kept with a proposal.
MAX_EXAMPLES = 5

#: Reasons that lowered the level: the cited clause's cues fired where they should not.
LOWERING_CODES = ("already_public", "work_matter", "outside_catalogue")
#: Reasons that mean the decided clause lacked a cue: the model cited another clause or a
#: level too low.
MISSING_CUE_CODES = ("wrong_clause", "higher_level")

EditAction = Literal["add", "remove"]
#: Chinese names of the edit actions (UI).
ACTION_LABELS: dict[str, str] = {"add": "增加提示词", "remove": "删除提示词"}

_WORDISH = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class ReasonedDecision:
    """One settled document whose decision or proposal gave reason codes.

    Attributes
    ----------
    doc_id : str
        The document id (as text).
    text : str
        Its stored extracted text.
    cited_clause : str or None
        The clause the person disagreed with: the proposal's (a director's reasons) or the
        suggestion's (a drafter's); None when neither cited one.
    decided_clause : str or None
        The clause of the classification in effect (None for 公开/内部).
    reason_codes : tuple of str
        The codes given, in order.
    """

    doc_id: str
    text: str
    cited_clause: str | None
    decided_clause: str | None
    reason_codes: tuple[str, ...]


@dataclass(frozen=True)
class ReasonCount:
    """How often one reason was given against one clause."""

    clause: str
    reason_code: str
    n: int
    doc_ids: tuple[str, ...]


@dataclass(frozen=True)
class ProposedEdit:
    """A proposed change of one clause's cue terms.

    Attributes
    ----------
    clause : str
        The clause to edit.
    action : {"add", "remove"}
        Add ``term`` to the clause's cues, or remove it.
    term : str
    reason_code : str
        The recurring reason the proposal comes from.
    support : int
        Documents of that reason on that clause in which the term occurs (>= ``min_support``).
    doc_ids : tuple of str
        Up to :data:`MAX_EXAMPLES` of them, as examples.
    """

    clause: str
    action: EditAction
    term: str
    reason_code: str
    support: int
    doc_ids: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str, str]:
        """(clause, action, term): what an administrator's answer is recorded against."""
        return (self.clause, self.action, self.term)


def reason_counts(decisions: Iterable[ReasonedDecision]) -> list[ReasonCount]:
    """Count the reason codes per cited clause.

    Returns
    -------
    list of ReasonCount
        Most frequent first, then by clause and code. A decision without a cited clause
        counts under its decided clause, and is left out when it has neither.
    """
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for d in decisions:
        clause = d.cited_clause or d.decided_clause
        if clause is None:
            continue
        for code in dict.fromkeys(d.reason_codes):
            groups[(clause, code)].append(d.doc_id)
    out = [ReasonCount(c, code, len(ids), tuple(ids)) for (c, code), ids in groups.items()]
    return sorted(out, key=lambda r: (-r.n, _clause_key(r.clause), r.reason_code))


def propose_edits(decisions: Sequence[ReasonedDecision], catalogue: Catalogue,
                  tokenize: Callable[[str], list[str]], *,
                  min_support: int = MIN_SUPPORT) -> list[ProposedEdit]:
    """Proposed cue edits from reasons that recur on a clause (see the module docstring).

    Parameters
    ----------
    decisions : sequence of ReasonedDecision
    catalogue : Catalogue
        The catalogue in use: the clauses' cues.
    tokenize : callable
        Text to tokens, e.g. :meth:`classifier.nlp.segment.Tokenizer.tokens` (stop words
        and punctuation dropped). Only "add" proposals use it.
    min_support : int
        Fewest decisions of one reason on one clause, and fewest of their documents a term
        must occur in (default :data:`MIN_SUPPORT`).

    Returns
    -------
    list of ProposedEdit
        By clause, action (remove first), support (highest first), term. Clauses not in the
        catalogue are skipped.

    Raises
    ------
    ValueError
        ``min_support`` below 1.
    """
    if min_support < 1:
        raise ValueError("min_support must be at least 1")
    lowering: dict[tuple[str, str], list[ReasonedDecision]] = defaultdict(list)
    missing: dict[tuple[str, str], list[ReasonedDecision]] = defaultdict(list)
    for d in decisions:
        for code in dict.fromkeys(d.reason_codes):
            if code in LOWERING_CODES and d.cited_clause in catalogue:
                lowering[(str(d.cited_clause), code)].append(d)
            elif code in MISSING_CUE_CODES and d.decided_clause in catalogue:
                missing[(str(d.decided_clause), code)].append(d)
    out: list[ProposedEdit] = []
    for (clause, code), docs in lowering.items():
        if len(docs) < min_support:
            continue
        texts = [(d.doc_id, fold(d.text)) for d in docs]
        for cue in catalogue.get(clause).cues:
            hit = [i for i, t in texts if fold(cue) in t]
            if len(hit) >= min_support:
                out.append(ProposedEdit(clause, "remove", cue, code, len(hit),
                                        tuple(hit[:MAX_EXAMPLES])))
    for (clause, code), docs in missing.items():
        if len(docs) < min_support:
            continue
        known = {fold(c) for c in catalogue.get(clause).cues}
        df: Counter[str] = Counter()
        where: dict[str, list[str]] = defaultdict(list)
        for d in docs:
            for term in dict.fromkeys(tokenize(d.text)):
                if len(term) >= 2 and _WORDISH.search(term) and fold(term) not in known:
                    df[term] += 1
                    where[term].append(d.doc_id)
        best = sorted((t for t, n in df.items() if n >= min_support),
                      key=lambda t: (-df[t], t))[:MAX_ADD_TERMS]
        out += [ProposedEdit(clause, "add", t, code, df[t], tuple(where[t][:MAX_EXAMPLES]))
                for t in best]
    return sorted(out, key=lambda e: (_clause_key(e.clause), e.action != "remove", -e.support,
                                      e.term))


def apply_edits(data: dict[str, Any], edits: Iterable[tuple[str, str, str]]) -> dict[str, Any]:
    """Apply accepted edits to a catalogue's TOML data (as :mod:`tomllib` reads it).

    Parameters
    ----------
    data : dict
        The parsed catalogue file (``version``, ``clause`` list with ``cues``, ...); not
        changed.
    edits : iterable of (clause, action, term)
        ``action`` ``"add"`` appends ``term`` to the clause's own ``cues`` (once);
        ``"remove"`` drops it from them.

    Returns
    -------
    dict
        A new data dict with the edited cue lists and ``version`` bumped by
        :func:`bump_version`.
    """
    out = json.loads(json.dumps(data, default=str))  # a deep copy of plain data
    clauses = {str(c.get("id")): c for c in out.get("clause", [])}
    for clause, action, term in edits:
        c = clauses.get(clause)
        if c is None:
            continue
        cues = [x for x in c.get("cues", []) if not (action == "remove" and x == term)]
        if action == "add" and term not in cues:
            cues.append(term)
        c["cues"] = cues
    out["version"] = bump_version(str(out.get("version", "0")))
    return out


def bump_version(version: str) -> str:
    """The next catalogue version: the last number plus one (``"2023.1"`` -> ``"2023.2"``),
    or ``".1"`` appended when the version does not end in a number."""
    m = re.search(r"(\d+)$", version)
    if m is None:
        return f"{version}.1"
    return version[:m.start()] + str(int(m.group(1)) + 1)


def catalogue_toml(data: dict[str, Any]) -> str:
    """Write catalogue data as TOML (strings, integers, booleans, lists of strings, and the
    ``[[clause]]`` tables), readable by :func:`classifier.catalogue.load_catalogue`."""
    lines = ["# Candidate scope catalogue written by dingmi from accepted catalogue edits",
             "# (issue 14 §1). Simulate it before adopting it.", ""]
    for key, value in data.items():
        if key != "clause":
            lines.append(f"{key} = {_toml_value(value)}")
    for c in data.get("clause", []):
        lines += ["", "[[clause]]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in c.items()]
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    # A JSON string is a TOML basic string (same escapes) for the text a catalogue holds.
    return json.dumps(str(value), ensure_ascii=False)


def _clause_key(clause: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in clause.split("."))
    except ValueError:
        return (1 << 30,)
