"""Count the tallies of a site that already has events (a fresh site has none: nothing to do)."""

from django.db import migrations


def tallies_fill(apps, schema_editor):
    # The live module, not historical models: the tallies are a derived index, recounted with the
    # same code that keeps them. Later schema changes to events or links must keep this runnable.
    from timeline.tallies import tallies_rebuild

    if apps.get_model("timeline", "Event").objects.using(schema_editor.connection.alias).exists():
        tallies_rebuild(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("timeline", "0014_tallies")]

    operations = [migrations.RunPython(tallies_fill, migrations.RunPython.noop)]
