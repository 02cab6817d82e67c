"""Private temporary folders under the data home, for copies of documents (conversions).

A ``.doc`` converted by LibreOffice leaves a copy of the document on disk while it runs. The
copies used to go to ``/tmp/dingmi-lo-*``, world-listable, and stayed there when the process
was killed (issue 8: 9 runs of 10 under ``kill -9``). Now each process keeps its copies in
``<home>/tmp/<pid>/`` (mode 0700, in a 0700 folder): removed at exit, and the folders of
processes that are gone are swept when the next process starts using it.

Source: issue 8 (§7).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

_lock = threading.Lock()
_home: Path | None = None
_mine: Path | None = None


def set_home(home: Path | str) -> None:
    """Use ``<home>/tmp`` from now on (default: ``Settings.from_env().home``)."""
    global _home
    with _lock:
        _home = Path(home)


def root() -> Path:
    """``<home>/tmp``, created with mode 0700."""
    home = _home
    if home is None:
        from classifier.config import Settings

        home = Settings.from_env().home
    path = Path(home).resolve() / "tmp"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep() -> int:
    """Remove the folders of processes that no longer run; return how many were removed."""
    removed = 0
    try:
        entries = list(root().iterdir())
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.isdigit() or int(entry.name) == os.getpid() or _alive(int(entry.name)):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed


def remove_process_dir(pid: int) -> None:
    """Remove the folder of process ``pid`` (a child that was killed)."""
    with contextlib.suppress(OSError):
        shutil.rmtree(root() / str(pid), ignore_errors=True)


def process_dir() -> Path:
    """This process's private folder ``<home>/tmp/<pid>`` (0700), removed at exit.

    The first call in a process sweeps the folders of processes that are gone.
    """
    global _mine
    with _lock:
        here = root()
        if (_mine is not None and _mine.name == str(os.getpid()) and _mine.parent == here
                and _mine.is_dir()):
            return _mine
        sweep()
        path = here / str(os.getpid())
        path.mkdir(mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
        if _mine is None:
            atexit.register(_remove_mine)
        _mine = path
        return path


def _remove_mine() -> None:
    if _mine is not None and _mine.name == str(os.getpid()):
        shutil.rmtree(_mine, ignore_errors=True)


@contextlib.contextmanager
def private_tempdir(prefix: str = "dingmi-") -> Iterator[Path]:
    """A fresh 0700 folder inside :func:`process_dir`, removed when the block ends."""
    with tempfile.TemporaryDirectory(prefix=prefix, dir=process_dir()) as tmp:
        yield Path(tmp)
