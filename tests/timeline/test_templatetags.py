"""The reader's template tags: here, joinlines, which keeps repeated markup light."""

from django.template import Context, Template


def test_joinlines_drops_the_templates_own_line_breaks_but_not_what_variables_print():
    """Markup written one element a line renders without whitespace between tags; a variable's text keeps its line breaks."""
    template = Template(
        "{% load citeline %}{% joinlines %}\n<ul>\n  {% for name in names %}\n    <li>{{ name }}</li>\n  {% endfor %}\n</ul> <p>{{ note }}</p>\n{% endjoinlines %}"
    )
    html = template.render(Context({"names": ["Iran", "Russia"], "note": "two\nlines"}))
    assert html == "<ul><li>Iran</li><li>Russia</li></ul> <p>two\nlines</p>"
