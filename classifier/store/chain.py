"""The audit record's hash chain: each event's ``hash`` covers its content and the previous hash.

``hash = sha256(canonical JSON of [prev_hash, document_id, actor_id, actor_role, action,
from_status, to_status, reason, detail, created_at])``. The first event's ``prev_hash`` is
:data:`GENESIS`. An edited row no longer matches its hash; a deleted or inserted row breaks
the link of the row after it; a cut-off tail leaves a chain that is sound but shorter — the
head hash exported earlier (``dingmi audit head``, printed for the paper file) is then no
longer in it. ``prev_hash`` is unique in the database, so the chain cannot fork.

Source: issue 11 (§6 tamper-evident audit record).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

#: ``prev_hash`` of the first event.
GENESIS = "0" * 64


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(prev_hash: str, *, document_id: int | None, actor_id: int | None,
               actor_role: str | None, action: str, from_status: str | None,
               to_status: str | None, reason: str, detail: dict[str, Any],
               created_at: datetime) -> str:
    """The sha256 (hex) of one event's content chained to ``prev_hash``."""
    body = [prev_hash, document_id, actor_id, actor_role, action, from_status, to_status,
            reason or "", detail or {}, _time(created_at)]
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def row_hash(row: Any) -> str:
    """:func:`event_hash` of an event row or read model (its stored ``prev_hash``)."""
    return event_hash(row.prev_hash or "", document_id=row.document_id, actor_id=row.actor_id,
                      actor_role=row.actor_role, action=row.action,
                      from_status=row.from_status, to_status=row.to_status, reason=row.reason,
                      detail=row.detail, created_at=row.created_at)


@dataclass(frozen=True)
class ChainProblem:
    """One place where the record was changed behind the product's back.

    ``kind``: ``altered`` (content differs from its hash: edited, or a forged row),
    ``broken_link`` (a row was deleted or inserted before this one), ``truncated`` (the
    exported head hash is not in the chain), ``document_mismatch`` (a document's stored state
    differs from what its events say), ``unrecorded_document`` (a document without an upload
    event).
    """

    kind: str
    message: str
    event_id: int | None = None
    document_id: int | None = None


@dataclass(frozen=True)
class ChainReport:
    """The result of walking the chain: sound or not, its length and head, the problems."""

    count: int
    head: str
    head_id: int | None
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.problems


def walk_chain(rows: Iterable[Any], expected_head: str | None = None) -> ChainReport:
    """Check every event (by id) against its hash and its link to the row before.

    Parameters
    ----------
    rows : iterable
        Events with ``id``, ``prev_hash``, ``hash`` and the hashed fields, by id.
    expected_head : str, optional
        A head hash exported earlier: it must still be in the chain (else ``truncated``).
    """
    problems: list[ChainProblem] = []
    prev, prev_id, count, head_id, seen_expected = GENESIS, None, 0, None, False
    for row in rows:
        count += 1
        if row.prev_hash != prev:
            where = f"第 {prev_id} 条之后" if prev_id is not None else "链首"
            problems.append(ChainProblem(
                "broken_link", f"审计记录第 {row.id} 条与前一条不相连：{where}有记录被删除或插入",
                event_id=row.id, document_id=row.document_id))
        if row.hash is None or row_hash(row) != row.hash:
            problems.append(ChainProblem(
                "altered", f"审计记录第 {row.id} 条的内容与其哈希不符：该条被修改或伪造",
                event_id=row.id, document_id=row.document_id))
        prev, prev_id, head_id = row.hash or "", row.id, row.id
        if expected_head is not None and row.hash == expected_head:
            seen_expected = True
    if expected_head is not None and not seen_expected:
        problems.append(ChainProblem(
            "truncated", f"此前导出的链头哈希 {expected_head[:16]}… 已不在审计记录中："
            "记录尾部被截去或被改写"))
    return ChainReport(count, prev if count else GENESIS, head_id, problems)
