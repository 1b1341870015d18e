"""Sources imported before versions existed get their current text as version 1."""

from django.db import migrations


def first_versions(apps, schema_editor):
    Source = apps.get_model("sources", "Source")
    SourceVersion = apps.get_model("sources", "SourceVersion")
    SourceVersion.objects.bulk_create(
        SourceVersion(
            source=source, number=1, text=source.text, content_hash=source.content_hash,
            original_filename=source.original_filename, imported_at=source.updated_at,
        )  # fmt: skip
        for source in Source.objects.filter(versions__isnull=True)
    )


class Migration(migrations.Migration):
    dependencies = [("sources", "0002_sourceversion_datemention")]

    operations = [migrations.RunPython(first_versions, migrations.RunPython.noop)]
