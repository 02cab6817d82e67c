"""The register (台账): query filters and the CSV/XLSX exports, formula-safe."""

from __future__ import annotations

import csv
import io
from dataclasses import astuple
from datetime import date, timedelta

import pytest

from classifier.catalogue import Level
from classifier.suggest import FileResult
from classifier.workflow import Classification
from classifier.workflow.register import HEADERS, Record, query_records, to_csv, to_xlsx

TEXT = "关于拟任干部人选的请示\n经部务会研究，拟提名张某某同志为市财政局局长人选，尚未公布。"


@pytest.fixture()
def filled(workflow, people, suggester):
    """Three documents: confirmed (formula-like name), proposed, and only uploaded."""
    docs = []
    for i, name in enumerate(["=HYPERLINK(\"http://evil.example\").txt", "请示.txt", "草稿.txt"]):
        docs.append(workflow.upload(people.drafter.id, f"{TEXT}{i}".encode(), name,
                                    suggester.suggest_upload).document)
    for d in docs[:2]:
        workflow.propose(people.drafter.id, d.id, Classification(Level.JIMI, "4.3"), scope="部务会")
    workflow.confirm(people.director.id, docs[0].id, reason="+同意")
    return docs


def test_records_lists_every_document_with_who_decided(workflow, filled):
    rows = {r.id: r for r in query_records(workflow.store)}
    assert len(rows) == 3
    first = rows[filled[0].id]
    assert (first.status, first.level, first.mark, first.clause) == ("已确认", "机密",
                                                                     "机密★20年", "4.3")
    assert (first.drafter, first.decision, first.decided_by, first.reason) == (
        "张承办", "确认", "李主任", "+同意")
    assert first.decided_at and first.proposed_at and first.uploaded_at
    assert rows[filled[2].id].status == "已上传（未拟定）"


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"statuses": ["confirmed"]}, [0]),
        ({"statuses": ["proposed", "uploaded"]}, [1, 2]),
        ({"levels": ["机密"]}, [0, 1]),
        ({"search": "草稿"}, [2]),
        ({"search": "财政局局长"}, [0, 1, 2]),  # the document text is searched too
        ({"search": "张承办"}, [0, 1]),
        ({"date_from": date.today() - timedelta(days=1), "date_to": date.today()}, [0, 1, 2]),
        ({"date_from": date.today() + timedelta(days=1)}, []),
    ],
)
def test_records_filters(workflow, filled, kwargs, expected):
    got = sorted(r.id for r in query_records(workflow.store, **kwargs))
    assert got == sorted(filled[i].id for i in expected)


def test_records_csv_has_bom_headers_and_defuses_formulas(workflow, filled):
    data = to_csv(query_records(workflow.store))
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == HEADERS
    names = [r[1] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://evil.example\").txt" in names
    assert "'+同意" in [r[HEADERS.index("审定理由")] for r in rows[1:]]
    assert not any(c.startswith(("=", "+", "-", "@")) for r in rows[1:] for c in r)


def test_records_xlsx_round_trips_without_formulas(workflow, filled):
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(to_xlsx(query_records(workflow.store))))
    ws = wb["台账"]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert tuple(values[0]) == HEADERS
    assert "=HYPERLINK(\"http://evil.example\").txt" in [v[1] for v in values[1:]]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert ws.freeze_panes == "A2"


def test_records_exports_of_nothing_have_headers_only():
    assert to_csv([]).decode("utf-8-sig").strip() == ",".join(HEADERS)
    assert len(Record.__dataclass_fields__) == len(HEADERS)


def test_suggestion_changes_lists_documents_the_current_model_now_sees_differently(
        workflow, people, suggester):
    from classifier.workflow.register import suggestion_changes

    text = "老周：北坪县常务副县长的位子基本定了让宋一帆过去，原来那位挪到市里。会还没上，先别声张。"

    now = suggester.suggest_text(text)
    then = ("机密", "4.3") if (now.level.label, now.clause) == ("公开", None) else ("公开", None)

    def stale(data: bytes, name: str) -> FileResult:
        rec = suggester.suggest_bytes(data, name)
        return FileResult.from_record(
            {**rec, "level": then[0], "clause": then[1], "model_version": "old-model"})

    up = workflow.upload(people.drafter.id, text.encode(), "a.txt", stale)
    workflow.upload(people.drafter.id, b"\xe5\x85\xac\xe5\x91\x8a " + text.encode(), "b.txt",
                    suggester.suggest_upload)
    (change,) = suggestion_changes(workflow.store, suggester.classifier)
    assert change.id == up.document.id and change.then_model == "old-model"
    assert (change.then_level, change.then_clause) == then
    assert change.now_model == suggester.classifier.model.version
    assert (change.now_level, change.now_clause) == (now.level.label, now.clause)
    assert suggestion_changes(workflow.store, suggester.classifier, ids=[]) == []


def test_records_keep_period_condition_and_need_to_know(workflow, people, suggester):
    """The register shows the secrecy period or condition and the 知悉范围 of each document."""
    text = "关于市管后备干部调整补充的名单（讨论稿）：拟将周一鸣等三名同志列入市管后备干部名单，实行动态管理。"
    up = workflow.upload(people.drafter.id, text.encode(), "后备.txt", suggester.suggest_upload)
    workflow.propose(people.drafter.id, up.document.id, Classification(Level.JIMI, "4.9", None, "名单调整公布后"),
                     scope="部务会成员、干部一科")
    (rec,) = [r for r in query_records(workflow.store) if r.id == up.document.id]
    assert (rec.period, rec.condition, rec.scope) == ("", "名单调整公布后", "部务会成员、干部一科")
    row = dict(zip(HEADERS, astuple(rec), strict=True))
    assert row["知悉范围"] == "部务会成员、干部一科" and row["解密条件"] == "名单调整公布后"
