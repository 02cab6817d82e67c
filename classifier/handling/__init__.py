"""Handling classified documents: derived classification and release on an event (issue 13).

Pure functions and in-memory indexes over typed records: nothing here reads the database or
the files. The store and workflow build the :class:`SecretRecord` and :class:`PublicDocument`
values, persist what the results say (sources, targets, evidence) and show them.

- :mod:`classifier.handling.derived` — 派生定密: the registered secrets a draft reproduces or
  quotes (MinHash near-duplicates and winnowed quotations of ≥ 30 characters, with offsets in
  both texts), and the level and period they give.
- :mod:`classifier.handling.release` — release on an event: open declassification conditions
  parsed into kinds, the persons, posts, exam or election they wait for, and the public
  documents that fulfil them ("k of n published"; proposed only when all n are).
"""

from __future__ import annotations

from classifier.handling.derived import (
    COMPILES,
    MIXED_PERIODS,
    NEAR_DUPLICATE,
    QUOTES,
    DerivedIndex,
    DerivedSuggestion,
    SharedPassage,
    SourceMatch,
    derive_from,
    suggest_derived,
)
from classifier.handling.records import SecretRecord
from classifier.handling.release import (
    Condition,
    ConditionKind,
    Evidence,
    PublicDocument,
    ReleaseState,
    ReleaseTracker,
    Target,
    TrackedCondition,
    UnparsableConditionError,
    UntrackableConditionError,
    fulfilments,
    parse_condition,
    track,
)

__all__ = [
    "COMPILES",
    "MIXED_PERIODS",
    "NEAR_DUPLICATE",
    "QUOTES",
    "Condition",
    "ConditionKind",
    "DerivedIndex",
    "DerivedSuggestion",
    "Evidence",
    "PublicDocument",
    "ReleaseState",
    "ReleaseTracker",
    "SecretRecord",
    "SharedPassage",
    "SourceMatch",
    "Target",
    "TrackedCondition",
    "UnparsableConditionError",
    "UntrackableConditionError",
    "derive_from",
    "fulfilments",
    "parse_condition",
    "suggest_derived",
    "track",
]
