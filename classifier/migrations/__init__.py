"""Alembic migrations of the dingmi database, run in code by :meth:`classifier.store.Store.open`.

There is no ``alembic.ini``: the configuration is built in :meth:`Store.upgrade`. To write a
new revision, add a file to ``versions/`` by hand (``revision``/``down_revision`` set) and
check it with ``tests/test_store.py::test_store_migrations_match_models``.
"""
