"""Citations as W3C Web Annotations, checked against the W3C's own test schemas (vendored in tests/w3c_web_annotation)."""

import json
from functools import cache
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from tests.factories import CitationFactory, EventFactory, TimelineFactory
from timeline.models import Citation

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).resolve().parents[1] / "w3c_web_annotation"
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


@cache
def _registry():
    """Every schema of the suite under the relative name its siblings use to refer to it ("annotations.json#/…")."""
    resources = []
    for path in SCHEMAS.rglob("*.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, Resource.from_contents(schema, default_specification=DRAFT4)))
    return Registry().with_resources(resources)


def _assertions(test_file):
    """The schemas a `*Musts.test` file of the suite lists: what every conforming document must satisfy."""
    listed = json.loads((SCHEMAS / test_file).read_text(encoding="utf-8"))["assertions"]
    return [json.loads((SCHEMAS / name).read_text(encoding="utf-8")) for name in listed]


def assert_conforms(document, test_file):
    failures = []
    for schema in _assertions(test_file):
        assert schema.get("expectedResult", "valid") == "valid"
        validator = Draft4Validator(schema, registry=_registry())
        if not validator.is_valid(document):
            failures.append(f"{schema['id']}: {schema.get('errorMessage', '')}")
    assert not failures, "\n".join(failures)


def test_the_schemas_catch_a_broken_annotation():
    """The vendored schemas are wired up: an annotation without @context or target fails them."""
    broken = {"id": "http://example.org/a/1", "type": "Annotation", "body": "http://example.org/b"}
    with pytest.raises(AssertionError, match="3.1-annotationContextValidated.json"):
        assert_conforms(broken, "annotations/annotationMusts.test")


def test_every_citation_of_the_demo_is_a_valid_web_annotation(client):
    """The collection, each annotation in it, and a later page pass every MUST of the W3C's test suite."""
    collection = client.get("/api/citations/", {"format": "jsonld", "page_size": 500}).json()
    assert collection["@context"] == ANNO_CONTEXT and collection["type"] == "AnnotationCollection"
    assert collection["total"] == Citation.objects.published().count() > 0
    assert_conforms(collection, "collections/collectionMusts.test")
    page = collection["first"]
    assert len(page["items"]) == collection["total"]
    for annotation in page["items"]:
        assert_conforms({"@context": ANNO_CONTEXT, **annotation}, "annotations/annotationMusts.test")
    later = client.get("/api/citations/", {"format": "jsonld", "page_size": 2, "page": 2})
    assert later["Content-Type"].startswith("application/ld+json")
    assert 'profile="http://www.w3.org/ns/anno.jsonld"' in later["Content-Type"]
    later_page = later.json()
    assert later_page["type"] == "AnnotationPage" and later_page["startIndex"] == 2 and "prev" in later_page
    assert_conforms(later_page, "collections/pages/pageMusts.test")


def test_an_annotation_says_where_the_quote_is(client):
    """Body: the event (URL, title). Target: the source page with quote and passage offsets, and the original by quote."""
    citation = CitationFactory(event=EventFactory(slug="anno-event", title="Anno event"))
    citation.passage.source.url = "https://journal.example.org/article"
    citation.passage.source.save()
    annotation = client.get(f"/api/citations/{citation.pk}/", {"format": "jsonld"}).json()
    assert_conforms(annotation, "annotations/annotationMusts.test")
    assert annotation["body"]["id"] == "http://testserver/events/anno-event/" and annotation["body"]["label"] == "Anno event"
    on_site, original = annotation["target"]
    assert on_site["source"] == f"http://testserver/sources/{citation.passage.source.slug}/"
    quote, fragment = on_site["selector"]
    assert quote == {"type": "TextQuoteSelector", "exact": citation.quote, "prefix": citation.prefix, "suffix": citation.suffix}
    assert fragment["type"] == "FragmentSelector" and fragment["value"] == f"p-{citation.passage.ordinal}"
    position = fragment["refinedBy"]
    assert position["type"] == "TextPositionSelector"
    # The offsets count in the passage's text, which the fragment selector names.
    assert citation.passage.text[position["start"] : position["end"]] == citation.quote
    assert original == {
        "type": "SpecificResource",
        "source": "https://journal.example.org/article",
        "selector": quote,
        "language": "en",
    }


def test_citations_of_one_event(client):
    """?event=<slug> lists that event's citations only."""
    first = CitationFactory(event=EventFactory(slug="anno-one"))
    CitationFactory(event=EventFactory(slug="anno-two"))
    collection = client.get("/api/citations/", {"format": "jsonld", "event": "anno-one"}).json()
    assert collection["total"] == 1 and collection["first"]["items"][0]["id"].endswith(f"/api/citations/{first.pk}/")
    assert_conforms(collection, "collections/collectionMusts.test")


def test_drafts_are_invisible_to_anonymous_readers(client, django_user_model):
    """Citations of draft events, and of published events in a draft timeline, are not annotations anyone can read."""
    draft = CitationFactory(event=EventFactory(slug="anno-draft", status="draft"))
    hidden = CitationFactory(event=EventFactory(slug="anno-hidden", timelines=[TimelineFactory(slug="anno-tl", status="draft")]))
    ids = {item["id"] for item in client.get("/api/citations/", {"format": "jsonld", "page_size": 500}).json()["first"]["items"]}
    for citation in (draft, hidden):
        assert not any(item.endswith(f"/api/citations/{citation.pk}/") for item in ids)
        assert client.get(f"/api/citations/{citation.pk}/", {"format": "jsonld"}).status_code == 404
    assert client.get("/api/citations/", {"format": "jsonld", "event": "anno-hidden"}).json()["total"] == 0
    client.force_login(django_user_model.objects.create_user("anno-editor", is_staff=True))
    assert client.get(f"/api/citations/{hidden.pk}/", {"format": "jsonld"}).status_code == 200
