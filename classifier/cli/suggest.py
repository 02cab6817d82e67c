"""``dingmi suggest`` and ``dingmi extract``: what dingmi suggests for files, and what it read.

Exit status: 0 when every file was read, 1 when any file failed (the others are still
answered), 2 for a usage error (:func:`classifier.cli.group.exit_status`). No traceback ever
reaches the user.

Source: issue 2 (§9); issue 8 (§7 the batch's edges).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from classifier.config import Settings
from classifier.errors import ClassifierError, ModelNotReadyError, NotFoundError


def _settings() -> Settings:
    return Settings.from_env()


def _ensure_model(settings: Settings, catalogue_path: Path | None, quiet: bool = False) -> None:
    """Train the default model on first use when none exists (the corpus ships with dingmi)."""
    from classifier.engine.model import latest_model_dir

    try:
        latest_model_dir(settings.models_dir)
    except ModelNotReadyError:
        if not (settings.corpus_dir / "train").is_dir():
            raise
        if not quiet:
            click.echo("dingmi: 尚无模型，正在用内置语料训练默认模型（约半分钟）…", err=True)
        from classifier.training.retrain import retrain

        # The shipped corpus only: the office's decisions train a model at a credentialed
        # ``dingmi train`` (issue 11 §7), never at an open ``suggest``.
        retrain(settings, catalogue_path=catalogue_path, with_decisions=False)


def _human(rec: dict[str, Any]) -> str:
    name = rec["file"]
    if rec.get("error"):
        return f"✗ {name}\n  无法读取：{rec['error']['message']}\n"
    lines = [f"● {name}"]
    period = rec["period"]
    lv = rec["level"]
    if rec["clause"]:
        when = f"{period['years']}年" if period["years"] else (period["condition"] or "")
        lines.append(f"  建议密级：{lv}    保密期限：{when}    标志：{period['mark']}")
        lines.append(f"  定密依据：第{rec['clause']}条 {rec['clause_title'] or ''}")
    else:
        lines.append(f"  建议密级：{lv}（非国家秘密）")
    lines.append(f"  置信度：{rec['confidence']:.0%}" + ("    ⚠ 需人工重点审核" if rec["needs_review"] else ""))
    if rec.get("reasons"):
        from classifier.engine.decide import REASON_LABELS

        lines.append("  审核原因：" + "；".join(REASON_LABELS.get(r, r) for r in rec["reasons"]))
    if rec.get("counter_evidence"):
        lines.append("  公开迹象：" + "；".join(f"“{e['text'][:30]}”" for e in rec["counter_evidence"][:3]))
    mk = rec["marking"]
    if mk["found"]:
        lines.append(f"  文中已标密级：{mk['found']}" + ("（与建议不一致）" if mk["conflict"] else ""))
    for c in rec["candidates"][:3]:
        label = f"第{c['clause']}条" if c["clause"] else "非密"
        lines.append(f"  候选 {label} {c['level']} {c['score']:.0%}")
        for e in c["evidence"][:2]:
            lines.append(f"      “{e['text'][:60]}”")
    for w in rec.get("warnings") or []:
        lines.append(f"  提示：{w}")
    return "\n".join(lines) + "\n"


def _progress(total: int) -> Any:
    """A tqdm bar on stderr for more than 10 files, else None."""
    if total <= 10:
        return None
    from tqdm import tqdm

    return tqdm(total=total, file=sys.stderr, unit="件", desc="定密", leave=False)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=str)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input file per line.")
@click.option("--catalogue", type=click.Path(path_type=Path, dir_okay=False),
              help="An office's own scope catalogue (TOML).")
@click.option("--model", "model_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Model directory (default: the current model under the data home).")
@click.option("--userdict", "userdicts", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Extra word list (jieba format) added to the domain dictionary.")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes.")
def suggest(paths: tuple[str, ...], as_json: bool, catalogue: Path | None, model_dir: Path | None,
            userdicts: tuple[Path, ...], workers: int) -> None:
    """Suggest level, secrecy period and clause (定密依据) for files or folders.

    Each file is read in a child process with a memory limit and killed at the time limit,
    so one file never stops the batch. Inside folders, hidden files get a line saying they
    were skipped; FIFOs, sockets and devices are answered without being read.
    """
    from classifier.extract import tmpdir
    from classifier.suggest import Suggester, suggest_files, walk_paths

    settings = _settings()
    tmpdir.set_home(settings.home)
    tmpdir.sweep()  # copies left by a process that was killed (issue 8 §7)
    entries = walk_paths(paths)
    if model_dir is None:
        _ensure_model(settings, catalogue)
    sg = Suggester.load(settings, catalogue_path=catalogue, model_dir=model_dir, userdicts=userdicts)
    if sg.catalogue_mismatch:
        click.echo(f"dingmi: 提示：{sg.catalogue_mismatch}", err=True)
    ok_files = [Path(f) for f, err in entries if err is None]
    results = suggest_files(sg, ok_files, workers=workers, catalogue_path=catalogue, model_dir=model_dir)
    bar = _progress(len(entries))
    failed = False
    try:
        for f, err in entries:
            rec = sg.error(str(f), err) if err is not None else next(results)
            rec = display_safe(rec)
            code = rec["error"]["code"] if rec["error"] else None
            failed |= code is not None and code != "skipped_hidden"
            if as_json:
                rec.pop("warnings", None) if not rec.get("warnings") else None
                click.echo(json.dumps(rec, ensure_ascii=False))
            else:
                click.echo(_human(rec))
            if bar is not None:
                bar.update(1)
    finally:
        results.close()
        if bar is not None:
            bar.close()
    sys.exit(1 if failed else 0)


def display_safe(obj: Any) -> Any:
    """``obj`` with every string made valid UTF-8: each undecodable byte of a file name as ``\\xNN``.

    File names on Linux are bytes; Python keeps a byte that is not UTF-8 as a lone
    surrogate, which no UTF-8 output can carry (issue 8 §7: three odd names gave JSON lines
    that were not valid UTF-8). Strings, lists and dicts are walked; other values kept.
    """
    if isinstance(obj, str):
        try:
            obj.encode("utf-8")
            return obj
        except UnicodeEncodeError:
            raw = obj.encode("utf-8", "surrogateescape") if _escapable(obj) else None
            if raw is not None:
                return raw.decode("utf-8", "backslashreplace")
            return obj.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(obj, dict):
        return {k: display_safe(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [display_safe(v) for v in obj]
    return obj


def _escapable(s: str) -> bool:
    """Whether every surrogate in ``s`` is one :func:`os.fsdecode` made from a byte."""
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in s)


@click.command()
@click.argument("paths", nargs=-1, required=True, type=str)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per input file per line.")
@click.option("--tokens", is_flag=True, help="Also give the token list exactly as the classifier sees it.")
@click.option("--userdict", "userdicts", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Extra word list (jieba format) added to the domain dictionary.")
def extract(paths: tuple[str, ...], as_json: bool, tokens: bool, userdicts: tuple[Path, ...]) -> None:
    """Show what dingmi read from files: text, segments, pages, warnings (and tokens)."""
    from classifier.catalogue import load_catalogue
    from classifier.engine.analysis import analyse
    from classifier.engine.matcher import Matcher
    from classifier.extract import extract_text
    from classifier.suggest import expand_paths, make_tokenizer

    settings = _settings()
    analyser = None
    if tokens:
        from classifier.engine.model import latest_model_dir
        from classifier.nlp.segment import build_words
        from classifier.suggest import load_classifier, office_userdicts

        cat = load_catalogue(settings.catalogue_path)
        try:  # the tokenizer of the active model: its stored words, then --userdict
            tk = load_classifier(settings, cat, latest_model_dir(settings.models_dir),
                                 userdicts).tokenizer
        except ModelNotReadyError:  # no model yet: the words the next training would use
            tk = make_tokenizer(settings, cat, extra_words=build_words(
                None, (), [*office_userdicts(settings), *userdicts]))
        matcher = Matcher(cat)

        def analyser(text: str) -> list[str]:
            return analyse(text, tk, matcher).tokens

    failed = False
    files: list[Path | tuple[str, NotFoundError]] = []
    for p in paths:
        try:
            files.extend(expand_paths([p]))
        except NotFoundError as e:
            files.append((p, e))  # reported under the name given
    bar = _progress(len(files))
    for f in files:
        rec: dict[str, Any] = {"file": f[0] if isinstance(f, tuple) else str(f), "text": None,
                               "segments": [], "pages": None, "warnings": [], "error": None}
        if tokens:
            rec["tokens"] = None
        try:
            if isinstance(f, tuple):
                raise f[1]
            doc = extract_text(f, max_file_bytes=settings.max_file_bytes, max_pages=settings.max_pages)
            d = doc.to_dict()
            rec.update(text=doc.text, segments=d["segments"], pages=doc.pages,
                       warnings=list(doc.warnings), format=doc.source_format)
            if d.get("ocr_pages"):
                rec["ocr_pages"] = d["ocr_pages"]
            if analyser is not None:
                rec["tokens"] = analyser(doc.text)
        except ClassifierError as e:
            failed = True
            rec["error"] = e.to_dict()
        except Exception as e:  # noqa: BLE001
            failed = True
            rec["error"] = {"code": "internal_error", "message": f"[internal_error] {type(e).__name__}"}
        if as_json:
            click.echo(json.dumps(rec, ensure_ascii=False))
        elif rec["error"]:
            click.echo(f"✗ {rec['file']}\n  {rec['error']['message']}\n")
        else:
            click.echo(f"● {rec['file']}（{rec.get('format')}，{rec['pages']}页）")
            for w in rec["warnings"]:
                click.echo(f"  提示：{w}")
            click.echo(rec["text"])
            if tokens:
                click.echo("  分词：" + " / ".join(rec["tokens"] or []))
            click.echo()
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    sys.exit(1 if failed else 0)


COMMANDS = [suggest, extract]
