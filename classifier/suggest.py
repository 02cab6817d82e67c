"""Extract → classify for files and bytes: the one call the CLI and the app both use.

Source: issue 2 (§9: the JSON contract, one object per input file, in input order).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from classifier.catalogue import Catalogue, load_catalogue
from classifier.config import Settings
from classifier.engine import Classifier, Suggestion
from classifier.engine.model import latest_model_dir
from classifier.errors import (
    ClassifierError,
    CorruptFileError,
    ExtractionTimeoutError,
    HiddenFileSkipped,
    InternalError,
    TooLargeError,
)
from classifier.extract.result import ExtractedText
from classifier.nlp.segment import Tokenizer, get_tokenizer

if TYPE_CHECKING:
    from classifier.extract.ocr import PageProgress

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class FileResult:
    """What dingmi made of one uploaded file: the typed parts a caller reads, and the record.

    Attributes
    ----------
    file : str
        The name it was given under.
    text : str
        The extracted text, which the evidence offsets index (``""`` when it was not read).
    format : str
        The format by content (``"docx"`` …; ``"unknown"`` when it was not read).
    error : ClassifierError or None
        Why the file could not be read or classified (typed, rebuilt from the record).
    model_version : str or None
        The model that made the suggestion.
    record : dict
        The issue-2 JSON object (plus ``format``, ``pages``, ``sha256``); read it through
        :meth:`to_json`.
    """

    file: str
    text: str
    format: str
    error: ClassifierError | None
    model_version: str | None
    record: dict[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> FileResult:
        """Type the record of :meth:`Suggester.suggest_bytes` (or of a child process)."""
        from classifier.errors import error_from_dict

        err = record.get("error")
        return cls(file=str(record.get("file") or ""), text=str(record.get("text") or ""),
                   format=str(record.get("format") or "unknown"),
                   error=error_from_dict(err) if isinstance(err, dict) else None,
                   model_version=record.get("model_version"), record=record)

    def to_json(self) -> dict[str, Any]:
        """The JSON object kept with the document: the record without the text."""
        return {k: v for k, v in self.record.items() if k != "text"}


def error_record(file: str, err: ClassifierError, *, catalogue_version: str = "",
                 model_version: str = "") -> dict[str, Any]:
    """The JSON object for a file that could not be read: every key present, ``error`` set."""
    return {
        "file": file, "level": None, "clause": None, "clause_title": None,
        "period": {"years": None, "condition": None, "mark": ""}, "confidence": None,
        "needs_review": True, "candidates": [], "marking": {"found": None, "level": None,
                                                            "conflict": False},
        "model_version": model_version, "catalogue_version": catalogue_version,
        "reasons": [], "p_secret": None, "counter_evidence": [],
        "error": err.to_dict(),
    }


def make_tokenizer(settings: Settings, catalogue: Catalogue, userdicts: Iterable[Path] = (),
                   backend: str = "auto", extra_words: Iterable[tuple[str, int | None, str | None]] = ()
                   ) -> Tokenizer:
    """The process-wide tokenizer for this catalogue and word lists (see :func:`get_tokenizer`).

    ``extra_words`` are the words a model was trained with (its metadata ``user_words``);
    ``userdicts`` are word-list files added on top.
    """
    return get_tokenizer(settings.userdict_path, settings.stopwords_path, catalogue.terms(),
                         list(userdicts), backend=backend, cache_dir=settings.home / "cache",
                         extra_words=extra_words)


def office_userdicts(settings: Settings) -> list[Path]:
    """The office's own word list, ``<home>/userdict.txt``, if there is one.

    It joins the domain dictionary at every training run; the words a model was trained with
    are stored in the model, so that serving cuts text exactly as training did.
    """
    p = settings.home / "userdict.txt"
    return [p] if p.is_file() else []


def load_classifier(settings: Settings, catalogue: Catalogue, model_dir: Path,
                    userdicts: Iterable[Path] = ()) -> Classifier:
    """Load a model with the tokenizer it was trained with (plus ``userdicts``).

    Raises
    ------
    ModelNotReadyError
        If the model is missing, malformed, tampered with (``model_tampered``: a changed file
        or a manifest not signed with ``settings.model_key_path``) or unsigned.
    UsageError
        If a word list cannot be read.
    """
    from classifier.engine.model import TextModel
    from classifier.engine.signing import read_model_key

    # Only a model signed with this data home's key loads (issue 11 §7).
    model = TextModel.load(model_dir, key=read_model_key(settings.model_key_path))
    words = [(str(w[0]), w[1], w[2]) for w in model.metadata.get("user_words", [])
             if isinstance(w, list) and len(w) == 3 and isinstance(w[0], str)]
    tk = make_tokenizer(settings, catalogue, userdicts, extra_words=words)
    return Classifier.from_model(catalogue, tk, model)


@dataclass
class Suggester:
    """Reads files and suggests their level, clause and period.

    Build it with :meth:`load`; it is immutable in use and safe to share between threads
    (cache it once per process, e.g. with ``st.cache_resource``).
    """

    settings: Settings
    catalogue: Catalogue
    classifier: Classifier
    userdicts: tuple[Path, ...] = field(default_factory=tuple)
    #: Where :meth:`load` found the catalogue and model: a child process loads the same.
    catalogue_path: Path | None = None
    model_dir: Path | None = None
    _pool: Any = field(default=None, init=False, repr=False, compare=False)
    _pool_lock: Any = field(default_factory=threading.Lock, init=False, repr=False,
                            compare=False)

    @classmethod
    def load(cls, settings: Settings | None = None, *, catalogue_path: Path | None = None,
             model_dir: Path | None = None, userdicts: Iterable[Path] = ()) -> Suggester:
        """Load catalogue, tokenizer and model.

        Parameters
        ----------
        settings : Settings, optional
            Defaults to :meth:`Settings.from_env`.
        catalogue_path : pathlib.Path, optional
            An office's own catalogue (default ``corpus/catalogue.toml``).
        model_dir : pathlib.Path, optional
            A model directory (default: the current model under ``<home>/models``).
        userdicts : iterable of pathlib.Path
            Extra word lists added to the domain dictionary.

        Raises
        ------
        CatalogueError
            If the catalogue is invalid.
        ModelNotReadyError
            If no model exists (run ``dingmi train``) or it is malformed.
        UsageError
            If a word list cannot be read.
        """
        s = settings or Settings.from_env()
        cat = load_catalogue(catalogue_path or s.catalogue_path)
        ud = tuple(Path(p) for p in userdicts)
        md = model_dir or latest_model_dir(s.models_dir)
        return cls(s, cat, load_classifier(s, cat, md, ud), ud, catalogue_path, md)

    @property
    def catalogue_mismatch(self) -> str | None:
        """A Chinese warning when the model was trained on another catalogue version, else None.

        The model's clause classes then may not mean what the catalogue's clauses say: the
        office should retrain (``dingmi train --catalogue PATH``).
        """
        trained_on = self.classifier.model.metadata.get("catalogue_version")
        if trained_on and trained_on != self.catalogue.version:
            return (f"模型按保密事项范围 {trained_on} 版训练，当前使用 {self.catalogue.version} 版；"
                    "建议用 dingmi train --catalogue 重新训练")
        return None

    def suggest_text(self, text: str) -> Suggestion:
        """Suggest for an already extracted text."""
        return self.classifier.suggest(text)

    def _record(self, name: str, doc: ExtractedText, with_text: bool) -> dict[str, Any]:
        sug = self.classifier.suggest(doc.text)
        rec: dict[str, Any] = {"file": name, **sug.to_dict(), "error": None}
        rec["warnings"] = list(doc.warnings)
        ocr = doc.ocr_summary()  # issue 5: a suggestion resting on OCR text says so
        if ocr is not None:
            rec["ocr"] = ocr
            rec["warnings"].append("ocr_text: 建议依据文字识别（OCR）结果，请核对识别文字")
        if with_text:
            rec["text"] = doc.text
            rec["format"] = doc.source_format
            rec["pages"] = doc.pages
        return rec

    def error(self, name: str, err: ClassifierError) -> dict[str, Any]:
        """The JSON object of a file that failed with ``err`` (this model's versions)."""
        return error_record(name, err, catalogue_version=self.catalogue.version,
                            model_version=self.classifier.model.version)

    def _guard(self, name: str, fn: Any) -> dict[str, Any]:
        try:
            return fn()
        except ClassifierError as e:
            return self.error(name, e)
        except MemoryError:
            raise  # in a child process: the parent answers too_large and starts afresh
        except Exception as e:  # one bad file must never stop the batch (logged)
            # One line for the user; the traceback only with -v (never in front of a user).
            log.error("处理《%s》时发生意外错误：%s", Path(name).name, type(e).__name__)
            log.debug("unexpected failure on %s", name, exc_info=True)
            err = InternalError(f"处理《{Path(name).name}》时发生意外错误：{type(e).__name__}")
            return self.error(name, err)

    # ------------------------------------------------------------ child processes (issue 8)
    def _isolated(self) -> bool:
        """Whether documents are read in a child process (needs a model directory)."""
        return self.settings.isolate and self.model_dir is not None

    def pool(self, workers: int = 1) -> Any:
        """The child processes that read documents (:class:`~classifier.extract.isolation.WorkerPool`).

        Created on first use with ``workers`` children, kept for the life of this object
        (the app's cached Suggester keeps one child), stopped by :meth:`close` or at exit.
        """
        from classifier.extract.isolation import WorkerPool

        with self._pool_lock:
            if self._pool is None or len(self._pool.workers) < workers:
                if self._pool is not None:
                    self._pool.close()
                self._pool = WorkerPool(
                    workers, "classifier.suggest:_child_handler",
                    (self.settings, self.catalogue_path, self.model_dir, self.userdicts),
                    self.settings.worker_memory_mb)
                import atexit

                atexit.register(self._pool.close)
            return self._pool

    def close(self) -> None:
        """Stop the child processes (a new one starts when needed)."""
        with self._pool_lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None

    def run_isolated(self, pool: Any, name: str, task: tuple[Any, ...],
                     on_page: PageProgress | None = None) -> dict[str, Any]:
        """Run one task in a child of ``pool`` and turn what happened into a record.

        ``on_page(k, n)`` is called here as the child reports OCR progress.

        Returns
        -------
        dict
            The child's record; ``too_large`` when it hit the memory limit, ``timeout`` when
            it was killed at the time limit, ``corrupt_file`` when it crashed.
        """
        from classifier.extract.isolation import KILL_GRACE_SECONDS
        from classifier.extract.normalize import file_label

        s = self.settings
        limit = s.extract_timeout + KILL_GRACE_SECONDS if s.extract_timeout > 0 else None
        label = file_label(name)
        try:
            out = pool.call(task, limit, on_page)
        except ClassifierError as e:  # the child could not start
            return self.error(name, e)
        if out.status == "ok":
            return out.value
        mb = s.worker_memory_mb
        if out.status == "timeout":
            err: ClassifierError = ExtractionTimeoutError(
                f"{label}读取和判定超时（超过 {s.extract_timeout:g} 秒），已终止；"
                "可调大 DINGMI_EXTRACT_TIMEOUT 后重试，或请人工判定", path=name)
        elif out.status == "memory" or out.peak_kb >= mb * 1024 * 3 // 4:
            err = TooLargeError(f"{label}读取时所需内存超过上限 {mb} MB（DINGMI_WORKER_MEMORY_MB），"
                                "已终止；请拆分或另存后再提交", path=name)
        else:
            log.error("reading %s: child process ended (%s)", Path(name).name, out.detail)
            err = CorruptFileError(f"{label}读取时解析程序异常终止（{out.detail}），"
                                   "文件可能已损坏", path=name)
        return self.error(name, err)

    def suggest_path(self, path: Path | str, *, with_text: bool = False,
                     isolate: bool | None = None) -> dict[str, Any]:
        """Extract and suggest one file; never raises for a bad file.

        ``isolate`` (default: the settings) reads the file in the child process.

        Returns
        -------
        dict
            The issue-2 JSON object (``error`` set instead of raising); with ``with_text``
            also ``text``, ``format`` and ``pages``.
        """
        from classifier.extract import extract_text

        name = str(path)
        s = self.settings
        if self._isolated() if isolate is None else isolate:
            return self.run_isolated(self.pool(), name, ("path", name, with_text))
        return self._guard(name, lambda: self._record(
            name, extract_text(Path(path), max_file_bytes=s.max_file_bytes, max_pages=s.max_pages,
                               timeout=s.extract_timeout, max_chars=s.max_chars),
            with_text))

    def suggest_bytes(self, data: bytes, filename: str,
                      on_page: PageProgress | None = None) -> dict[str, Any]:
        """Extract and suggest uploaded bytes; never raises for a bad file.

        ``on_page(k, n)`` is called just before page ``k`` of ``n`` is OCR'd (scans and
        images), also when the document is read in the child process.

        Returns
        -------
        dict
            The issue-2 JSON object plus ``text`` (the extracted text the evidence offsets
            index), ``format``, ``pages`` and ``sha256`` (of ``data``).
        """
        from classifier.extract import extract_bytes

        s = self.settings
        if self._isolated():
            rec = self.run_isolated(self.pool(), filename, ("bytes", data, filename), on_page)
        else:
            rec = self._guard(filename, lambda: self._record(
                filename, extract_bytes(data, filename, max_file_bytes=s.max_file_bytes,
                                        max_pages=s.max_pages, timeout=s.extract_timeout,
                                        max_chars=s.max_chars, on_page=on_page), True))
        rec["sha256"] = hashlib.sha256(data).hexdigest()
        return rec

    def suggest_upload(self, data: bytes, filename: str,
                       on_page: PageProgress | None = None) -> FileResult:
        """:meth:`suggest_bytes`, typed: what :meth:`Workflow.upload` takes."""
        return FileResult.from_record(self.suggest_bytes(data, filename, on_page))

    def warm_up(self) -> None:
        """Get the reader ready before the first upload (issue 15 §3): with isolation, start
        the child process (it loads the model, the word lists and the OCR engine); without,
        load the OCR engine in this process. Blocks until done; meant for a background thread.

        The child is killed when the thread that started it ends (``PR_SET_PDEATHSIG`` is
        per thread, :mod:`classifier.extract.isolation`): call this from a thread that lives
        as long as the child should (the app parks its warm-up thread afterwards).
        """
        if self._isolated():
            self.pool().call(("warm",), None)
            return
        from classifier.extract import ocr

        ocr.warm_up()


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def walk_paths(paths: Iterable[Path | str]) -> list[tuple[Path | str, ClassifierError | None]]:
    """Every file to answer, in order, with the error already known for it.

    Files are taken as given; folders are expanded recursively, sorted. Inside a folder,
    every entry that is not a folder gets a line: regular files, broken links (``not_found``)
    and FIFOs, sockets and devices (``unsupported_format`` when read, without blocking).
    Hidden files and folders (name starting with ``.``) are not read: each gets a line with
    ``skipped_hidden`` (a hidden folder one line, not one per file inside it).

    Returns
    -------
    list of (pathlib.Path or str, ClassifierError or None)
        ``None``: read the file; else the record's error (``not_found``, ``skipped_hidden``).
        An empty argument stays the string ``""`` (``Path("")`` would mean ``.``).

    Notes
    -----
    Source: issue 8 (§7: a FIFO hung the batch; hidden files were skipped with no line).
    """
    from classifier.errors import NotFoundError
    from classifier.extract.normalize import file_label

    out: list[tuple[Path | str, ClassifierError | None]] = []
    for raw in paths:
        if not str(raw).strip():  # Path("") would silently mean the current directory
            out.append((str(raw), NotFoundError("文件名为空", path=str(raw))))
            continue
        p = Path(raw)
        if not p.is_dir():
            if p.exists() or p.is_symlink():
                out.append((p, None if p.exists() else NotFoundError(
                    f"{file_label(str(p))}是失效的链接", path=p)))
            else:
                out.append((p, NotFoundError(f"找不到文件或目录：{p}", path=p)))
            continue
        found: list[tuple[Path, ClassifierError | None]] = []
        for folder, dirs, names in os.walk(p, onerror=None):
            base = Path(folder)
            for d in list(dirs):
                sub = base / d
                if _is_hidden(d):
                    dirs.remove(d)
                    found.append((sub, HiddenFileSkipped(
                        f"隐藏文件夹 {sub} 未读取（名称以“.”开头）；如需判定，请直接指定其中的文件",
                        path=sub)))
                elif sub.is_symlink():
                    dirs.remove(d)  # links to folders are not followed (loops), as before
            for n in names:
                f = base / n
                if _is_hidden(n):
                    found.append((f, HiddenFileSkipped(
                        f"隐藏文件 {f} 未读取（名称以“.”开头）；如需判定，请直接指定该文件",
                        path=f)))
                elif f.exists():
                    found.append((f, None))
                else:
                    found.append((f, NotFoundError(f"{file_label(str(f))}是失效的链接", path=f)))
        out.extend(sorted(found, key=lambda e: str(e[0])))
    return out


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, folders expanded recursively (sorted; hidden files left out).

    See :func:`walk_paths` for the entries with their known errors (hidden files, broken
    links), which ``dingmi suggest`` answers one line each.

    Raises
    ------
    NotFoundError
        If a path does not exist.
    """
    from classifier.errors import NotFoundError

    out: list[Path] = []
    for path, err in walk_paths(paths):
        if isinstance(err, NotFoundError) and not (isinstance(path, Path) and path.is_symlink()):
            raise err
        if not isinstance(err, HiddenFileSkipped):
            out.append(Path(path))
    return out


# ------------------------------------------------------------------ worker processes
_worker: Suggester | None = None


def _init_worker(settings: Settings, catalogue_path: Path | None, model_dir: Path | None,
                 userdicts: tuple[Path, ...]) -> None:
    global _worker
    _worker = Suggester.load(settings, catalogue_path=catalogue_path, model_dir=model_dir,
                             userdicts=userdicts)


def _work(path: str) -> dict[str, Any]:
    assert _worker is not None
    return _worker.suggest_path(path)


def _child_handler(settings: Settings, catalogue_path: Path | None, model_dir: Path | None,
                   userdicts: tuple[Path, ...]) -> Any:
    """In a child process (:mod:`classifier.extract.isolation`): load once, return the handler.

    The handler takes ``("path", name, with_text)`` or ``("bytes", data, filename)`` and
    returns the record, read in this process (``isolate`` off here); ``("warm",)`` loads the
    OCR engine (:meth:`Suggester.warm_up`; a batch's children load it only when a scan needs it).
    """
    from dataclasses import replace

    from classifier.extract import tmpdir

    tmpdir.set_home(settings.home)
    tmpdir.sweep()
    sg = Suggester.load(replace(settings, isolate=False), catalogue_path=catalogue_path,
                        model_dir=model_dir, userdicts=userdicts)
    sg.suggest_text("关于召开全市组织工作会议的通知")  # warm the tokenizer before any deadline

    def handle(task: tuple[Any, ...], report: PageProgress | None = None) -> dict[str, Any]:
        if task[0] == "warm":  # Suggester.warm_up: the OCR engine too (issue 15 §3)
            try:
                from classifier.extract import ocr

                ocr.warm_up()
            except Exception:  # a broken OCR install: the first scan reports it
                log.exception("loading the OCR engine")
            return {}
        if task[0] == "bytes":
            return sg.suggest_bytes(task[1], task[2], report)
        return sg.suggest_path(task[1], with_text=bool(task[2]))

    return handle


def suggest_files(sg: Suggester, files: list[Path], *, workers: int = 1,
                  catalogue_path: Path | None = None, model_dir: Path | None = None
                  ) -> Generator[dict[str, Any], None, None]:
    """Suggest many files, yielding one record per file in input order.

    With ``settings.isolate`` (the default) and two files or more, every file is read and
    classified in one of ``workers`` child processes with a memory limit, killed at the time
    limit and replaced, so one file never stops the batch (issue 8 §5); the children stop
    when the batch ends. A single file is read in this process (the size, part and character
    caps still apply): starting a child would triple the cold start of the commonest call,
    one draft on the command line (measured 1.18 s against 0.35 s), and there is no batch for
    that file to stop.

    Parameters
    ----------
    sg : Suggester
        Its settings, catalogue, model and word lists configure the children.
    files : list of pathlib.Path
    workers : int
        Processes; each loads its own tokenizer (with the same ``--userdict`` files) and model.
    catalogue_path, model_dir : pathlib.Path, optional
        Override the ones ``sg`` was loaded from.
    """
    if sg.settings.isolate and (model_dir or sg.model_dir) is not None and len(files) >= 2:
        from classifier.extract.isolation import WorkerPool

        pool = WorkerPool(min(workers, len(files)), "classifier.suggest:_child_handler",
                          (sg.settings, catalogue_path or sg.catalogue_path,
                           model_dir or sg.model_dir, sg.userdicts),
                          sg.settings.worker_memory_mb)
        try:
            yield from pool.map(lambda pl, f: sg.run_isolated(pl, str(f), ("path", str(f), False)),
                                files)
        finally:
            pool.close()
        return
    if workers <= 1 or len(files) < 2:
        for f in files:
            yield sg.suggest_path(f, isolate=False if len(files) == 1 else None)
        return
    import multiprocessing as mp

    ctx = mp.get_context("forkserver" if os.name == "posix" else "spawn")
    with ctx.Pool(min(workers, len(files)), initializer=_init_worker,
                  initargs=(sg.settings, catalogue_path, model_dir, sg.userdicts)) as mp_pool:
        yield from mp_pool.imap(_work, [str(f) for f in files], chunksize=4)
