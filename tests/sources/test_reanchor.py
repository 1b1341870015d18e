"""Re-importing an edited source: every citation is kept, moved, updated and flagged, or orphaned — never deleted."""

import pytest

from sources.models import DateMention, SourceVersion
from tests.sources.helpers import BAGHAI_FILE, cite, edit, import_sources, write_manifest
from timeline.models import Citation, Event

pytestmark = pytest.mark.django_db

S300 = "Russia agreed to supply Iran with its S-300 missile defense system."
CIVIL_WAR = "took a significant turn towards a full-fledged alliance with the outbreak of the Syrian Civil War in 2011"
UKRAINE = "The invasion of Ukraine by Russia in 2022 further solidified the Russia-Iran alliance."
DRONES = "Iran stepped in to provide the Russians with drones, missiles, body armor, and more"


@pytest.fixture
def baghai(baghai_copy):
    """A copy of the 004 demo article under its own slug, with three citations in three paragraphs."""
    path, manifest, source = baghai_copy
    citations = [cite(source, S300), cite(source, CIVIL_WAR), cite(source, DRONES)]
    return path, manifest, source, citations


def reimport(manifest):
    stdout, _ = import_sources(manifest=manifest)
    return stdout


def statuses(citations):
    for citation in citations:
        citation.refresh_from_db()
    return [citation.anchor_status for citation in citations]


def assert_in_place(citation):
    """An anchored citation's quote is its passage's text at its offsets."""
    citation.refresh_from_db()
    assert citation.passage.text[citation.start : citation.end] == citation.quote


def test_paragraph_inserted_moves_every_citation(baghai):
    """A paragraph added near the top moves the citations below it, keeps the count, and keeps the old text as version 1."""
    path, manifest, source, citations = baghai
    count = Citation.objects.count()
    edit(path, "Alliances often form", "An inserted paragraph about the corridor and the Caspian Sea.\n\nAlliances often form")

    stdout = reimport(manifest)

    assert "citations: 0 kept, 3 moved, 0 updated, 0 orphaned" in stdout
    assert "citations: 0 kept, 3 moved, 0 updated, 0 orphaned; none deleted." in stdout
    assert statuses(citations) == ["moved"] * 3
    for citation in citations:
        assert_in_place(citation)
    assert list(source.versions.values_list("number", flat=True)) == [2, 1]
    assert "An inserted paragraph" not in source.versions.get(number=1).text
    assert Citation.objects.count() == count


def test_typo_fixed_inside_a_quoted_sentence_updates_the_quote_and_flags_it(tmp_path):
    """A quote whose words were corrected is found by similarity, updated to the new words, and marked for review with the old quote kept."""
    path = tmp_path / "typo.txt"
    path.write_text(BAGHAI_FILE.read_text(encoding="utf-8").replace("supply Iran with", "suply Iran with"), encoding="utf-8")
    manifest = write_manifest(tmp_path, [{"file": "typo.txt", "slug": "baghai-typo"}])
    import_sources(manifest=manifest)
    source = SourceVersion.objects.get(source__slug="baghai-typo").source
    old_quote = S300.replace("supply", "suply")
    citation = cite(source, old_quote)
    count = Citation.objects.count()
    edit(path, "suply Iran with", "supply Iran with")

    stdout = reimport(manifest)

    assert "citations: 0 kept, 0 moved, 1 updated, 0 orphaned" in stdout
    assert "needs review" in stdout
    citation.refresh_from_db()
    assert (citation.anchor_status, citation.quote, citation.previous_quote) == ("updated", S300, old_quote)
    assert_in_place(citation)
    assert citation.prefix.endswith("and by 2007, ") and citation.suffix.startswith("\n\n")
    assert Citation.objects.needs_review().filter(pk=citation.pk).exists()
    assert Citation.objects.count() == count


def test_paragraphs_reordered_move_citations_with_their_words(baghai):
    """Two cited paragraphs swapped: each citation follows its quote into the other's place."""
    path, manifest, source, citations = baghai
    text = path.read_text(encoding="utf-8")
    first = next(p for p in text.split("\n\n") if CIVIL_WAR in p)
    second = next(p for p in text.split("\n\n") if DRONES in p)
    path.write_text(text.replace(first, "\0").replace(second, first).replace("\0", second), encoding="utf-8")
    ordinals = {c.pk: c.passage.ordinal for c in citations}

    stdout = reimport(manifest)

    assert "0 updated, 0 orphaned" in stdout
    for citation in citations:
        assert_in_place(citation)
    civil_war, drones = citations[1], citations[2]
    assert (civil_war.passage.ordinal, drones.passage.ordinal) == (ordinals[drones.pk], ordinals[civil_war.pk])
    assert citations[0].anchor_status == "anchored" and citations[0].passage.ordinal == ordinals[citations[0].pk]


def test_cited_paragraph_deleted_orphans_its_citation_and_keeps_it(baghai, client):
    """A deleted paragraph orphans its citation (no passage, old quote kept, source named); readers never see it; the count holds."""
    path, manifest, source, citations = baghai
    paragraph = next(p for p in path.read_text(encoding="utf-8").split("\n\n") if DRONES in p)
    edit(path, paragraph + "\n\n", "")
    count = Citation.objects.count()

    stdout = reimport(manifest)

    assert "citations: 2 kept, 0 moved, 0 updated, 1 orphaned" in stdout
    orphan = citations[2]
    orphan.refresh_from_db()
    assert (orphan.passage, orphan.anchor_status, orphan.orphaned_from, orphan.quote) == (None, "orphaned", source, DRONES)
    assert (orphan.start, orphan.end) == (0, 0)
    assert orphan.previous_quote == DRONES
    assert Citation.objects.count() == count
    assert list(source.orphaned_citations.all()) == [orphan]
    event = Event.objects.for_reader().get(pk=orphan.event_id)
    assert orphan not in event.citations.all()


def test_an_orphan_is_placed_again_when_its_words_come_back(baghai):
    """Restoring the deleted paragraph re-anchors the orphan on the next import."""
    path, manifest, source, citations = baghai
    original = path.read_text(encoding="utf-8")
    paragraph = next(p for p in original.split("\n\n") if DRONES in p)
    edit(path, paragraph + "\n\n", "")
    reimport(manifest)
    path.write_text(original, encoding="utf-8")

    stdout = reimport(manifest)

    assert "1 moved, 0 updated, 0 orphaned" in stdout
    orphan = citations[2]
    assert_in_place(orphan)
    assert (orphan.anchor_status, orphan.orphaned_from) == ("moved", None)


def test_a_reworded_quote_moved_into_the_neighbouring_paragraph_is_found_there(baghai):
    """Fuzzy matching searches the whole text: a sentence moved, slightly reworded, into the next paragraph is updated there."""
    path, manifest, source, citations = baghai
    old_ordinal = citations[0].passage.ordinal
    moved_sentence = "By 2007, Russia agreed to supply Iran with its S-300 missile-defense system."
    edit(
        path,
        " By 2000, Iran was the third-largest customer of Russian-produced weapons, and by 2007, " + S300,
        " By 2000, Iran was the third-largest customer of Russian-produced weapons.",
    )
    edit(path, "The relationship between Moscow and Tehran", moved_sentence + " The relationship between Moscow and Tehran")

    stdout = reimport(manifest)

    assert "1 updated" in stdout
    citation = citations[0]
    assert_in_place(citation)
    assert citation.passage.ordinal == old_ordinal + 1
    assert citation.anchor_status == "updated" and citation.quote.startswith("Russia agreed to supply Iran")


def test_a_rewritten_sentence_below_the_threshold_is_orphaned(baghai):
    """A sentence rewritten below the fuzzy threshold (FUZZY_THRESHOLD similarity) is not guessed at: orphaned."""
    path, manifest, source, citations = baghai
    edit(path, S300, "Moscow later sold Tehran an air defence system.")
    assert "1 orphaned" in reimport(manifest)
    assert statuses(citations)[0] == "orphaned"


def test_date_mentions_are_rebuilt_and_dismissals_survive(baghai):
    """The new passages get their date mentions, and a candidate an editor dismissed stays dismissed."""
    path, manifest, source, citations = baghai
    mention = DateMention.objects.get(passage__source=source, text="1991")
    mention.dismissed = True
    mention.save()
    edit(path, "Alliances often form", "A new first paragraph, written in 2024.\n\nAlliances often form")

    reimport(manifest)

    assert DateMention.objects.get(passage__source=source, text="1991").dismissed
    assert DateMention.objects.filter(passage__source=source, text="2024", role="event").exists()
