"""Source metadata is validated where it enters: the model refuses authors that are not a list of names."""

import pytest
from django.core.exceptions import ValidationError

from sources.models import Source

pytestmark = pytest.mark.django_db

NOT_NAMES = [[1, 2], [None], [["x"]], {"a": 1}, "Ada Lovelace", ["Ada Lovelace", "  "], 7]


def source(authors):
    return Source(slug="s", title="T", text="Text.", content_hash="0" * 64, authors=authors)


@pytest.mark.parametrize("authors", NOT_NAMES)
def test_full_clean_refuses_authors_that_are_not_a_list_of_names(authors):
    """A number, null, a nested list, an object, a plain string or a blank name is refused on the authors field."""
    with pytest.raises(ValidationError) as refused:
        source(authors).full_clean()
    assert set(refused.value.message_dict) == {"authors"}
    assert 'e.g. ["Ada Lovelace", "Charles Babbage"]' in refused.value.message_dict["authors"][0]


@pytest.mark.parametrize("authors", [[], ["Ada Lovelace"], ["Ada Lovelace", "Charles Babbage"]])
def test_full_clean_accepts_a_list_of_names(authors):
    """No authors, or any number of names, in order."""
    source(authors).full_clean()
