"""Agreement between two raters: Cohen's κ, raw agreement, confusion matrices, overrides.

A *rater* is whoever gave a judgement on a document: the model (its suggestion), the drafter
(the proposal) or the director (the review). The caller pairs two of them per document in a
:class:`DecisionPair`; every function here works on those pairs, on the level (5 labels) or on
the clause (公开, 内部 and the clause ids: the classes the model predicts).

Blind items (the person saw no suggestion before judging, issue 14 §3) are reported apart from
shown ones, so anchoring on the suggestion is measured: :class:`AutomationBias` is the raw
agreement with the model when it was shown minus the agreement when it was not.

Source: issue 14 §2–3; Cohen (1960), "A coefficient of agreement for nominal scales",
Educational and Psychological Measurement 20(1), the κ and its large-sample standard error
(Fleiss, Cohen & Everitt 1969).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from classifier.catalogue import Level

#: What a κ is computed on: the level (5 labels) or the clause (公开, 内部, clause ids).
On = Literal["level", "clause"]

#: z of a two-sided 95 % normal interval.
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class Judgement:
    """One rater's answer for one document: a level and, for a state secret, a clause.

    Attributes
    ----------
    level : Level
    clause : str or None
        The classification basis (定密依据), None for 公开/内部.
    """

    level: Level
    clause: str | None = None

    def label(self, on: On) -> str:
        """The label compared on ``on``: the level's name, or the clause id (the level's name
        for 公开/内部, or for a secret recorded without a clause)."""
        if on == "level":
            return self.level.label
        if on == "clause":
            return self.clause if self.level.is_secret and self.clause else self.level.label
        raise ValueError(f"on must be 'level' or 'clause', not {on!r}")


@dataclass(frozen=True)
class DecisionPair:
    """Two raters' judgements of one document.

    Attributes
    ----------
    doc_id : str
    person : str
        The person whose judgement is compared (usually ``rater_b``'s), for grouping.
    month : str
        ``"YYYY-MM"`` of the later judgement, for grouping.
    rater_a, rater_b : Judgement
        E.g. the model's suggestion and the director's decision. Confusion matrices have
        ``rater_a`` in rows and ``rater_b`` in columns; an override goes from a to b.
    blind : bool
        True when the person judged without seeing the suggestion (blind mode).
    """

    doc_id: str
    person: str
    month: str
    rater_a: Judgement
    rater_b: Judgement
    blind: bool = False


@dataclass(frozen=True, eq=False)
class Agreement:
    """Agreement of two raters over a set of documents.

    Attributes
    ----------
    labels : tuple of str
        Row and column order of ``matrix``.
    matrix : ndarray of shape (n_labels, n_labels), dtype int64
        ``matrix[i, j]``: documents rater a labelled ``labels[i]`` and rater b ``labels[j]``.
    n : int
        Number of documents.
    observed : float or None
        Raw agreement p_o in [0, 1] (share of the diagonal); None when ``n == 0``.
    expected : float or None
        Chance agreement p_e in [0, 1] from the two raters' marginals; None when ``n == 0``.
    kappa : float or None
        Cohen's κ = (p_o − p_e) / (1 − p_e), in [−1, 1]; None when undefined (no documents,
        or both raters used one and the same label throughout, p_e = 1).
    kappa_se : float or None
        Large-sample standard error of κ (Fleiss, Cohen & Everitt 1969), None with ``kappa``.
    """

    labels: tuple[str, ...]
    matrix: np.ndarray
    n: int
    observed: float | None
    expected: float | None
    kappa: float | None
    kappa_se: float | None

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready values (the matrix as nested lists)."""
        return {"labels": list(self.labels), "matrix": self.matrix.tolist(), "n": self.n,
                "observed": self.observed, "expected": self.expected, "kappa": self.kappa,
                "kappa_se": self.kappa_se}


@dataclass(frozen=True)
class LabelAgreement:
    """Agreement on one label (one level or one clause) against all the others.

    Attributes
    ----------
    label : str
    n_a, n_b : int
        Documents rater a (b) gave this label.
    n_both : int
        Documents both gave it.
    specific : float or None
        Specific (positive) agreement 2·n_both / (n_a + n_b) in [0, 1]; None if neither used it.
    kappa : float or None
        Cohen's κ of the 2×2 table "this label or not"; None when undefined.
    """

    label: str
    n_a: int
    n_b: int
    n_both: int
    specific: float | None
    kappa: float | None


@dataclass(frozen=True)
class AutomationBias:
    """How much more people agree with the suggestion when they see it.

    Attributes
    ----------
    n_blind, n_shown : int
    observed_blind, observed_shown : float or None
        Raw agreement in [0, 1] of blind and of shown items.
    kappa_blind, kappa_shown : float or None
    difference : float or None
        ``observed_shown − observed_blind`` (fraction; × 100 for percentage points); > 0 means
        the shown suggestion is copied more often than independent judgement would agree.
        None when either group is empty.
    ci95 : tuple of float or None
        Normal-approximation 95 % interval of ``difference`` (two independent proportions).
    """

    n_blind: int
    n_shown: int
    observed_blind: float | None
    observed_shown: float | None
    kappa_blind: float | None
    kappa_shown: float | None
    difference: float | None
    ci95: tuple[float, float] | None


@dataclass(frozen=True, eq=False)
class AgreementReport:
    """Agreement of a set of pairs, overall and by group (see :func:`agreement_report`).

    Attributes
    ----------
    on : {"level", "clause"}
    overall, blind, shown : Agreement
    by_person, by_month : dict of str to Agreement
        Sorted by key.
    by_label : tuple of LabelAgreement
        One per label of ``overall.labels``, same order.
    automation_bias : AutomationBias
    """

    on: On
    overall: Agreement
    blind: Agreement
    shown: Agreement
    by_person: dict[str, Agreement]
    by_month: dict[str, Agreement]
    by_label: tuple[LabelAgreement, ...]
    automation_bias: AutomationBias


@dataclass(frozen=True)
class OverrideCounts:
    """Directions of the changes from rater a to rater b.

    Attributes
    ----------
    n : int
        Pairs counted.
    same : int
        Same level and same clause.
    up, down : int
        Rater b chose a higher (lower) level than rater a, by :class:`Level` order; ``down``
        from the model's suggestion to the person's decision means the model over-classified.
    clause_only : int
        Same level, another clause.
    """

    n: int = 0
    same: int = 0
    up: int = 0
    down: int = 0
    clause_only: int = 0

    @property
    def overridden(self) -> int:
        """Pairs whose level or clause differ."""
        return self.up + self.down + self.clause_only

    @property
    def rate(self) -> float | None:
        """Share in [0, 1] of the pairs overridden; None when ``n == 0``."""
        return self.overridden / self.n if self.n else None


@dataclass(frozen=True)
class OverrideReport:
    """Where and in which direction rater b changes rater a (see :func:`override_report`).

    Attributes
    ----------
    overall : OverrideCounts
    by_label : dict of str to OverrideCounts
        Keyed by rater a's clause label (where the model is overridden most), most
        overridden first (by count, then rate).
    by_person : dict of str to OverrideCounts
        Sorted by person.
    blind, shown : OverrideCounts
    """

    overall: OverrideCounts
    by_label: dict[str, OverrideCounts]
    by_person: dict[str, OverrideCounts]
    blind: OverrideCounts
    shown: OverrideCounts


# --- Labels --------------------------------------------------------------------------------


def _label_key(label: str) -> tuple[int, tuple[int, ...], str]:
    """Levels in :class:`Level` order first, then clause ids by their numbers (4.2 < 4.10)."""
    try:
        return (0, (int(Level.from_label(label)),), label)
    except ValueError:
        pass
    nums = tuple(int(x) for x in re.findall(r"\d+", label))
    return (1, nums, label)


def sort_labels(labels: Iterable[str]) -> tuple[str, ...]:
    """Distinct labels in display order: the five levels by rank, then clause ids numerically.

    Parameters
    ----------
    labels : iterable of str

    Returns
    -------
    tuple of str
    """
    return tuple(sorted(set(labels), key=_label_key))


# --- κ ---------------------------------------------------------------------------------------


def confusion_matrix(a: Sequence[str], b: Sequence[str],
                     labels: Sequence[str] | None = None) -> np.ndarray:
    """Count the label pairs of two raters.

    Parameters
    ----------
    a, b : sequence of str of length n_docs
        The two raters' labels, document by document.
    labels : sequence of str, optional
        Row/column order; by default every label used, in :func:`sort_labels` order.

    Returns
    -------
    matrix : ndarray of shape (n_labels, n_labels), dtype int64
        Rows are rater a's labels, columns rater b's.

    Raises
    ------
    ValueError
        If ``a`` and ``b`` differ in length, or a label is missing from ``labels``.
    """
    if len(a) != len(b):
        raise ValueError(f"the raters labelled {len(a)} and {len(b)} documents; need the same")
    order = tuple(labels) if labels is not None else sort_labels([*a, *b])
    index = {lab: i for i, lab in enumerate(order)}
    m = np.zeros((len(order), len(order)), dtype=np.int64)
    try:
        rows = np.fromiter((index[x] for x in a), dtype=np.int64, count=len(a))
        cols = np.fromiter((index[x] for x in b), dtype=np.int64, count=len(b))
    except KeyError as e:
        raise ValueError(f"label {e.args[0]!r} is not in labels {order}") from None
    np.add.at(m, (rows, cols), 1)
    return m


def _kappa(m: np.ndarray) -> tuple[float | None, float | None, float | None, float | None]:
    """(p_o, p_e, κ, se(κ)) of a confusion matrix of counts."""
    n = int(m.sum())
    if n == 0:
        return None, None, None, None
    p = m / n
    p_o = float(np.trace(p))
    row, col = p.sum(axis=1), p.sum(axis=0)
    p_e = float(row @ col)
    if math.isclose(p_e, 1.0):
        return p_o, p_e, None, None
    kappa = (p_o - p_e) / (1.0 - p_e)
    # Fleiss, Cohen & Everitt (1969), large-sample variance of κ (not under H0).
    diag = np.diag(p)
    rc = row + col
    t1 = float(np.sum(diag * (1.0 - rc * (1.0 - kappa)) ** 2))
    w = (row[None, :] + col[:, None]) ** 2  # w[i, j] = (p_j. + p_.i)^2 for cell (i, j)
    off = p * w
    t2 = (1.0 - kappa) ** 2 * float(off.sum() - np.trace(off))
    t3 = (kappa - p_e * (1.0 - kappa)) ** 2
    var = max(t1 + t2 - t3, 0.0) / (n * (1.0 - p_e) ** 2)
    return p_o, p_e, float(kappa), math.sqrt(var)


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float | None:
    """Cohen's κ of two raters' labels.

    Parameters
    ----------
    a, b : sequence of str of length n_docs

    Returns
    -------
    float or None
        κ in [−1, 1]; None when undefined (no documents, or p_e = 1).

    Raises
    ------
    ValueError
        If ``a`` and ``b`` differ in length.
    """
    return _kappa(confusion_matrix(a, b))[2]


def agreement(pairs: Iterable[DecisionPair], *, on: On = "level",
              labels: Sequence[str] | None = None) -> Agreement:
    """Raw agreement, κ and the confusion matrix of ``rater_a`` against ``rater_b``.

    Parameters
    ----------
    pairs : iterable of DecisionPair
    on : {"level", "clause"}
    labels : sequence of str, optional
        Row/column order (default: the labels used, levels by rank, clauses numerically).

    Returns
    -------
    Agreement

    Raises
    ------
    ValueError
        If ``on`` is neither ``"level"`` nor ``"clause"``, or a label is missing from ``labels``.
    """
    ps = list(pairs)
    a = [p.rater_a.label(on) for p in ps]
    b = [p.rater_b.label(on) for p in ps]
    order = tuple(labels) if labels is not None else sort_labels([*a, *b])
    m = confusion_matrix(a, b, order)
    p_o, p_e, k, se = _kappa(m)
    return Agreement(order, m, len(ps), p_o, p_e, k, se)


def _label_agreement(ag: Agreement) -> tuple[LabelAgreement, ...]:
    """One-against-the-rest agreement for every label of ``ag``."""
    out = []
    m = ag.matrix
    for i, lab in enumerate(ag.labels):
        n_a, n_b, both = int(m[i].sum()), int(m[:, i].sum()), int(m[i, i])
        spec = 2 * both / (n_a + n_b) if n_a + n_b else None
        two = np.array([[both, n_a - both], [n_b - both, ag.n - n_a - n_b + both]])
        out.append(LabelAgreement(lab, n_a, n_b, both, spec, _kappa(two)[2]))
    return tuple(out)


def _bias(blind: Agreement, shown: Agreement) -> AutomationBias:
    """Shown-minus-blind raw agreement with its normal 95 % interval."""
    diff: float | None = None
    ci: tuple[float, float] | None = None
    if blind.observed is not None and shown.observed is not None:
        diff = shown.observed - blind.observed
        se = math.sqrt(blind.observed * (1 - blind.observed) / blind.n
                       + shown.observed * (1 - shown.observed) / shown.n)
        ci = (diff - _Z95 * se, diff + _Z95 * se)
    return AutomationBias(blind.n, shown.n, blind.observed, shown.observed, blind.kappa,
                          shown.kappa, diff, ci)


def _grouped(pairs: list[DecisionPair], key: Callable[[DecisionPair], str], on: On,
             labels: Sequence[str]) -> dict[str, Agreement]:
    """:func:`agreement` per group, groups sorted by key."""
    groups: dict[str, list[DecisionPair]] = defaultdict(list)
    for p in pairs:
        groups[key(p)].append(p)
    return {k: agreement(groups[k], on=on, labels=labels) for k in sorted(groups)}


def agreement_report(pairs: Iterable[DecisionPair], *, on: On = "level",
                     labels: Sequence[str] | None = None) -> AgreementReport:
    """Agreement overall, blind and shown, by person, by month and by label.

    Every matrix of the report uses the same labels, so they can be compared and summed.

    Parameters
    ----------
    pairs : iterable of DecisionPair
    on : {"level", "clause"}
    labels : sequence of str, optional
        Row/column order of every matrix (default: the labels used in ``pairs``).

    Returns
    -------
    AgreementReport

    Raises
    ------
    ValueError
        If ``on`` is invalid or a label is missing from ``labels``.
    """
    ps = list(pairs)
    if labels is None:
        labels = sort_labels([lab for p in ps for lab in (p.rater_a.label(on),
                                                          p.rater_b.label(on))])
    order = tuple(labels)
    overall = agreement(ps, on=on, labels=order)
    blind = agreement([p for p in ps if p.blind], on=on, labels=order)
    shown = agreement([p for p in ps if not p.blind], on=on, labels=order)
    return AgreementReport(
        on=on, overall=overall, blind=blind, shown=shown,
        by_person=_grouped(ps, lambda p: p.person, on, order),
        by_month=_grouped(ps, lambda p: p.month, on, order),
        by_label=_label_agreement(overall), automation_bias=_bias(blind, shown))


def disagreements(pairs: Iterable[DecisionPair], *, on: On = "level") -> tuple[DecisionPair, ...]:
    """The pairs whose two labels differ ("person ≠ model" filter of the register).

    Parameters
    ----------
    pairs : iterable of DecisionPair
    on : {"level", "clause"}
        ``"clause"`` also catches a change of clause at the same level.

    Returns
    -------
    tuple of DecisionPair
        In input order.
    """
    return tuple(p for p in pairs if p.rater_a.label(on) != p.rater_b.label(on))


# --- Overrides ---------------------------------------------------------------------------------


def _count(pairs: Iterable[DecisionPair]) -> OverrideCounts:
    """Directions of ``pairs`` from rater a to rater b."""
    n = same = up = down = clause_only = 0
    for p in pairs:
        n += 1
        a, b = p.rater_a, p.rater_b
        if b.level > a.level:
            up += 1
        elif b.level < a.level:
            down += 1
        elif a.label("clause") != b.label("clause"):
            clause_only += 1
        else:
            same += 1
    return OverrideCounts(n, same, up, down, clause_only)


def override_report(pairs: Iterable[DecisionPair]) -> OverrideReport:
    """How often and in which direction rater b overrides rater a, overall and by group.

    Parameters
    ----------
    pairs : iterable of DecisionPair
        Rater a: what was overridden (normally the model's suggestion); rater b: the decision.

    Returns
    -------
    OverrideReport
        ``by_label`` is keyed by rater a's clause label, most overridden first.
    """
    ps = list(pairs)
    by_label: dict[str, list[DecisionPair]] = defaultdict(list)
    by_person: dict[str, list[DecisionPair]] = defaultdict(list)
    for p in ps:
        by_label[p.rater_a.label("clause")].append(p)
        by_person[p.person].append(p)
    labels = {k: _count(v) for k, v in by_label.items()}
    ranked = sorted(labels, key=lambda k: (-labels[k].overridden, -(labels[k].rate or 0.0),
                                           _label_key(k)))
    return OverrideReport(
        overall=_count(ps),
        by_label={k: labels[k] for k in ranked},
        by_person={k: _count(by_person[k]) for k in sorted(by_person)},
        blind=_count(p for p in ps if p.blind),
        shown=_count(p for p in ps if not p.blind))
