"""
The axis's indexes: date_upper (the span's walks), and on PostgreSQL a GiST index of an event's days
as a range, which serves the axis's window condition (timeline.axis.DaysOverlap) so that a window
reads its own events only. SQLite has no range type; there the window is read by its comparisons.
"""

from django.db import migrations, models

GIST_INDEX = "event_days_gist"


def gist_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {GIST_INDEX} ON timeline_event USING gist (int8range(date_lower, date_upper, '[]'))"
        )


def gist_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIST_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0012_event_order_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["date_upper"], name="event_date_upper_idx"),
        ),
        migrations.RunPython(gist_create, gist_drop, elidable=False),
    ]
