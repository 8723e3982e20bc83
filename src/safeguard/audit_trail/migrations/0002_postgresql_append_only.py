"""On PostgreSQL, refuse UPDATE and DELETE on the audit table in the database itself, and index
object_ids for `entries_for_object`.

The trigger stops anyone who reaches the database without superuser rights, whatever code they
run; a superuser can still disable it, which is what the HMAC chain and `audit verify` catch.

TRUNCATE is deliberately left allowed: pytest-django's transactional tests (and `flush`) empty
tables with TRUNCATE between tests. Production roles should not be granted TRUNCATE on this table.

SQLite has neither triggers of this kind here nor GIN indexes; the model refuses changes there.
"""

from django.db import migrations

TABLE = "audit_trail_auditentry"

FORWARD = [
    """
    CREATE FUNCTION audit_trail_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    # FOR EACH STATEMENT: refused even when no row matches, so a probe learns nothing.
    f"""
    CREATE TRIGGER audit_trail_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_refuse_change()
    """,
    f"CREATE INDEX audit_object_ids_gin ON {TABLE} USING gin (object_ids jsonb_path_ops)",
]

BACKWARD = [
    "DROP INDEX IF EXISTS audit_object_ids_gin",
    f"DROP TRIGGER IF EXISTS audit_trail_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS audit_trail_refuse_change()",
]


def _run_on_postgresql(statements: list[str]):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                # params=None: the function body's '%' is PL/pgSQL's, not a placeholder.
                schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit_trail", "0001_initial")]

    operations = [migrations.RunPython(_run_on_postgresql(FORWARD), _run_on_postgresql(BACKWARD))]
