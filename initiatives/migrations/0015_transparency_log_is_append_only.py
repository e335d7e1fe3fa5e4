"""The transparency log and its checkpoints refuse UPDATE, DELETE and TRUNCATE in the database
itself, so no path of the application, and no careless script, can rewrite them."""

from django.db import migrations

TABLES = ("initiatives_logentry", "initiatives_checkpoint")

POSTGRESQL = [
    """
    CREATE OR REPLACE FUNCTION initiatives_refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the transparency log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
    END $$
    """,
    *(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION initiatives_refuse_log_change()"
        for table in TABLES
    ),
    *(
        f"CREATE TRIGGER {table}_never_emptied BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION initiatives_refuse_log_change()"
        for table in TABLES
    ),
]
POSTGRESQL_REVERSE = [
    *(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES),
    *(f"DROP TRIGGER IF EXISTS {table}_never_emptied ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS initiatives_refuse_log_change()",
]
# Only the database's owner may set the triggers aside, as the test suite does to empty its tables.
POSTGRESQL_OFF = [f"ALTER TABLE {table} DISABLE TRIGGER USER" for table in TABLES]
POSTGRESQL_ON = [f"ALTER TABLE {table} ENABLE TRIGGER USER" for table in TABLES]
SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation} BEFORE {operation.upper()} ON {table} "
    "BEGIN SELECT RAISE(ABORT, 'the transparency log is append-only'); END"
    for table in TABLES
    for operation in ("update", "delete")
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {table}_no_{operation}" for table in TABLES for operation in ("update", "delete")]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0014_transparency_log")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
