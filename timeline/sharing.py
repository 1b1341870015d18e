"""
Query strings of timeline URLs, shared by the page, the widget and the panels: the filter parameters
of a URL, the widget's options, and the links and snippets of the "Download" and "Embed this view" panels.
"""

from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.urls import reverse
from django.utils.html import escape

from timeline.exports import EXPORT_RENDERERS, timeline_title
from timeline.filters import EventFilter
from timeline.models import Theme
from timeline.permissions import DRAFTS_PARAMETER, drafts_requested

EMBED_DEFAULT_LIMIT = 20
EMBED_MAX_LIMIT = 100
SCHEMES = ("auto", "light", "dark")
DOWNLOAD_LABELS = {
    "csv": "CSV (spreadsheet)",
    "ics": "iCalendar (calendar apps)",
    "timelinejs": "TimelineJS JSON",
    "csljson": "CSL-JSON (Zotero, citation managers)",
    "bibtex": "BibTeX (LaTeX)",
}
EXPORT_FORMATS = [renderer.format for renderer in EXPORT_RENDERERS]


def query_clean(query_dict, drop=None):
    """
    The query string of a reader's link (the axis's zoom and pan, the filters' links): without empty
    values (what a submitted form adds) and without `drop`, by default the page number and the
    "Embed this view" panel's options, which belong to the panel, not to the view a reader follows.
    """
    drop = ("page", *EMBED_OPTION_NAMES) if drop is None else drop
    return urlencode([(key, value) for key, values in query_dict.lists() if key not in drop for value in values if value.strip()])


def reader_query(query_dict):
    """`query_dict` without the "Embed this view" panel's options: the QueryDict a reader's link (the next page) is built from."""
    query = query_dict.copy()
    for name in EMBED_OPTION_NAMES:
        query.pop(name, None)
    return query


def filter_query(query):
    """
    The EventFilter parameters of `query` (a QueryDict), empty values dropped: what the page, the
    widget, the exports and the API all understand. Pagination, format and widget options are not in it.
    """
    names = EventFilter.base_filters.keys()
    pairs = [(name, value) for name in names for value in query.getlist(name) if value.strip()]
    result = QueryDict(mutable=True)
    for name, value in pairs:
        result.appendlist(name, value)
    return result


def timeline_filter_query(query, timeline):
    """filter_query(query) for `timeline`'s events: its slug first, whatever `timeline` the query named."""
    result = QueryDict(mutable=True)
    result["timeline"] = timeline.slug
    for name, values in filter_query(query).lists():
        if name != "timeline":
            result.setlist(name, values)
    return result


def embed_options(query):
    """(filter parameters, colour scheme, event limit) of a widget URL's query."""
    filters = filter_query(query)
    scheme = query.get("scheme", "")
    # `theme=light|dark` also names the colour scheme (as in early snippets), unless a theme has that slug.
    named = [value for value in filters.getlist("theme") if value in ("light", "dark")]
    if named and not Theme.objects.filter(slug__in=named).exists():
        filters.setlist("theme", [value for value in filters.getlist("theme") if value not in named])
        if not filters.getlist("theme"):
            del filters["theme"]
        scheme = scheme or named[-1]
    try:
        limit = int(query.get("limit", EMBED_DEFAULT_LIMIT))
    except ValueError:
        limit = EMBED_DEFAULT_LIMIT
    limit = min(max(limit, 1), EMBED_MAX_LIMIT)
    # Light unless the embedder asks: a widget sits in someone else's page, whose scheme it cannot know.
    return filters, scheme if scheme in SCHEMES else "light", limit


WIDGET_VIEWS = ("axis", "list", "story")
WIDGET_TITLE_MAX = 200


def widget_options(query):
    """The widget's own options besides filters, scheme and limit: view (axis, list or story) and title."""
    view = query.get("view", "")
    return {"view": view if view in WIDGET_VIEWS else "axis", "title": query.get("title", "").strip()[:WIDGET_TITLE_MAX]}


def widget_query(filters, scheme, limit, view="axis", title=""):
    query = filters.copy()
    if scheme != "light":
        query["scheme"] = scheme
    if limit != EMBED_DEFAULT_LIMIT:
        query["limit"] = str(limit)
    if view != "axis":
        query["view"] = view
    if title:
        query["title"] = title
    return query.urlencode()


def url_with_query(path, query):
    return f"{path}?{query}" if query else path


EMBED_HEIGHT_RANGE = (150, 3000)
EMBED_IFRAME_HEIGHT = 480  # the plain iframe's height when the embedder picks none (it cannot grow to fit)
EMBED_IFRAME_MAX_WIDTH = 800  # px: the widget is a compact column; wider, its lines grow too long to read
EMBED_VIEW_CHOICES = [("axis", "Axis above a compact list"), ("list", "Compact list"), ("story", "Story, one event at a time")]
EMBED_SCHEME_CHOICES = [("light", "Light"), ("dark", "Dark"), ("auto", "The reader's system setting")]


class EmbedOptionsForm(forms.Form):
    """
    The "Embed this view" panel's options, as query parameters of the timeline page (embed_view,
    embed_scheme, embed_limit, embed_height, embed_title), so the panel works as a plain GET form.
    A bad value gets a message naming the fix; the snippets then use that option's default.
    """

    embed_view = forms.ChoiceField(
        label="View", choices=EMBED_VIEW_CHOICES, required=False,
        error_messages={"invalid_choice": "“%(value)s” is not a view of the widget: choose axis, list or story."},
    )  # fmt: skip
    embed_scheme = forms.ChoiceField(
        label="Colours", choices=EMBED_SCHEME_CHOICES, required=False,
        error_messages={"invalid_choice": "“%(value)s” is not a colour scheme: choose light, dark or auto."},
    )  # fmt: skip
    embed_limit = forms.IntegerField(
        label="Events shown", min_value=1, max_value=EMBED_MAX_LIMIT, required=False,
        error_messages={
            "invalid": f"Events shown: give a whole number from 1 to {EMBED_MAX_LIMIT}.",
            "min_value": f"Events shown: give a whole number from 1 to {EMBED_MAX_LIMIT}.",
            "max_value": f"Events shown: at most {EMBED_MAX_LIMIT}; the link under the widget opens the rest.",
        },
    )  # fmt: skip
    embed_height = forms.IntegerField(
        label="Height in pixels", min_value=EMBED_HEIGHT_RANGE[0], max_value=EMBED_HEIGHT_RANGE[1], required=False,
        help_text=f"Empty: the script's widget grows to fit its events, the plain iframe is {EMBED_IFRAME_HEIGHT} px.",
        error_messages={
            "invalid": "Height: give a whole number of pixels, {} to {}, or leave it empty.".format(*EMBED_HEIGHT_RANGE),
            "min_value": "Height: give a whole number of pixels, {} to {}, or leave it empty.".format(*EMBED_HEIGHT_RANGE),
            "max_value": "Height: give a whole number of pixels, {} to {}, or leave it empty.".format(*EMBED_HEIGHT_RANGE),
        },
    )  # fmt: skip
    embed_title = forms.CharField(
        label="Title", max_length=WIDGET_TITLE_MAX, required=False,
        error_messages={"max_length": f"Title: at most {WIDGET_TITLE_MAX} characters (this one has %(show_value)d)."},
    )  # fmt: skip

    def options(self):
        """The chosen options, each bad or missing one replaced by its default."""
        cleaned = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return {
            "view": cleaned.get("embed_view") or "axis",
            "scheme": cleaned.get("embed_scheme") or "light",
            "limit": cleaned.get("embed_limit") or EMBED_DEFAULT_LIMIT,
            "height": cleaned.get("embed_height"),
            "title": cleaned.get("embed_title") or "",
        }


EMBED_OPTION_NAMES = tuple(EmbedOptionsForm.base_fields)


def embed_panel_form(query):
    """The panel's options form, bound when the page's query names any option, validated."""
    bound = any(name in query for name in EMBED_OPTION_NAMES)
    form = EmbedOptionsForm({name: query.get(name, "") for name in EMBED_OPTION_NAMES} if bound else None)
    form.is_valid()
    return form


def embed_snippets(*, attributes, script_src, widget_src, default_title, view, scheme, limit, height, title):
    """
    The script and plain-iframe snippets for the chosen options; share_panel.js builds the same text
    in the browser as the options change (tests/e2e/test_embed.py compares the two).
    """
    options = f' data-view="{view}" data-scheme="{scheme}" data-limit="{limit}"'
    if height:
        options += f' data-height="{height}"'
    if title:
        options += f' data-title="{escape(title)}"'
    script = f'<div data-citeline{attributes}{options}></div>\n<script src="{escape(script_src)}" async></script>'
    own = QueryDict(mutable=True)
    own.update({name: value for name, value, default in (
        ("view", view, "axis"), ("scheme", scheme, "light"), ("limit", str(limit), str(EMBED_DEFAULT_LIMIT)), ("title", title, ""),
    ) if value != default})  # fmt: skip
    src = widget_src + (("&" if "?" in widget_src else "?") + own.urlencode() if own else "")
    # Responsive: as wide as the column, up to a readable width; as tall as chosen (it cannot grow to fit without the script).
    iframe_height = height or EMBED_IFRAME_HEIGHT
    iframe = (
        f'<iframe src="{escape(src)}" title="{escape(title or default_title)}" width="100%" height="{iframe_height}" loading="lazy" '
        f'style="display:block;width:100%;max-width:{EMBED_IFRAME_MAX_WIDTH}px;height:{iframe_height}px;border:0"></iframe>'
    )
    return {"script": script, "iframe": iframe, "src": src}


def share_context(request, timeline=None):
    """
    Links and snippets for a timeline page's "Download" and "Embed this view" panels: `timeline`'s
    events, filtered, and the widget options the panel's form chose (embed_view, embed_scheme…).
    """
    filters = filter_query(request.GET) if timeline is None else timeline_filter_query(request.GET, timeline)
    query = filters.urlencode()
    events_api = reverse("api:event-list")
    downloads = [
        {"format": renderer.format, "label": DOWNLOAD_LABELS.get(renderer.format, renderer.format),
         "url": url_with_query(events_api, urlencode([("format", renderer.format)]) + (f"&{query}" if query else ""))}
        for renderer in EXPORT_RENDERERS
    ]  # fmt: skip
    attributes = "".join(
        f' data-{name.replace("_", "-")}="{escape(" ".join(filters.getlist(name)) if name in ("actor", "theme", "source") else filters.getlist(name)[-1])}"'
        for name in filters
    )
    form = embed_panel_form(request.GET)
    options = form.options()
    base = {
        "attributes": attributes,
        "script_src": request.build_absolute_uri(reverse("embed_script")),
        "widget_src": request.build_absolute_uri(url_with_query(reverse("embed_timeline"), query)),
        "default_title": timeline.title if timeline else timeline_title(),
    }
    snippets = embed_snippets(**base, **options)
    # The preview beside the snippets shows drafts too when the page does; the snippets never ask for them.
    preview = url_with_query(reverse("embed_timeline"), snippets["src"].partition("?")[2])
    drafts = drafts_requested(request)
    if drafts:
        preview += ("&" if "?" in preview else "?") + "drafts=1"
    return {
        "query": query,
        "downloads": downloads,
        "json_url": url_with_query(events_api, query),
        "widget_url": preview,
        "script_snippet": snippets["script"],
        "iframe_snippet": snippets["iframe"],
        "embed_form": form,
        "embed_base": base,
        "embed_iframe_height": options["height"] or EMBED_IFRAME_HEIGHT,
        # What the fields show: what the reader typed (even when it is bad, so it can be fixed), else the defaults.
        "embed_values": {
            "view": options["view"],
            "scheme": options["scheme"],
            "limit": (form["embed_limit"].value() if form.is_bound else "") or EMBED_DEFAULT_LIMIT,
            "height": form["embed_height"].value() if form.is_bound else "",
            "title": form["embed_title"].value() if form.is_bound else "",
        },
        "embed_errors": {name.removeprefix("embed_"): " ".join(errors) for name, errors in form.errors.items()},
        "embed_messages": {
            name.removeprefix("embed_"): form.fields[name].error_messages.get("invalid", "")
            for name in ("embed_limit", "embed_height")
        },
        "embed_limits": {
            "limit_max": EMBED_MAX_LIMIT,
            "height_min": EMBED_HEIGHT_RANGE[0],
            "height_max": EMBED_HEIGHT_RANGE[1],
            "title_max": WIDGET_TITLE_MAX,
            "iframe_max_width": EMBED_IFRAME_MAX_WIDTH,
            "iframe_height": EMBED_IFRAME_HEIGHT,
            "default_limit": EMBED_DEFAULT_LIMIT,
        },
        "embed_choices": {"view": EMBED_VIEW_CHOICES, "scheme": EMBED_SCHEME_CHOICES},
        "embed_drafts": drafts,
        # The page's other parameters ride along when the panel's form is sent without JavaScript
        # (`drafts` only for an editor who sees them: a reader's page never offers it).
        "embed_keep": [
            (name, value)
            for name, values in request.GET.lists()
            if name not in EMBED_OPTION_NAMES and name != "page" and (name != DRAFTS_PARAMETER or drafts)
            for value in values
        ],
    }
