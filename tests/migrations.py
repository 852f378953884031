"""Data migrations under test: the database taken back to just before one migration,
then forward again to the latest state. For tests marked django_db(transaction=True)."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def apps_before(app, name):
    """Unapplies migration `name` of `app` (and what depends on it); returns the
    historical apps of the state just before it."""
    executor = MigrationExecutor(connection)
    node = executor.loader.graph.node_map[(app, name)]
    before = [parent.key for parent in node.parents if parent.key[0] == app]
    executor.migrate(before)
    return executor.loader.project_state(before).apps


def migrate_to_latest():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
