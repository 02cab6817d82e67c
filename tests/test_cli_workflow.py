"""``dingmi users …``, ``dingmi review …`` and ``dingmi records export`` through CliRunner."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from classifier.cli import main
from tests.conftest import PASSWORD

TEXT = "关于拟任干部人选的请示\n经部务会研究，拟提名张某某同志为市财政局局长人选，尚未公布。"


def _run(*args, ok=True):
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert (res.exit_code == 0) is ok, res.output
    return res


def _json_lines(res):
    return [json.loads(line) for line in res.stdout.splitlines() if line.strip()]


def make_team(monkeypatch, names=(("张承办", "drafter"), ("李主任", "director"),
                                    ("赵副主任", "director"), ("王组长", "leading_group"),
                                    ("陈机要", "clerk"), ("系统管理员", "sysadmin"),
                                    ("安全保密管理员", "secadmin"), ("安全审计员", "auditor"))):
    """Accounts with :data:`PASSWORD`, and that password in DINGMI_PASSWORD."""
    from classifier.config import Settings
    from classifier.workflow import Workflow

    wf = Workflow.open(Settings.from_env())
    try:
        for name, role in names:
            wf.add_user(name, role, password=PASSWORD, must_change_password=False)
    finally:
        wf.close()
    monkeypatch.setenv("DINGMI_PASSWORD", PASSWORD)


@pytest.fixture()
def team(app_env, monkeypatch):
    make_team(monkeypatch)
    return app_env


@pytest.fixture()
def doc_id(team, tmp_path):
    f = tmp_path / "请示.txt"
    f.write_text(TEXT, encoding="utf-8")
    (rec,) = _json_lines(_run("review", "upload", str(f), "--as", "张承办", "--json"))
    assert rec["created"] and rec["status"] == "uploaded" and rec["suggestion"]["level"]
    return rec["document_id"]


def test_cli_users_add_role_and_list(team, monkeypatch):
    monkeypatch.setenv("DINGMI_NEW_PASSWORD", "First-pass-2026")
    (u,) = _json_lines(_run("users", "add", "孙承办", "--as", "系统管理员", "--json"))
    assert (u["name"], u["role"], u["must_change_password"]) == ("孙承办", "none", True)
    res = _run("users", "add", "张承办", "--as", "系统管理员", ok=False)
    assert "[user_exists]" in res.output
    assert "[permission_denied]" in _run("users", "role", "孙承办", "--role", "drafter",
                                         "--as", "系统管理员", ok=False).output
    _run("users", "role", "孙承办", "--role", "drafter", "--as", "安全保密管理员")
    users = _json_lines(_run("users", "list", "--as", "安全保密管理员", "--json"))
    assert ("孙承办", "drafter") in [(u["name"], u["role"]) for u in users]
    assert "password_hash" not in users[0]
    assert _run("users", "role", "孙承办", "--role", "boss", "--as", "安全保密管理员",
                ok=False).exit_code == 2
    # the new account must change its first password before anything else
    monkeypatch.setenv("DINGMI_PASSWORD", "First-pass-2026")
    assert "[password_change_required]" in _run("review", "list", "--as", "孙承办",
                                                ok=False).output
    monkeypatch.setenv("DINGMI_NEW_PASSWORD", "Second-pass-2026")
    _run("passwd", "--as", "孙承办")
    monkeypatch.setenv("DINGMI_PASSWORD", "Second-pass-2026")
    _run("review", "list", "--as", "孙承办")


def test_cli_as_alone_is_refused_and_changes_nothing(doc_id, monkeypatch):
    """Done-when: `review confirm … --as 李主任` without a credential exits with a clear error."""
    _run("review", "propose", str(doc_id), "--as", "张承办", "--level", "秘密", "--clause", "4.5",
         "--scope", "本处")
    monkeypatch.delenv("DINGMI_PASSWORD")
    res = _run("review", "confirm", str(doc_id), "--as", "李主任", "--json", ok=False)
    assert res.exit_code == 1
    assert _json_lines(res)[0]["error"]["code"] == "authentication_required"
    assert "--as 李主任 不是身份凭证" in res.stderr and "Traceback" not in res.output
    res = CliRunner().invoke(main, ["review", "confirm", str(doc_id), "--as", "李主任"],
                             input="wrong-password\n")
    assert res.exit_code == 1 and "[authentication_failed]" in res.stderr
    for args in (["records", "export", "-o", "-", "--search", "张某某"], ["review", "list"]):
        assert "[authentication_required]" in _run(*args, ok=False).stderr
    monkeypatch.setenv("DINGMI_PASSWORD", PASSWORD)
    (d,) = _json_lines(_run("review", "list", "--status", "all", "--as", "李主任", "--json"))
    assert (d["status"], d["version"]) == ("proposed", 2)  # nothing changed
    # the password on stdin works too
    res = CliRunner().invoke(main, ["review", "confirm", str(doc_id), "--as", "李主任"],
                             input=PASSWORD + "\n", env={"DINGMI_PASSWORD": ""})
    assert res.exit_code == 0 and "已确认" in res.output


def test_cli_personal_token(team, monkeypatch):
    (t,) = _json_lines(_run("token", "create", "--name", "脚本", "--as", "李主任", "--json"))
    monkeypatch.delenv("DINGMI_PASSWORD")
    monkeypatch.setenv("DINGMI_TOKEN", t["token"])
    _run("review", "list")
    assert "[authentication_failed]" in _run("review", "list", "--as", "张承办", ok=False).stderr
    (listed,) = _json_lines(_run("token", "list", "--json"))
    assert listed["last_used_at"] is not None and "token" not in listed
    _run("token", "revoke", str(t["id"]))
    assert "[authentication_failed]" in _run("review", "list", ok=False).stderr


def test_cli_admin_init_once_then_only_with_force_and_reason(app_env, monkeypatch):
    for duty in ("SYSADMIN", "SECADMIN", "AUDITOR"):
        monkeypatch.setenv(f"DINGMI_{duty}_PASSWORD", "Admin-pass-2026")
    out = _run("admin", "init").output
    assert "系统管理员" in out and "安全审计员" in out
    assert "[admin_exists]" in _run("admin", "init", ok=False).stderr
    assert "[empty_reason]" in _run("admin", "init", "--force", "--sysadmin", "甲", "--secadmin",
                                    "乙", "--auditor", "丙", ok=False).stderr
    _run("admin", "init", "--force", "--reason", "原管理员离岗", "--sysadmin", "甲",
         "--secadmin", "乙", "--auditor", "丙")
    monkeypatch.setenv("DINGMI_PASSWORD", "Admin-pass-2026")
    assert "[password_change_required]" in _run("audit", "verify", "--as", "丙", ok=False).stderr


def test_cli_audit_verify_and_head(doc_id, tmp_path):
    import sqlite3

    head = _json_lines(_run("audit", "head", "--as", "安全审计员", "--json"))[0]
    assert head["ok"] and len(head["head"]) == 64
    assert "审计记录完好" in _run("audit", "verify", "--as", "安全审计员").output
    assert "[permission_denied]" in _run("audit", "verify", "--as", "李主任", ok=False).stderr
    db = sqlite3.connect(os.environ["DINGMI_DATABASE_URL"].removeprefix("sqlite:///"))
    with db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type='trigger'").fetchall():
            db.execute(f"DROP TRIGGER {name}")
        db.execute("UPDATE documents SET level = '公开' WHERE id = ?", (doc_id,))
    db.close()
    res = _run("audit", "verify", "--as", "安全审计员", "--json", ok=False)
    (report,) = _json_lines(res)
    assert not report["ok"] and report["problems"][0]["kind"] == "document_mismatch"


def test_cli_review_round_trip_with_json(doc_id, tmp_path):
    (p,) = _json_lines(_run("review", "propose", str(doc_id), "--as", "张承办", "--level", "机密",
                            "--clause", "4.3", "--condition", "任免正式公布后", "--scope", "部务会成员",
                            "--json"))
    assert (p["status"], p["mark"], p["version"]) == ("proposed", "机密★任免正式公布后", 2)
    listed = _json_lines(_run("review", "list", "--as", "李主任", "--json"))
    assert [d["id"] for d in listed] == [doc_id]
    assert "disagrees" in listed[0] and listed[0]["status_label"] == "待审核"
    (e,) = _json_lines(_run("review", "escalate", str(doc_id), "--as", "李主任",
                            "--question", "是否绝密？", "--expect-version", "2", "--json"))
    assert e["status"] == "escalated"
    (d,) = _json_lines(_run("review", "decide", str(doc_id), "--as", "王组长", "--level", "jimi",
                            "--clause", "4.3", "--years", "20", "--reason-code", "other", "--reason", "维持机密", "--json"))
    assert (d["status"], d["mark"], d["decided_by"]) == ("decided", "机密★20年", "王组长")
    assert _json_lines(_run("review", "list", "--as", "李主任", "--json")) == []
    assert len(_json_lines(_run("review", "list", "--status", "all", "--as", "李主任",
                                "--json"))) == 1
    out = tmp_path / "台账.xlsx"
    assert "1 条" in _run("records", "export", "-o", str(out), "--as", "陈机要").output
    assert out.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(
    "args, code",
    [
        (["confirm", "{id}", "--as", "张承办"], "permission_denied"),
        (["confirm", "{id}", "--as", "无名氏"], "authentication_failed"),
        (["confirm", "{id}", "--as", "李主任", "--expect-version", "1"], "stale_version"),
        (["override", "{id}", "--as", "李主任", "--level", "秘密", "--clause", "4.5",
          "--reason-code", "other", "--reason", " "], "empty_reason"),
        (["decide", "{id}", "--as", "王组长", "--level", "秘密", "--clause", "4.5",
          "--years", "10", "--reason-code", "other", "--reason", "x"], "illegal_transition"),
        (["override", "{id}", "--as", "李主任", "--level", "秘密", "--clause", "4.5",
          "--years", "10", "--reason", "x"], "reason_required"),
        (["decide", "{id}", "--as", "王组长", "--level", "秘密", "--clause", "4.5",
          "--years", "11", "--reason-code", "other", "--reason", "x"], "period_too_long"),
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
    assert f"#{doc_id}" in _run("review", "list", "--as", "李主任").output
    out = _run("review", "confirm", str(doc_id), "--as", "李主任").output
    assert "已确认" in out and "秘密★10年" in out


def test_cli_upload_twice_opens_existing(doc_id, tmp_path):
    f = tmp_path / "副本.txt"
    f.write_text(TEXT, encoding="utf-8")
    assert "已存在" in _run("review", "upload", str(f), "--as", "张承办").output


def test_cli_upload_of_several_files_goes_past_a_bad_one(team, tmp_path):
    """One file that cannot be registered (empty) is reported with its code; the files after
    it are still registered, and the exit status says something failed."""
    files = [tmp_path / "一.txt", tmp_path / "空.txt", tmp_path / "三.txt"]
    files[0].write_text(TEXT + "（一）", encoding="utf-8")
    files[1].write_bytes(b"")
    files[2].write_text(TEXT + "（三）", encoding="utf-8")
    res = _run("review", "upload", *map(str, files), "--as", "张承办", "--json", ok=False)
    assert res.exit_code == 1
    lines = _json_lines(res)
    assert [x.get("error", {}).get("code") for x in lines] == [None, "empty_text", None]
    assert lines[1]["file"] == "空.txt" and lines[2]["created"] is True


def test_cli_guard_routes_and_expire_declassifies_once(doc_id):
    """Issue 12: clause 4.12 cannot be confirmed by the director alone; a period that ended is
    declassified by ``dingmi records expire`` exactly once."""
    _run("review", "propose", str(doc_id), "--as", "张承办", "--level", "秘密", "--clause", "4.12",
         "--years", "1", "--scope", "本处")
    (c,) = _json_lines(_run("review", "confirm", str(doc_id), "--as", "李主任", "--json"))
    assert c["status"] == "escalated"
    (d,) = _json_lines(_run("review", "decide", str(doc_id), "--as", "王组长", "--level", "秘密",
                            "--clause", "4.12", "--years", "1", "--issued-on", "2020-01-01",
                            "--reason-code", "other", "--reason", "属于其它保密事项", "--json"))
    assert (d["status"], d["period_ends_on"]) == ("decided", "2021-01-01")
    assert d["register_number"].startswith("组密〔")
    (due,) = _json_lines(_run("records", "due", "--as", "陈机要", "--json"))
    assert due["id"] == doc_id and due["days_left"] < 0
    (first,) = _json_lines(_run("records", "expire", "--as", "陈机要", "--json"))
    assert [x["id"] for x in first["declassified"]] == [doc_id]
    assert first["declassified"][0]["declassified_on"] == "2021-01-02"
    (second,) = _json_lines(_run("records", "expire", "--as", "陈机要", "--json"))
    assert second["declassified"] == []


def test_cli_blind_draft_withholds_the_suggestion_until_judged(team, tmp_path, monkeypatch):
    """Blind mode (issue 14 §3) from the command line: the upload prints no suggestion, the
    director's list says 盲评 until ``review judge``; judging a shown draft is refused."""
    monkeypatch.setenv("DINGMI_BLIND_SHARE", "1")
    f = tmp_path / "盲评.txt"
    f.write_text(TEXT + "（盲评）", encoding="utf-8")
    (rec,) = _json_lines(_run("review", "upload", str(f), "--as", "张承办", "--json"))
    assert rec["suggestion"] is None and rec["suggestion_withheld"] == "blind_before_proposal"
    doc = str(rec["document_id"])
    _run("review", "propose", doc, "--as", "张承办", "--level", "机密", "--clause", "4.3",
         "--scope", "部务会成员")
    (row,) = _json_lines(_run("review", "list", "--as", "李主任", "--json"))
    assert row["suggested_level"] is None
    assert row["suggestion_withheld"] == "blind_before_judgement"
    assert "系统建议 盲评" in _run("review", "list", "--as", "李主任").stdout
    assert "[permission_denied]" in _run("review", "judge", doc, "--as", "张承办", "--level",
                                         "机密", "--clause", "4.3", ok=False).output
    (after,) = _json_lines(_run("review", "judge", doc, "--as", "李主任", "--level", "秘密",
                                "--clause", "4.5", "--json"))
    assert after["suggested_level"] and after["suggestion_withheld"] is None
    assert "[already_judged]" in _run("review", "judge", doc, "--as", "李主任", "--level",
                                      "秘密", "--clause", "4.5", ok=False).output

    monkeypatch.setenv("DINGMI_BLIND_SHARE", "0")
    g = tmp_path / "显示.txt"
    g.write_text(TEXT + "（显示）", encoding="utf-8")
    (shown,) = _json_lines(_run("review", "upload", str(g), "--as", "张承办", "--json"))
    assert shown["suggestion"]["level"] and shown["suggestion_withheld"] is None
    _run("review", "propose", str(shown["document_id"]), "--as", "张承办", "--level", "机密",
         "--clause", "4.3", "--scope", "部务会成员")
    assert "[not_blind]" in _run("review", "judge", str(shown["document_id"]), "--as", "李主任",
                                 "--level", "机密", "--clause", "4.3", ok=False).output


def test_cli_bad_blind_share_is_a_coded_error(team, tmp_path, monkeypatch):
    monkeypatch.setenv("DINGMI_BLIND_SHARE", "很多")
    f = tmp_path / "请示.txt"
    f.write_text(TEXT, encoding="utf-8")
    res = _run("review", "upload", str(f), "--as", "张承办", "--json", ok=False)
    assert "[invalid_setting]" in res.output and "Traceback" not in res.output


def test_cli_reason_codes_repeatable_on_propose_and_override(doc_id):
    """Issue 14 §1: ``--reason-code`` is repeatable on propose and override; an unknown
    code is refused."""
    from classifier.config import Settings
    from classifier.workflow import Workflow

    res = _run("review", "propose", str(doc_id), "--as", "张承办", "--level", "内部",
               "--reason-code", "bogus", ok=False)
    assert res.exit_code == 2  # click refuses a code outside the list
    (p,) = _json_lines(_run("review", "propose", str(doc_id), "--as", "张承办", "--level", "内部",
                            "--reason-code", "work_matter", "--reason-code", "already_public",
                            "--note", "已在内部通报", "--json"))
    assert p["status"] == "proposed"
    (o,) = _json_lines(_run("review", "override", str(doc_id), "--as", "李主任", "--level", "内部",
                            "--reason", "属工作秘密", "--reason-code", "work_matter",
                            "--reason-code", "outside_catalogue", "--json"))
    assert o["status"] == "overridden"
    wf = Workflow.open(Settings.from_env())
    try:
        assert wf.proposals(doc_id)[-1].reason_codes == ["work_matter", "already_public"]
        d = wf.decisions(doc_id)[-1]
        assert d.reason_codes == ["work_matter", "outside_catalogue"]
        assert wf.events(doc_id)[-1].detail["reason_codes"] == d.reason_codes
    finally:
        wf.close()


def test_cli_catalogue_edits_listed_and_accepted(team):
    """Issue 14 §1: ``dingmi catalogue edits`` lists the recurring reason and its proposed
    edit; ``answer … --accept`` records it and writes a loadable candidate catalogue."""
    from classifier.catalogue import load_catalogue
    from classifier.store import Store
    from tests.registers import Entry, store_register

    store = Store.from_url(os.environ["DINGMI_DATABASE_URL"])
    try:
        store_register(store, [
            Entry(f"关于开展集体谈话活动的通知{i}：请各单位按时组织，结果在网站公布。", "内部", None,
                  proposed=("秘密", "4.5"), kind="override", reason="已公布",
                  reason_code="already_public") for i in "甲乙丙"],
            drafter_id=store.user_by_name("张承办").id, director_id=store.user_by_name("李主任").id)
    finally:
        store.close()
    lines = _json_lines(_run("catalogue", "edits", "--as", "李主任", "--json"))
    assert {"reason": {"clause": "4.5", "code": "already_public", "n": 3,
                       "doc_ids": ["1", "2", "3"]}} in lines
    [prop] = [x["proposal"] for x in lines if "proposal" in x]
    assert (prop["clause"], prop["action"], prop["term"], prop["support"]) == (
        "4.5", "remove", "谈话", 3)
    res = _run("catalogue", "answer", "4.5", "remove", "谈话", "--accept", "--as", "王组长",
               "--json", ok=False)
    assert _json_lines(res)[0]["error"]["code"] == "permission_denied"
    (done,) = _json_lines(_run("catalogue", "answer", "4.5", "remove", "谈话", "--accept",
                               "--as", "李主任", "--json"))
    assert done["outcome"] == "accepted"
    assert "谈话" not in load_catalogue(done["candidate"]).get("4.5").cues
    after = _json_lines(_run("catalogue", "edits", "--as", "李主任", "--json"))
    assert not [x for x in after if "proposal" in x]
    assert {"candidate": done["candidate"]} in after
