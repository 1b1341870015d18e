"""
Date mentions' bounds become signed day numbers of any era (sources.dates.day_number), computed
again from each mention's EDTF: a DateField held 1–9999 CE only, so "-0043-03-15" could not be stored.
"""

from django.db import migrations, models

from sources.dates import OPEN_LOWER, OPEN_UPPER, edtf_bounds


def day_bounds(edtf):
    """(lower, upper) day numbers of an EDTF string; an unreadable one (none should exist) is open at both ends."""
    try:
        bounds = edtf_bounds(edtf)
    except Exception:  # noqa: BLE001 - a migration must not stop on one bad row
        return OPEN_LOWER, OPEN_UPPER
    return bounds.lower, bounds.upper


def mention_bounds_fill(apps, schema_editor):
    DateMention = apps.get_model("sources", "DateMention")
    for mention in DateMention.objects.only("pk", "edtf").iterator():
        mention.lower_day, mention.upper_day = day_bounds(mention.edtf)
        mention.save(update_fields=["lower_day", "upper_day"])


class Migration(migrations.Migration):
    dependencies = [("sources", "0004_source_authors_are_names")]

    operations = [
        migrations.RemoveConstraint(model_name="datemention", name="date_mention_lower_lte_upper"),
        migrations.RemoveIndex(model_name="datemention", name="sources_dat_role_68b91a_idx"),
        migrations.AddField(model_name="datemention", name="lower_day", field=models.BigIntegerField(null=True)),
        migrations.AddField(model_name="datemention", name="upper_day", field=models.BigIntegerField(null=True)),
        migrations.RunPython(mention_bounds_fill, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="datemention", name="lower"),
        migrations.RemoveField(model_name="datemention", name="upper"),
        migrations.RenameField(model_name="datemention", old_name="lower_day", new_name="lower"),
        migrations.RenameField(model_name="datemention", old_name="upper_day", new_name="upper"),
        migrations.AlterField(
            model_name="datemention",
            name="lower",
            field=models.BigIntegerField(help_text="First day the mention can mean, as a day number."),
        ),
        migrations.AlterField(
            model_name="datemention",
            name="upper",
            field=models.BigIntegerField(help_text="Last day the mention can mean, as a day number."),
        ),
        migrations.AlterField(
            model_name="datemention",
            name="precision",
            field=models.CharField(
                choices=[
                    ("day", "day"), ("month", "month"), ("season", "season"), ("year", "year"), ("decade", "decade"),
                    ("century", "century"), ("millennium", "millennium"),
                ],
                max_length=10,
            ),
        ),  # fmt: skip
        migrations.AddIndex(
            model_name="datemention",
            index=models.Index(fields=["role", "dismissed", "lower"], name="sources_dat_role_68b91a_idx"),
        ),
        migrations.AddConstraint(
            model_name="datemention",
            constraint=models.CheckConstraint(condition=models.Q(("lower__lte", models.F("upper"))), name="date_mention_lower_lte_upper"),
        ),
    ]
