"""Checking the record: the hash chain of the audit events, and each document against them.

:func:`verify_record` walks the chain (:func:`classifier.store.walk_chain`: an edited or
forged row, a deleted or inserted row, a cut-off tail against an exported head hash) and then
replays every document's events: its status, version, classification, 知悉范围 and the
sha256 of its file and text must be what its events say, so an ``UPDATE documents SET
level = '公开'`` behind the product's back is found too.

Source: issue 11 (§6 tamper-evident audit record).
"""

from __future__ import annotations

import hashlib
from typing import Any

from classifier.store import ChainProblem, ChainReport, Store, walk_chain
from classifier.workflow.states import Action

#: Document columns carried by the workflow's events (``detail``), checked against the row.
_FIELDS = ("level", "clause", "period_years", "condition", "mark", "scope")
_LABELS = {"status": "状态", "version": "版本", "level": "密级", "clause": "定密依据",
           "period_years": "保密期限", "condition": "解密条件", "mark": "密级标志",
           "scope": "知悉范围", "sha256": "文件哈希", "text_sha256": "正文"}


def text_sha256(text: str) -> str:
    """The sha256 of a document's extracted text (recorded with its upload)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify_record(store: Store, expected_head: str | None = None) -> ChainReport:
    """Walk the audit chain, then check every document against its events.

    Parameters
    ----------
    store : Store
    expected_head : str, optional
        A head hash exported earlier (``dingmi audit head``); it must still be in the chain.

    Returns
    -------
    ChainReport
        ``ok`` when nothing was found; otherwise the problems, the chain's first first.
    """
    events = store.chain()
    report = walk_chain(events, expected_head)
    problems = list(report.problems)
    states: dict[int, dict[str, Any]] = {}
    actions = {a.value for a in Action}
    for e in events:
        if e.document_id is None:
            continue
        if e.action == "upload":
            states[e.document_id] = {"status": e.to_status, "version": 1,
                                     **dict.fromkeys(_FIELDS),
                                     **{k: e.detail[k] for k in ("sha256", "text_sha256")
                                        if k in e.detail}}
        elif e.action in actions and e.document_id in states:
            st = states[e.document_id]
            st["status"], st["version"] = e.to_status, e.detail.get("version")
            st.update({k: e.detail[k] for k in _FIELDS if k in e.detail})
            if e.action == Action.PROPOSE and "scope" not in e.detail:
                st.pop("scope", None)  # recorded before issue 11: not known
        elif e.action == "destroy" and e.document_id in states:
            # 销毁 (issue 13): the text is erased; the row's version moves with the erasure.
            st = states[e.document_id]
            st["text_sha256"], st["version"] = e.detail.get("text_sha256"), e.detail.get("version")
    for doc in store.all_documents():
        recorded = states.get(doc.id)
        if recorded is None:
            problems.append(ChainProblem("unrecorded_document",
                                         f"文件记录 #{doc.id} 没有上传记录：该记录是绕过系统写入的",
                                         document_id=doc.id))
            continue
        actual = {"status": doc.status, "version": doc.version, "sha256": doc.sha256,
                  "text_sha256": text_sha256(doc.text),
                  **{k: getattr(doc, k) for k in _FIELDS}}
        wrong = [k for k, v in recorded.items() if actual.get(k) != v]
        if wrong:
            problems.append(ChainProblem(
                "document_mismatch",
                f"文件记录 #{doc.id} 的{'、'.join(_LABELS.get(k, k) for k in wrong)}与审计记录不符："
                "该记录被绕过系统修改", document_id=doc.id))
    return ChainReport(report.count, report.head, report.head_id, problems)
