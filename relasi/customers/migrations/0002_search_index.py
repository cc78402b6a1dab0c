"""Search indexes: SQLite FTS5 (trigram tokenizer) or PostgreSQL pg_trgm GIN indexes."""

from django.db import migrations


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS customers_search USING fts5("
                "text, tokenize='trigram case_sensitive 0')"
            )
        elif conn.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS customer_search_trgm ON customers_customer "
                "USING gin (search_text gin_trgm_ops)"
            )
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS customer_name_trgm ON customers_customer "
                "USING gin (lower(name) gin_trgm_ops)"
            )


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            cursor.execute("DROP TABLE IF EXISTS customers_search")
        elif conn.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS customer_search_trgm")
            cursor.execute("DROP INDEX IF EXISTS customer_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
