"""`make bench`: retraining time and peak memory for 1k, 10k and 50k generated documents.

Each size runs in its own process (so peak RSS is that run's), on one core when started
through ``make bench`` (``taskset -c 0``). Documents are about 1,000 characters each,
assembled from sentences of corpus/train with invented names and numbers mixed in (the
vocabulary grows with the corpus, as an office's would); the timing is what matters, not
the labels. The run is :func:`classifier.train.train` as ``dingmi train`` does it (5-fold
cross-validation to pick the threshold, then the final fit), plus the golden-set scoring.
A size whose run exceeds the time limit (default 300 s) is retried without
cross-validation, and skipped with a note if that too is over.

Targets (issue 4): 10k documents in ≤ 60 s and ≤ 2 GB on one core.

Usage: ``.venv/bin/python bench/retrain.py [--sizes 1000,10000,50000] [--limit-s 300]``
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"


def generate(n: int, seed: int = 0, chars: int = 1000) -> list[dict]:
    """``n`` labelled documents of about ``chars`` characters each (seeded)."""
    from classifier.train import read_records

    corpus = read_records(REPO / "corpus" / "train")
    by_label: dict[str, list[str]] = {}
    for r in corpus:
        label = r.get("clause") or r["level"]
        sents = [s for s in re.split(r"(?<=[。；\n])", r["text"]) if len(s.strip()) > 4]
        by_label.setdefault(label, []).extend(sents)
    level_of = {(r.get("clause") or r["level"]): r["level"] for r in corpus}
    labels = sorted(by_label)
    everything = [s for v in by_label.values() for s in v]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        label = labels[i % len(labels)]
        parts, size = [], 0
        while size < chars:
            pool = by_label[label] if rng.random() < 0.7 else everything
            s = rng.choice(pool)
            if rng.random() < 0.3:
                s = (rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                     + f"同志（编号{rng.randint(1, 99999)}）" + s)
            parts.append(s)
            size += len(s)
        out.append({"id": f"bench-{i}", "text": "".join(parts)[:chars], "level": level_of[label],
                    "clause": None if label in ("公开", "内部") else label})
    return out


def one(n: int, cv_folds: int) -> dict:
    """Train on ``n`` generated documents in this process; return the figures."""
    from classifier.catalogue import load_catalogue
    from classifier.config import Settings
    from classifier.suggest import make_tokenizer
    from classifier.train import train
    from classifier.training.dataset import read_golden

    docs = generate(n)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(home=Path(tmp) / "home")
        train_dir = Path(tmp) / "train"
        train_dir.mkdir()
        (train_dir / "bench.jsonl").write_text(
            "\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8")
        cat = load_catalogue(settings.catalogue_path)
        tk = make_tokenizer(settings, cat)
        golden = read_golden(settings.golden_path)
        stages: dict[str, float] = {}
        last = [time.perf_counter(), "读取训练数据"]

        def progress(frac: float, stage: str) -> None:
            now = time.perf_counter()
            prev = str(last[1])
            key = "cv" if prev.startswith("交叉验证") else prev
            stages[key] = stages.get(key, 0.0) + now - float(last[0])
            last[:] = [now, stage]

        t0 = time.perf_counter()
        rep = train(cat, tk, train_dir, settings.models_dir, golden=golden, cv_folds=cv_folds,
                    make_current=False, progress=progress)
        total = time.perf_counter() - t0
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": n, "cv_folds": cv_folds, "total_s": round(total, 1),
            "tokenise_s": round(stages.get("分词与特征", 0.0), 1),
            "cv_s": round(stages.get("cv", 0.0), 1),
            "final_fit_s": round(stages.get("训练最终模型", 0.0), 1),
            "golden_s": round(stages.get("金标准集评测", 0.0), 1),
            "peak_rss_mb": round(rss_mb), "n_docs": rep.n_docs}


def run(n: int, cv_folds: int, limit_s: float) -> dict | None:
    """:func:`one` in a child process; None when it exceeds ``limit_s``."""
    cmd = [sys.executable, __file__, "--one", str(n), "--cv", str(cv_folds)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=limit_s, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--limit-s", type=float, default=300.0)
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--cv", type=int, default=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.cv)))
        return
    for n in (int(s) for s in args.sizes.split(",")):
        r = run(n, 5, args.limit_s)
        note = ""
        if r is None:
            note = f"  (5-fold CV over {args.limit_s:.0f} s: timed without CV)"
            r = run(n, 0, args.limit_s)
        if r is None:
            print(f"retrain n={n:>6} docs × ~1000 chars: skipped, over {args.limit_s:.0f} s "
                  "even without cross-validation")
            continue
        print(f"retrain n={n:>6} docs × ~1000 chars: {r['total_s']:>6.1f} s total "
              f"(tokenise {r['tokenise_s']} s, {r['cv_folds']}-fold CV {r['cv_s']} s, "
              f"final fit {r['final_fit_s']} s, golden {r['golden_s']} s), "
              f"peak RSS {r['peak_rss_mb']} MB{note}", flush=True)


if __name__ == "__main__":
    main()
