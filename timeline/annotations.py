"""
Citations as W3C Web Annotations (https://www.w3.org/TR/annotation-model/), served by the citations
API as `?format=jsonld`, so annotation tools (Hypothesis and others) can read our evidence.

One citation is one Annotation whose body is the event (its page and title) and whose target is the
cited source:

- on this site, the page of the source that holds the passage, with two selectors, either of which
  finds the quote: a TextQuoteSelector (exact, prefix, suffix) over the page's text, and a
  FragmentSelector naming the passage's element (`#p-N`) refined by a TextPositionSelector whose
  start and end count characters (Unicode code points) in that passage's text — not in the page or
  the whole document;
- the source's own address (`Source.url`), when it has one, with the TextQuoteSelector only: the
  original's text is not ours, so offsets would not hold there.

A list is an AnnotationCollection (id, label, total) holding its first AnnotationPage; later pages
(`?page=N`) are AnnotationPages that name their collection (partOf) and their neighbours.
"""

from urllib.parse import urlencode

from django.urls import reverse

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MEDIA_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
FRAGMENT_SPEC = "http://tools.ietf.org/rfc/rfc3986"


def _iso(moment):
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def citation_annotation(citation, request, *, context=True):
    """One Annotation (JSON-ready) for an anchored citation (passage and source selected)."""
    passage, event = citation.passage, citation.event
    source = passage.source
    quote = {"type": "TextQuoteSelector", "exact": citation.quote, "prefix": citation.prefix, "suffix": citation.suffix}
    page = request.build_absolute_uri(passage.get_absolute_url().split("#", 1)[0])
    targets = [
        {
            "type": "SpecificResource",
            "source": page,
            "selector": [
                quote,
                {
                    "type": "FragmentSelector",
                    "conformsTo": FRAGMENT_SPEC,
                    "value": passage.anchor,
                    "refinedBy": {"type": "TextPositionSelector", "start": citation.start, "end": citation.end},
                },
            ],
        }
    ]
    if source.url:
        targets.append({"type": "SpecificResource", "source": source.url, "selector": quote})
    annotation = {
        "id": request.build_absolute_uri(reverse("api:citation-detail", kwargs={"pk": citation.pk})),
        "type": "Annotation",
        "motivation": "linking",
        "created": _iso(citation.created_at),
        "modified": _iso(citation.updated_at),
        "body": {
            "id": request.build_absolute_uri(event.get_absolute_url()),
            "type": "Text",
            "format": "text/html",
            "label": event.title,
        },
        "target": targets if len(targets) > 1 else targets[0],
    }
    if source.language:
        for target in targets:
            target["language"] = source.language
    return {"@context": ANNO_CONTEXT, **annotation} if context else annotation


def _list_url(request, number=None):
    """The list's URL as JSON-LD: the collection without a page number, one of its pages with one."""
    query = request.GET.copy()
    query["format"] = "jsonld"
    query.pop("page", None)
    if number is not None:
        query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.items()))}")


def citations_annotation_list(page, request, *, label):
    """
    The AnnotationCollection (with its first page embedded) when no page is asked for; the
    AnnotationPage asked for (`?page=N`), which names its collection, otherwise.
    """
    paginator, number = page.paginator, page.number
    annotation_page = {
        "id": _list_url(request, number),
        "type": "AnnotationPage",
        "startIndex": page.start_index() - 1 if paginator.count else 0,
        "items": [citation_annotation(citation, request, context=False) for citation in page.object_list],
    }
    if page.has_next():
        annotation_page["next"] = _list_url(request, number + 1)
    if page.has_previous():
        annotation_page["prev"] = _list_url(request, number - 1)
    if "page" in request.GET:
        part_of = {"id": _list_url(request), "type": "AnnotationCollection", "label": label, "total": paginator.count}
        return {"@context": ANNO_CONTEXT, **annotation_page, "partOf": part_of}
    return {
        "@context": ANNO_CONTEXT,
        "id": _list_url(request),
        "type": "AnnotationCollection",
        "label": label,
        "total": paginator.count,
        "first": annotation_page,
        "last": _list_url(request, paginator.num_pages),
    }
