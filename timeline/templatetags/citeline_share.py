"""The timeline page's "Download" and "Embed this view" panels: links and snippets for the current filters."""

from django import template

from timeline.sharing import share_context

register = template.Library()


@register.simple_tag(takes_context=True)
def share_links(context):
    """{% share_links as share %}: download links, widget URL and embed snippets for request.GET (page dropped) and the page's timeline."""
    return share_context(context["request"], timeline=context.get("timeline"))
