"""The README's command examples run against the real CLI (issue 10, item 7).

Every ``dingmi …`` line of the README's command-line sections that can run offline is run
here as written, in a test's own data home (the session model, a fresh database): options
in ``[…]`` are dropped, the example file names are written first, and the document number
7 of the workflow examples is the number of a document brought to the state the verb needs.
A README example that stops working, or a new one that this test cannot place, fails here.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.cli import main

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
DRAFT = ("关于拟任干部人选的请示\n经部务会研究，拟提名张某某同志为市财政局局长人选。"
         "以上人选尚未公布，请严格控制知悉范围。\n")
#: Commands whose examples are not run here, and why.
NOT_RUN = {
    "train": "trains a model from the whole corpus (minutes); tests/test_train.py covers it",
}


def _examples(heading: str) -> list[str]:
    """The ``dingmi …`` lines of the indented code blocks under ``heading``."""
    section = README.split(heading, 1)[1].split("\n#", 1)[0]
    out = []
    for line in section.splitlines():
        text = line.strip()
        if line.startswith("    ") and text.startswith("dingmi "):
            text = text.split("  #", 1)[0].strip()  # a trailing comment
            out.append(re.sub(r"\s*\[[^\]]*\]", "", text))  # optional parts dropped
    return out


def _run(args: list[str], code: int = 0) -> str:
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == code, (args, res.output)
    return res.stdout


@pytest.fixture()
def cli_home(app_env, tmp_path, monkeypatch) -> Path:
    """The session model, a fresh database, and the example files in the working folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "请示.docx").write_text(DRAFT, encoding="utf-8")  # read by content: text
    return tmp_path


def test_readme_lists_every_command_with_help():
    for name, command in main.commands.items():
        assert f"dingmi {name}" in README, name
        assert command.help, name


def test_readme_suggest_and_extract_examples_run(cli_home):
    usages = _examples("## The command line")
    assert {u.split()[1] for u in usages} >= {"suggest", "extract", "train", "models"}
    example = str(REPO / "examples" / sorted(p.name for p in (REPO / "examples").iterdir())[0])
    for usage in usages:
        words = shlex.split(usage)[1:]
        if words[0] in NOT_RUN:
            continue
        if words[0] == "models":  # ``models list|show|promote|rollback``: the read-only ones
            for verb in ("list", "show"):
                _run(["models", verb, "--json"])
            continue
        words = [w for w in words if w != "PATH..."] + ["--json", example]
        (record,) = [json.loads(line) for line in _run(words).splitlines() if line.strip()]
        assert record["error"] is None


def test_readme_workflow_examples_run(cli_home, monkeypatch):
    from classifier.config import Settings
    from classifier.workflow import Workflow
    from classifier.workflow.demo import ensure_demo_users
    from tests.conftest import PASSWORD, ready_demo_users

    wf = Workflow.open(Settings.from_env())
    ensure_demo_users(wf)
    wf.close()
    ready_demo_users()
    monkeypatch.setenv("DINGMI_PASSWORD", PASSWORD)
    monkeypatch.setenv("DINGMI_NEW_PASSWORD", "First-pass-2026")

    def new_doc(state: str) -> str:
        """Upload a fresh copy of the draft and bring it to ``state``; its number."""
        name = f"稿{state}{len(list(cli_home.iterdir()))}.txt"
        (cli_home / name).write_text(DRAFT + name, encoding="utf-8")
        out = json.loads(_run(["review", "upload", name, "--as", "张承办", "--json"]))
        doc = str(out["document_id"])
        if state in ("proposed", "escalated"):
            _run(["review", "propose", doc, "--as", "张承办", "--level", "机密", "--clause",
                  "4.3", "--scope", "部务会成员"])
        if state == "escalated":
            _run(["review", "escalate", doc, "--as", "李主任", "--question", "是否应定为绝密？"])
        return doc

    needs = {"propose": "uploaded", "confirm": "proposed", "override": "proposed",
             "escalate": "proposed", "decide": "escalated"}
    usages = _examples("### The same workflow from the command line")
    assert len(usages) >= 10
    for usage in usages:
        words = shlex.split(usage)[1:]
        if words[0] == "users" and words[1] in ("add", "role", "unlock"):
            words[2] = "孙承办二"  # a name the demo users do not have
        if words[:2] == ["records", "export"]:
            words[words.index("-o") + 1] = str(cli_home / "台账.xlsx")
        if words[0] == "review" and words[1] in needs:
            doc = new_doc(needs[words[1]])
            words = [doc if w == "7" else w for w in words]
            words = [w for w in words if w != "--expect-version"]
        _run(words)
    assert (cli_home / "台账.xlsx").stat().st_size > 0


def test_readme_classification_life_examples_run(cli_home, monkeypatch):
    """The examples of "Marks, register numbers, periods, change and declassification"."""
    from classifier.config import Settings
    from classifier.workflow import Workflow
    from classifier.workflow.demo import ensure_demo_users
    from tests.conftest import PASSWORD, ready_demo_users

    monkeypatch.setenv("DINGMI_STORE_ORIGINALS", "1")
    wf = Workflow.open(Settings.from_env())
    ensure_demo_users(wf)
    wf.close()
    ready_demo_users()
    monkeypatch.setenv("DINGMI_PASSWORD", PASSWORD)
    steps = {
        "proposed": [["review", "propose", "{d}", "--as", "张承办", "--level", "机密", "--clause",
                      "4.3", "--years", "10", "--scope", "部务会成员"]],
        "confirmed": [["review", "confirm", "{d}", "--as", "李主任"]],
        "change_proposed": [["review", "change", "{d}", "--as", "张承办", "--level", "机密",
                             "--clause", "4.3", "--years", "5", "--reason", "变化"]],
    }
    order = ["proposed", "confirmed", "change_proposed"]

    def new_doc(state: str | None) -> str:
        name = f"稿{len(list(cli_home.iterdir()))}.docx"
        from docx import Document

        d = Document()
        for line in (DRAFT + name).splitlines():
            d.add_paragraph(line)
        d.save(cli_home / name)
        doc = str(json.loads(_run(["review", "upload", name, "--as", "张承办", "--json"]))[
            "document_id"])
        for s in order[:order.index(state) + 1] if state else []:
            for step in steps[s]:
                _run([w.replace("{d}", doc) for w in step])
        return doc

    needs = {"mark": "confirmed", "form": "confirmed", "refer": "proposed",
             "superior": "referred", "change": "confirmed", "declassify": "confirmed",
             "check": "change_proposed", "approve": "change_checked"}
    usages = _examples("### Marks, register numbers, periods, change and declassification")
    assert len(usages) >= 10
    for usage in usages:
        words = shlex.split(usage)[1:]
        verb = words[0] if words[0] == "mark" else words[1]
        if verb in needs:
            state = needs[verb]
            if state == "referred":
                doc = new_doc("proposed")
                _run(["review", "refer", doc, "--as", "李主任", "--question", "超出权限"])
            elif state == "change_checked":
                doc = new_doc("change_proposed")
                _run(["review", "check", doc, "--as", "李主任", "--opinion", "同意"])
            else:
                doc = new_doc(state)
            words = [doc if w == "7" else w for w in words]
        out = _run(words)
        if verb == "mark":
            from docx import Document

            lines = [p.text for p in Document(cli_home / words[words.index("-o") + 1]).paragraphs]
            assert lines[0].startswith("000001") and lines[1] == "机密★10年", out
    assert (cli_home / "年度审核.xlsx").stat().st_size > 0
