"""`manage.py import_sources`: checking, importing and re-importing documents (sources.importing)."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sources.models import Passage, Source
from tests.sources.helpers import cite, edit, import_sources, write_manifest
from timeline.management.commands.demo import DEMO_MANIFEST
from timeline.models import Citation

pytestmark = pytest.mark.django_db

ARTICLE = (
    "Tehran and Moscow sign a treaty\n\n"
    "Iran and Russia signed a comprehensive strategic partnership treaty in Moscow on 17 January 2025.\n\n"
    "The treaty stops short of a mutual defence clause, a weaker promise than an alliance would be.\n"
)
NOTES = (
    "Notes on the North–South corridor\n\n"
    "The corridor would link Russian ports on the Caspian Sea with the Iranian port of Bandar Abbas.\n"
)


def import_refused(*paths, manifest=None):
    """Run the command expecting it to refuse; the error's message and stderr."""
    stderr = StringIO()
    options = {"manifest": str(manifest)} if manifest else {}
    with pytest.raises(CommandError) as excinfo:
        call_command("import_sources", *map(str, paths), stdout=StringIO(), stderr=stderr, **options)
    return str(excinfo.value), stderr.getvalue()


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "treaty.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.fixture
def notes(tmp_path):
    path = tmp_path / "Corridor Notes.txt"
    path.write_text(NOTES, encoding="utf-8")
    return path


# New files.


def test_import_creates_sources_and_prints_a_summary_per_file(article, notes):
    """Importing new files stores them with their passages and prints one line per file with its passage counts."""
    stdout, stderr = import_sources(article, notes)
    lines = stdout.splitlines()
    assert lines[0] == "created treaty (treaty.txt): 3 passages (1 heading, 2 body, 0 reference, 0 boilerplate)"
    assert lines[1] == "created corridor-notes (Corridor Notes.txt): 2 passages (1 heading, 1 body, 0 reference, 0 boilerplate)"
    assert lines[2] == "2 source(s) read, 2 created or updated."
    assert stderr == ""
    treaty = Source.objects.get(slug="treaty")
    assert list(treaty.passages.values_list("role", flat=True)) == ["heading", "body", "body"]
    assert treaty.passages.get(ordinal=2).text.startswith("Iran and Russia signed")
    assert Source.objects.get(slug="corridor-notes").passages.count() == 2


def test_import_without_manifest_takes_slug_from_file_name_and_title_from_heading(notes):
    """A file given on its own gets a slug from its file name and a title from its first heading."""
    import_sources(notes)
    source = Source.objects.get(slug="corridor-notes")
    assert source.title == "Notes on the North–South corridor"
    assert (source.original_filename, source.media_type, source.language) == ("Corridor Notes.txt", "text/plain", "en")


def test_import_with_manifest_stores_its_metadata(tmp_path, article):
    """The manifest's slug, title, authors, type and date are stored with the source."""
    manifest = write_manifest(tmp_path, [{
        "file": "treaty.txt", "slug": "treaty-report", "title": "The 2025 treaty", "authors": ["Jane Doe", "John Roe"],
        "type": "news", "issued": "2025-01-17", "url": "https://example.org/treaty",
    }])  # fmt: skip
    import_sources(manifest=manifest)
    source = Source.objects.get(slug="treaty-report")
    assert (source.title, source.authors, source.source_type, source.issued) == (
        "The 2025 treaty", ["Jane Doe", "John Roe"], "news", "2025-01-17",
    )  # fmt: skip
    assert source.url == "https://example.org/treaty"


def test_import_a_folder_takes_its_text_and_html_files(tmp_path, article, notes):
    """A folder imports its .txt and .html documents and nothing else in it."""
    (tmp_path / "picture.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    stdout, _ = import_sources(tmp_path)
    assert "2 source(s) read" in stdout
    assert set(Source.objects.filter(slug__in=["treaty", "corridor-notes", "picture"]).values_list("slug", flat=True)) == {
        "treaty", "corridor-notes",
    }  # fmt: skip


def test_import_without_paths_or_manifest_is_refused():
    """Running the command with nothing to import says what to give it."""
    message, _ = import_refused()
    assert "give file or folder paths, or a --manifest" in message


# Re-importing.


def test_reimport_of_the_same_file_changes_nothing(article):
    """Importing a file a second time reports it unchanged and keeps the very same passages."""
    import_sources(article)
    source = Source.objects.get(slug="treaty")
    passages_before = list(source.passages.values_list("pk", "ordinal", "text"))
    updated_at = source.updated_at

    stdout, _ = import_sources(article)

    assert stdout.splitlines()[0].startswith("unchanged treaty (treaty.txt): 3 passages")
    assert "0 created or updated" in stdout
    source.refresh_from_db()
    assert list(source.passages.values_list("pk", "ordinal", "text")) == passages_before
    assert source.updated_at == updated_at


def test_reimport_with_new_line_endings_is_unchanged(article):
    """The same text saved with Windows line endings and trailing spaces is still the same source."""
    import_sources(article)
    article.write_bytes(ARTICLE.replace("\n", "  \r\n").encode("utf-8"))
    stdout, _ = import_sources(article)
    assert stdout.startswith("unchanged treaty")


def test_reimport_of_the_demo_corpus_changes_nothing():
    """Importing the demo manifest again leaves all five demo sources as they are."""
    passages_before = set(Passage.objects.values_list("pk", flat=True))
    stdout, _ = import_sources(manifest=DEMO_MANIFEST)
    assert len(re.findall(r"^unchanged ", stdout, re.M)) == 5
    assert "5 source(s) read, 0 created or updated." in stdout
    assert set(Passage.objects.values_list("pk", flat=True)) == passages_before


def test_reimport_with_changed_metadata_updates_only_the_metadata(tmp_path, article):
    """A manifest correction on an unchanged text updates the source but keeps its passages."""
    import_sources(manifest=write_manifest(tmp_path, [{"file": "treaty.txt", "title": "Old title"}]))
    passages_before = list(Passage.objects.filter(source__slug="treaty").values_list("pk", flat=True))
    stdout, _ = import_sources(manifest=write_manifest(tmp_path, [{"file": "treaty.txt", "title": "New title"}]))
    assert stdout.startswith("updated treaty")
    assert Source.objects.get(slug="treaty").title == "New title"
    assert list(Passage.objects.filter(source__slug="treaty").values_list("pk", flat=True)) == passages_before


# Refusals: every file is checked first, and one bad file means nothing is written.


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("scan.txt", b"%PDF-1.7\n\x00\x00\x00\x01binary stream", "a damaged PDF"),
        ("blob.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a binary file"),
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b"  \n\t\n\r\n   \n", "the file is empty"),
        ("latin1.txt", "Café à Téhéran, accord signé en 2025.".encode("latin-1"), "not valid UTF-8"),
    ],
    ids=["damaged pdf", "binary", "empty", "white space only", "latin-1"],
)
def test_import_refuses_a_bad_file_and_writes_nothing(tmp_path, article, name, content, reason):
    """A file that is not UTF-8 text is refused on one line naming it and why, and the good file beside it is not imported either."""
    bad = tmp_path / name
    bad.write_bytes(content)
    count = Source.objects.count()

    message, stderr = import_refused(article, bad)

    (line,) = stderr.splitlines()
    assert line.startswith(f"{bad}: ") and reason in line
    assert "nothing was imported" in message
    assert Source.objects.count() == count
    assert not Source.objects.filter(slug="treaty").exists()


def test_import_refuses_a_file_over_the_size_limit(tmp_path, article, settings):
    """A file over CITELINE_IMPORT_MAX_BYTES is refused, naming the setting to raise."""
    settings.CITELINE_IMPORT_MAX_BYTES = len(ARTICLE.encode()) + 10
    big = tmp_path / "big.txt"
    big.write_text(ARTICLE * 2, encoding="utf-8")
    count = Source.objects.count()

    _, stderr = import_refused(article, big)

    (line,) = stderr.splitlines()
    assert line.startswith(f"{big}: too large") and "CITELINE_IMPORT_MAX_BYTES" in line
    assert Source.objects.count() == count


def test_import_reports_every_bad_file(tmp_path, article):
    """Several bad files give one line each, so they can all be fixed in one go."""
    empty, binary = tmp_path / "empty.txt", tmp_path / "binary.txt"
    empty.write_bytes(b"")
    binary.write_bytes(b"\x00\x01\x02")
    message, stderr = import_refused(empty, article, binary)
    lines = stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{empty}: ") and lines[1].startswith(f"{binary}: ")
    assert message.startswith("2 of 3 file(s) refused")


def test_import_refuses_a_path_that_does_not_exist(tmp_path, article):
    """A mistyped path is refused, naming it, and nothing is imported."""
    missing = tmp_path / "treay.txt"
    count = Source.objects.count()
    message, stderr = import_refused(article, missing)
    assert f"{missing}: no such file or folder" in stderr.splitlines()[0]
    assert message == "Nothing was imported."
    assert Source.objects.count() == count


@pytest.mark.parametrize(
    ("bad_entry", "reason"),
    [
        ({"file": "missing.txt"}, "but not found"),
        ({"file": "bad.txt", "publisher": "The Eurasia Review"}, "unknown field(s) publisher"),
        ({"file": "bad.txt", "type": "journal"}, "has type “journal”"),
        ({"file": "bad.txt", "issued": "yesterday"}, "“yesterday” is not a valid EDTF date"),
        ({"file": "bad.txt", "issued": "2023-02-29"}, "“2023-02-29” is not a valid EDTF date"),
    ],
    ids=["missing file", "unknown field", "invalid type", "invalid EDTF", "impossible day"],
)
def test_import_refuses_a_bad_manifest_entry_and_writes_nothing(tmp_path, article, bad_entry, reason):
    """A wrong manifest entry is refused on one line naming its file and the problem, and the good entry is not imported either."""
    (tmp_path / "bad.txt").write_text(NOTES, encoding="utf-8")
    manifest = write_manifest(tmp_path, [{"file": "treaty.txt", "slug": "good-treaty"}, {"slug": "bad-one", **bad_entry}])
    count = Source.objects.count()

    message, stderr = import_refused(manifest=manifest)

    problems = [line for line in stderr.splitlines() if bad_entry["file"] in line]
    assert len(problems) == 1 and reason in problems[0]
    assert Source.objects.count() == count
    assert not Source.objects.filter(slug__in=["good-treaty", "bad-one"]).exists()


def test_import_refuses_an_unreadable_manifest(tmp_path):
    """A manifest with broken YAML is refused, naming the line to fix."""
    manifest = tmp_path / "manifest.yaml"
    manifest.write_text("sources:\n  - file: a.txt\n    title: [unclosed\n", encoding="utf-8")
    _, stderr = import_refused(manifest=manifest)
    assert stderr.startswith(f"{manifest}: not a readable YAML or JSON manifest at line")


# Re-importing an edited source whose passages are cited.


def assert_anchored(citation, quote):
    """The citation quotes `quote` at its offsets, and its prefix and suffix are the source text around it."""
    citation.refresh_from_db()
    passage, source = citation.passage, citation.passage.source
    assert citation.quote == quote
    assert passage.text[citation.start : citation.end] == quote
    where = passage.start + citation.start
    assert source.text[where - len(citation.prefix) : where] == citation.prefix
    assert source.text[where + len(quote) : where + len(quote) + len(citation.suffix)] == citation.suffix
    assert citation.prefix and citation.suffix


INSERTED = (
    "Editor's note: this paragraph was added to the copy so that every passage after it moves down by one place, "
    "Russia and Iran included."
)
S300 = "Russia agreed to supply Iran with its S-300"


def test_reimport_with_paragraph_inserted_at_top_moves_the_citation(baghai_copy):
    """A paragraph added at the top moves each citation to the passage now holding its quote, and no citation is lost."""
    path, manifest, source = baghai_copy
    citation = cite(source, S300)
    old_passage = citation.passage
    citation_count = Citation.objects.count()
    edit(path, "The Unlikely Alliance", f"{INSERTED}\n\nThe Unlikely Alliance")

    stdout, _ = import_sources(manifest=manifest)

    assert stdout.startswith("updated baghai-copy") and "citations: 0 kept, 1 moved" in stdout
    assert_anchored(citation, S300)
    assert citation.passage.ordinal == old_passage.ordinal + 1
    assert citation.passage.start == old_passage.start + len(INSERTED) + 2
    assert not Passage.objects.filter(pk=old_passage.pk).exists()
    assert Citation.objects.count() == citation_count


def test_reimport_with_paragraph_inserted_above_the_cited_one_updates_the_prefix(baghai_copy):
    """A citation at the start of a paragraph gets the new paragraph's last words as its prefix."""
    path, manifest, source = baghai_copy
    quote = "Alliances often form out of necessity"
    citation = cite(source, quote)
    assert citation.prefix.endswith("--\n\n")
    old_suffix = citation.suffix
    edit(path, quote, f"{INSERTED}\n\n{quote}")

    import_sources(manifest=manifest)

    assert_anchored(citation, quote)
    assert citation.prefix.endswith("Russia and Iran included.\n\n")
    assert citation.suffix == old_suffix


def test_reimport_keeps_a_repeated_quote_in_its_own_context(baghai_copy):
    """When the quoted words now also occur nearer the old place, the citation stays with the occurrence whose context matches."""
    path, manifest, source = baghai_copy
    citation = cite(source, "Russia and Iran", within="a strategic win for both Russia and Iran")
    old_ordinal = citation.passage.ordinal
    added = "Russia and Iran both claimed the victory as their own, each for its own reasons. "
    edit(path, "This victory was a strategic win", f"{added}This victory was a strategic win")

    stdout, _ = import_sources(manifest=manifest)

    assert "citations: 0 kept, 1 moved" in stdout
    assert_anchored(citation, "Russia and Iran")
    assert citation.passage.ordinal == old_ordinal
    assert citation.prefix.endswith("a strategic win for both ")


def test_reimport_that_loses_a_cited_quote_orphans_the_citation_and_keeps_it(baghai_copy):
    """Deleting a cited sentence no longer refuses the re-import: the citation is orphaned, kept with its quote, and counted."""
    path, manifest, source = baghai_copy
    citation = cite(source, S300)
    count = Citation.objects.count()
    edit(path, " By 2000, Iran was the third-largest customer of Russian-produced weapons, and by 2007, "
               "Russia agreed to supply Iran with its S-300 missile defense system.", "")  # fmt: skip

    stdout, _ = import_sources(manifest=manifest)

    assert "citations: 0 kept, 0 moved, 0 updated, 1 orphaned" in stdout
    source.refresh_from_db()
    assert S300 not in source.text
    assert source.versions.count() == 2 and S300 in source.versions.get(number=1).text
    citation.refresh_from_db()
    assert (citation.passage, citation.anchor_status, citation.orphaned_from, citation.quote) == (None, "orphaned", source, S300)
    assert Citation.objects.count() == count
