"""
"mid-2015", "early 2015" and "late 2015" are one point known within part of a year, no longer a
six-month span: events', periods' and claimed dates written by the date reader as
"2015-04/2015-09" become the EDTF set "[2015-04..2015-09]" (sources.vague_points). Bounds keep
their days; the precision becomes "season" (part of a year). History rows keep what was stored then.
"""

from django.db import migrations

from sources.vague_points import vague_point


def forwards(apps, schema_editor):
    for name in ("event", "period"):
        model = apps.get_model("timeline", name)
        for row in model.objects.filter(date__contains="/").only("pk", "date").iterator():
            if edtf := vague_point(row.date):
                model.objects.filter(pk=row.pk).update(date=edtf, date_precision="season")
    citation = apps.get_model("timeline", "citation")
    for row in citation.objects.filter(claimed_date__contains="/").only("pk", "claimed_date").iterator():
        if edtf := vague_point(row.claimed_date):
            citation.objects.filter(pk=row.pk).update(claimed_date=edtf)


def backwards(apps, schema_editor):
    for name, field in (("event", "date"), ("period", "date"), ("citation", "claimed_date")):
        model = apps.get_model("timeline", name)
        for row in model.objects.filter(**{f"{field}__startswith": "["}).only("pk", field).iterator():
            value = getattr(row, field)
            first, _, last = value[1:-1].partition("..")
            changes = {field: f"{first}/{last}"}
            if field == "date":
                changes["date_precision"] = "month"
            model.objects.filter(pk=row.pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [("timeline", "0009_timelines")]
    operations = [migrations.RunPython(forwards, backwards)]
