"""``python -m classifier`` runs the ``dingmi`` command line."""

from classifier.cli import main

main()
