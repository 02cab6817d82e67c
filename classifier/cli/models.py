"""``dingmi train`` and ``dingmi models list|show|promote|rollback``: the model's life cycle.

A thin layer over :func:`classifier.training.retrain.retrain` and
:class:`classifier.training.registry.Registry`. Errors reach the group's handler
(:mod:`classifier.cli.group`); with ``--json`` a refused action is also printed as
``{"error": {"code", "message"}}``.

``train``, ``promote`` and ``rollback`` change what every suggestion rests on: they take the
credential of a person whose role may (:func:`model_steward`: ``--as`` with the password, or a
personal token; ``--as`` alone is refused), and each is an audit event with the version's
file digests. A first install, whose database has no account yet, needs none (``make
model``).

Source: issue 4 (registry, ``list --json`` contract); issue 11 (§4, §7).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from classifier.cli.accounts import as_option, signed_in
from classifier.cli.group import emit_json, json_option
from classifier.config import Settings
from classifier.errors import ClassifierError, ModelNotReadyError
from classifier.evaluation import metric_name
from classifier.training.registry import STATUS_LABELS, ModelVersion, Registry
from classifier.workflow import Workflow


@contextmanager
def model_steward(actor: str | None) -> Iterator[tuple[Workflow, int] | None]:
    """The workflow and the id of the authenticated person who may change the model, or None
    on a first install (no account in the database yet: nobody to authenticate).

    Raises
    ------
    AuthenticationRequiredError
        No password and no token (``--as`` alone).
    PermissionDeniedError
        The person's role may not train, promote or roll back the model.
    """
    from classifier.workflow.accounts import accounts_exist

    if not accounts_exist(Settings.from_env()):
        yield None
        return
    with signed_in(actor) as (wf, me):
        wf.require_model_steward(me.id)
        yield wf, me.id


def _record(steward: tuple[Workflow, int] | None, action: str, v: ModelVersion,
            **detail: object) -> None:
    """The audit event of a model change, with the version's signed file digests."""
    if steward is not None:
        wf, uid = steward
        wf.record_model_event(uid, action, v.version, _registry().check(v.version), **detail)


def _registry() -> Registry:
    return Registry(Settings.from_env().models_dir)


def _fmt(x: Any) -> str:
    return "—" if x is None else f"{x:.3f}"


def _line(v: ModelVersion) -> str:
    m = v.metrics
    dec = m["decision_cv"]
    mark = "*" if v.active else " "
    status = STATUS_LABELS.get(v.status, v.status)
    text = (f"{mark} {v.version}  {v.created_at}  {status:<4}  决定 {v.metadata.get('n_extra_docs', 0):>5}  "
            f"{metric_name('macro_f1')} {_fmt(m['macro_f1'])}  {metric_name('under')} {_fmt(m['under'])}  "
            f"{metric_name('over')} {_fmt(m['over'])}  {metric_name('clause_top1')} {_fmt(m['clause_top1'])}  "
            f"本单位决定交叉验证准确率 {_fmt(dec.get('level_acc'))}")
    if v.reason:
        text += f"\n      未启用原因：{v.reason}"
    return text


@click.command(name="train")
@click.option("--catalogue", type=click.Path(path_type=Path, dir_okay=False),
              help="Scope catalogue (default corpus/catalogue.toml).")
@click.option("--no-decisions", is_flag=True, help="Train on corpus/train only, ignoring confirmed decisions.")
@click.option("--no-promote", is_flag=True, help="Keep the new version a candidate even if it is not worse.")
@click.option("--userdict", "userdicts", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="Extra word list for this model (besides <home>/userdict.txt); the model keeps the words.")
@as_option
@json_option(help="Print the training report as JSON.")
def train_cmd(catalogue: Path | None, no_decisions: bool, no_promote: bool,
              userdicts: tuple[Path, ...], actor: str | None, as_json: bool) -> None:
    """Train a new model version from corpus/ and the office's final decisions.

    The new version becomes active only when it is not worse than the active one on the
    golden set (corpus/eval); otherwise it stays a candidate, with the reason. Needs the
    office director's credential once the database has accounts.
    """
    from classifier.training.retrain import retrain_recorded

    with model_steward(actor) as steward:
        res = retrain_recorded(Settings.from_env(), steward, catalogue_path=catalogue,
                               with_decisions=not no_decisions, auto_promote=not no_promote,
                               userdicts=userdicts)
    rep = res.report
    if as_json:
        emit_json(res.to_dict())
        return
    m, g, ts = rep.metrics, rep.golden, rep.counts
    click.echo(f"模型版本 {rep.version}：{rep.n_docs} 篇训练样本（语料 {ts.get('corpus', 0)}，"
               f"本单位决定 {ts.get('decisions', 0)}，其中纠正 {ts.get('corrections', 0)}）→ {rep.model_dir}")
    if m:
        how = "按撰稿人留出" if m.get("grouped") else "按篇随机分折"
        click.echo(f"交叉验证（{how}，{int(m['cv_folds'])} 折，{int(m['writers'])} 位撰稿人，"
                   f"{int(m['cv_docs'])} 篇）：level_acc={m['level_acc']:.3f} "
                   f"under={m['under']:.3f} silent_under={int(m['silent_under'])} "
                   f"({m['silent_under_rate']:.3%}) over={m['over']:.3f} "
                   f"clause_top1={m['clause_top1']:.3f} evidence_hit={m['evidence_hit']:.3f} "
                   f"ece={m['ece']:.3f} review_rate={m['review_rate']:.3f} "
                   f"secret_threshold={rep.thresholds['secret_threshold']}")
    if rep.decision_cv:
        d = rep.decision_cv
        click.echo(f"本单位决定（交叉验证，{int(d['n'])} 篇）：level_acc={d['level_acc']:.3f} "
                   f"under={d['under']:.3f} clause_acc={d['clause_acc']:.3f}")
    if g:
        click.echo(f"金标准集（{g['n']} 篇）：macro_f1={g['macro_f1']:.3f} under={g['under']:.3f} "
                   f"over={g['over']:.3f} clause_top1={g['clause_top1']:.3f}")
    click.echo("已启用为当前模型。" if res.promoted else f"未启用，保留为候选版本：{'；'.join(res.reasons)}")


@click.group(name="models")
def models() -> None:
    """Model versions: list, show, promote, roll back."""


@models.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="A JSON list of versions.")
def list_cmd(as_json: bool) -> None:
    """List every model version, oldest first (* = active)."""
    vs = _registry().versions()
    if as_json:
        emit_json([v.to_dict() for v in vs])
        return
    if not vs:
        click.echo("尚无模型版本；请运行 dingmi train")
    for v in vs:
        click.echo(_line(v))


@models.command(name="show")
@click.argument("version", required=False)
@json_option(help="The version as one JSON object.")
def show_cmd(version: str | None, as_json: bool) -> None:
    """Show one version (default: the active one) with its training details."""
    reg = _registry()
    v = reg.get(version) if version else reg.active()
    if v is None:
        raise ModelNotReadyError("尚无启用的模型；请运行 dingmi train")
    integrity: dict[str, Any] = {"ok": True}
    try:
        reg.check(v.version)
    except ClassifierError as e:
        integrity = {"ok": False, **e.to_dict()}
    d = v.to_dict(full=True)
    d["integrity"] = integrity
    if as_json:
        emit_json(d)
        return
    click.echo(_line(v))
    click.echo(f"  目录：{d['path']}")
    click.echo(f"  密级目录版本 {d['catalogue_version']}，程序版本 {d['code_version']}，"
               f"训练样本 {d['n_docs']} 篇（其中本单位决定 {d['n_decisions']} 篇）")
    click.echo("  各类训练数：" + "，".join(f"{k} {n}" for k, n in d["class_counts"].items()))
    click.echo("  签名与文件校验：" + ("通过" if integrity["ok"] else integrity["message"]))


def _by(steward: tuple[Workflow, int] | None) -> str:
    """Who to name in the registry's history."""
    return steward[0].store.user(steward[1]).name if steward else "cli"


def _signed_note(reg: Registry) -> str:
    """A sentence when the last activation signed a version saved before signatures."""
    last = (reg.history() or [{}])[-1]
    return "（该版本此前未签名：已核验其文件并由您签名）" if last.get("signed") else ""


@models.command(name="promote")
@click.argument("version")
@as_option
@json_option(help="Print the promoted version as JSON.")
def promote_cmd(version: str, actor: str | None, as_json: bool) -> None:
    """Make VERSION the active model (a person overrules the promotion rule; the office
    director's credential)."""
    reg = _registry()
    with model_steward(actor) as steward:
        v = reg.promote(version, by=_by(steward))
        note = _signed_note(reg)
        _record(steward, "model_promote", v, signed=bool(note))
    emit_json(v.to_dict()) if as_json else click.echo(f"已启用模型版本 {v.version}{note}")


@models.command(name="rollback")
@as_option
@json_option(help="Print the reactivated version as JSON.")
def rollback_cmd(actor: str | None, as_json: bool) -> None:
    """Reactivate the model version that was active before the current one (the office
    director's credential)."""
    reg = _registry()
    with model_steward(actor) as steward:
        v = reg.rollback(by=_by(steward))
        note = _signed_note(reg)
        _record(steward, "model_rollback", v, signed=bool(note))
    emit_json(v.to_dict()) if as_json else click.echo(f"已回退到模型版本 {v.version}{note}")


def _outcome_text(o: Any) -> str:
    return "—" if o is None else f"{o.level.label} {o.clause or ''}".strip()


@models.command(name="simulate")
@click.argument("version")
@click.option("--catalogue", type=click.Path(path_type=Path, dir_okay=False),
              help="The candidate's scope catalogue (default corpus/catalogue.toml).")
@as_option
@json_option(help="The simulation as one JSON object.")
def simulate_cmd(version: str, catalogue: Path | None, actor: str | None, as_json: bool) -> None:
    """Replay every settled decision through VERSION and list what would change.

    Reads each document's stored text (not the files), compares the candidate's suggestion
    with the active version's and with the person's decision: counts up and down, every
    would-be under-classification first, figures per clause. Needs a director's or the
    leading group's credential (it reads the register).
    """
    from classifier.training.simulation import simulate_version

    with signed_in(actor) as (wf, me):
        sim = simulate_version(Settings.from_env(), wf, me.id, version,
                               catalogue_path=catalogue)
    if as_json:
        emit_json(sim.to_dict())
        return
    r = sim.report
    base = f"当前启用版本 {sim.active}" if sim.active else "记录中保存的系统建议"
    click.echo(f"模型版本 {sim.version}（密级目录 {sim.catalogue_version}）重放 {r.n} 份已定密文件，"
               f"基准：{base}")
    vb, vd = r.vs_baseline, r.vs_decision
    click.echo(f"建议将改变 {len(r.changed)} 份：调高 {vb.up}，调低 {vb.down}，仅改依据 {vb.clause_only}")
    click.echo(f"与最终决定相比：低于决定（漏定）{vd.down} 份（其中因切换新增 {len(r.newly_under)} 份），"
               f"高于决定（过度定密）{vd.up} 份，仅依据不同 {vd.clause_only} 份")
    if r.changed:
        click.echo("将改变的建议（可能漏定的在前）：")
    for x in r.changed:
        flag = "⚠ 漏定 " if x.under else ""
        click.echo(f"  {flag}#{x.doc_id}《{x.title}》 决定 {_outcome_text(x.decided)}；"
                   f"建议 {_outcome_text(x.before)} → {_outcome_text(x.after)}")
    click.echo("按定密依据：")
    for c in r.per_clause:
        click.echo(f"  {c.clause:<4} {c.n:>5} 份  改变 {c.changed}  调高 {c.up}  调低 {c.down}  "
                   f"漏定 {c.under}  过度 {c.over}  与决定一致 {c.agree}")


COMMANDS = [train_cmd, models]
