"""The full-text index, which each database builds its own way: PostgreSQL a GIN index
on the vector column, SQLite an FTS5 table of stems (rowid = the entry's id) that a
trigger keeps free of deleted entries. `manage.py search_rebuild` fills either."""

from django.db import migrations

POSTGRES = [
    "CREATE INDEX IF NOT EXISTS search_entry_vector_gin ON search_entry USING gin (vector)",
]
POSTGRES_REVERSE = ["DROP INDEX IF EXISTS search_entry_vector_gin"]
SQLITE = [
    # unicode61 folds case and removes diacritics; the stems come from Python.
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_entry_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS search_entry_fts_delete AFTER DELETE ON search_entry "
    "BEGIN DELETE FROM search_entry_fts WHERE rowid = old.id; END",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS search_entry_fts_delete", "DROP TABLE IF EXISTS search_entry_fts"]


def run(statements, *, check=False):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if check and vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_ts_config WHERE cfgname = 'indonesian'")
                if cursor.fetchone() is None:
                    raise RuntimeError(
                        "This PostgreSQL has no 'indonesian' text search configuration, which search needs "
                        "(PostgreSQL 12 or later has it)."
                    )
        for statement in statements.get(vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRES, "sqlite": SQLITE}, check=True),
            run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
