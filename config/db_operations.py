"""Migration operations shared by the apps: index changes CONCURRENTLY on PostgreSQL (no write lock on a live,
million-row table), plain CREATE/DROP INDEX elsewhere (SQLite, the embedded mode). Django's own concurrent
operations refuse any database but PostgreSQL."""

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RemoveIndex


class _ConcurrentlyOnPostgres:
    """Runs the concurrent operation (next in the MRO) on PostgreSQL and `plain`, its ordinary twin, elsewhere."""

    plain: type

    def _run(self, step: str, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return getattr(super(), step)(app_label, schema_editor, from_state, to_state)
        return getattr(self.plain, step)(self, app_label, schema_editor, from_state, to_state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        return self._run("database_forwards", app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        return self._run("database_backwards", app_label, schema_editor, from_state, to_state)


class AddIndexConcurrentlyOnPostgres(_ConcurrentlyOnPostgres, AddIndexConcurrently):
    plain = AddIndex


class RemoveIndexConcurrentlyOnPostgres(_ConcurrentlyOnPostgres, RemoveIndexConcurrently):
    plain = RemoveIndex
