"""The source admin refuses authors that are not a list of names, on the authors field."""

import re

import pytest
from django.contrib.auth.models import User

from sources.models import Source

pytestmark = pytest.mark.django_db


def change_form_data(client, source, authors):
    """The change form's fields with `authors` typed in, and its inlines submitted empty."""
    page = client.get(f"/admin/sources/source/{source.pk}/change/").content.decode()
    inlines = re.findall(r'name="([^"]+)-TOTAL_FORMS"', page)
    return {
        "title": source.title, "slug": source.slug, "authors": authors, "container": source.container,
        "source_type": source.source_type, "issued": source.issued, "language": source.language, "url": source.url,
        "license": source.license, "license_url": source.license_url, "notes": source.notes,
        **{f"{prefix}-{name}": value for prefix in inlines
           for name, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0), ("MIN_NUM_FORMS", 0), ("MAX_NUM_FORMS", 1000))},
    }  # fmt: skip


@pytest.mark.parametrize("authors", ["[1, 2]", "[null]", '[["x"]]', '{"a": 1}', '"Ada Lovelace"'])
def test_change_form_refuses_authors_that_are_not_names(client, authors):
    """The form comes back with an error on the authors field, and the source is unchanged."""
    client.force_login(User.objects.create_superuser("root", password="x-not-real-123"))
    source = Source.objects.get(slug="baghai-unlikely-alliance")
    url = f"/admin/sources/source/{source.pk}/change/"
    response = client.post(url, change_form_data(client, source, authors))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["authors"]
    assert "list of names" in errors["authors"][0] or "each author is a name" in errors["authors"][0]
    assert Source.objects.get(pk=source.pk).authors == ["Christian Baghai"]


def test_change_form_saves_a_list_of_names(client):
    """A JSON list of names is saved as it is."""
    client.force_login(User.objects.create_superuser("root", password="x-not-real-123"))
    source = Source.objects.get(slug="baghai-unlikely-alliance")
    response = client.post(
        f"/admin/sources/source/{source.pk}/change/", change_form_data(client, source, '["Christian Baghai", "A. N. Other"]')
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert Source.objects.get(pk=source.pk).authors == ["Christian Baghai", "A. N. Other"]
