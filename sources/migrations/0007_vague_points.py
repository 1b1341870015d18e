"""
Date mentions of "mid-2015" (and early, late) and sources' issued dates written as the reader's
six-month span become the point known within part of a year, "[2015-04..2015-09]"
(sources.vague_points); the bounds keep their days.
"""

from django.db import migrations

from sources.vague_points import vague_point


def forwards(apps, schema_editor):
    mention = apps.get_model("sources", "datemention")
    for row in mention.objects.filter(edtf__contains="/").only("pk", "edtf").iterator():
        if edtf := vague_point(row.edtf):
            mention.objects.filter(pk=row.pk).update(edtf=edtf, precision="season")
    source = apps.get_model("sources", "source")
    for row in source.objects.filter(issued__contains="/").only("pk", "issued").iterator():
        if edtf := vague_point(row.issued):
            source.objects.filter(pk=row.pk).update(issued=edtf)


class Migration(migrations.Migration):
    dependencies = [("sources", "0006_passage_page_and_archived_copies")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
