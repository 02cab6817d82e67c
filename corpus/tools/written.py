"""Check and build the written training corpus (issue 9).

Writers put one document per file in ``corpus/written/<writer>/NNN.txt``::

    level: 机密
    clause: 4.3
    genre: 会议纪要
    marking: 机密★任免正式公布后
    key: 拟提名陈某某同志为副县长人选
    key: (more decisive passages, each an exact substring of the body)
    public: (optional) an exact substring that argues the document is published
    ---
    the document body, as a person reads it

``python corpus/tools/written.py check corpus/written/w01`` validates a writer's folder;
``python corpus/tools/written.py build`` writes ``corpus/train/written-<writer>.jsonl``, one
record per document with its ``writer`` and ``passages`` (offsets into ``text``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

LEVELS = ("公开", "内部", "秘密", "机密", "绝密")
SECRET = {"秘密", "机密", "绝密"}
CLAUSE_LEVEL = {"4.1": "机密", "4.2": "秘密", "4.3": "机密", "4.4": "秘密", "4.5": "秘密",
                "4.6": "机密", "4.7": "秘密", "4.8": "秘密", "4.9": "机密", "4.10": "机密",
                "4.11": "秘密"}
FIELDS = {"level", "clause", "genre", "marking", "key", "public"}
ROOT = Path(__file__).resolve().parents[1]


def parse(path: Path) -> dict:
    """One written file -> a training record; raises ValueError with the problem."""
    raw = path.read_text(encoding="utf-8").replace("\r\n", "\n").lstrip("\ufeff")
    head, sep, body = raw.partition("\n---\n")
    if not sep:
        raise ValueError("no '---' line between header and body")
    body = body.strip("\n")
    meta: dict = {"key": [], "public": []}
    for n, line in enumerate(head.splitlines(), 1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or name not in FIELDS:
            raise ValueError(f"header line {n}: expected 'field: value' with field in {sorted(FIELDS)}")
        if name in ("key", "public"):
            if value:
                meta[name].append(value)
        else:
            meta[name] = value
    level = meta.get("level")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    clause = meta.get("clause") or None
    if level in SECRET:
        if clause not in CLAUSE_LEVEL:
            raise ValueError(f"a secret needs a clause 4.1-4.11, got {clause!r}")
        if not meta["key"]:
            raise ValueError("a secret needs at least one 'key:' line")
    elif clause:
        raise ValueError("公开/内部 documents have no clause")
    if len(body) < 60:
        raise ValueError("body shorter than 60 characters")
    passages = []
    for kind in ("key", "public"):
        for k in meta[kind]:
            i = body.find(k)
            if i < 0:
                raise ValueError(f"{kind} passage is not an exact substring of the body: {k[:40]!r}")
            if kind == "key" and len(k) < 6:
                raise ValueError(f"key passage too short (< 6 chars): {k!r}")
            passages.append({"kind": kind, "start": i, "end": i + len(k),
                             "clause": clause if kind == "key" else None})
    writer = path.parent.name
    return {"id": f"{writer}-{path.stem}", "text": body, "level": level, "clause": clause,
            "genre": meta.get("genre") or None, "marking": meta.get("marking") or None,
            "writer": writer, "passages": passages, "source": f"written:{writer}"}


def check(folder: Path) -> int:
    """Print problems of every file in ``folder``; returns the number of bad files."""
    bad = 0
    counts: dict[str, int] = {}
    n = 0
    for p in sorted(folder.glob("*.txt")):
        try:
            r = parse(p)
        except (ValueError, UnicodeDecodeError) as e:
            bad += 1
            print(f"{p}: {e}")
            continue
        n += 1
        k = r["clause"] or r["level"]
        counts[k] = counts.get(k, 0) + 1
    print(f"{folder}: {n} ok, {bad} bad; by class: {dict(sorted(counts.items()))}")
    return bad


def build(src: Path = ROOT / "written", dst: Path = ROOT / "train") -> None:
    """Write one JSONL per writer folder (bad files are reported and left out)."""
    dst.mkdir(parents=True, exist_ok=True)
    for folder in sorted(d for d in src.iterdir() if d.is_dir()):
        recs = []
        for p in sorted(folder.glob("*.txt")):
            try:
                recs.append(parse(p))
            except (ValueError, UnicodeDecodeError) as e:
                print(f"skipped {p}: {e}", file=sys.stderr)
        out = dst / f"written-{folder.name}.jsonl"
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs),
                       encoding="utf-8")
        print(f"{out.name}: {len(recs)}")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "check":
        sys.exit(1 if sum(check(Path(a)) for a in sys.argv[2:]) else 0)
    elif len(sys.argv) == 2 and sys.argv[1] == "build":
        build()
    else:
        sys.exit(__doc__)
