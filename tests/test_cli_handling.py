"""``dingmi register …`` (issue 13) with CliRunner: the clerk's register from the command line,
refusals with their codes and exit status, JSON output, the import report."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from click.testing import CliRunner

from classifier.cli import main


def _run(args, code=0):
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == code, (args, res.output)
    return res


def _json(args, code=0):
    return [json.loads(x) for x in _run([*args, "--json"], code).stdout.splitlines() if x.strip()]


def test_register_round_trip_from_the_command_line(register_cli):
    (line,) = _json(["register", "add", "--as", "陈机要", "--title", "关于换届考察的通知",
                     "--level", "机密", "--copies", "2", "--issuer", "省委组织部",
                     "--kind", "急件"])
    assert line["number"].startswith("收") and line["period_years"] == 20
    copies = _json(["register", "copies", str(line["id"]), "--as", "陈机要"])
    assert [c["holder"] for c in copies] == ["办公室", "办公室"]
    c1, c2 = (c["id"] for c in copies)
    out = _run(["register", "handover", str(c1), "--from", "办公室", "--to", "刘科长",
                "--as", "陈机要"]).stdout
    assert "刘科长" in out
    res = _run(["register", "handover", str(c1), "--from", "办公室", "--to", "周干事",
                "--as", "陈机要"], code=1)
    assert "[not_holder]" in res.stderr and "Traceback" not in res.output
    (sheet,) = _json(["register", "circulate", str(c2), "周干事", "吴部长", "--as", "陈机要"])
    _run(["register", "pass", str(sheet["id"]), "--as", "陈机要"])
    later = (date.today() + timedelta(days=40)).isoformat()
    items = _json(["register", "overdue", "--as-of", later, "--as", "李主任"])
    assert {(i["copy_id"], i["holder"], i["urgent"]) for i in items} == {
        (c1, "刘科长", True), (c2, "吴部长", True)}
    _run(["register", "back", str(sheet["id"]), "--as", "陈机要"])
    (loan,) = _json(["register", "loan", str(c2), "--borrower", "周干事", "--purpose", "参考",
                     "--due", date.today().isoformat(), "--unit", "市纪委监委",
                     "--as", "陈机要"])
    assert loan["approver"] == "head"
    res = _run(["register", "approve", str(loan["id"]), "--as", "李主任"], code=1)
    assert "[original_not_lent]" in res.stderr
    _run(["register", "approve", str(loan["id"]), "--as", "王组长", "--reason", "审查调查需要"])
    _run(["register", "lend", str(loan["id"]), "--as", "陈机要"])
    _run(["register", "return", str(loan["id"]), "--as", "陈机要"])
    _run(["register", "handover", str(c1), "--from", "刘科长", "--to", "办公室", "--as", "陈机要"])
    rows = _json(["register", "cleanup", "--as", "王组长"])
    assert [r["item"] for r in rows] == ["dispose"]
    res = _run(["register", "destroy", str(line["id"]), "--witness", "王某", "--as", "陈机要"],
               code=1)
    assert "[witnesses_required]" in res.stderr
    out = _run(["register", "destroy", str(line["id"]), "--witness", "王某", "--witness", "冯某",
                "--as", "陈机要"]).stdout
    assert "已销毁" in out
    (gone,) = _json(["register", "list", "--as", "陈机要", "--status", "destroyed"])
    assert gone["id"] == line["id"]


def test_register_refuses_other_roles_and_anonymous_callers(register_cli):
    (err,) = _json(["register", "add", "--as", "李主任", "--title", "x", "--level", "秘密"],
                   code=1)
    assert err["error"]["code"] == "permission_denied"
    res = CliRunner(env={"DINGMI_PASSWORD": ""}).invoke(
        main, ["register", "list"], catch_exceptions=False)
    assert res.exit_code == 1 and "[authentication_required]" in res.stderr


def test_register_import_reports_rows_that_did_not_fit(register_cli, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["文件标题", "密级", "份数", "来文单位"])
    ws.append(["关于干部考察工作的通知", "机密★20年", 2, "省委组织部"])
    ws.append(["坏行", "很密", 1, "市委"])
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "登记簿.xlsx"
    path.write_bytes(buf.getvalue())
    out = _run(["register", "import", str(path), "--as", "陈机要"]).stdout
    assert "已导入 1 条；未导入 1 条" in out and "第 3 行：[invalid_decision]" in out
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook")
    res = _run(["register", "import", str(bad), "--as", "陈机要"], code=1)
    assert "[invalid_register_file]" in res.stderr
