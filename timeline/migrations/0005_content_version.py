"""The content version behind the HTTP validators: one row, created here, moved by every editorial commit."""

from django.db import migrations, models
from django.utils import timezone


def content_version_create(apps, schema_editor):
    ContentVersion = apps.get_model("timeline", "ContentVersion")
    ContentVersion.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"version": 1, "changed_at": timezone.now()}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0004_event_search_vector"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "version",
                    models.BigIntegerField(default=0, help_text="Moves by one at each commit that changed what readers see."),
                ),
                (
                    "changed_at",
                    models.DateTimeField(
                        help_text="When the version last moved; always at least a second after the previous value, so Last-Modified moves too."
                    ),
                ),
            ],
            options={
                "constraints": [models.CheckConstraint(condition=models.Q(("pk", 1)), name="content_version_single_row")],
            },
        ),
        migrations.RunPython(content_version_create, migrations.RunPython.noop),
    ]
