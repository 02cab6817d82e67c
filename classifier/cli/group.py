"""The ``dingmi`` click group and the one rule that turns an error into an exit status.

Every command lets a :class:`~classifier.errors.ClassifierError` propagate; the group prints
``dingmi: [code] message`` on stderr (never a traceback) and exits with
:func:`exit_status`. A command that answers in JSON objects (``--json`` of ``users``,
``review`` and ``models``: :func:`json_option`) has the error printed as
``{"error": {"code", "message"}}`` on stdout too, so that a script can branch on the code.

Source: issue 2 (§9 exit status); issue 3 (§6); issue 10 (one rule for every command).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Any

import click

from classifier.errors import ClassifierError

log = logging.getLogger("classifier")

#: Codes of a wrong call or of a configuration problem: exit status 2 (README, error codes).
CONFIGURATION_CODES = frozenset({"usage_error", "invalid_setting", "invalid_catalogue", "model_not_ready",
                                 "invalid_model", "model_tampered", "model_unsigned",
                                 "invalid_model_key", "invalid_word_list"})
#: ``click.Context.meta`` key: the running command answers errors in JSON.
_JSON_ERRORS = "dingmi.json_errors"


def exit_status(err: ClassifierError, *, answered: bool = False) -> int:
    """The exit status of a command that ended with ``err``.

    Parameters
    ----------
    err : ClassifierError
    answered : bool
        The error was printed as a JSON answer (``--json``).

    Returns
    -------
    int
        2 for a usage error; otherwise 1 when the error was answered in JSON; otherwise 2 for
        a configuration problem (:data:`CONFIGURATION_CODES`) and 1 for anything else (a
        refused action, a missing record, a file that could not be read).
    """
    if err.code == "usage_error":
        return 2
    if answered:
        return 1
    return 2 if err.code in CONFIGURATION_CODES else 1


def _answer_errors_in_json(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[_JSON_ERRORS] = True
    return value


def json_option(help: str = "Print JSON.") -> Any:
    """``--json`` of a command that answers in JSON objects, its errors included."""
    return click.option("--json", "as_json", is_flag=True, callback=_answer_errors_in_json,
                        help=help)


def emit_json(obj: Any) -> None:
    """Print one JSON object on a line (Chinese kept as it is)."""
    click.echo(json.dumps(obj, ensure_ascii=False))


class DingmiGroup(click.Group):
    """Turns library errors into a one-line message and :func:`exit_status`, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; report an error the one way."""
        try:
            return super().invoke(ctx)
        except ClassifierError as e:
            answered = bool(ctx.meta.get(_JSON_ERRORS))
            if answered:
                emit_json({"error": e.to_dict()})
            click.echo(f"dingmi: {e}", err=True)
            ctx.exit(exit_status(e, answered=answered))
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("dingmi: 已中断", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # The reader went away (``dingmi suggest --json … | head``): stop quietly.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(1)
        except Exception as e:  # last line of defence (logged with its traceback under -v)
            log.debug("unexpected", exc_info=True)
            click.echo(f"dingmi: [internal_error] 意外错误：{type(e).__name__}: {e}", err=True)
            ctx.exit(1)


@click.group(cls=DingmiGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Log debug details to stderr.")
@click.version_option(package_name="dingmi")
def main(verbose: bool) -> None:
    """定密助手 dingmi: suggest the level, secrecy period and catalogue clause of drafts."""
    os.umask(0o077)  # what dingmi writes (database, models, exports) is 0600, folders 0700
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
