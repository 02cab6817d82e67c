"""Hostile files through the real batch path: bounded time and memory, a typed error, the
batch going on (issue 8 §5, §7).

Each hostile file is given to ``dingmi suggest --json`` in a subprocess, followed by a good
file; the peak resident memory of that process and of the child processes that read the
files is measured from outside with :func:`os.wait4` (Linux counts reaped descendants in it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from classifier.errors import TooLargeError
from classifier.extract import docx, extract_bytes
from tests import builders as b

#: The time limit the issue sets for these tests (s).
LIMIT = 20
#: Peak resident memory allowed for the process that reads a hostile file (KiB).
MAX_RSS_KB = 1_500_000
GOOD = "关于召开全市组织工作会议的通知\n请各单位主要负责同志准时参加，会议不设分会场。\n"


def run_batch(home: Path, paths: list[Path], *extra: str,
              env: dict[str, str] | None = None) -> tuple[list[dict], str, float, int, int]:
    """Run ``dingmi suggest --json`` on ``paths`` in a subprocess.

    Returns
    -------
    (records, stderr, seconds, peak_rss_kb, exit_code)
    """
    full = {**os.environ, "DINGMI_HOME": str(home), "DINGMI_EXTRACT_TIMEOUT": str(LIMIT),
            **(env or {})}
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "rusage.json"
        start = time.perf_counter()
        with open(Path(tmp) / "out", "wb") as out, open(Path(tmp) / "err", "wb") as err:
            # Through a small launcher: a process's ru_maxrss starts at the RSS of the process
            # that forked it, and this test process is large.
            subprocess.run([sys.executable, "-c", _LAUNCHER, str(report), sys.executable, "-m",
                            "classifier", "suggest", "--json", *extra, *map(str, paths)],
                           stdout=out, stderr=err, env=full, timeout=900, check=False)
        seconds = time.perf_counter() - start
        status, peak_kb = json.loads(report.read_text())
        lines = (Path(tmp) / "out").read_bytes().decode("utf-8").splitlines()  # valid UTF-8
        stderr = (Path(tmp) / "err").read_text("utf-8", "replace")
    return [json.loads(x) for x in lines], stderr, seconds, peak_kb, status


#: Runs a command and writes its exit status and peak RSS (its own and its reaped children's,
#: ``os.wait4``) to the file ``argv[1]``.
_LAUNCHER = (
    "import json, os, subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[2:])\n"
    "_, st, ru = os.wait4(p.pid, 0)\n"
    "open(sys.argv[1], 'w').write(json.dumps([os.waitstatus_to_exitcode(st), ru.ru_maxrss]))\n"
)


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    """The hostile files of issue 8, built once, and a good draft."""
    d = tmp_path_factory.mktemp("hostile")
    b.write(d, "amplifier.docx", b.relationship_amplifier_docx())
    b.write(d, "repeated.ofd", b.repeated_page_ofd())
    b.write(d, "huge_stream.pdf", b.huge_stream_pdf())
    b.write(d, "deflate64.docx",
            b.zip_with_method_id(b.docx_bytes(b.p("关于干部工作的通知")), 9))
    os.mkfifo(d / "pipe.docx")
    b.write(d, "good.txt", GOOD.encode())
    return d


@pytest.mark.parametrize(("name", "code"), [
    ("amplifier.docx", "too_large"),
    ("repeated.ofd", "too_large"),
    ("huge_stream.pdf", "too_large"),
    ("deflate64.docx", "unsupported_format"),
    ("pipe.docx", "unsupported_format"),
])
def test_hostile_file_typed_error_bounded_and_batch_goes_on(home_env, hostile_dir, name, code):
    recs, err, seconds, peak_kb, status = run_batch(
        home_env, [hostile_dir / name, hostile_dir / "good.txt"])
    print(f"{name}: {seconds:.1f} s, peak {peak_kb / 1024:.0f} MiB")
    assert [Path(r["file"]).name for r in recs] == [name, "good.txt"]
    assert recs[0]["error"]["code"] == code, recs[0]["error"]
    assert recs[0]["error"]["message"].startswith(f"[{code}] ")
    assert recs[1]["error"] is None and recs[1]["level"] in {"公开", "内部"}
    assert seconds < LIMIT, seconds
    assert peak_kb < MAX_RSS_KB, peak_kb
    assert "Traceback" not in err
    assert status == 1


def test_bzip2_and_lzma_docx_are_read(home_env, tmp_path):
    base = b.docx_bytes(b.p("关于召开全市组织工作会议的通知"))
    paths = [b.write(tmp_path, "bz.docx", b.recompress_zip(base, zipfile.ZIP_BZIP2)),
             b.write(tmp_path, "xz.docx", b.recompress_zip(base, zipfile.ZIP_LZMA))]
    recs, err, *_ = run_batch(home_env, paths)
    assert [r["error"] for r in recs] == [None, None]
    assert "Traceback" not in err


def test_amplifier_reads_the_footnotes_part_once(monkeypatch):
    reads: list[str] = []
    real = docx._Package.read

    def counting(self, part):
        reads.append(part.lower())
        return real(self, part)

    monkeypatch.setattr(docx._Package, "read", counting)
    result = extract_bytes(b.relationship_amplifier_docx(note_chars=20_000), "amp.docx")
    assert reads.count("word/footnotes.xml") == 1
    assert len(result.text) < 21_000  # the notes once, not 200 times
    assert sum(s.kind == "footnote" for s in result.segments) == 20


def test_ofd_page_listed_many_times_is_read_once():
    result = extract_bytes(b.repeated_page_ofd(n_pages=300, page_lines=5), "rep.ofd")
    assert result.pages == 300
    assert sum(s.kind == "page" for s in result.segments) == 1
    assert any(w.startswith("repeated_pages: 299 ") for w in result.warnings)


def test_character_cap_is_too_large_before_decoding():
    with pytest.raises(TooLargeError, match=r"^\[too_large\] .*DINGMI_MAX_CHARS"):
        extract_bytes(("通知" * 1000).encode(), "a.txt", max_chars=500)
    with pytest.raises(TooLargeError, match=r"^\[too_large\] "):
        extract_bytes(b"x" * 5000, "b.txt", max_chars=1000)


def test_child_killed_at_memory_limit_and_the_next_file_answered(home_env, tmp_path):
    """A 50 MB XML part takes several hundred MB to parse: with a 320 MB limit the child fails,
    is replaced, and the next files are still answered."""
    heavy = b.write(tmp_path, "heavy.docx", b.heavy_docx())
    good = b.write(tmp_path, "good.txt", GOOD.encode())
    recs, err, _, peak_kb, _ = run_batch(home_env, [heavy, good, heavy, good],
                                         env={"DINGMI_WORKER_MEMORY_MB": "320"})
    print(f"memory limit 320 MiB: peak {peak_kb / 1024:.0f} MiB")
    for r in recs[::2]:
        assert r["error"]["code"] == "too_large" and "320 MB" in r["error"]["message"]
    assert [r["error"] for r in recs[1::2]] == [None, None]
    assert peak_kb < 400_000
    assert "Traceback" not in err


def test_child_killed_at_time_limit_covers_classification(home_env, tmp_path):
    """Extracting 1.5 M characters of text is quick, classifying them is not: the child is
    killed at the time limit (+ grace) and the next file is answered."""
    big = b.write(tmp_path, "big.txt", (GOOD * (1_500_000 // len(GOOD))).encode())
    good = b.write(tmp_path, "good.txt", GOOD.encode())
    recs, err, seconds, *_ = run_batch(home_env, [big, good],
                                       env={"DINGMI_EXTRACT_TIMEOUT": "1"})
    assert recs[0]["error"]["code"] == "timeout"
    assert recs[1]["error"] is None
    assert seconds < 15


def test_app_upload_runs_in_a_child(suggester, monkeypatch):
    """``suggest_bytes`` (the app's call) reads in a child: a hostile upload is answered with a
    code and the next upload still works."""
    from dataclasses import replace

    from classifier.suggest import Suggester

    sg = Suggester(replace(suggester.settings, extract_timeout=LIMIT), suggester.catalogue,
                   suggester.classifier, (), None, suggester.model_dir)
    try:
        bad = sg.suggest_bytes(b.repeated_page_ofd(), "rep.ofd")
        good = sg.suggest_bytes(GOOD.encode(), "good.txt")
        pool = sg.pool()
        pid = pool.workers[0].proc.pid
        assert pid != os.getpid()
    finally:
        sg.close()
    assert bad["error"]["code"] == "too_large" and bad["sha256"]
    assert good["error"] is None and good["text"].startswith("关于召开")


# --------------------------------------------------------------------------- fuzzing

FUZZ_FILES = 2000


def _seeds() -> dict[str, bytes]:
    return {
        "docx": b.docx_bytes(b.p("关于干部工作的通知") + b.tbl(["甲", "乙"]),
                             headers=[b.p("页眉")], footnotes=["脚注"]),
        "pdf": b.pdf_bytes([[(72.0, 700.0, "关于干部工作的通知")], [(72.0, 700.0, "第二页")]]),
        "txt": GOOD.encode("gb18030"),
        "xlsx": b.xlsx_bytes({"表": [["姓名", "职务"], ["张三", "处长"]]}),
    }


def test_fuzz_batch_every_file_answered_no_traceback(home_env, tmp_path):
    """2,000 mutated DOCX/PDF/TXT/XLSX files (byte flips, truncations, repeated chunks, ZIP
    entries dropped, garbled, truncated, duplicated) in one batch on two children: one line
    per file, in order, each a coded error or a suggestion, never a traceback."""
    seeds = _seeds()
    kinds = sorted(seeds)
    folder = tmp_path / "fuzz"
    folder.mkdir()
    for k in range(FUZZ_FILES):
        kind = kinds[k % len(kinds)]
        b.write(folder, f"{k:05d}.{kind}", b.mutate(seeds[kind], seed=k))
    recs, err, seconds, peak_kb, _ = run_batch(home_env, [folder], "--workers", "2",
                                               env={"DINGMI_EXTRACT_TIMEOUT": "10"})
    print(f"fuzz: {FUZZ_FILES} files in {seconds:.1f} s, peak {peak_kb / 1024:.0f} MiB")
    assert [Path(r["file"]).name for r in recs] == sorted(p.name for p in folder.iterdir())
    codes = {r["error"]["code"] for r in recs if r["error"]}
    assert "internal_error" not in codes, [r["error"] for r in recs
                                           if r["error"] and r["error"]["code"] == "internal_error"][:3]
    assert all(r["level"] is not None for r in recs if not r["error"])
    assert "Traceback" not in err
    assert peak_kb < MAX_RSS_KB
