"""Oversight analytics for the leading group: agreement, consistency, simulation (issue 14).

Pure functions over typed records: nothing here reads the database or the files. The store
and workflow build the records (:class:`DecisionPair`, :class:`RegisteredDocument`,
:class:`RecordedDecision`) and show the results.

- :mod:`classifier.oversight.agreement` — Cohen's κ and raw agreement between two raters,
  confusion matrices, grouped by level/clause, person and month; blind against shown items
  (automation bias as a figure); override directions.
- :mod:`classifier.oversight.consistency` — the consistency alarm: near-identical documents
  (MinHash LSH over character shingles) whose decisions differ; ``similar_to`` at decision time.
- :mod:`classifier.oversight.simulate` — replay recorded decisions through a candidate
  classifier and report what would change, would-be under-classifications first.
"""

from __future__ import annotations

from classifier.oversight.agreement import (
    Agreement,
    AgreementReport,
    AutomationBias,
    DecisionPair,
    Judgement,
    LabelAgreement,
    OverrideCounts,
    OverrideReport,
    agreement,
    agreement_report,
    cohen_kappa,
    confusion_matrix,
    disagreements,
    override_report,
)
from classifier.oversight.consistency import (
    ConflictPair,
    IndexFormatError,
    RegisteredDocument,
    SimilarDecision,
    SimilarityIndex,
    consistency_alarm,
    exact_jaccard,
    shingle_hashes,
)
from classifier.oversight.simulate import (
    ClauseChanges,
    Outcome,
    RecordedDecision,
    SimulatedDecision,
    SimulationReport,
    replay,
    simulate,
)

__all__ = [
    "Agreement",
    "AgreementReport",
    "AutomationBias",
    "ClauseChanges",
    "ConflictPair",
    "DecisionPair",
    "IndexFormatError",
    "Judgement",
    "LabelAgreement",
    "Outcome",
    "OverrideCounts",
    "OverrideReport",
    "RecordedDecision",
    "RegisteredDocument",
    "SimilarDecision",
    "SimilarityIndex",
    "SimulatedDecision",
    "SimulationReport",
    "agreement",
    "agreement_report",
    "cohen_kappa",
    "confusion_matrix",
    "consistency_alarm",
    "disagreements",
    "exact_jaccard",
    "override_report",
    "replay",
    "shingle_hashes",
    "simulate",
]
