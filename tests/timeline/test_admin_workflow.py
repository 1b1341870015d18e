"""The editor's workbench: upload, date preview, quote picker, candidate events, orphans in the admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sources.models import DateMention, Passage, Source
from tests.factories import CitationFactory, UserFactory
from timeline.models import Citation, Event
from timeline.selectors import mention_candidates

pytestmark = pytest.mark.django_db

ARTICLE = (
    b"Tehran and Moscow sign a treaty\n\nIran and Russia signed a strategic partnership treaty in Moscow on 17 January 2025.\n"
)


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(username="workbench", superuser=True))
    return client


def test_upload_imports_a_document_with_passages_and_date_mentions(editor_client):
    """Uploading a text file in the admin imports it as the command would, with its date mentions, and opens it."""
    upload = SimpleUploadedFile("treaty.txt", ARTICLE, content_type="text/plain")
    response = editor_client.post(
        reverse("admin:sources_source_upload"),
        {"file": upload, "slug": "uploaded-treaty", "authors": "Jane Doe; John Roe", "type": "news"},
    )
    source = Source.objects.get(slug="uploaded-treaty")
    # The next step: the new document's candidate events.
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:sources_datemention_candidates')}?source={source.pk}"
    assert (source.authors, source.source_type, source.passages.count(), source.versions.count()) == (
        ["Jane Doe", "John Roe"],
        "news",
        2,
        1,
    )
    (mention,) = DateMention.objects.filter(passage__source=source)
    assert (mention.text, mention.edtf, mention.role) == ("17 January 2025", "2025-01-17", "event")


def test_upload_of_a_bad_file_shows_a_form_error(editor_client):
    """A binary file is refused on the form, naming the reason, and nothing is imported."""
    count = Source.objects.count()
    upload = SimpleUploadedFile("scan.txt", b"%PDF\x00\x00\x01", content_type="text/plain")
    response = editor_client.post(reverse("admin:sources_source_upload"), {"file": upload})
    assert response.status_code == 200
    assert "a binary file" in response.content.decode()
    assert Source.objects.count() == count


@pytest.mark.parametrize("htmx", [False, True])
def test_date_preview_shows_edtf_bounds_and_words(editor_client, htmx):
    """The preview view answers the same fragment with or without HX-Request."""
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    page = editor_client.get(reverse("admin:timeline_event_date_preview"), {"date": "خرداد 1397"}, **headers).content.decode()
    assert "2018-05-22/2018-06-21" in page and "from 2018-05-22 to 2018-06-21" in page and "Solar Hijri" in page
    error = editor_client.get(reverse("admin:timeline_event_date_preview"), {"date": "someday"}, **headers).content.decode()
    assert "is not a date Citeline can read" in error


def test_event_form_accepts_natural_language_and_saves_edtf(editor_client):
    """Without JavaScript the date field converts "c. 2007" to EDTF on save; the form loads htmx and the helpers from static files."""
    form = editor_client.get(reverse("admin:timeline_event_add")).content.decode()
    assert (
        "vendor/htmx/htmx-4.0.1.min.js" in form
        and "citeline/admin/quote_picker.js" in form
        and "citeline/admin/date_preview.js" in form
    )
    data = {
        "title": "Arms deal", "slug": "arms-deal", "status": "draft", "date": "c. 2007", "display_date": "", "annotation": "",
        "citations-TOTAL_FORMS": "0", "citations-INITIAL_FORMS": "0", "citations-MIN_NUM_FORMS": "0", "citations-MAX_NUM_FORMS": "1000",
        "media_item-TOTAL_FORMS": "0", "media_item-INITIAL_FORMS": "0",
    }  # fmt: skip
    assert editor_client.post(reverse("admin:timeline_event_add"), data).status_code == 302
    assert Event.objects.get(slug="arms-deal").date == "2007~"


def test_quote_picker_loads_the_passage_text(editor_client):
    """The picker's view returns the passage text to select the quote in, with its direction."""
    passage = Passage.objects.get(source__slug="baghai-unlikely-alliance", text__contains="S-300")
    page = editor_client.get(
        reverse("admin:timeline_event_passage_text"), {"passage": passage.pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'class="citeline-passage-text" dir="ltr"' in page and "S-300 missile defense system" in page


def test_picked_offsets_fill_the_citation(editor_client):
    """The offsets the picker fills are kept, and prefix and suffix are derived from them."""
    passage = Passage.objects.get(source__slug="baghai-unlikely-alliance", text__contains="S-300")
    quote = "Russia agreed to supply Iran with its S-300"
    start = passage.text.index(quote)
    data = {
        "title": "S-300 deal", "slug": "s300-deal", "status": "published", "date": "2007", "display_date": "", "annotation": "",
        "citations-TOTAL_FORMS": "1", "citations-INITIAL_FORMS": "0", "citations-MIN_NUM_FORMS": "0", "citations-MAX_NUM_FORMS": "1000",
        "media_item-TOTAL_FORMS": "0", "media_item-INITIAL_FORMS": "0",
        "citations-0-ordinal": "1", "citations-0-passage": str(passage.pk), "citations-0-quote": quote, "citations-0-stance": "supports",
        "citations-0-note": "", "citations-0-start": str(start), "citations-0-end": str(start + len(quote)),
    }  # fmt: skip
    assert editor_client.post(reverse("admin:timeline_event_add"), data).status_code == 302
    citation = Citation.objects.get(event__slug="s300-deal")
    assert (citation.start, citation.prefix[-13:]) == (start, "and by 2007, ")


def test_candidate_to_published_event(editor_client):
    """A candidate mention becomes a draft event citing its sentence in one click, and leaves the candidate list."""
    mention = (
        mention_candidates().select_related("passage").get(passage__source__slug="bahrami-counter-russia-iran-ties", text="2024")
    )
    page = editor_client.get(reverse("admin:sources_datemention_candidates")).content.decode()
    assert f'id="mention-{mention.pk}"' in page and "<mark>2024</mark>" in page

    response = editor_client.post(reverse("admin:sources_datemention_create_event", args=[mention.pk]))

    event = Event.objects.get(citations__passage=mention.passage, date="2024")
    assert response["Location"] == reverse("admin:timeline_event_change", args=[event.pk])
    assert event.status == "draft"
    (citation,) = event.citations.all()
    assert (
        citation.quote == mention.sentence and "2024" in citation.quote and citation.quote.startswith("However, the question is")
    )
    assert citation.prefix and citation.anchor_status == "anchored"
    assert not mention_candidates().filter(pk=mention.pk).exists()
    editor_client.post(reverse("admin:timeline_event_changelist"), {"action": "publish", "_selected_action": [event.pk]})
    event.refresh_from_db()
    assert event.status == "published"


def test_candidate_views_refuse_get(editor_client):
    """Creating and dismissing are POST only."""
    mention = mention_candidates().first()
    assert editor_client.get(reverse("admin:sources_datemention_create_event", args=[mention.pk])).status_code == 405


def test_dismissing_a_candidate_is_remembered(editor_client):
    """A dismissed candidate leaves the list and records who dismissed it."""
    mention = mention_candidates().first()
    editor_client.post(reverse("admin:sources_datemention_dismiss", args=[mention.pk]))
    mention.refresh_from_db()
    assert mention.dismissed and mention.dismissed_by.username == "workbench" and mention.dismissed_at
    assert not mention_candidates().filter(pk=mention.pk).exists()


def test_orphans_are_listed_for_review_and_hidden_from_readers(editor_client):
    """An orphaned citation shows in the "needs review" filter with its old quote and on its source, never on the reader's pages."""
    citation = CitationFactory()
    source = citation.passage.source
    Citation.objects.filter(pk=citation.pk).update(passage=None, start=0, end=0, anchor_status="orphaned", orphaned_from=source)
    changelist = editor_client.get(reverse("admin:timeline_citation_changelist"), {"review": "needed"}).content.decode()
    assert "orphaned from" in changelist and citation.quote[:40] in changelist
    # The source's page holds its text, quote and all: the orphan is the row of its inline that links to the citation.
    source_page = editor_client.get(reverse("admin:sources_source_change", args=[source.pk])).content.decode()
    assert reverse("admin:timeline_citation_change", args=[citation.pk]) in source_page
    event = Event.objects.for_reader().get(pk=citation.event_id)
    assert citation.pk not in {c.pk for c in event.citations.all()}


def test_an_upload_of_200000_paragraphs_is_refused_naming_the_file_the_count_and_the_fix(editor_client):
    """An HTML file of 200,000 short paragraphs is refused before anything is written, with the count and the setting to raise."""
    html = (
        "<html><body><article>" + "".join(f"<p>Paragraph {number}.</p>" for number in range(200_000)) + "</article></body></html>"
    )
    upload = SimpleUploadedFile("huge.html", html.encode(), content_type="text/html")
    count = Passage.objects.count()
    response = editor_client.post(reverse("admin:sources_source_upload"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200 and "huge.html" in page and "the limit is 20,000" in page
    assert "CITELINE_IMPORT_MAX_PASSAGES" in page
    assert Passage.objects.count() == count


def test_a_50_mb_upload_is_refused_by_its_size_without_being_read():
    """The form looks at upload.size only: a 50 MB file is refused before a byte of it is read."""
    from sources.admin import SourceUploadForm

    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("the upload was read")

        def chunks(self, *args):
            raise AssertionError("the upload was read")

    upload = Unreadable("big.txt", b"x", content_type="text/plain")
    upload.size = 50 * 1024 * 1024
    form = SourceUploadForm(data={}, files={"file": upload})
    assert not form.is_valid()
    assert "big.txt: too large (52,428,800 bytes" in form.errors["file"][0]


def test_an_import_parses_and_finds_dates_before_its_transaction(editor_client, monkeypatch):
    """Date extraction (the slow part) runs before the import's transaction opens: the write lock is held for the writes only."""
    from django.db import connection

    import sources.importing

    depths, extract = [], sources.importing.passage_mentions

    def recording(*args, **kwargs):
        depths.append(len(connection.savepoint_ids))
        return extract(*args, **kwargs)

    monkeypatch.setattr(sources.importing, "passage_mentions", recording)
    outside = len(connection.savepoint_ids)
    upload = SimpleUploadedFile("treaty.txt", ARTICLE, content_type="text/plain")
    response = editor_client.post(reverse("admin:sources_source_upload"), {"file": upload, "slug": "early-dates"})
    assert response.status_code == 302
    assert depths and set(depths) == {outside}
