"""The office's final decisions as training records (the next ``dingmi train`` learns them).

Only final human decisions train the model (house style §4.8): confirmed, overridden or
decided by the leading group (:data:`classifier.workflow.states.FINAL_STATUSES`); pending and
escalated ones never do.

Source: issue 4 (retraining from decisions); issue 9 (item 8: ticked passages train the
passage model); issue 14 (§1: the reason codes go with each record).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from classifier.catalogue import Level
from classifier.config import Settings
from classifier.store import FinalDocument, Store
from classifier.store.handling import HandlingStore
from classifier.workflow.states import FINAL_STATUSES


def _record(d: FinalDocument) -> dict[str, Any]:
    """One settled document as a corpus record (the schema of ``corpus/README.md``)."""
    record: dict[str, Any] = {
        "id": f"db-{d.id}", "text": d.text, "level": d.level, "clause": d.clause,
        "source": f"decision:{d.status}", "status": d.status, "sha256": d.sha256,
        "decided_at": (d.decided_at or d.updated_at).isoformat(),
        "suggested_level": d.suggested_level, "suggested_clause": d.suggested_clause,
        "model_version": d.model_version, "reason_codes": list(d.reason_codes)}
    secret = any(lv.is_secret and lv.label == d.level for lv in Level)
    keys = key_passages(d.passages, len(d.text)) if secret else []
    if keys:
        record["passages"] = keys
    return record


def key_passages(passages: Any, text_len: int) -> list[dict[str, Any]]:
    """A decision's ticked passages as training annotations (``kind`` ``"key"``).

    Parameters
    ----------
    passages : list of dict or None
        The stored ``decisions.passages`` (``{"start", "end"}`` offsets).
    text_len : int
        Length of the document's text; a range outside it is left out (defensive: the
        workflow refuses such ranges when it records them).

    Returns
    -------
    list of dict
        ``{"kind": "key", "start": int, "end": int}`` in text order, as
        :func:`classifier.crossval.key_spans` reads them; empty when there are none.
    """
    out = []
    for p in passages or []:
        try:
            start, end = p["start"], p["end"]
        except (KeyError, TypeError):
            continue
        if (type(start) is int and type(end) is int and 0 <= start < end <= text_len):
            out.append({"kind": "key", "start": start, "end": end})
    return sorted(out, key=lambda p: (p["start"], p["end"]))


def final_decision_records(settings: Settings) -> Iterator[dict[str, Any]]:
    """Settled documents as training records.

    Only final human decisions train the model (house style §4.8): confirmed, overridden or
    decided by the leading group; pending and escalated ones never do. The label is the
    classification in effect on the document, i.e. the latest decision's. Yields nothing
    when the embedded database does not exist yet (training must not create it).

    Yields
    ------
    dict
        ``id`` (``db-<document id>``), ``text``, ``level``, ``clause``, ``source``
        (``decision:<status>``), ``status``, ``sha256`` (of the uploaded bytes),
        ``decided_at`` (ISO 8601, UTC; of the latest decision), ``suggested_level`` and
        ``suggested_clause`` (the latest stored suggestion, None when there is none),
        ``model_version`` (the model that made it), ``reason_codes`` (list of str: the
        structured reasons behind the classification, issue 14 §1, see
        :class:`classifier.store.FinalDocument`; they weigh the record in
        :func:`classifier.train.assemble_records`) and, for a secret whose latest decision
        has ticked passages, ``passages``: ``[{"kind": "key", "start", "end"}, ...]``
        (see :func:`key_passages`), which train the passage model.
    """
    if settings.database_url is None and not (Path(settings.home) / "dingmi.sqlite3").exists():
        return
    store = Store.open(settings)
    try:
        yield from decision_records(store)
    finally:
        store.close()


def decision_records(store: Store) -> Iterator[dict[str, Any]]:
    """The final decisions of an open store as training records (see
    :func:`final_decision_records`).

    Documents with no text are left out, and so is any text that was destroyed (销毁: its
    text is erased from its own record, and its sha256, kept with the destruction, keeps a
    copy of the same text uploaded under another record out of every later training run;
    issue 13 §5).
    """
    destroyed = HandlingStore(store).destroyed_text_hashes()
    for d in store.final_documents(FINAL_STATUSES):
        if d.text and d.text.strip() and _text_sha256(d.text) not in destroyed:
            yield _record(d)


def _text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
