"""Search indexes for tickets and knowledge-base articles: SQLite FTS5 (trigram tokenizer) or
PostgreSQL pg_trgm GIN indexes, the same approach as the customers app."""

from django.db import migrations

TABLES = ["service_ticket_search", "service_article_search"]


def forwards(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for table in TABLES:
                cursor.execute(
                    f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5("
                    "text, tokenize='trigram case_sensitive 0')"
                )
        elif conn.vendor == "postgresql":
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS service_ticket_search_trgm ON service_ticket "
                "USING gin (search_text gin_trgm_ops)"
            )
            cursor.execute(
                "CREATE INDEX IF NOT EXISTS service_article_search_trgm ON service_articletranslation "
                "USING gin (search_text gin_trgm_ops)"
            )


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            for table in TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
        elif conn.vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS service_ticket_search_trgm")
            cursor.execute("DROP INDEX IF EXISTS service_article_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("service", "0002_defaults")]
    operations = [migrations.RunPython(forwards, backwards)]
