# SQLite's search index (timeline.models.EVENT_FTS_TABLE), filled from the events already there.
# PostgreSQL searches its GIN-indexed search vector (0004) instead.

from django.db import migrations

from timeline.models import EVENT_FTS_ROWS, EVENT_FTS_TABLE


def create_and_fill(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {EVENT_FTS_TABLE} USING fts5(title, annotation, quotes, tokenize='trigram')"
    )
    schema_editor.execute(f"INSERT INTO {EVENT_FTS_TABLE} (rowid, title, annotation, quotes) {EVENT_FTS_ROWS}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {EVENT_FTS_TABLE}")


class Migration(migrations.Migration):

    dependencies = [
        ('timeline', '0005_content_version'),
    ]

    operations = [
        migrations.RunPython(create_and_fill, drop),
    ]
