"""Template filters and tags of the reader's pages: Markdown, search snippets, marked quotes, dates in words."""

import re
from html import unescape

from django import template
from django.utils.html import conditional_escape, escape, format_html, strip_tags
from django.utils.safestring import mark_safe

from sources.dates import year_display
from timeline.citing import text_fragment_url
from timeline.markdown import markdown_html
from timeline.selectors import SNIPPET_START, SNIPPET_STOP

register = template.Library()

TEMPLATE_LINE_BREAK = re.compile(r"\n[ \t]*")


@register.tag
def joinlines(parser, token):
    """
    `{% joinlines %}…{% endjoinlines %}`: the template's own line breaks, and the indentation after them,
    are left out of the page, so markup repeated on every card can be written one element a line and
    still weigh nothing between its tags. What variables print is untouched; a space the page needs is
    written on the line itself.
    """
    nodelist = parser.parse(("endjoinlines",))
    parser.delete_first_token()
    for node in nodelist.get_nodes_by_type(template.base.TextNode):
        node.s = TEMPLATE_LINE_BREAK.sub("", node.s)
    return JoinLinesNode(nodelist)


class JoinLinesNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        return self.nodelist.render(context)


@register.filter
def markdown(text):
    """Markdown to sanitised HTML (timeline.markdown)."""
    return markdown_html(text)


@register.filter
def plain_text(text):
    """
    An annotation as plain text, for attributes such as <meta name="description">: Markdown rendered,
    tags dropped, entities decoded. Not marked safe (unlike |striptags on safe HTML), so the template
    escapes it: a quote in the annotation cannot end the attribute.
    """
    return unescape(strip_tags(markdown(text)))


@register.filter
def in_source(passage, citation_pk):
    """
    The source page holding `passage` (passage.get_absolute_url), marking the quote of citation
    `citation_pk` (?c=) and scrolled to it (#q-), when one is given.
    """
    url = passage.get_absolute_url()
    if not str(citation_pk or "").isdigit():
        return url
    base = url.partition("#")[0]
    return f"{base}{'&' if '?' in base else '?'}c={citation_pk}#q-{citation_pk}"


@register.filter
def snippet(text):
    """A search snippet (see timeline.selectors): escaped, with the matched words in <mark>."""
    escaped = conditional_escape(text or "")
    return mark_safe(escaped.replace(SNIPPET_START, "<mark>").replace(SNIPPET_STOP, "</mark>"))


@register.simple_tag
def marked_passage(passage, citations, current=None, ids=False):
    """
    The passage text, escaped, with each cited quote wrapped in <mark>. Overlapping quotes are
    marked once, from the first one's start. `current` (a citation pk: the quote the reader came
    from) gets class="is-current" and aria-current; with `ids`, each mark gets the stable id
    q-<citation pk> to link to.
    """
    text = passage.text
    pieces, position = [], 0
    for citation in sorted(citations, key=lambda citation: (citation.start, citation.end)):
        start, end = max(citation.start, position), min(citation.end, len(text))
        if start >= end:
            continue
        is_current = str(citation.pk) == str(current)
        attrs = (f' id="q-{citation.pk}"' if ids else "") + (' aria-current="true"' if is_current else "")
        classes = ["quote-mark", f"quote-mark--{citation.stance}"] + (["is-current"] if is_current else [])
        pieces.append(escape(text[position:start]))
        pieces.append(format_html('<mark{} class="{}">{}</mark>', mark_safe(attrs), " ".join(classes), text[start:end]))
        position = end
    pieces.append(escape(text[position:]))
    return mark_safe("".join(str(piece) for piece in pieces))


@register.filter
def date_explained(obj):
    """The date of an event or period spelled out: precision, uncertainty and the days it can mean."""
    bounds = obj.date_bounds
    precision = {
        "day": "Known to the day",
        "month": "Known to the month",
        "season": "Known to part of a year",
        "year": "Known to the year",
        "decade": "Known to the decade",
        "century": "Known to the century",
        "millennium": "Known to the millennium",
    }[bounds.precision]
    sentences = []
    lower = "an unknown start" if bounds.first.is_open else bounds.first.display()
    upper = "an open end" if bounds.last.is_open else bounds.last.display()
    if bounds.is_set:
        sentences.append(
            f"A single moment, not a span of time: the sources place it sometime between {lower} and {upper}, "
            "without saying when."
        )
        if bounds.approximate:
            sentences.append("Even that range is approximate (“circa”).")
        if bounds.uncertain:
            sentences.append("Even that range is uncertain: the sources disagree or hedge.")
        return " ".join(sentences)
    if bounds.is_interval:
        sentences.append(f"A span of time. {precision} at its vaguer end.")
    else:
        sentences.append(f"{precision}.")
    if bounds.approximate:
        sentences.append("The date is approximate (“circa”): the sources give it roughly.")
    if bounds.uncertain:
        sentences.append("The date is uncertain: the sources disagree or hedge.")
    if bounds.lower == bounds.upper:
        sentences.append(f"It means {lower}.")
    else:
        sentences.append(
            f"It can mean any day from {lower} to {upper}."
            if bounds.is_interval
            else f"It lies somewhere from {lower} to {upper}."
        )
    return " ".join(sentences)


@register.filter
def text_fragment(url, quote):
    """The source's URL with a text fragment that highlights `quote` in the original page."""
    return text_fragment_url(url, quote)


@register.filter
def periods_during(periods, year):
    """The periods that cover any part of `year` (astronomical), for the bands beside a year heading."""
    return [
        period for period in periods
        if (period.date_first.is_open or period.date_first.year <= year)
        and (period.date_last.is_open or year <= period.date_last.year)
    ]  # fmt: skip


@register.filter
def year_words(year):
    """An astronomical year as readers write it: "44 BCE", "14 CE", "2015", "65 million years ago"."""
    return year_display(int(year)) if year not in (None, "") else ""


@register.filter
def iso_day(day):
    """A Day (sources.dates) as an HTML datetime value, or "" where HTML has none (before 1 CE, open)."""
    date = day.as_date() if day is not None else None
    return date.isoformat() if date else ""


@register.filter
def getlist(query_dict, key):
    """All values of `key` in a QueryDict (the form's data): the actors, themes or sources chosen."""
    return query_dict.getlist(key) if hasattr(query_dict, "getlist") else []
