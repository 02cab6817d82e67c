"""Oversight over the register (issue 14): the analytics of :mod:`classifier.oversight` fed
from the database, with need to know.

- **Agreement** (:func:`agreement_overview`): Cohen's κ and raw agreement between the model's
  suggestion, the drafter's proposal and the final decision (the director's confirmation or
  override, or the leading group's decision), by level and clause, person and month; where
  and in which direction people override the model.
- **Consistency alarm** (:class:`ConsistencyMonitor`): near-identical settled documents whose
  level or clause differ, and at decision time the settled documents near-identical to the
  one being decided (:func:`similar_notices`).
- **Replay records** (:func:`recorded_decisions`): the settled documents with their stored
  extracted text, for :func:`classifier.oversight.simulate`.

Only the roles that see the overview page (:data:`OVERSIGHT_ROLES`: the directors and the
leading group) may read these figures; the texts of an alarm's pair are opened one document
at a time through :meth:`WorkflowReads.document`, which checks need to know (知悉范围) and
audits the read of a secret.

Source: issue 14 §2, §4, §5; ../shared/docs/glossary.md (定密不当).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from classifier.catalogue import Level
from classifier.errors import PermissionDeniedError
from classifier.oversight import (
    AgreementReport,
    ConflictPair,
    DecisionPair,
    Judgement,
    OverrideReport,
    RecordedDecision,
    SimilarDecision,
    SimilarityIndex,
    agreement_report,
    override_report,
)
from classifier.store import DocumentSummary, Store, User
from classifier.workflow.reads import WorkflowReads
from classifier.workflow.register import person_differs
from classifier.workflow.states import FINAL_STATUSES, PAGE_ACCESS, Page, Role, Status

#: Roles that read the oversight figures (those who see the overview page).
OVERSIGHT_ROLES = frozenset(r for r, pages in PAGE_ACCESS.items() if Page.OVERVIEW in pages)

#: Who gave a judgement: the model's suggestion, the drafter's proposal, the final decision.
Rater = Literal["model", "drafter", "decision"]
#: Chinese names of the raters (UI, exports).
RATER_LABELS: dict[str, str] = {"model": "系统建议", "drafter": "承办人拟定",
                                "decision": "最终审定"}
#: The three comparisons reported, rater a first (rows of the confusion matrix).
COMPARISONS: tuple[tuple[Rater, Rater], ...] = (("model", "drafter"), ("model", "decision"),
                                                ("drafter", "decision"))
__all__ = ["COMPARISONS", "OVERSIGHT_ROLES", "RATER_LABELS", "AgreementOverview",
           "ConflictView", "ConsistencyMonitor", "agreement_overview", "alarm",
           "blind_first_judgements",
           "conflict_counts", "decision_pairs", "oversight_reader", "person_differs",
           "recorded_decisions", "similar_notices", "stored_model_versions"]

#: New settled documents above which a refresh reads every text in one query.
_BULK = 50
#: Default Jaccard similarity from which two settled documents count as near-identical.
DEFAULT_SIMILARITY = 0.8


def oversight_reader(store: Store, reader_id: int) -> User:
    """The reader, if their role may read the oversight figures.

    Raises
    ------
    PermissionDeniedError
        The role is not in :data:`OVERSIGHT_ROLES`.
    UnknownUserError
        No such active user.
    """
    reader = store.user(reader_id)
    if Role(reader.role) not in OVERSIGHT_ROLES:
        raise PermissionDeniedError(f"{Role(reader.role).label}无权查看定密概况和一致性统计")
    return reader


# --- agreement -------------------------------------------------------------------------------


def _judgement(level: str | None, clause: str | None) -> Judgement | None:
    if level is None:
        return None
    try:
        return Judgement(Level.from_label(level), clause)
    except ValueError:
        return None


#: A director's first judgement on a blind draft as a rater: (judgement, person, 'YYYY-MM').
FirstJudgement = tuple[Judgement | None, str, str]


def _rater(s: DocumentSummary, rater: Rater,
           blind_firsts: Mapping[int, FirstJudgement]) -> tuple[Judgement | None, str, str, bool]:
    """(judgement, person, 'YYYY-MM', blind) of one rater on one document."""
    if rater == "model":
        return _judgement(s.suggested_level, s.suggested_clause), "系统", "", False
    if rater == "drafter":
        month = s.proposed_at.astimezone().strftime("%Y-%m") if s.proposed_at else ""
        return (_judgement(s.proposed_level, s.proposed_clause), s.drafter_name or "—", month,
                s.blind)
    if s.blind and s.id in blind_firsts:  # the director's judgement before seeing the model
        return (*blind_firsts[s.id], True)
    if not Status(s.status).is_final:
        return None, "", "", False
    month = s.decided_at.astimezone().strftime("%Y-%m") if s.decided_at else ""
    return _judgement(s.level, s.clause), s.decided_by or "—", month, False


def decision_pairs(summaries: Iterable[DocumentSummary], a: Rater, b: Rater,
                   blind_firsts: Mapping[int, FirstJudgement] | None = None,
                   ) -> list[DecisionPair]:
    """The documents both raters judged, as :class:`~classifier.oversight.DecisionPair`.

    Parameters
    ----------
    summaries : iterable of DocumentSummary
        The register (:meth:`Store.summaries`).
    a, b : {"model", "drafter", "decision"}
        Rater a is the rows of the confusion matrix (what is overridden), rater b the
        columns; the pair's ``person`` and ``month`` are rater b's (the drafter, or who took
        the final decision, and when).
    blind_firsts : mapping of document id to (Judgement, person, 'YYYY-MM'), optional
        The directors' first judgements on blind drafts (:func:`blind_first_judgements`).

    Returns
    -------
    list of DecisionPair
        By document id; documents without both judgements are left out (no suggestion, an
        unreadable file, no proposal yet, not settled yet).

    Notes
    -----
    Blind mode (issue 14 §3): on a blind draft the drafter's proposal is a blind judgement,
    and the "decision" rater is the director's first judgement, recorded before the
    suggestion was shown (blind), in place of the final decision made after it; a blind draft
    without such a judgement counts its final decision as shown. On other drafts the
    proposal and the final decision are shown. A pair is blind when rater b judged blind.
    """
    firsts = blind_firsts or {}
    out = []
    for s in sorted(summaries, key=lambda x: x.id):
        ja, _, month_a, _ = _rater(s, a, firsts)
        jb, person, month_b, blind = _rater(s, b, firsts)
        if ja is None or jb is None:
            continue
        out.append(DecisionPair(str(s.id), person, month_b or month_a, ja, jb, blind=blind))
    return out


def blind_first_judgements(store: Store) -> dict[int, FirstJudgement]:
    """The first judgement recorded on each blind draft, by document id, as a rater.

    Returns
    -------
    dict of int to (Judgement or None, str, str)
        The judgement (None when its level is not a level label), the director's name and
        the month (``YYYY-MM``, local time) it was recorded.
    """
    names = {u.id: u.name for u in store.users(include_inactive=True)}
    out: dict[int, FirstJudgement] = {}
    for j in store.judgements():  # oldest first: the first one per document wins
        if j.document_id not in out:
            out[j.document_id] = (_judgement(j.level, j.clause), names.get(j.actor_id, "—"),
                                  j.created_at.astimezone().strftime("%Y-%m"))
    return out


@dataclass(frozen=True, eq=False)
class AgreementOverview:
    """Agreement between the three raters and the overrides of the model.

    Attributes
    ----------
    level, clause : dict of (Rater, Rater) to AgreementReport
        One report per comparison of :data:`COMPARISONS`, on the level (5 labels) and on
        the clause (公开, 内部, clause ids).
    overrides : OverrideReport
        From the model's suggestion to the final decision: ``up`` means people classified
        higher than the model (the model under-classified), ``down`` lower.
    drafter_overrides : OverrideReport
        From the drafter's proposal to the final decision (what the director changed).
    pairs : dict of (Rater, Rater) to list of DecisionPair
        The pairs behind each comparison.
    """

    level: dict[tuple[Rater, Rater], AgreementReport]
    clause: dict[tuple[Rater, Rater], AgreementReport]
    overrides: OverrideReport
    drafter_overrides: OverrideReport
    pairs: dict[tuple[Rater, Rater], list[DecisionPair]]


def agreement_overview(reads: WorkflowReads, reader_id: int) -> AgreementOverview:
    """κ, raw agreement and confusion matrices of the register, and the overrides of the model.

    Parameters
    ----------
    reads : WorkflowReads
    reader_id : int
        A director or the leading group (:data:`OVERSIGHT_ROLES`).

    Returns
    -------
    AgreementOverview

    Raises
    ------
    PermissionDeniedError
        The reader's role may not read oversight figures.
    """
    oversight_reader(reads.store, reader_id)
    summaries = reads.store.summaries(order="uploaded")
    firsts = blind_first_judgements(reads.store)
    pairs = {c: decision_pairs(summaries, *c, blind_firsts=firsts) for c in COMPARISONS}
    return AgreementOverview(
        level={c: agreement_report(p, on="level") for c, p in pairs.items()},
        clause={c: agreement_report(p, on="clause") for c, p in pairs.items()},
        overrides=override_report(pairs[("model", "decision")]),
        drafter_overrides=override_report(pairs[("drafter", "decision")]),
        pairs=pairs)


# --- replay records --------------------------------------------------------------------------


def recorded_decisions(reads: WorkflowReads, reader_id: int) -> list[RecordedDecision]:
    """Every settled document with its stored extracted text and stored suggestion.

    Parameters
    ----------
    reads : WorkflowReads
    reader_id : int
        A director or the leading group (:data:`OVERSIGHT_ROLES`).

    Returns
    -------
    list of RecordedDecision
        By document id; ``doc_id`` is the document id as text, ``title`` its file name.
        Documents with no text (a scan never read) are left out.

    Raises
    ------
    PermissionDeniedError
        The reader's role may not read oversight figures.
    """
    store = reads.store
    oversight_reader(store, reader_id)
    names = {s.id: s.filename for s in store.summaries(statuses=FINAL_STATUSES,
                                                       order="uploaded")}
    out = []
    for d in store.final_documents(FINAL_STATUSES):
        if not d.text.strip():
            continue
        decided = _judgement(d.level, d.clause)
        if decided is None:
            continue
        suggested = _judgement(d.suggested_level, d.suggested_clause)
        out.append(RecordedDecision(
            str(d.id), d.text, decided.level, d.clause if decided.level.is_secret else None,
            suggested.level if suggested else None,
            suggested.clause if suggested and suggested.level.is_secret else None,
            names.get(d.id, "")))
    return out


def stored_model_versions(reads: WorkflowReads) -> dict[str, str | None]:
    """The model version of each settled document's stored suggestion, by document id (text)."""
    return {str(d.id): d.model_version for d in reads.store.final_documents(FINAL_STATUSES)}


# --- consistency -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictView:
    """An alarm pair as a reader sees it: the pair, the two file names, what they may open.

    Attributes
    ----------
    pair : ConflictPair
        ``doc_a`` has the higher (or equal) level; ids are document ids as text.
    readable_a, readable_b : bool
        Whether the reader may open each text (need to know).
    """

    pair: ConflictPair
    readable_a: bool
    readable_b: bool

    @property
    def ids(self) -> tuple[int, int]:
        """The two document ids."""
        return int(self.pair.doc_a), int(self.pair.doc_b)


class ConsistencyMonitor:
    """The similarity index of the settled documents, brought up to date on each read.

    A document is hashed once, when it is first seen settled; a changed decision only
    updates the index; a document that is no longer settled leaves it. Keep one per
    database (the app caches it), and it is safe to share between threads.

    Parameters
    ----------
    reads : WorkflowReads
    threshold : float
        Jaccard similarity in (0, 1] of character 5-shingles from which two documents count
        as near-identical (see :class:`classifier.oversight.SimilarityIndex`).
    """

    def __init__(self, reads: WorkflowReads, *, threshold: float = DEFAULT_SIMILARITY) -> None:
        self.reads = reads
        self.store = reads.store
        self.threshold = threshold
        self._index = SimilarityIndex(threshold=threshold)
        self._texts: dict[str, str] = {}
        self._decided: dict[str, tuple[Level, str | None]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._index)

    def refresh(self) -> int:
        """Bring the index up to date with the database.

        Returns
        -------
        int
            Documents added, changed or removed.
        """
        with self._lock:
            return self._refresh()

    def _refresh(self) -> int:
        rows = self.store.settled_index(FINAL_STATUSES)
        new = [r[0] for r in rows if str(r[0]) not in self._decided]
        texts: dict[int, str] = {}
        if len(new) > _BULK:  # first load: every text in one query
            texts = {d.id: d.text for d in self.store.final_documents(FINAL_STATUSES)}
        seen: set[str] = set()
        changed = 0
        for doc_id, level, clause, filename in rows:
            j = _judgement(level, clause)
            if j is None:
                continue
            key = str(doc_id)
            seen.add(key)
            decision = (j.level, clause if j.level.is_secret else None)
            if key not in self._decided:
                text = texts[doc_id] if doc_id in texts else self.store.document(doc_id).text
                self._texts[key] = text
                self._index.add_signature(key, self._index.signature(text), *decision,
                                          title=filename)
                changed += 1
            elif self._decided[key] != decision:
                self._index.set_decision(key, *decision)
                changed += 1
            self._decided[key] = decision
        for key in [k for k in self._decided if k not in seen]:
            self._index.remove(key)
            del self._decided[key], self._texts[key]
            changed += 1
        return changed

    def conflicts(self) -> list[ConflictPair]:
        """Near-identical settled documents whose level or clause differ (the alarm).

        Returns
        -------
        list of ConflictPair
            Largest level gap first, then most similar first; the exact Jaccard similarity
            of each pair is computed from the stored texts.
        """
        with self._lock:
            self._refresh()
            return self._index.conflicts(self._texts)

    def similar_to(self, text: str, *, exclude: int | None = None, limit: int = 3
                   ) -> list[SimilarDecision]:
        """Settled documents near-identical to ``text``, most similar first.

        Parameters
        ----------
        text : str
            The extracted text of the document being decided.
        exclude : int, optional
            Its own id, when it is already settled.
        limit : int
        """
        with self._lock:
            self._refresh()
            return self._index.similar_to(text, texts=self._texts, limit=limit,
                                          exclude=None if exclude is None else str(exclude))


def alarm(monitor: ConsistencyMonitor, reader_id: int) -> list[ConflictView]:
    """The consistency alarm as ``reader_id`` may see it.

    Parameters
    ----------
    monitor : ConsistencyMonitor
    reader_id : int
        A director or the leading group; need to know as :meth:`WorkflowReads.may_read`.

    Returns
    -------
    list of ConflictView
        Every conflicting pair (their decisions are part of the register the reader keeps),
        each with what the reader may open.

    Raises
    ------
    PermissionDeniedError
        The reader's role may not read oversight figures.
    """
    reader = oversight_reader(monitor.store, reader_id)
    out = []
    for p in monitor.conflicts():
        a = monitor.store.document(int(p.doc_a))
        b = monitor.store.document(int(p.doc_b))
        out.append(ConflictView(p, monitor.reads.may_read(reader, a),
                                monitor.reads.may_read(reader, b)))
    return out


def similar_notices(monitor: ConsistencyMonitor, reader_id: int, document_id: int, *,
                    limit: int = 3) -> list[str]:
    """The notices shown while deciding a document: settled near-identical documents.

    For example ``"《关于…的请示.docx》与本件相似度 96%，已定为秘密（依据 4.5）"``; a document the
    reader may not open is named "一份文件" (its level and clause are still shown: the
    reader decides consistently with it).

    Parameters
    ----------
    monitor : ConsistencyMonitor
    reader_id : int
        The person deciding (need to know checked on the document being decided).
    document_id : int
    limit : int

    Returns
    -------
    list of str
        Most similar first; empty when there is none.

    Raises
    ------
    PermissionDeniedError
        The reader may not open the document being decided.
    """
    reads = monitor.reads
    reader = reads.store.user(reader_id)
    doc = reads.store.document(document_id)
    if not reads.may_read(reader, doc):
        raise PermissionDeniedError(f"文件记录 #{doc.id} 不在您的知悉范围内")
    out = []
    for hit in monitor.similar_to(doc.text, exclude=document_id, limit=limit):
        other = reads.store.document(int(hit.doc_id))
        if not reads.may_read(reader, other):
            hit = SimilarDecision(hit.doc_id, hit.level, hit.clause, "", hit.estimated,
                                  hit.jaccard)
        out.append(hit.message())
    return out


def conflict_counts(views: Sequence[ConflictView]) -> Counter[str]:
    """How many alarm pairs differ in level and how many in clause only."""
    return Counter(v.pair.kind for v in views)
