"""Simulation before a switch: what a candidate classifier would change on the recorded decisions.

Every recorded decision (its stored extracted text, the final level and clause) is replayed
through a candidate :class:`~classifier.engine.Classifier` — a new model version, or the same
model under another catalogue or policy — and its suggestion is compared with the baseline
(the current classifier replayed, or the suggestion stored with the record) and with the
person's final decision. Would-be under-classifications (定密过低: the candidate suggests a lower
level than the office decided) come first: they are the change that leaks secrets.

Only the level and clause are computed (analysis, scores and the one decision rule
:func:`classifier.engine.decide`), not the evidence a person reads: that is what makes 10,000
decisions fit in a minute on one core. When the baseline and the candidate share a tokenizer
and catalogue, each text is analysed once; when they also share the model (a policy change),
it is scored once.

Source: issue 14 §5; the glossary (定密不当: under-classification is the costly error).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from classifier.catalogue import Level
from classifier.engine import Classifier, DocScores, decide
from classifier.engine.analysis import Analysis
from classifier.oversight.agreement import OverrideCounts, sort_labels


@dataclass(frozen=True)
class Outcome:
    """A level and clause, from a person or a classifier.

    Attributes
    ----------
    level : Level
    clause : str or None
        None for 公开/内部.
    """

    level: Level
    clause: str | None = None

    @property
    def clause_label(self) -> str:
        """The clause id, or the level's name for 公开/内部."""
        return self.clause if self.level.is_secret and self.clause else self.level.label


@dataclass(frozen=True)
class RecordedDecision:
    """A final decision of the register, with the stored extracted text.

    Attributes
    ----------
    doc_id : str
    text : str
        The extracted text as stored (not read again from the file).
    level : Level
        The final level (confirmed, overridden or decided by the leading group).
    clause : str or None
        The final clause, None for 公开/内部.
    suggested_level : Level or None
        The suggestion stored with the record, the baseline when no baseline classifier is
        given to :func:`simulate`.
    suggested_clause : str or None
    title : str
        For display only.
    """

    doc_id: str
    text: str
    level: Level
    clause: str | None = None
    suggested_level: Level | None = None
    suggested_clause: str | None = None
    title: str = ""

    @property
    def decided(self) -> Outcome:
        """The final decision as an :class:`Outcome`."""
        return Outcome(self.level, self.clause)

    @property
    def stored_suggestion(self) -> Outcome | None:
        """The stored suggestion, if any."""
        if self.suggested_level is None:
            return None
        return Outcome(self.suggested_level, self.suggested_clause)


@dataclass(frozen=True)
class SimulatedDecision:
    """One recorded decision replayed.

    Attributes
    ----------
    doc_id : str
    title : str
    decided : Outcome
        The person's final decision.
    before : Outcome or None
        The baseline suggestion (None when there was none).
    after : Outcome
        The candidate's suggestion.
    p_secret : float
        The candidate's P(state secret), in [0, 1].
    needs_review : bool
        The candidate would send it to a person.
    """

    doc_id: str
    title: str
    decided: Outcome
    before: Outcome | None
    after: Outcome
    p_secret: float
    needs_review: bool

    @property
    def changed(self) -> bool:
        """The candidate's suggestion differs from the baseline's (level or clause)."""
        return self.before is None or _differs(self.before, self.after)

    @property
    def under(self) -> bool:
        """The candidate suggests a lower level than the office decided (定密过低)."""
        return self.after.level < self.decided.level

    @property
    def newly_under(self) -> bool:
        """Under-classified by the candidate but not by the baseline."""
        return self.under and (self.before is None or self.before.level >= self.decided.level)

    @property
    def gap(self) -> int:
        """Candidate level minus decided level (negative: under-classification)."""
        return int(self.after.level) - int(self.decided.level)


@dataclass(frozen=True)
class ClauseChanges:
    """The replay's figures for the documents decided on one clause (or 公开/内部).

    Attributes
    ----------
    clause : str
        The decided clause id, or 公开/内部.
    n : int
    changed : int
        Suggestion differs from the baseline.
    up, down : int
        The candidate's level is above (below) the baseline's.
    under, over : int
        The candidate's level is below (above) the decided level.
    agree : int
        The candidate matches the decision (level and clause).
    """

    clause: str
    n: int
    changed: int
    up: int
    down: int
    under: int
    over: int
    agree: int


@dataclass(frozen=True)
class SimulationReport:
    """What switching to the candidate would change (see :func:`simulate`).

    Attributes
    ----------
    n : int
        Decisions replayed.
    candidate_version : str
        The candidate's model version.
    baseline : str
        ``"model <version>"`` when a baseline classifier was replayed, else ``"stored"``.
    changed : tuple of SimulatedDecision
        Every decision whose suggestion would change: would-be under-classifications first
        (largest gap first), then the other changes, in input order.
    under : tuple of SimulatedDecision
        Every decision the candidate would under-classify, largest gap first (changed or not).
    vs_baseline : OverrideCounts
        Directions from the baseline suggestion to the candidate's (up, down, clause only);
        decisions without a baseline are not counted.
    vs_decision : OverrideCounts
        Directions from the person's decision to the candidate's suggestion: ``down`` is
        under-classification, ``up`` over-classification.
    per_clause : tuple of ClauseChanges
        By decided clause, levels first then clause ids.
    results : tuple of SimulatedDecision
        Every replayed decision, in input order.
    """

    n: int
    candidate_version: str
    baseline: str
    changed: tuple[SimulatedDecision, ...]
    under: tuple[SimulatedDecision, ...]
    vs_baseline: OverrideCounts
    vs_decision: OverrideCounts
    per_clause: tuple[ClauseChanges, ...]
    results: tuple[SimulatedDecision, ...]

    @property
    def newly_under(self) -> tuple[SimulatedDecision, ...]:
        """Under-classifications the candidate would add (the baseline did not make them)."""
        return tuple(r for r in self.under if r.newly_under)


def _differs(a: Outcome, b: Outcome) -> bool:
    """Level or clause differ."""
    return a.level != b.level or a.clause_label != b.clause_label


def _counts(pairs: Iterable[tuple[Outcome, Outcome]]) -> OverrideCounts:
    """Directions from the first outcome to the second."""
    n = same = up = down = clause_only = 0
    for a, b in pairs:
        n += 1
        if b.level > a.level:
            up += 1
        elif b.level < a.level:
            down += 1
        elif a.clause_label != b.clause_label:
            clause_only += 1
        else:
            same += 1
    return OverrideCounts(n, same, up, down, clause_only)


class _Replayer:
    """Runs one classifier's decision rule, reusing another's analysis or scores if shared."""

    def __init__(self, clf: Classifier) -> None:
        self.clf = clf
        ca = clf.catalogue.catch_all
        self.catch_all = ca.id if ca else None

    def shares_analysis(self, other: Classifier) -> bool:
        """Same tokenizer and catalogue: :meth:`Classifier.analyse` gives the same result."""
        return self.clf.tokenizer is other.tokenizer and self.clf.catalogue is other.catalogue

    def run(self, text: str, analysis: Analysis | None = None, scores: DocScores | None = None
            ) -> tuple[Outcome, float, bool, Analysis, DocScores]:
        """(outcome, p_secret, needs_review, analysis, scores) of one text."""
        a = analysis if analysis is not None else self.clf.analyse(text)
        sc = scores if scores is not None else self.clf.scores(a)
        d = decide(sc, self.clf.policy, self.clf.stacker, catch_all=self.catch_all)
        return Outcome(d.level, d.clause), d.p_secret, bool(d.reasons), a, sc


def replay(records: Iterable[RecordedDecision], classifier: Classifier
           ) -> Iterator[tuple[RecordedDecision, Outcome]]:
    """Suggest a level and clause for each record's stored text with ``classifier``.

    The outcome equals ``classifier.suggest(text)``'s level and clause (the same analysis,
    scores and decision rule), without the evidence.

    Parameters
    ----------
    records : iterable of RecordedDecision
    classifier : Classifier

    Yields
    ------
    (RecordedDecision, Outcome)
        In input order.
    """
    r = _Replayer(classifier)
    for rec in records:
        yield rec, r.run(rec.text)[0]


def simulate(records: Iterable[RecordedDecision], candidate: Classifier, *,
             baseline: Classifier | None = None) -> SimulationReport:
    """Replay recorded decisions through ``candidate`` and report what would change.

    Parameters
    ----------
    records : iterable of RecordedDecision
        Final decisions with their stored extracted text.
    candidate : Classifier
        The classifier to switch to (e.g. loaded with
        :func:`classifier.suggest.load_classifier` from a model directory, or the current
        model with another catalogue or policy).
    baseline : Classifier, optional
        The current classifier, replayed for the comparison. Without it each record's stored
        suggestion is the baseline (what the office saw at the time).

    Returns
    -------
    SimulationReport

    Notes
    -----
    Time: one analysis (tokenisation, passages, cue matching) and one scoring per text and
    classifier, about 4 ms for a 500-character text on one core; shared between ``baseline``
    and ``candidate`` when they use the same tokenizer and catalogue (analysis) and model
    (scores).
    """
    cand = _Replayer(candidate)
    base = _Replayer(baseline) if baseline is not None else None
    share_a = base is not None and base.shares_analysis(candidate)
    share_s = share_a and baseline is not None and baseline.model is candidate.model
    results: list[SimulatedDecision] = []
    for rec in records:
        before: Outcome | None
        a: Analysis | None = None
        sc: DocScores | None = None
        if base is not None:
            before, _, _, a, sc = base.run(rec.text)
        else:
            before = rec.stored_suggestion
        after, p_secret, review, _, _ = cand.run(rec.text, a if share_a else None,
                                                 sc if share_s else None)
        results.append(SimulatedDecision(rec.doc_id, rec.title, rec.decided, before, after,
                                         p_secret, review))
    under = sorted((r for r in results if r.under), key=lambda r: r.gap)  # stable: input order
    changed = [r for r in results if r.changed]
    changed_under = sorted((r for r in changed if r.under), key=lambda r: r.gap)
    changed_rest = [r for r in changed if not r.under]
    return SimulationReport(
        n=len(results),
        candidate_version=candidate.model.version,
        baseline=f"model {baseline.model.version}" if baseline is not None else "stored",
        changed=(*changed_under, *changed_rest),
        under=tuple(under),
        vs_baseline=_counts((r.before, r.after) for r in results if r.before is not None),
        vs_decision=_counts((r.decided, r.after) for r in results),
        per_clause=_per_clause(results),
        results=tuple(results))


def _per_clause(results: list[SimulatedDecision]) -> tuple[ClauseChanges, ...]:
    """:class:`ClauseChanges` per decided clause label."""
    groups: dict[str, list[SimulatedDecision]] = defaultdict(list)
    for r in results:
        groups[r.decided.clause_label].append(r)
    out = []
    for label in sort_labels(groups):
        rs = groups[label]
        out.append(ClauseChanges(
            clause=label, n=len(rs),
            changed=sum(r.changed for r in rs),
            up=sum(1 for r in rs if r.before is not None and r.after.level > r.before.level),
            down=sum(1 for r in rs if r.before is not None and r.after.level < r.before.level),
            under=sum(r.under for r in rs), over=sum(r.gap > 0 for r in rs),
            agree=sum(not _differs(r.decided, r.after) for r in rs)))
    return tuple(out)
