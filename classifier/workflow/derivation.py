"""Derived classification (派生定密) and release on an event, wired into the workflow as
suggestions a person confirms.

- :meth:`Derivation.derived_for` — the registered secrets (settled 秘密, 机密, 绝密 documents
  with their text) a stored draft reproduces or quotes, with the level and period they give;
  :meth:`Derivation.record_derived` records the sources with the decision.
- :meth:`Derivation.observe_public` — a newly uploaded public document checked against every
  open declassification condition; :meth:`Derivation.release_states` shows "k of n published";
  a record is proposed only when all n are, and :meth:`Derivation.review_release` records what
  a person decided.

The library (:mod:`classifier.handling`) does the matching; this module reads the store,
checks need to know and keeps the evidence and the answers, each with an audit event.

Source: issue 13 (§6, §7); 派生国家秘密定密管理暂行办法 (2023); 国家秘密定密管理规定 (2025)
art. 11; the Law art. 24 (declassification when the condition is met).
"""

from __future__ import annotations

from dataclasses import dataclass

from classifier.catalogue import Level
from classifier.errors import (
    EmptyReasonError,
    HandlingError,
    PermissionDeniedError,
    UnparsableConditionError,
    UntrackableConditionError,
)
from classifier.handling import (
    DerivedIndex,
    DerivedSuggestion,
    Evidence,
    PublicDocument,
    ReleaseState,
    ReleaseTracker,
    SecretRecord,
)
from classifier.store import Document
from classifier.store.handling import HandlingTx, ReleaseReview
from classifier.workflow.handling_base import HandlingBase
from classifier.workflow.states import FINAL_STATUSES, Role

_SECRET_LABELS = tuple(lv.label for lv in Level if lv.is_secret)


@dataclass(frozen=True)
class DerivedView:
    """A derived-classification suggestion for a stored draft.

    Attributes
    ----------
    suggestion : DerivedSuggestion
        The sources (highest level first), the proposed level, period and clause.
    source_ids : tuple of int
        The sources' document ids, in ``suggestion.sources`` order.
    readable : tuple of bool
        Per source: may the reader see the source's text (need to know)? When not, only
        its title, level and the draft's side of each passage are shown.
    recorded : bool
        The sources are already recorded with the draft's decision.
    """

    suggestion: DerivedSuggestion
    source_ids: tuple[int, ...]
    readable: tuple[bool, ...]
    recorded: bool


@dataclass(frozen=True)
class ReleaseView:
    """A record's open condition: how far it is fulfilled and what a person did about it."""

    document_id: int
    title: str
    state: ReleaseState
    review: ReleaseReview | None

    @property
    def awaiting_review(self) -> bool:
        """Proposed for declassification and not yet answered."""
        return self.state.proposed and self.review is None


class Derivation(HandlingBase):
    """Derived classification and release on an event (a mixin of
    :class:`~classifier.workflow.handling.Handling`)."""

    # --- derived classification (派生定密) ---

    def _secret_records(self, exclude: int | None = None) -> list[tuple[int, SecretRecord]]:
        """The settled secrets with their text (never a destroyed one: its text is erased)."""
        out = []
        for d in self.wf.store.final_documents(FINAL_STATUSES):
            if d.id == exclude or d.level not in _SECRET_LABELS or not d.text.strip():
                continue
            doc = self.wf.store.document(d.id)
            out.append((d.id, SecretRecord(str(d.id), doc.filename, Level.from_label(doc.level or ""),
                                           doc.period_years, doc.condition, doc.clause, doc.text)))
        return out

    def derived_for(self, reader_id: int, document_id: int) -> DerivedView | None:
        """The registered secrets a stored draft reproduces or quotes, with the level they give.

        The function the review and draft pages call: it reads the draft as ``reader_id``
        (need to know and the audited read of :meth:`Workflow.document`) and returns None when
        the draft derives from nothing.

        Returns
        -------
        DerivedView or None
            The proposal is a suggestion: a person records it (:meth:`record_derived`) with
            the decision. The level is not capped by the office's authority (2025 rules
            art. 11).
        """
        doc = self.wf.document(document_id, reader_id)
        if not doc.text.strip():
            return None
        idx = DerivedIndex()
        for _, rec in self._secret_records(exclude=doc.id):
            idx.add(rec)
        suggestion = idx.suggest(doc.text)
        if suggestion is None:
            return None
        reader = self.wf.store.user(reader_id)
        ids = tuple(int(s.record.record_id) for s in suggestion.sources)
        readable = tuple(self.wf.may_read(reader, self.wf.store.document(i)) for i in ids)
        recorded = {s.source_document_id for s in self.reads.derived_sources(doc.id)}
        return DerivedView(suggestion, ids, readable, set(ids) <= recorded)

    def record_derived(self, actor_id: int, document_id: int) -> list[int]:
        """Record the derived classification's sources with the draft's decision.

        Returns
        -------
        list of int
            The source document ids recorded (none new: an empty list).
        """
        actor = self._actor(actor_id, (Role.DRAFTER.value, Role.DIRECTOR.value,
                                       Role.LEADING_GROUP.value), "记录派生定密来源")
        view = self.derived_for(actor_id, document_id)
        if view is None:
            return []
        known = {s.source_document_id for s in self.reads.derived_sources(document_id)}
        new = []
        with self.wf.store.transaction() as tx:
            htx = HandlingTx(tx)
            for sid, match in zip(view.source_ids, view.suggestion.sources, strict=True):
                if sid in known:
                    continue
                htx.add_derived_source(
                    document_id=document_id, source_document_id=sid,
                    reasons=list(match.reasons), mark=match.record.mark, actor_id=actor.id,
                    passages=[{"draft_start": p.draft_start, "draft_end": p.draft_end,
                               "source_start": p.source_start, "source_end": p.source_end}
                              for p in match.passages if not p.common])
                new.append(sid)
            if new:
                tx.add_event("derived_sources", document_id=document_id, actor=actor,
                             detail={"sources": new, "mark": view.suggestion.mark})
        return new

    # --- release on an event ---

    def _tracker(self) -> tuple[ReleaseTracker, dict[int, str], list[tuple[int, str]]]:
        tracker = ReleaseTracker()
        titles, by_hand = {}, []
        evidence: dict[int, list[Evidence]] = {}
        for e in self.reads.release_evidence():
            evidence.setdefault(e.document_id, []).append(
                Evidence(e.target_key, str(e.public_document_id), e.title, e.form, e.start,
                         e.end, e.quote))
        for doc_id, rec in self._secret_records():
            if not rec.condition:
                continue
            try:
                tracker.track(rec)
            except (UnparsableConditionError, UntrackableConditionError) as err:
                by_hand.append((doc_id, err.message))
                continue
            tracker.restore(evidence.get(doc_id, []), str(doc_id))
            titles[doc_id] = rec.title
        return tracker, titles, by_hand

    def _views(self, tracker: ReleaseTracker, titles: dict[int, str],
               states: list[ReleaseState]) -> list[ReleaseView]:
        reviews = {r.document_id: r for r in self.reads.release_reviews()}
        return [ReleaseView(int(s.record_id), titles[int(s.record_id)], s,
                            reviews.get(int(s.record_id))) for s in states]

    def observe_public(self, actor_id: int, document_id: int) -> list[ReleaseView]:
        """Check a newly uploaded public document against every open declassification condition.

        Parameters
        ----------
        document_id : int
            A stored document that is public: decided 公开, or (before a decision) suggested
            公开. Anything else changes nothing.

        Returns
        -------
        list of ReleaseView
            The records for which it fulfilled a target not fulfilled before (stored as
            evidence, with an audit event); a record is proposed only when every target is
            fulfilled ("1 of 3 published" proposes nothing).
        """
        doc = self.wf.document(document_id, actor_id)
        if not self._is_public(doc):
            return []
        tracker, titles, _ = self._tracker()
        changed = tracker.observe(PublicDocument(str(doc.id), doc.filename, doc.text))
        changed = [s for s in changed if int(s.record_id) != doc.id]
        if not changed:
            return []
        stored = {(e.document_id, e.target_key) for e in self.reads.release_evidence()}
        actor = self.wf.store.user(actor_id)
        with self.wf.store.transaction() as tx:
            htx = HandlingTx(tx)
            for st in changed:
                rid = int(st.record_id)
                for ev in st.evidence:
                    if ev is None or ev.doc_id != str(doc.id) or (rid, ev.target_key) in stored:
                        continue
                    htx.add_release_evidence(document_id=rid, target_key=ev.target_key,
                                             public_document_id=doc.id, title=ev.title[:255],
                                             form=ev.form, start=ev.start, end=ev.end,
                                             quote=ev.quote)
                tx.add_event("release_evidence", document_id=rid, actor=actor,
                             detail={"public_document_id": doc.id, "fulfilled": st.k,
                                     "of": st.n, "proposed": st.proposed})
        return self._views(tracker, titles, changed)

    def _is_public(self, doc: Document) -> bool:
        if doc.status in FINAL_STATUSES:
            return doc.level == Level.GONGKAI.label
        s = self.wf.store.latest_suggestion(doc.id)
        return s is not None and s.level == Level.GONGKAI.label and s.error_code is None

    def release_states(self, actor_id: int) -> tuple[list[ReleaseView], list[tuple[int, str]]]:
        """Every open declassification condition and how far it is fulfilled.

        Returns
        -------
        (list of ReleaseView, list of (int, str))
            The tracked records (proposed ones first), and the records tracked by hand with
            why (a condition no rule reads, or nothing in the text to wait for).
        """
        self._reader(actor_id)
        tracker, titles, by_hand = self._tracker()
        views = self._views(tracker, titles, tracker.states())
        views.sort(key=lambda v: (not v.awaiting_review, -v.state.k, v.document_id))
        return views, by_hand

    def release_state(self, actor_id: int, document_id: int) -> ReleaseView | None:
        """One record's open condition (None when it has none that is tracked)."""
        views, _ = self.release_states(actor_id)
        return next((v for v in views if v.document_id == document_id), None)

    def review_release(self, actor_id: int, document_id: int, *, accept: bool,
                       reason: str = "") -> ReleaseReview:
        """A person answers a release proposal: accepted or dismissed (with a reason).

        Accepting starts the lifecycle's declassification in the same transaction
        (:meth:`~classifier.workflow.lifecycle.Lifecycle.declassify_on_event`): the office
        director's acceptance is the office's 审定, the record waits for the leading group's
        approval (``change_checked``), and the evidence documents are named in the request.

        Raises
        ------
        HandlingError
            The record is not proposed (its condition is not fulfilled for everything it
            covers) or was already answered.
        PermissionDeniedError
            Accepting by anyone but the office director; dismissing by anyone but the
            director or the leading group.
        IllegalTransitionError
            A change or declassification of the record is already pending.
        """
        actor = self._actor(actor_id, (Role.DIRECTOR.value, Role.LEADING_GROUP.value),
                            "审定解密提请")
        if accept and Role(actor.role) is not Role.DIRECTOR:
            raise PermissionDeniedError("解密提请由办公室主任审定，同意后报领导小组审批")
        reason = " ".join((reason or "").split())
        if not accept and not reason:
            raise EmptyReasonError("不予解密须说明理由")
        view = self.release_state(actor_id, document_id)
        if view is None or not view.state.proposed:
            raise HandlingError(f"文件记录 #{document_id} 的解密条件尚未全部满足，不能提请解密")
        if view.review is not None:
            raise HandlingError(f"文件记录 #{document_id} 的解密提请已办理")
        docs = [int(d) for d in view.state.evidence_docs]
        condition = view.state.tracked.condition.text
        with self.wf.store.transaction() as tx:
            if accept:
                titles = "、".join(f"《{e.title}》" for e in view.state.evidence if e is not None)
                why = f"解密条件“{condition}”已全部满足（依据：{titles}）"
                self.wf.declassify_on_event(tx, actor.id, document_id,
                                            reason="；".join(x for x in (why, reason) if x),
                                            evidence=docs)
            review = HandlingTx(tx).add_release_review(
                document_id=document_id, outcome="accepted" if accept else "dismissed",
                evidence_documents=docs, actor_id=actor.id, reason=reason)
            tx.add_event("release_accept" if accept else "release_dismiss",
                         document_id=document_id, actor=actor, reason=reason,
                         detail={"evidence": docs, "condition": condition})
        return review
