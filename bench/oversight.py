"""`make bench`: the oversight analytics of issue 14 over a register of 10,000 documents.

Both run on a real SQLite register (a temporary database holding 10,000 settled documents with
their stored extracted text, suggestion, proposal and decision), through the same calls as the
app and the CLI:

- **Consistency alarm**: :func:`classifier.workflow.oversight.alarm` with a fresh
  :class:`~classifier.workflow.oversight.ConsistencyMonitor` (read the settled documents,
  MinHash signatures, LSH, exact Jaccard of the candidate pairs, need to know) over 10,000
  invented documents of about 1,000 characters with 20 planted near-duplicates of another
  level. Target ≤ 10 s on one core. Also a refresh with nothing new and the decision-time
  lookup (``similar_to``).
- **Simulation**: :func:`classifier.training.simulation.simulate_version` (``dingmi models
  simulate``) of the active model over 10,000 recorded decisions (the texts of ``corpus/`` then
  invented ones), whose stored suggestions the active version made. Target ≤ 60 s on one core.
  The invented records carry arbitrary levels, so the counts of changes printed measure
  nothing; the time is what matters.

Not a timed test: it prints medians of ``--repeats`` runs and the machine. Run on one core:
``taskset -c 0 .venv/bin/python bench/oversight.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _machine() -> str:
    """CPU model, cores usable by this process, Python."""
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}; {cores} core(s) usable; Python {platform.python_version()}"


_CPU: list[float] = []


def _median(fn, repeats: int) -> tuple[float, object]:
    """Median wall time in seconds of ``repeats`` calls, and the last result; the median CPU
    time of this process is left in ``_CPU[-1]`` (the machine is shared: wall time includes
    waiting for the core)."""
    times, cpu, out = [], [], None
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    _CPU.append(statistics.median(cpu))
    return statistics.median(times), out


def _register(tmp: Path, settings, entries, *, model_version: str = "m-bench"):
    """A real SQLite register under ``tmp`` holding ``entries`` (settled documents with their
    stored text and suggestion); returns (workflow, director id)."""
    from dataclasses import replace

    from classifier.workflow import Workflow
    from tests.registers import store_register

    s = replace(settings, database_url=f"sqlite:///{tmp / 'bench.sqlite3'}")
    wf = Workflow.open(s)
    drafter = wf.add_user("张承办", "drafter", password="Bench-pass-2026",
                          must_change_password=False)
    director = wf.add_user("李主任", "director", password="Bench-pass-2026",
                           must_change_password=False)
    t = time.perf_counter()
    store_register(wf.store, entries, drafter_id=drafter.id, director_id=director.id,
                   model_version=model_version)
    print(f"  (register of {len(entries)} settled documents written in "
          f"{time.perf_counter() - t:.1f} s, not timed)")
    return wf, director.id


def bench_alarm(n: int, repeats: int) -> None:
    """Alarm over ``n`` settled documents of a real SQLite register (stored text)."""
    from classifier.config import Settings
    from classifier.workflow.oversight import ConsistencyMonitor, alarm
    from tests.registers import Entry, invented_register, near_duplicate

    levels = ["公开", "内部", "秘密", "机密", "绝密"]
    clauses = {"秘密": "4.5", "机密": "4.3", "绝密": "4.1"}
    texts = invented_register(n - 20, seed=1, chars=1000)
    entries = [Entry(t, levels[i % 5], clauses.get(levels[i % 5])) for i, t in enumerate(texts)]
    for k in range(20):
        lv = levels[(k * 97 + 1) % 5]
        entries.append(Entry(near_duplicate(texts[k * 97], seed=k), lv, clauses.get(lv)))
    chars = statistics.median(len(e.text) for e in entries)
    with tempfile.TemporaryDirectory() as tmp:
        wf, director = _register(Path(tmp), Settings.from_env(), entries)
        try:
            secs, views = _median(lambda: alarm(ConsistencyMonitor(wf), director), repeats)
            assert isinstance(views, list)
            print(f"alarm: {n} registered documents (median {chars:.0f} characters, read from "
                  f"the database), {len(views)} conflicts (20 planted): median {secs:.2f} s wall, "
                  f"{_CPU[-1]:.2f} s CPU (target ≤ 10 s)")
            mon = ConsistencyMonitor(wf)
            mon.refresh()
            t = time.perf_counter()
            mon.refresh()
            again = time.perf_counter() - t
            lookups = []
            for k in range(50):
                t = time.perf_counter()
                mon.similar_to(near_duplicate(texts[k * 13], seed=100 + k))
                lookups.append(time.perf_counter() - t)
            print(f"index: refresh with nothing new {again:.2f} s; similar_to (decision-time "
                  f"notice, refresh included) median {statistics.median(lookups) * 1e3:.0f} ms")
        finally:
            wf.close()


def bench_simulate(n: int, repeats: int) -> None:
    """``dingmi models simulate`` of the active version over ``n`` settled documents of a real
    SQLite register (their stored text, their stored suggestions made by the active version)."""
    from classifier.config import Settings
    from classifier.training.registry import Registry
    from classifier.training.simulation import VersionSimulation, simulate_version
    from tests.registers import Entry, invented_register

    settings = Settings.from_env()
    active = Registry(settings.models_dir).active()
    assert active is not None, "no active model: run make model"
    rows = []
    for f in sorted((REPO / "corpus").glob("*/*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r.get("text") and r.get("level") and r["text"] not in {x[0] for x in rows[-50:]}:
                rows.append((r["text"], r["level"], r.get("clause")))
    rows = rows[:n]
    levels = ["公开", "内部", "秘密", "机密", "绝密"]
    for i, t in enumerate(invented_register(n - len(rows), seed=2, chars=800)):
        rows.append((t, levels[i % 5], {"秘密": "4.5", "机密": "4.3", "绝密": "4.1"}.get(
            levels[i % 5])))
    entries = [Entry(t, lv, cl if lv in ("秘密", "机密", "绝密") else None) for t, lv, cl in rows]
    chars = statistics.median(len(e.text) for e in entries)
    with tempfile.TemporaryDirectory() as tmp:
        wf, director = _register(Path(tmp), settings, entries, model_version=active.version)
        try:
            secs, sim = _median(lambda: simulate_version(settings, wf, director, active.version),
                                repeats)
            assert isinstance(sim, VersionSimulation)
            rep = sim.report
            print(f"simulate: {rep.n} recorded decisions (median {chars:.0f} characters, stored "
                  f"text from the database) through model {active.version}: median {secs:.1f} s wall, "
                  f"{_CPU[-1]:.1f} s CPU, {_CPU[-1] / max(rep.n, 1) * 1e3:.2f} ms CPU/decision "
                  f"(target ≤ 60 s); "
                  f"{len(rep.changed)} would change, {len(rep.under)} under-classified")
        finally:
            wf.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--documents", type=int, default=10_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", choices=["alarm", "simulate"])
    args = ap.parse_args()
    print(f"machine: {_machine()}")
    if args.only in (None, "alarm"):
        bench_alarm(args.documents, args.repeats)
    if args.only in (None, "simulate"):
        bench_simulate(args.documents, args.repeats)


if __name__ == "__main__":
    main()
