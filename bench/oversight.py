"""`make bench`: the oversight analytics of issue 14 over a register of 10,000 documents.

- **Consistency alarm**: :func:`classifier.oversight.consistency_alarm` over 10,000 invented
  documents of about 1,000 characters with 20 planted near-duplicates of another level: MinHash
  signatures, LSH, exact Jaccard of the candidate pairs. Target ≤ 10 s on one core. Also the
  index's save/load and the decision-time lookup (``similar_to``).
- **Simulation**: :func:`classifier.oversight.simulate` of 10,000 recorded decisions (their
  stored text: the texts of ``corpus/`` then invented ones) through the current model, against
  the stored suggestions. Target ≤ 60 s on one core. The invented records carry arbitrary
  levels, so the counts of changes printed measure nothing; the time is what matters.

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


def _median(fn, repeats: int) -> tuple[float, object]:
    """Median wall time in seconds of ``repeats`` calls, and the last result."""
    times, out = [], None
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def bench_alarm(n: int, repeats: int) -> None:
    """Alarm over ``n`` registered documents."""
    from classifier.catalogue import Level
    from classifier.oversight import RegisteredDocument, SimilarityIndex, consistency_alarm
    from tests.registers import invented_register, near_duplicate

    texts = invented_register(n - 20, seed=1, chars=1000)
    docs = [RegisteredDocument(f"d{i}", t, Level(i % 5)) for i, t in enumerate(texts)]
    docs += [RegisteredDocument(f"dup{k}", near_duplicate(texts[k * 97], seed=k),
                                Level((k * 97 + 1) % 5)) for k in range(20)]
    chars = statistics.median(len(d.text) for d in docs)
    secs, pairs = _median(lambda: consistency_alarm(docs), repeats)
    assert isinstance(pairs, list)
    print(f"alarm: {n} documents (median {chars:.0f} characters), {len(pairs)} conflicts "
          f"(20 planted): median {secs:.2f} s (target ≤ 10 s)")

    idx = SimilarityIndex()
    t = time.perf_counter()
    for d in docs:
        idx.add(d)
    add_ms = (time.perf_counter() - t) / len(docs) * 1e3
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "index.npz"
        t = time.perf_counter()
        idx.save(path)
        save_s = time.perf_counter() - t
        t = time.perf_counter()
        SimilarityIndex.load(path)
        load_s = time.perf_counter() - t
        size = path.stat().st_size
    lookups = []
    for k in range(50):
        t = time.perf_counter()
        idx.similar_to(near_duplicate(texts[k * 13], seed=100 + k))
        lookups.append(time.perf_counter() - t)
    print(f"index: add {add_ms:.2f} ms/document; save {save_s:.2f} s, load {load_s:.2f} s "
          f"({size / 1e6:.1f} MB); similar_to median {statistics.median(lookups) * 1e3:.1f} ms")


def bench_simulate(n: int, repeats: int) -> None:
    """Simulation of ``n`` recorded decisions through the current model."""
    from classifier.catalogue import Level
    from classifier.config import Settings
    from classifier.oversight import RecordedDecision, SimulationReport, simulate
    from classifier.suggest import Suggester
    from tests.registers import invented_register

    sg = Suggester.load(Settings.from_env())
    clf = sg.classifier
    rows = []
    for f in sorted((REPO / "corpus").glob("*/*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if r.get("text") and r.get("level"):
                rows.append((r["text"], Level.from_label(r["level"]), r.get("clause")))
    rows = rows[:n]
    for i, t in enumerate(invented_register(n - len(rows), seed=2, chars=800)):
        rows.append((t, Level(i % 5), None))
    records = [RecordedDecision(f"r{i}", t, lv, cl, suggested_level=lv, suggested_clause=cl)
               for i, (t, lv, cl) in enumerate(rows)]
    chars = statistics.median(len(r.text) for r in records)
    secs, rep = _median(lambda: simulate(records, clf), repeats)
    assert isinstance(rep, SimulationReport)
    print(f"simulate: {len(records)} recorded decisions (median {chars:.0f} characters) through "
          f"model {clf.model.version}: median {secs:.1f} s, {secs / len(records) * 1e3:.2f} "
          f"ms/decision (target ≤ 60 s); {len(rep.changed)} would change, "
          f"{len(rep.under)} under-classified")


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
