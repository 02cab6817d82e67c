"""Child processes that read one document at a time, with a memory limit and a hard deadline.

A hostile file can exhaust a parser in ways no cooperative check catches: PDFium inflating a
content stream, lxml building a tree, the tokenizer on a huge text (issue 8: 6 GB, 7.7 GB,
a panic that hung the batch). So in a batch, and in the app, each document is read in a
long-lived child process (:class:`Worker`) that

- runs with ``RLIMIT_DATA`` set to the memory limit: an allocation past it fails
  (``MemoryError`` in Python, an abort in native code) instead of growing the machine's
  memory;
- is killed when a document takes longer than its time limit (extraction, OCR and
  classification together) — a cooperative :class:`~classifier.extract._limits.Deadline`
  inside normally answers first;
- is replaced after it died or was killed, so the next document is answered.

The child is a direct child of the caller (``subprocess``, not a fork server), so its peak
resident memory can be measured from outside (``os.wait4``, ``RUSAGE_CHILDREN``), and it
dies with its parent (``PR_SET_PDEATHSIG``).

Source: issue 8 (§5 bounded work per file).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import queue
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)

#: Longest a child may take to start and load its model (s).
STARTUP_SECONDS = 180.0
#: Added to a document's time limit before the child is killed: the cooperative deadline
#: inside answers first with a precise message; this only catches a stuck parser.
KILL_GRACE_SECONDS = 2.0


@dataclass(frozen=True)
class Outcome:
    """What became of one task.

    Attributes
    ----------
    status : str
        ``"ok"`` (``value`` holds the result), ``"memory"`` (the memory limit was hit),
        ``"timeout"`` (killed at the hard deadline) or ``"died"`` (the child ended
        unexpectedly, e.g. a crash in native code).
    value : Any
        The task's result when ``status == "ok"``.
    peak_kb : int
        Peak resident memory of the child so far, KiB (``VmHWM``, or ``ru_maxrss`` once reaped).
    detail : str
        How the child ended (``"signal 9"``, ``"exit 3"``), for logs and messages.
    """

    status: str
    value: Any = None
    peak_kb: int = 0
    detail: str = ""


def _peak_kb(pid: int) -> int:
    """``VmHWM`` of a live process, KiB (0 when unknown)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class Worker:
    """One child process that handles tasks one at a time.

    Parameters
    ----------
    init : str
        ``"module:function"``; called in the child with ``init_args`` once, it returns the
        task handler: a callable taking one task and a ``report`` callable, returning a
        picklable result. ``report(*values)`` sends a progress message (say ``(k, n)`` for
        page ``k`` of ``n``) to the parent while the task runs (see :meth:`call`).
    init_args : tuple
        Picklable arguments of ``init``.
    memory_mb : int
        The child's ``RLIMIT_DATA``, MiB (``<= 0``: no limit).
    """

    def __init__(self, init: str, init_args: tuple[Any, ...], memory_mb: int) -> None:
        self.init, self.init_args, self.memory_mb = init, init_args, memory_mb
        self.proc: subprocess.Popen[bytes] | None = None
        self.conn: Connection | None = None
        self.peak_kb = 0  # highest peak of any child this worker ran

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start the child and wait until it has loaded (raises the child's init error)."""
        import socket

        parent_sock, child_sock = socket.socketpair()
        env = dict(os.environ)
        env.setdefault("MALLOC_ARENA_MAX", "2")  # fewer per-thread heaps: less reserved memory
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "classifier.extract.isolation", str(child_sock.fileno())],
                pass_fds=(child_sock.fileno(),), stdin=subprocess.DEVNULL, env=env,
                close_fds=True,
            )
        finally:
            child_sock.close()
        self.conn = Connection(parent_sock.detach())
        self.conn.send((self.init, self.init_args, self.memory_mb))
        ready = self.conn.poll(STARTUP_SECONDS)
        kind: str
        value: Any
        try:
            kind, value = self.conn.recv() if ready else ("timeout", None)
        except (EOFError, OSError):
            kind, value = "died", None
        if kind == "ready":
            return
        outcome = self._reap(kill=True)
        if kind == "init_error":
            from classifier import errors

            cls = getattr(errors, value[0], errors.ModelNotReadyError)
            raise cls(value[1])
        from classifier.errors import InternalError

        raise InternalError(f"无法启动读取文件的子进程（{kind}，{outcome.detail}）")

    @property
    def alive(self) -> bool:
        """Whether the child is running."""
        return self.proc is not None and self.proc.poll() is None

    def _reap(self, *, kill: bool) -> Outcome:
        """End the child (killing it if asked), wait for it, and return how it ended."""
        proc, conn = self.proc, self.conn
        self.proc = self.conn = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()
        if proc is None:
            return Outcome("died")
        if kill:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        peak = _peak_kb(proc.pid)
        try:
            if proc.returncode is None:
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = os.waitstatus_to_exitcode(status)
                peak = max(peak, usage.ru_maxrss)
        except ChildProcessError:
            proc.returncode = proc.returncode if proc.returncode is not None else -1
        self.peak_kb = max(self.peak_kb, peak)
        code = proc.returncode
        detail = f"signal {-code}" if code is not None and code < 0 else f"exit {code}"
        self._sweep(proc.pid)
        return Outcome("died", peak_kb=peak, detail=detail)

    def _sweep(self, pid: int) -> None:
        """Remove the temporary folder of a child that is gone (it cannot clean up itself)."""
        from classifier.extract import tmpdir

        tmpdir.remove_process_dir(pid)

    def close(self) -> None:
        """Stop the child: it exits when its pipe closes; killed if it does not within 5 s."""
        proc, conn = self.proc, self.conn
        if proc is None:
            return
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()
        self.conn = None
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.conn = None
        self._reap(kill=proc.returncode is None)

    # ------------------------------------------------------------------ tasks
    def call(self, task: Any, timeout: float | None,
             on_progress: Callable[..., None] | None = None) -> Outcome:
        """Run one task in the child.

        Parameters
        ----------
        task : Any
            Picklable task for the handler.
        timeout : float or None
            Seconds before the child is killed (``None``: no limit), for the whole task.
        on_progress : callable, optional
            Called in this thread with the values of each progress message the handler
            reports; an exception it raises is logged and ignored (the task goes on).

        Returns
        -------
        Outcome
            Never raises for what happens in the child (except its init error on start).
        """
        if not self.alive:
            if self.proc is not None:
                self._reap(kill=True)
            self.start()
        assert self.conn is not None and self.proc is not None
        end = None if timeout is None else time.monotonic() + timeout
        try:
            self.conn.send(task)
            while True:
                left = None if end is None else max(0.0, end - time.monotonic())
                if not self.conn.poll(left):
                    out = self._reap(kill=True)
                    return Outcome("timeout", peak_kb=out.peak_kb, detail=out.detail)
                kind, value = self.conn.recv()
                if kind != "progress":
                    break
                if on_progress is not None:
                    try:
                        on_progress(*value)
                    except Exception:  # a display failing must not lose the document
                        log.exception("progress callback failed")
        except (EOFError, OSError):
            return self._reap(kill=False)
        self.peak_kb = max(self.peak_kb, _peak_kb(self.proc.pid))
        if kind == "memory":
            out = self._reap(kill=True)
            return Outcome("memory", peak_kb=out.peak_kb, detail=out.detail)
        return Outcome("ok", value, peak_kb=self.peak_kb)


class WorkerPool:
    """A few :class:`Worker` processes sharing tasks; safe to use from several threads.

    Parameters
    ----------
    size : int
        Number of child processes (started on first use).
    init, init_args, memory_mb
        See :class:`Worker`.
    """

    def __init__(self, size: int, init: str, init_args: tuple[Any, ...], memory_mb: int) -> None:
        self.workers = [Worker(init, init_args, memory_mb) for _ in range(max(size, 1))]
        self._free: queue.Queue[Worker] = queue.Queue()
        for w in self.workers:
            self._free.put(w)

    def call(self, task: Any, timeout: float | None,
             on_progress: Callable[..., None] | None = None) -> Outcome:
        """Run ``task`` on the next free worker (blocks while all are busy); see
        :meth:`Worker.call`."""
        w = self._free.get()
        try:
            return w.call(task, timeout, on_progress)
        finally:
            self._free.put(w)

    def map(self, fn: Callable[[WorkerPool, Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """``fn(self, item)`` for each item on as many threads as workers, results in order."""
        from concurrent.futures import ThreadPoolExecutor

        items = list(items)
        if len(self.workers) == 1:
            for item in items:
                yield fn(self, item)
            return
        with ThreadPoolExecutor(len(self.workers), thread_name_prefix="dingmi-worker") as ex:
            yield from ex.map(lambda item: fn(self, item), items)

    @property
    def peak_kb(self) -> int:
        """Highest peak resident memory of any child so far, KiB."""
        return max(w.peak_kb for w in self.workers)

    def close(self) -> None:
        """Stop every child."""
        for w in self.workers:
            w.close()


# ---------------------------------------------------------------------- the child side
def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (``PR_SET_PDEATHSIG``)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1


def limit_memory(memory_mb: int) -> None:
    """Set this process's ``RLIMIT_DATA`` (heap and private mappings) to ``memory_mb`` MiB."""
    if memory_mb <= 0:
        return
    limit = memory_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def child_main(fd: int) -> None:
    """Entry point of the child: load once, then answer tasks until the pipe closes."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    conn = Connection(fd)
    init, init_args, memory_mb = conn.recv()
    limit_memory(memory_mb)
    try:
        module, _, name = init.partition(":")
        handler = getattr(importlib.import_module(module), name)(*init_args)
    except Exception as e:  # noqa: BLE001 - reported to the parent, which raises it
        from classifier.errors import ClassifierError

        if isinstance(e, ClassifierError):
            conn.send(("init_error", (type(e).__name__, e.message)))
        else:
            conn.send(("init_error", ("InternalError", f"{type(e).__name__}: {e}")))
        return
    conn.send(("ready", None))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = handler(task, lambda *values: conn.send(("progress", values)))
        except MemoryError:
            result = None
            conn.send(("memory", None))
            os._exit(3)  # the heap may be in any state: start afresh
        conn.send(("ok", result))


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    child_main(int(sys.argv[1]))
