"""The dingmi CLI: JSON contract, exit codes, error codes from real bad files, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from classifier.cli import main
from classifier.extract import legacy, ocr
from tests import builders as b

KEYS = {"file", "level", "clause", "clause_title", "period", "confidence", "needs_review",
        "candidates", "marking", "model_version", "catalogue_version", "error"}
SECRET_TEXT = ("关于调整充实市管后备干部队伍的方案（讨论稿）\n经民主推荐和考察，拟将以下同志列入市管后备干部名单："
               "\n序号\t姓名\t现任职务\n1\t周一鸣\t市发改委副主任\n以上人选实行动态管理，跟踪培养。")


@pytest.fixture()
def files(tmp_path) -> dict[str, Path]:
    """One good file per format and one bad file per error code."""
    docx = b.docx_bytes(b.p("秘密★10年") + "".join(b.p(line) for line in SECRET_TEXT.split("\n")))
    pdf = b.pdf_bytes([[(72, 760, "关于召开全市组织工作会议的新闻通稿"), (72, 730, "本报讯 日前，全市组织工作会议召开。")]])
    out = {
        "good.txt": SECRET_TEXT.encode("gb18030"),
        "good.docx": docx,
        "good.pdf": pdf,
        "corrupt.docx": docx[: len(docx) // 2],
        "encrypted.pdf": b.pdf_bytes([[(72, 760, "机密文件")]], user_password="secret"),
        "empty.txt": b"",
        "random.bin": bytes(range(256)) * 40,
        "image.pdf": b.image_only_pdf(),
        "picture.docx": b"\x89PNG\r\n\x1a\n" + b"\x00" * 200,
        "legacy.docx": b.ole_header_only(),
    }
    return {k: b.write(tmp_path, k, v) for k, v in out.items()}


_OCR = ocr.available()  # issue 5: scans and images are OCR'd, legacy files converted
EXPECTED_CODES = {
    "corrupt.docx": "corrupt_file", "encrypted.pdf": "encrypted", "empty.txt": "empty_text",
    "random.bin": "unsupported_format", "image.pdf": "empty_text" if _OCR else "needs_ocr",
    "picture.docx": "corrupt_file" if _OCR else "needs_ocr",
    "legacy.docx": "corrupt_file" if legacy.soffice() else "needs_converter",
}


def _run(args: list[str], home: Path) -> subprocess.CompletedProcess:
    """Run the installed ``dingmi`` in a real process (worker pools need a real main module)."""
    exe = Path(sys.executable).parent / "dingmi"
    return subprocess.run([str(exe), *args], capture_output=True, text=True,
                          env={"DINGMI_HOME": str(home), "PATH": "/usr/bin:/bin"})


def _lines(out: str) -> list[dict]:
    return [json.loads(x) for x in out.splitlines() if x.startswith("{")]


def test_suggest_json_one_object_per_file_in_input_order(home_env, files):
    order = ["good.docx", "empty.txt", "good.txt", "encrypted.pdf", "good.pdf"]
    res = CliRunner().invoke(main, ["suggest", "--json", *[str(files[n]) for n in order]])
    recs = _lines(res.stdout)
    assert [Path(r["file"]).name for r in recs] == order
    for r in recs:
        assert set(r) >= KEYS
    assert recs[0]["level"] == "机密" and recs[0]["clause"] == "4.9" and recs[0]["error"] is None
    assert recs[0]["marking"] == {"found": "秘密★10年", "level": "秘密", "conflict": True}
    assert recs[2]["level"] == "机密"
    assert recs[4]["level"] in {"公开", "内部"} and recs[4]["clause"] is None
    assert recs[1]["error"]["code"] == "empty_text" and recs[3]["error"]["code"] == "encrypted"
    assert res.exit_code == 1


@pytest.mark.parametrize("name,code", sorted(EXPECTED_CODES.items()))
def test_every_error_code_from_a_real_file(home_env, files, name, code):
    res = CliRunner().invoke(main, ["suggest", "--json", str(files[name])])
    (rec,) = _lines(res.stdout)
    assert rec["error"]["code"] == code
    assert rec["error"]["message"].startswith(f"[{code}]")
    assert rec["level"] is None
    assert res.exit_code == 1


def test_too_large_from_a_real_file(home_env, files, monkeypatch):
    monkeypatch.setenv("DINGMI_MAX_FILE_BYTES", "100")
    res = CliRunner().invoke(main, ["suggest", "--json", str(files["good.docx"])])
    assert _lines(res.stdout)[0]["error"]["code"] == "too_large" and res.exit_code == 1


def test_all_good_files_exit_zero(home_env, files):
    res = CliRunner().invoke(main, ["suggest", "--json", str(files["good.txt"]), str(files["good.pdf"])])
    assert res.exit_code == 0, res.output


def test_folder_is_recursive(home_env, tmp_path, files):
    sub = tmp_path / "sub" / "deeper"
    sub.mkdir(parents=True)
    (sub / "a.txt").write_text(SECRET_TEXT, encoding="utf-8")
    res = CliRunner().invoke(main, ["suggest", "--json", str(tmp_path / "sub")])
    assert [Path(r["file"]).name for r in _lines(res.stdout)] == ["a.txt"]


def test_missing_path_is_reported_and_others_answered(home_env, files, tmp_path):
    res = CliRunner().invoke(main, ["suggest", "--json", str(tmp_path / "nope.docx"), str(files["good.txt"])])
    recs = _lines(res.stdout)
    assert recs[0]["error"]["code"] == "not_found" and recs[1]["error"] is None
    assert res.exit_code == 1


@pytest.mark.parametrize("args", [["suggest"], ["suggest", "--workers", "0", "x"], ["nonsense"],
                                  ["suggest", "--catalogue"]])
def test_usage_errors_exit_two(home_env, args):
    assert CliRunner().invoke(main, args).exit_code == 2


def test_bad_catalogue_is_a_usage_error_naming_the_line(home_env, files, tmp_path):
    cat = tmp_path / "cat.toml"
    cat.write_text('version = "1"\n[[clause]]\nid = "4.1"\ntitle = "t"\ntext = "t"\nlevel = "很密"\n',
                   encoding="utf-8")
    res = CliRunner().invoke(main, ["suggest", "--catalogue", str(cat), str(files["good.txt"])])
    assert res.exit_code == 2
    assert "第6行" in res.stderr and "level" in res.stderr and "Traceback" not in res.output


def test_human_output_is_chinese_summary(home_env, files):
    res = CliRunner().invoke(main, ["suggest", str(files["good.txt"]), str(files["empty.txt"])])
    assert "建议密级：机密" in res.stdout and "定密依据：第4.9条" in res.stdout
    assert "无法读取：[empty_text]" in res.stdout


def test_extract_json_with_tokens(home_env, files):
    res = CliRunner().invoke(main, ["extract", "--json", "--tokens", str(files["good.docx"]),
                                    str(files["encrypted.pdf"])])
    a, e = _lines(res.stdout)
    assert set(a) >= {"file", "text", "segments", "pages", "warnings", "tokens", "error"}
    assert "市管后备干部" in a["text"] and "后备干部" in "".join(a["tokens"])
    for s in a["segments"]:
        assert a["text"][s["start"]:s["end"]].strip()
    assert e["error"]["code"] == "encrypted" and res.exit_code == 1


def test_userdict_reaches_the_tokens(home_env, files, tmp_path):
    ud = tmp_path / "office.txt"
    ud.write_text("发改委副主任 1000 n\n", encoding="utf-8")
    base = CliRunner().invoke(main, ["extract", "--json", "--tokens", str(files["good.txt"])])
    res = CliRunner().invoke(main, ["extract", "--json", "--tokens", "--userdict", str(ud), str(files["good.txt"])])
    assert "发改委副主任" not in _lines(base.stdout)[0]["tokens"]
    assert "发改委副主任" in _lines(res.stdout)[0]["tokens"]
    res2 = _run(["suggest", "--json", "--workers", "2", "--userdict", str(ud), str(files["good.txt"]),
                 str(files["good.docx"])], home_env)
    assert [r["error"] for r in _lines(res2.stdout)] == [None, None]


def test_workers_keep_order_and_results(home_env, files):
    names = ["good.txt", "empty.txt", "good.docx", "good.pdf"]
    one = CliRunner().invoke(main, ["suggest", "--json", *[str(files[n]) for n in names]])
    two = _run(["suggest", "--json", "--workers", "2", *[str(files[n]) for n in names]], home_env)
    strip = _lines(one.stdout)
    assert [r["file"] for r in _lines(two.stdout)] == [r["file"] for r in strip]
    assert [r["level"] for r in _lines(two.stdout)] == [r["level"] for r in strip]


@pytest.mark.slow
def test_no_traceback_on_garbage_in_a_real_process(home_env, tmp_path):
    garbage = {
        "zip.docx": b.zip_bytes({"word/document.xml": "<w:document><w:body><w:p>"}),
        "nul.txt": b"\x00" * 5000,
        "half.pdf": b"%PDF-1.7\n1 0 obj\n<<",
        "utf16.txt": "机密文件".encode("utf-16"),
        "dir.pdf": None,
    }
    paths = []
    for name, data in garbage.items():
        p = tmp_path / name
        if data is None:
            p.mkdir()
        else:
            p.write_bytes(data)
        paths.append(str(p))
    p = _run(["suggest", "--json", *paths], home_env)
    assert "Traceback" not in p.stderr + p.stdout
    recs = _lines(p.stdout)
    assert len(recs) == 4  # the empty folder expands to nothing
    assert p.returncode == 1


def test_empty_path_is_not_the_current_directory(home_env):
    res = CliRunner().invoke(main, ["suggest", "--json", ""])
    (rec,) = _lines(res.stdout)
    assert rec["file"] == "" and rec["error"]["code"] == "not_found" and res.exit_code == 1


def test_broken_link_in_a_folder_is_reported(home_env, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(SECRET_TEXT, encoding="utf-8")
    (folder / "b.txt").symlink_to(tmp_path / "gone.txt")
    res = CliRunner().invoke(main, ["suggest", "--json", str(folder)])
    recs = _lines(res.stdout)
    assert [Path(r["file"]).name for r in recs] == ["a.txt", "b.txt"]
    assert recs[1]["error"]["code"] == "not_found" and res.exit_code == 1


def test_broken_pipe_is_quiet(home_env, files):
    exe = Path(sys.executable).parent / "dingmi"
    p = subprocess.run(f"'{exe}' suggest --json '{files['good.txt']}' '{files['good.docx']}' | head -c 10",
                       shell=True, capture_output=True, text=True,
                       env={"DINGMI_HOME": str(home_env), "PATH": "/usr/bin:/bin"})
    assert "internal_error" not in p.stderr and "Traceback" not in p.stderr


def test_other_catalogue_version_is_warned_about(home_env, files, tmp_path, repo_dir):
    cat = tmp_path / "office.toml"
    cat.write_text((repo_dir / "corpus" / "catalogue.toml").read_text(encoding="utf-8")
                   .replace('version = "2023.1"', 'version = "office-9"'), encoding="utf-8")
    res = CliRunner().invoke(main, ["suggest", "--json", "--catalogue", str(cat), str(files["good.txt"])])
    assert res.exit_code == 0 and "office-9" in res.stderr and "2023.1" in res.stderr
    assert _lines(res.stdout)[0]["catalogue_version"] == "office-9"


@pytest.mark.slow
def test_trained_words_travel_with_the_model(tmp_path, files):
    """``train --userdict``: the model keeps the office's words, and suggest cuts with them."""
    import json as _json

    home = tmp_path / "home"
    ud = tmp_path / "office.txt"
    ud.write_text("发改委副主任 1000 n\n", encoding="utf-8")
    res = _run(["train", "--no-decisions", "--userdict", str(ud), "--json"], home)
    assert res.returncode == 0, res.stderr
    (model_dir,) = [p.parent for p in (home / "models").glob("*/metadata.json")]
    meta = _json.loads((model_dir / "metadata.json").read_text(encoding="utf-8"))
    assert ["发改委副主任", 1000, "n"] in meta["user_words"]
    from classifier.catalogue import load_catalogue
    from classifier.config import Settings
    from classifier.suggest import load_classifier

    s = Settings(home=home)
    clf = load_classifier(s, load_catalogue(s.catalogue_path), model_dir)
    assert "发改委副主任" in clf.analyse(SECRET_TEXT).tokens


def test_extract_tokens_use_the_active_models_words(tmp_path, files, catalogue, repo_dir):
    """``extract --tokens`` cuts as the classifier does: with the words the model was trained with."""
    from classifier.config import Settings
    from classifier.nlp.segment import build_words
    from classifier.suggest import make_tokenizer
    from classifier.train import train

    home = tmp_path / "home"
    words = [("发改委副主任", 1000, "n")]
    tk = make_tokenizer(Settings(home=home), catalogue, extra_words=words)
    train(catalogue, tk, repo_dir / "corpus" / "train", home / "models", cv_folds=0,
          user_words=build_words(None, (), (), words))
    res = _run(["extract", "--json", "--tokens", str(files["good.txt"])], home)
    assert "发改委副主任" in _lines(res.stdout)[0]["tokens"]


# --------------------------------------------------------------------------- edges (issue 8 §7)


def _suggest_lines(args: list[str], env: dict[str, str] | None = None) -> tuple[list[dict], int]:
    res = CliRunner().invoke(main, ["suggest", "--json", *args], env=env)
    raw = res.stdout_bytes.splitlines()
    return [json.loads(line.decode("utf-8")) for line in raw], res.exit_code


def test_folder_hidden_files_get_a_line_fifo_answered_without_reading(home_env, tmp_path):
    import os

    folder = tmp_path / "drafts"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "HEAD").write_text("ref: x")
    (folder / ".秘密草稿.txt").write_text("关于召开会议的通知")
    (folder / "a.txt").write_text("关于召开全市组织工作会议的通知，请准时参加。")
    os.mkfifo(folder / "pipe.txt")
    recs, status = _suggest_lines([str(folder), str(folder / "pipe.txt")])
    by = [(Path(r["file"]).name, r["error"]["code"] if r["error"] else None) for r in recs]
    assert by == [(".git", "skipped_hidden"), (".秘密草稿.txt", "skipped_hidden"), ("a.txt", None),
                  ("pipe.txt", "unsupported_format"), ("pipe.txt", "unsupported_format")]
    assert "命名管道" in recs[3]["error"]["message"]
    assert status == 1  # the FIFO; skipped hidden files alone would not fail the run


def test_non_utf8_file_names_give_valid_utf8_json(home_env, tmp_path):
    import os

    folder = tmp_path / "names"
    folder.mkdir()
    for raw in (b"bad\xff\xfe.txt", b"\xe5\x85\xb3\xe4.txt", b"ok.txt"):
        with open(os.path.join(os.fsencode(folder), raw), "wb") as fh:
            fh.write("关于召开全市组织工作会议的通知".encode())
    recs, _ = _suggest_lines([str(folder)])
    names = sorted(Path(r["file"]).name for r in recs)
    assert names == sorted(["bad\\xff\\xfe.txt", "关\\xe4.txt", "ok.txt"])
    assert all(r["error"] is None for r in recs)


@pytest.mark.parametrize(("data", "code"), [(b"PK", "corrupt_file"), (b"%PDF", "corrupt_file"),
                                            (b"\xd0\xcf\x11", "corrupt_file")])
def test_tiny_file_decided_by_content_not_read_as_text(home_env, tmp_path, data, code):
    recs, _ = _suggest_lines([str(b.write(tmp_path, "x.docx", data))])
    assert recs[0]["error"]["code"] == code


def test_temporary_copies_in_a_private_folder_swept_at_next_start(home_env, tmp_path, monkeypatch):
    import os

    from classifier.extract import tmpdir

    monkeypatch.setattr(tmpdir, "_home", tmp_path / "home")
    dead = tmpdir.root() / "999999999"  # a process that no longer runs (killed during a conversion)
    dead.mkdir()
    (dead / "input.doc").write_bytes(b"copy of a secret draft")
    with tmpdir.private_tempdir("dingmi-lo-") as tmp:
        assert tmp.parent == tmpdir.root() / str(os.getpid())
        assert (os.stat(tmp).st_mode & 0o777) == 0o700
        assert (os.stat(tmpdir.root()).st_mode & 0o777) == 0o700
    assert not tmp.exists() and not dead.exists()
