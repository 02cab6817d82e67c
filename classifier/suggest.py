"""Extract → classify for files and bytes: the one call the CLI and the app both use.

Source: issue 2 (§9: the JSON contract, one object per input file, in input order).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifier.catalogue import Catalogue, load_catalogue
from classifier.config import Settings
from classifier.engine import Classifier, Suggestion
from classifier.engine.model import latest_model_dir
from classifier.errors import ClassifierError, InternalError
from classifier.extract.result import ExtractedText
from classifier.nlp.segment import Tokenizer, get_tokenizer

log = logging.getLogger(__name__)

#: Keys of the JSON object per file (issue 2 §9), in output order.
JSON_KEYS = ("file", "level", "clause", "clause_title", "period", "confidence", "needs_review",
             "candidates", "marking", "model_version", "catalogue_version", "error")


def error_record(file: str, err: ClassifierError, *, catalogue_version: str = "",
                 model_version: str = "") -> dict[str, Any]:
    """The JSON object for a file that could not be read: every key present, ``error`` set."""
    return {
        "file": file, "level": None, "clause": None, "clause_title": None,
        "period": {"years": None, "condition": None, "mark": ""}, "confidence": None,
        "needs_review": True, "candidates": [], "marking": {"found": None, "level": None,
                                                            "conflict": False},
        "model_version": model_version, "catalogue_version": catalogue_version,
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
        If the model is missing, malformed or tampered with.
    UsageError
        If a word list cannot be read.
    """
    from classifier.engine.model import TextModel

    model = TextModel.load(model_dir)
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
        return cls(s, cat, load_classifier(s, cat, md, ud), ud)

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

    def _guard(self, name: str, fn: Any) -> dict[str, Any]:
        try:
            return fn()
        except ClassifierError as e:
            return error_record(name, e, catalogue_version=self.catalogue.version,
                                model_version=self.classifier.model.version)
        except Exception as e:  # noqa: BLE001 - one bad file must never stop the batch
            log.exception("unexpected failure on %s", name)
            err = InternalError(f"处理《{Path(name).name}》时发生意外错误：{type(e).__name__}")
            return error_record(name, err, catalogue_version=self.catalogue.version,
                                model_version=self.classifier.model.version)

    def suggest_path(self, path: Path | str, *, with_text: bool = False) -> dict[str, Any]:
        """Extract and suggest one file; never raises for a bad file.

        Returns
        -------
        dict
            The issue-2 JSON object (``error`` set instead of raising); with ``with_text``
            also ``text``, ``format`` and ``pages``.
        """
        from classifier.extract import extract_text

        name = str(path)
        s = self.settings
        return self._guard(name, lambda: self._record(
            name, extract_text(Path(path), max_file_bytes=s.max_file_bytes, max_pages=s.max_pages,
                               timeout=s.extract_timeout),
            with_text))

    def suggest_bytes(self, data: bytes, filename: str) -> dict[str, Any]:
        """Extract and suggest uploaded bytes; never raises for a bad file.

        Returns
        -------
        dict
            The issue-2 JSON object plus ``text`` (the extracted text the evidence offsets
            index), ``format``, ``pages`` and ``sha256`` (of ``data``).
        """
        from classifier.extract import extract_bytes

        s = self.settings
        rec = self._guard(filename, lambda: self._record(
            filename, extract_bytes(data, filename, max_file_bytes=s.max_file_bytes,
                                    max_pages=s.max_pages, timeout=s.extract_timeout), True))
        rec["sha256"] = hashlib.sha256(data).hexdigest()
        return rec


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders expanded recursively (sorted; hidden files skipped).

    Raises
    ------
    NotFoundError
        If a path does not exist.
    """
    from classifier.errors import NotFoundError

    out: list[Path] = []
    for raw in paths:
        if not str(raw).strip():  # Path("") would silently mean the current directory
            raise NotFoundError("文件名为空", path=str(raw))
        p = Path(raw)
        if p.is_dir():
            # Files, and broken links too (reported as not_found rather than silently skipped).
            out.extend(sorted(f for f in p.rglob("*") if (f.is_file() or (f.is_symlink() and not f.exists()))
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        elif p.exists():
            out.append(p)
        else:
            raise NotFoundError(f"找不到文件或目录：{p}", path=p)
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


def suggest_files(sg: Suggester, files: list[Path], *, workers: int = 1,
                  catalogue_path: Path | None = None, model_dir: Path | None = None
                  ) -> Iterator[dict[str, Any]]:
    """Suggest many files, yielding one record per file in input order.

    Parameters
    ----------
    sg : Suggester
        Used directly when ``workers == 1``; its settings and word lists configure workers.
    files : list of pathlib.Path
    workers : int
        Processes; each loads its own tokenizer (with the same ``--userdict`` files) and model.
    """
    if workers <= 1 or len(files) < 2:
        for f in files:
            yield sg.suggest_path(f)
        return
    import multiprocessing as mp

    ctx = mp.get_context("forkserver" if os.name == "posix" else "spawn")
    with ctx.Pool(min(workers, len(files)), initializer=_init_worker,
                  initargs=(sg.settings, catalogue_path, model_dir, sg.userdicts)) as pool:
        yield from pool.imap(_work, [str(f) for f in files], chunksize=4)
