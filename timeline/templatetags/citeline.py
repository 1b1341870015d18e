import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

ALLOWED_TAGS = {"p", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "br", "sup", "sub"}


@register.filter
def markdown(text):
    """Markdown to HTML, sanitised with nh3: editors' annotations can never inject script or style."""
    html = markdown_lib.markdown(text or "", extensions=["smarty"], output_format="html")
    return mark_safe(
        nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    )
