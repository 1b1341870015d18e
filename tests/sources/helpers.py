"""Helpers shared by the import and re-anchoring tests."""

import json
from io import StringIO

from django.core.management import call_command

from tests.factories import CitationFactory
from timeline.management.commands.demo import DEMO_MANIFEST

BAGHAI_FILE = DEMO_MANIFEST.parent / "004_daa38ce72eae267e.txt"


def import_sources(*paths, manifest=None):
    """Run the command; its stdout and stderr."""
    stdout, stderr = StringIO(), StringIO()
    options = {"manifest": str(manifest)} if manifest else {}
    call_command("import_sources", *map(str, paths), stdout=stdout, stderr=stderr, **options)
    return stdout.getvalue(), stderr.getvalue()


def write_manifest(folder, entries, name="manifest.yaml"):
    path = folder / name
    path.write_text(json.dumps({"sources": entries}), encoding="utf-8")  # JSON is YAML
    return path


def cite(source, quote, *, within=None):
    """A citation of `quote` in the passage that holds `within` (the quote itself unless given)."""
    passage = next(passage for passage in source.passages.all() if (within or quote) in passage.text)
    citation = CitationFactory(passage=passage, quote=quote)
    citation.full_clean()
    citation.save()
    return citation


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
