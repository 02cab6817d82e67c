"""``dingmi doctor``: which optional parts this machine has (:mod:`classifier.doctor`).

Source: issue 8 (item 2).
"""

from __future__ import annotations

import click

from classifier.cli.group import emit_json
from classifier.config import Settings
from classifier.doctor import default_features, format_report, run_checks


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as one JSON object.")
@click.option("--dev", is_flag=True,
              help="Also require what make test needs (CJK font, Chromium, PostgreSQL).")
@click.option("--without", "without", multiple=True, type=click.Choice(["ocr", "legacy"]),
              help="A feature this machine does not use, so its parts become optional.")
def doctor(as_json: bool, dev: bool, without: tuple[str, ...]) -> None:
    """Check which optional parts this machine has; exit 1 if a needed one is missing."""
    settings = Settings.from_env()
    report = run_checks(settings, features=default_features(settings, dev=dev, without=without))
    if as_json:
        emit_json(report.to_dict())
    else:
        click.echo(format_report(report))
    raise SystemExit(0 if report.ok else 1)


COMMANDS = [doctor]
