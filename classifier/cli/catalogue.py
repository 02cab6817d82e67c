"""``dingmi catalogue edits|answer``: the proposed catalogue edits of issue 14 §1 on the
command line, as thin as the model page's panel (:mod:`app_pages.reasons_view`).

``edits`` lists the recurring reasons per clause and the proposed cue edits not answered yet
(a director or the leading group); ``answer CLAUSE ACTION TERM --accept|--reject`` records the
model steward's answer and, on acceptance, prints the candidate catalogue written.

Source: issue 14 §1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from classifier.cli.accounts import as_option, emit, signed_in
from classifier.cli.group import json_option
from classifier.errors import UsageError
from classifier.workflow.reasons import reason_labels

if TYPE_CHECKING:
    from classifier.config import Settings
    from classifier.workflow import Workflow
    from classifier.workflow.catalogue_edits import ReasonReview


def _review(wf: Workflow, user_id: int, settings: Settings) -> ReasonReview:
    """The page's review, with the tokenizer of the catalogue in use (imported here: every
    ``dingmi`` start imports this module)."""
    from classifier.suggest import make_tokenizer
    from classifier.workflow.catalogue_edits import reason_review

    assert wf.catalogue is not None
    return reason_review(wf, user_id, home=settings.home, catalogue_path=settings.catalogue_path,
                         tokenize=make_tokenizer(settings, wf.catalogue).tokens)


@click.group("catalogue")
def catalogue() -> None:
    """Recurring reasons per clause and the proposed edits of the catalogue's cue terms."""


@catalogue.command("edits")
@as_option
@json_option()
def catalogue_edits(actor: str | None, as_json: bool) -> None:
    """List the reasons per clause and the proposed cue edits still to answer."""
    from classifier.config import Settings
    from classifier.oversight.catalogue_edits import ACTION_LABELS

    settings = Settings.from_env()
    with signed_in(actor) as (wf, me):
        review = _review(wf, me.id, settings)
    if as_json:
        for r in review.counts:
            emit({"reason": {"clause": r.clause, "code": r.reason_code, "n": r.n,
                             "doc_ids": list(r.doc_ids)}})
        for p in review.proposals:
            emit({"proposal": {"clause": p.clause, "action": p.action, "term": p.term,
                               "reason_code": p.reason_code, "support": p.support,
                               "doc_ids": list(p.doc_ids)}})
        if review.candidate is not None:
            emit({"candidate": str(review.candidate)})
        return
    for r in review.counts:
        click.echo(f"{r.clause}\t{reason_labels([r.reason_code])}\t{r.n} 次")
    for p in review.proposals:
        click.echo(f"建议：{p.clause} {p.action} {p.term}（{ACTION_LABELS[p.action]}，"
                   f"{reason_labels([p.reason_code])}，{p.support} 份文件）")
    if review.candidate is not None:
        click.echo(f"候选目录：{review.candidate}")


@catalogue.command("answer")
@click.argument("clause")
@click.argument("action", type=click.Choice(["add", "remove"]))
@click.argument("term")
@click.option("--accept/--reject", "accept", default=None,
              help="Accept the edit (writes the candidate catalogue) or reject it.")
@click.option("--note", default="", help="Optional remark.")
@as_option
@json_option()
def catalogue_answer(clause: str, action: str, term: str, accept: bool | None, note: str,
                     actor: str | None, as_json: bool) -> None:
    """Accept or reject one proposed edit (the office director)."""
    if accept is None:
        raise UsageError("请指定 --accept（采纳）或 --reject（驳回）")
    from classifier.config import Settings
    from classifier.workflow.catalogue_edits import answer_edit

    settings = Settings.from_env()
    with signed_in(actor) as (wf, me):
        review = _review(wf, me.id, settings)
        found = [p for p in review.proposals if p.key == (clause, action, term)]
        if not found:
            raise UsageError(f"没有待处理的修改建议：条款 {clause} {action} “{term}”")
        path = answer_edit(wf, me.id, found[0], "accepted" if accept else "rejected",
                           home=settings.home, catalogue_path=settings.catalogue_path,
                           note=note)
    if as_json:
        emit({"clause": clause, "action": action, "term": term,
              "outcome": "accepted" if accept else "rejected",
              "candidate": str(path) if path else None})
    else:
        click.echo(f"已{'采纳' if accept else '驳回'}：{clause} {action} {term}"
                   + (f"；候选目录：{path}" if path else ""))


COMMANDS = [catalogue]
