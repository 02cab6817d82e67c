"""``dingmi models list|show|promote|rollback``: the model registry from the command line.

A thin layer over :class:`classifier.registry.Registry`. Errors reach the group's handler
(``dingmi: [code] message``, exit 2); with ``--json`` a refused action also prints
``{"error": {"code", "message"}}`` and exits 1.

Source: issue 4 (registry, ``list --json`` contract).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from classifier.config import Settings
from classifier.errors import ClassifierError


def _registry() -> Any:
    from classifier.registry import Registry

    return Registry(Settings.from_env().models_dir)


def _fmt(x: Any) -> str:
    return "—" if x is None else f"{x:.3f}"


def _line(v: Any) -> str:
    m = v.metrics
    dec = m["decision_cv"]
    mark = "*" if v.active else " "
    text = (f"{mark} {v.version}  {v.created_at}  {v.status:<9}  决策 {v.metadata.get('n_extra_docs', 0):>5}  "
            f"F1 {_fmt(m['macro_f1'])}  under {_fmt(m['under'])}  over {_fmt(m['over'])}  "
            f"条款 {_fmt(m['clause_top1'])}  决策CV {_fmt(dec.get('level_acc'))}")
    if v.reason:
        text += f"\n      未启用原因：{v.reason}"
    return text


def _fail(e: ClassifierError, as_json: bool) -> None:
    if not as_json:
        raise e
    click.echo(json.dumps({"error": e.to_dict()}, ensure_ascii=False))
    sys.exit(1)


def register(group: click.Group) -> None:
    """Add the ``models`` command group to ``group`` (the ``dingmi`` CLI)."""

    @group.group(name="models")
    def models() -> None:
        """Model versions: list, show, promote, roll back."""

    @models.command(name="list")
    @click.option("--json", "as_json", is_flag=True, help="A JSON list of versions.")
    def list_cmd(as_json: bool) -> None:
        """List every model version, oldest first (* = active)."""
        vs = _registry().versions()
        if as_json:
            click.echo(json.dumps([v.to_dict() for v in vs], ensure_ascii=False))
            return
        if not vs:
            click.echo("尚无模型版本；请运行 dingmi train")
        for v in vs:
            click.echo(_line(v))

    @models.command(name="show")
    @click.argument("version", required=False)
    @click.option("--json", "as_json", is_flag=True, help="The version as one JSON object.")
    def show_cmd(version: str | None, as_json: bool) -> None:
        """Show one version (default: the active one) with its training details."""
        reg = _registry()
        try:
            v = reg.get(version) if version else reg.active()
            if v is None:
                from classifier.errors import ModelNotReadyError

                raise ModelNotReadyError("尚无启用的模型；请运行 dingmi train")
            hashes_ok = True
            try:
                reg.check(v.version)
            except ClassifierError as e:
                hashes_ok = False
                integrity = e.to_dict()
        except ClassifierError as e:
            _fail(e, as_json)
            return
        d = v.to_dict(full=True)
        d["integrity"] = {"ok": True} if hashes_ok else {"ok": False, **integrity}
        if as_json:
            click.echo(json.dumps(d, ensure_ascii=False))
            return
        click.echo(_line(v))
        click.echo(f"  目录：{d['path']}")
        click.echo(f"  密级目录版本 {d['catalogue_version']}，程序版本 {d['code_version']}，"
                   f"训练样本 {d['n_docs']} 篇（其中本单位决定 {d['n_decisions']} 篇）")
        click.echo("  各类训练数：" + "，".join(f"{k} {n}" for k, n in d["class_counts"].items()))
        click.echo("  文件校验：" + ("通过" if hashes_ok else d["integrity"]["message"]))

    @models.command(name="promote")
    @click.argument("version")
    @click.option("--json", "as_json", is_flag=True, help="Print the promoted version as JSON.")
    def promote_cmd(version: str, as_json: bool) -> None:
        """Make VERSION the active model (a person overrules the promotion rule)."""
        try:
            v = _registry().promote(version)
        except ClassifierError as e:
            _fail(e, as_json)
            return
        click.echo(json.dumps(v.to_dict(), ensure_ascii=False) if as_json
                   else f"已启用模型版本 {v.version}")

    @models.command(name="rollback")
    @click.option("--json", "as_json", is_flag=True, help="Print the reactivated version as JSON.")
    def rollback_cmd(as_json: bool) -> None:
        """Reactivate the model version that was active before the current one."""
        try:
            v = _registry().rollback()
        except ClassifierError as e:
            _fail(e, as_json)
            return
        click.echo(json.dumps(v.to_dict(), ensure_ascii=False) if as_json
                   else f"已回退到模型版本 {v.version}")
