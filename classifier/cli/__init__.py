"""``dingmi``: the command line, a thin layer over the library.

One click group (:mod:`classifier.cli.group`, with the one error → exit-status rule); the
commands by subject: ``suggest``, ``extract`` (:mod:`~classifier.cli.suggest`), ``train`` and
``models`` (:mod:`~classifier.cli.models`), ``users``, ``review``, ``records``
(:mod:`~classifier.cli.workflow`), ``register`` (:mod:`~classifier.cli.handling`), ``backup`` and ``restore``
(:mod:`~classifier.cli.backup`), ``doctor`` (:mod:`~classifier.cli.doctor`) and ``catalogue``
(:mod:`~classifier.cli.catalogue`).

Source: issue 2 (§9); issue 3 (§6); issue 4; issue 8; issue 10.
"""

from classifier.cli import accounts, backup, catalogue, doctor, handling, models, suggest, workflow
from classifier.cli.group import main

for _module in (suggest, models, workflow, accounts, backup, handling, doctor, catalogue):
    for _command in _module.COMMANDS:
        main.add_command(_command)

__all__ = ["main"]
