"""``dingmi users …``, ``dingmi review …`` and ``dingmi records export`` through CliRunner."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from classifier.cli import main

TEXT = "关于拟任干部人选的请示\n经部务会研究，拟提名张某某同志为市财政局局长人选，尚未公布。"


def _run(*args, ok=True):
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert (res.exit_code == 0) is ok, res.output
    return res


def _json_lines(res):
    return [json.loads(line) for line in res.stdout.splitlines() if line.strip()]


@pytest.fixture()
def team(app_env):
    for name, role in [("张承办", "drafter"), ("李主任", "director"), ("赵副主任", "director"),
                       ("王组长", "leading_group")]:
        _run("users", "add", name, "--role", role)
    return app_env


@pytest.fixture()
def doc_id(team, tmp_path):
    f = tmp_path / "请示.txt"
    f.write_text(TEXT, encoding="utf-8")
    (rec,) = _json_lines(_run("review", "upload", str(f), "--as", "张承办", "--json"))
    assert rec["created"] and rec["status"] == "uploaded" and rec["suggestion"]["level"]
    return rec["document_id"]


def test_cli_users_add_and_list(team):
    users = _json_lines(_run("users", "list", "--json"))
    assert [(u["name"], u["role"]) for u in users][:2] == [("张承办", "drafter"), ("李主任", "director")]
    res = _run("users", "add", "张承办", "--role", "drafter", ok=False)
    assert "[user_exists]" in res.output
    assert _run("users", "add", "x", "--role", "boss", ok=False).exit_code == 2


def test_cli_review_round_trip_with_json(doc_id, tmp_path):
    (p,) = _json_lines(_run("review", "propose", str(doc_id), "--as", "张承办", "--level", "机密",
                            "--clause", "4.3", "--condition", "任免正式公布后", "--scope", "部务会成员",
                            "--json"))
    assert (p["status"], p["mark"], p["version"]) == ("proposed", "机密★任免正式公布后", 2)
    listed = _json_lines(_run("review", "list", "--json"))
    assert [d["id"] for d in listed] == [doc_id]
    assert "disagrees" in listed[0] and listed[0]["status_label"] == "待审核"
    (e,) = _json_lines(_run("review", "escalate", str(doc_id), "--as", "李主任",
                            "--question", "是否绝密？", "--expect-version", "2", "--json"))
    assert e["status"] == "escalated"
    (d,) = _json_lines(_run("review", "decide", str(doc_id), "--as", "王组长", "--level", "jimi",
                            "--clause", "4.3", "--years", "20", "--reason", "维持机密", "--json"))
    assert (d["status"], d["mark"], d["decided_by"]) == ("decided", "机密★20年", "王组长")
    assert _json_lines(_run("review", "list", "--json")) == []
    assert len(_json_lines(_run("review", "list", "--status", "all", "--json"))) == 1
    out = tmp_path / "台账.xlsx"
    assert "1 条" in _run("records", "export", "-o", str(out)).output
    assert out.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(
    "args, code",
    [
        (["confirm", "{id}", "--as", "张承办"], "permission_denied"),
        (["confirm", "{id}", "--as", "无名氏"], "unknown_user"),
        (["confirm", "{id}", "--as", "李主任", "--expect-version", "1"], "stale_version"),
        (["override", "{id}", "--as", "李主任", "--level", "秘密", "--clause", "4.5",
          "--reason", " "], "empty_reason"),
        (["decide", "{id}", "--as", "王组长", "--level", "秘密", "--clause", "4.5",
          "--reason", "x"], "illegal_transition"),
        (["confirm", "999", "--as", "李主任"], "not_found"),
    ],
)
def test_cli_refused_actions_exit_1_with_their_code(doc_id, args, code):
    _run("review", "propose", str(doc_id), "--as", "张承办", "--level", "秘密", "--clause", "4.5",
         "--scope", "本处")
    res = _run("review", *[a.format(id=doc_id) for a in args], "--json", ok=False)
    assert res.exit_code == 1
    assert _json_lines(res)[0]["error"]["code"] == code
    assert f"[{code}]" in res.stderr


def test_cli_human_output_and_confirm(doc_id):
    _run("review", "propose", str(doc_id), "--as", "张承办", "--level", "秘密", "--clause", "4.5",
         "--scope", "本处")
    assert f"#{doc_id}" in _run("review", "list").output
    out = _run("review", "confirm", str(doc_id), "--as", "李主任").output
    assert "已确认" in out and "秘密★10年" in out


def test_cli_upload_twice_opens_existing(doc_id, tmp_path):
    f = tmp_path / "副本.txt"
    f.write_text(TEXT, encoding="utf-8")
    assert "已存在" in _run("review", "upload", str(f), "--as", "张承办").output
