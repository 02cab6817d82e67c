"""Recurring reasons and proposed catalogue edits from the database (issue 14 §1).

:func:`reason_review` loads the settled documents whose decisions or proposals gave reason
codes (need to know respected: a document the reader may not open is left out), counts the
reasons per clause and proposes cue edits (:mod:`classifier.oversight.catalogue_edits`),
leaving out the ones already answered. :func:`answer_edit` records the model steward's
answer (a ``catalogue_edits`` row and an audit event, one transaction); an accepted edit
rewrites the candidate catalogue ``<home>/catalogue/catalogue-<version>.toml`` (atomically)
from the catalogue in use and every accepted edit. The catalogue in use is never changed:
the candidate is simulated on the model page (``dingmi models simulate --catalogue PATH``)
and adopted by whoever installs it.

Who answers: the model's steward (:data:`~classifier.workflow.states.MODEL_ROLES`, the
office director), who already trains, simulates and promotes models; the three
administrators never see document content, from which the terms come.

Source: issue 14 §1.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from classifier.errors import UsageError
from classifier.oversight.catalogue_edits import (
    MIN_SUPPORT,
    ProposedEdit,
    ReasonCount,
    ReasonedDecision,
    apply_edits,
    catalogue_toml,
    propose_edits,
    reason_counts,
)
from classifier.store import CatalogueEdit
from classifier.workflow.oversight import oversight_reader
from classifier.workflow.reads import WorkflowReads
from classifier.workflow.states import FINAL_STATUSES

#: The answers an edit can get.
OUTCOMES = ("accepted", "rejected")
#: Chinese names of the answers (UI).
OUTCOME_LABELS = {"accepted": "已采纳", "rejected": "已驳回"}


@dataclass(frozen=True)
class ReasonReview:
    """What the model page shows under “反复出现的变更理由”.

    Attributes
    ----------
    counts : list of ReasonCount
        Reason codes per cited clause, most frequent first.
    proposals : list of ProposedEdit
        Edits proposed and not answered yet.
    answered : list of CatalogueEdit
        Every answer so far, oldest first.
    candidate : pathlib.Path or None
        The candidate catalogue written from the accepted edits, if any.
    """

    counts: list[ReasonCount]
    proposals: list[ProposedEdit]
    answered: list[CatalogueEdit]
    candidate: Path | None


def reasoned_decisions(reads: WorkflowReads, reader_id: int) -> list[ReasonedDecision]:
    """The settled documents with reason codes that ``reader_id`` may open.

    The cited clause is the latest proposal's when a decision gave the codes (the reviewer
    disagreed with the drafter), else the stored suggestion's (the drafter disagreed with the
    model).

    Raises
    ------
    PermissionDeniedError
        The reader's role may not read oversight figures (directors and the leading group
        may).
    """
    store = reads.store
    reader = oversight_reader(store, reader_id)
    out = []
    for d in store.final_documents(FINAL_STATUSES):
        if not d.reason_codes or not d.text.strip():
            continue
        doc = store.document(d.id)
        if not reads.may_read(reader, doc):
            continue
        by_decision = any(x.reason_code for x in store.decisions(d.id))
        proposals = store.proposals(d.id)
        cited = (proposals[-1].clause if by_decision and proposals else d.suggested_clause)
        out.append(ReasonedDecision(str(d.id), d.text, cited or None, d.clause or None,
                                    tuple(d.reason_codes)))
    return out


def candidate_path(home: Path, version: str) -> Path:
    """Where the candidate catalogue of ``version`` is written."""
    return Path(home) / "catalogue" / f"catalogue-{version}.toml"


def reason_review(reads: WorkflowReads, reader_id: int, *, home: Path, catalogue_path: Path,
                  tokenize: Callable[[str], list[str]],
                  min_support: int = MIN_SUPPORT) -> ReasonReview:
    """Recurring reasons per clause and the catalogue edits still to answer.

    Parameters
    ----------
    reads : WorkflowReads
        With the catalogue in use (``reads.catalogue``).
    reader_id : int
        A director or the leading group.
    home : pathlib.Path
        The data home (where a candidate catalogue is looked for).
    catalogue_path : pathlib.Path
        The catalogue file in use (its version names the candidate).
    tokenize : callable
        Text to tokens (:meth:`classifier.nlp.segment.Tokenizer.tokens`).
    min_support : int
        See :func:`classifier.oversight.catalogue_edits.propose_edits`.

    Raises
    ------
    PermissionDeniedError
        The reader may not read oversight figures.
    UsageError
        The workflow has no catalogue.
    """
    if reads.catalogue is None:
        raise UsageError("未加载保密事项范围，无法提出修改建议")
    decisions = reasoned_decisions(reads, reader_id)
    answered = reads.store.catalogue_edits()
    done = {(e.clause, e.action, e.term) for e in answered}
    proposals = [p for p in propose_edits(decisions, reads.catalogue, tokenize,
                                          min_support=min_support) if p.key not in done]
    path = _candidate(home, catalogue_path)
    return ReasonReview(reason_counts(decisions), proposals, answered,
                        path if path.exists() else None)


def answer_edit(reads: WorkflowReads, actor_id: int, edit: ProposedEdit, outcome: str, *,
                home: Path, catalogue_path: Path, note: str = "") -> Path | None:
    """Record the model steward's answer to a proposed edit; on acceptance write the
    candidate catalogue.

    Parameters
    ----------
    reads : WorkflowReads
        The workflow (its ``require_model_steward`` checks the role).
    actor_id : int
    edit : ProposedEdit
        As :func:`reason_review` listed it.
    outcome : {"accepted", "rejected"}
    home, catalogue_path : pathlib.Path
        The data home and the catalogue file in use.
    note : str
        Optional remark.

    Returns
    -------
    pathlib.Path or None
        The candidate catalogue written (accepted), else None.

    Raises
    ------
    PermissionDeniedError
        The actor is not the model's steward (the office director).
    UsageError
        An unknown outcome, or an edit already answered.
    CatalogueError
        The candidate would not load (nothing is recorded).
    """
    if outcome not in OUTCOMES:
        raise UsageError(f"处理结果 {outcome!r} 无效，应为采纳或驳回")
    steward = getattr(reads, "require_model_steward", None)
    if steward is None:
        raise UsageError("需要完整的工作流才能处理修改建议")
    steward(actor_id)
    path: Path | None = None
    with reads.store.transaction() as tx:
        actor = tx.user(actor_id)
        if any((e.clause, e.action, e.term) == edit.key for e in reads.store.catalogue_edits()):
            raise UsageError(f"条款 {edit.clause} 的提示词“{edit.term}”修改建议已处理过，请刷新页面")
        row = tx.add_catalogue_edit(clause=edit.clause, action=edit.action, term=edit.term,
                                    reason_code=edit.reason_code, support=edit.support,
                                    outcome=outcome, actor_id=actor.id, note=(note or "").strip())
        detail: dict[str, object] = {"edit_id": row.id, "clause": edit.clause,
                                     "action": edit.action, "term": edit.term,
                                     "reason_code": edit.reason_code, "support": edit.support,
                                     "outcome": outcome, "examples": list(edit.doc_ids)}
        if outcome == "accepted":
            accepted = [(e.clause, e.action, e.term) for e in reads.store.catalogue_edits()
                        if e.outcome == "accepted"] + [edit.key]
            path = _write_candidate(home, catalogue_path, accepted)
            detail["candidate"] = path.name
        tx.add_event("catalogue_edit", actor=actor, reason=(note or "").strip(), detail=detail)
    return path


def _candidate(home: Path, catalogue_path: Path) -> Path:
    data = tomllib.loads(Path(catalogue_path).read_text(encoding="utf-8"))
    return candidate_path(home, apply_edits(data, [])["version"])


def _write_candidate(home: Path, catalogue_path: Path,
                     accepted: list[tuple[str, str, str]]) -> Path:
    """Write the catalogue in use with ``accepted`` applied, atomically; check it loads."""
    from classifier.catalogue import load_catalogue

    data = tomllib.loads(Path(catalogue_path).read_text(encoding="utf-8"))
    new = apply_edits(data, accepted)
    path = candidate_path(home, str(new["version"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".catalogue-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(catalogue_toml(new))
            f.flush()
            os.fsync(f.fileno())
        load_catalogue(tmp)  # never leave a candidate that does not load
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
