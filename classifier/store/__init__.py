"""Persistence: the tables, the read models, the transaction and the :class:`Store`.

``schema`` holds the ORM rows (nothing outside this package imports SQLAlchemy, the
migrations aside), ``models`` the frozen dataclasses every read returns, ``tx`` the writes of
one transaction and ``store`` the database itself. The rules (who may do what, in which
status) are :mod:`classifier.workflow`'s; the store only records.
"""

from classifier.store.chain import GENESIS, ChainProblem, ChainReport, walk_chain
from classifier.store.models import (
    ApiToken,
    CatalogueEdit,
    Decision,
    Document,
    DocumentSummary,
    Event,
    FinalDocument,
    Judgement,
    LoginSession,
    OcrSummary,
    Proposal,
    StoredSuggestion,
    SuggestedPeriod,
    User,
)
from classifier.store.schema import MIGRATIONS_DIR, Base, UTCDateTime, utcnow
from classifier.store.store import Store
from classifier.store.tx import StoreTx

__all__ = [
    "GENESIS", "MIGRATIONS_DIR", "ApiToken", "Base", "CatalogueEdit", "ChainProblem",
    "ChainReport", "Decision", "Judgement",
    "LoginSession", "walk_chain", "Document", "DocumentSummary", "Event", "FinalDocument",
    "OcrSummary", "Proposal", "Store", "StoreTx", "StoredSuggestion", "SuggestedPeriod", "UTCDateTime", "User", "utcnow",
]

# The handling tables (issue 13) live in their own module on the same metadata; importing it
# here keeps ``Base.metadata`` equal to what the migrations create.
from classifier.store import handling as handling
