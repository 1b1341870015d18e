"""Editors' Markdown turned into sanitised HTML: the one renderer behind pages, API, exports and feed."""

import markdown as markdown_lib
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "br", "sup", "sub"}


def markdown_html(text):
    """Markdown to HTML, sanitised with nh3: editors' annotations can never inject script or style."""
    html = markdown_lib.markdown(text or "", extensions=["smarty"], output_format="html")
    return mark_safe(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes={"a": {"href", "title"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )
