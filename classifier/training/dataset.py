"""The labelled records that train and score a model, as read from disk.

Source: issue 4 (the golden set, ``corpus/eval/golden.jsonl``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from classifier.errors import UsageError


def read_golden(path: Path) -> list[dict[str, Any]]:
    """Read a golden set: one JSON record per line (``text``, ``level``, ``clause``).

    Raises
    ------
    UsageError
        If the file is missing or a line is malformed.
    """
    if not path.is_file():
        raise UsageError(f"找不到金标准评测集 {path}", path=path)
    from classifier.train import read_jsonl

    return read_jsonl(path)
