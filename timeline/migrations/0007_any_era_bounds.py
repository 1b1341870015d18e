"""
Events' and periods' bounds (and their history's) become signed day numbers of any era
(sources.dates.day_number), computed again from each row's EDTF: a DateField held 1–9999 CE only,
so "-0043-03-15" was stored as "any date" and sorted as undated.
"""

from django.db import migrations, models

from sources.dates import OPEN_LOWER, OPEN_UPPER, edtf_bounds, validate_edtf

DATED_MODELS = ("event", "period", "historicalevent")
PRECISIONS = [
    ("day", "day"), ("month", "month"), ("season", "season"), ("year", "year"), ("decade", "decade"),
    ("century", "century"), ("millennium", "millennium"),
]  # fmt: skip


def day_bounds(edtf):
    """(lower, upper) day numbers of an EDTF string; an unreadable one (none should exist) is open at both ends."""
    try:
        bounds = edtf_bounds(edtf)
    except Exception:  # noqa: BLE001 - a migration must not stop on one bad row
        return OPEN_LOWER, OPEN_UPPER
    return bounds.lower, bounds.upper


def dated_bounds_fill(apps, schema_editor):
    for name in DATED_MODELS:
        model = apps.get_model("timeline", name)
        for row in model.objects.only("pk", "date").iterator():
            row.date_lower_day, row.date_upper_day = day_bounds(row.date)
            row.save(update_fields=["date_lower_day", "date_upper_day"])


def _bound_field(which, *, null=False):
    help_text = f"{'First' if which == 'lower' else 'Last'} day the date can mean, as a day number."
    return models.BigIntegerField(blank=True, editable=False, help_text=help_text, null=null)


def _convert(model_name):
    """Add the day-number columns, fill them, drop the date columns and take their names."""
    return [
        migrations.AddField(model_name=model_name, name="date_lower_day", field=models.BigIntegerField(null=True)),
        migrations.AddField(model_name=model_name, name="date_upper_day", field=models.BigIntegerField(null=True)),
    ]


def _finish(model_name):
    return [
        migrations.RemoveField(model_name=model_name, name="date_lower"),
        migrations.RemoveField(model_name=model_name, name="date_upper"),
        migrations.RenameField(model_name=model_name, old_name="date_lower_day", new_name="date_lower"),
        migrations.RenameField(model_name=model_name, old_name="date_upper_day", new_name="date_upper"),
        migrations.AlterField(model_name=model_name, name="date_lower", field=_bound_field("lower")),
        migrations.AlterField(model_name=model_name, name="date_upper", field=_bound_field("upper")),
        migrations.AlterField(
            model_name=model_name,
            name="date_precision",
            field=models.CharField(blank=True, choices=PRECISIONS, editable=False, max_length=10),
        ),
        migrations.AlterField(
            model_name=model_name,
            name="date",
            field=models.CharField(
                max_length=60,
                validators=[validate_edtf],
                help_text="EDTF: 2015, 2022-07, 2019-06-28, 2007~ (about), 2015? (uncertain), 2011/2019, ../1999 (before 2000), "
                "-0043-03-15 (15 March 44 BCE), Y-13800000000.",
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [("timeline", "0006_event_search_fts"), ("sources", "0005_datemention_day_numbers")]

    operations = [
        migrations.RemoveConstraint(model_name="event", name="event_date_lower_lte_upper"),
        migrations.RemoveConstraint(model_name="period", name="period_date_lower_lte_upper"),
        migrations.RemoveIndex(model_name="event", name="timeline_ev_status_c1c5b3_idx"),
        *[operation for name in DATED_MODELS for operation in _convert(name)],
        migrations.RunPython(dated_bounds_fill, migrations.RunPython.noop, elidable=False),
        *[operation for name in DATED_MODELS for operation in _finish(name)],
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["status", "date_lower", "date_upper"], name="timeline_ev_status_c1c5b3_idx"),
        ),
        migrations.AddIndex(
            model_name="period", index=models.Index(fields=["date_lower", "date_upper"], name="period_date_bounds_idx")
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.CheckConstraint(condition=models.Q(("date_lower__lte", models.F("date_upper"))), name="event_date_lower_lte_upper"),
        ),
        migrations.AddConstraint(
            model_name="period",
            constraint=models.CheckConstraint(condition=models.Q(("date_lower__lte", models.F("date_upper"))), name="period_date_lower_lte_upper"),
        ),
    ]
