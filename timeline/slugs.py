"""
Slugs that read as their titles do: words joined by any dash stay joined by "-" ("1979–1989" is
1979-1989, not 19791989), and other scripts are transliterated as sources' slugs are ("راه‌آهن رشت"
is not an empty slug). Events made in the admin, curated files and TimelineJS imports all use it.
"""

import re

from anyascii import anyascii
from django.utils.text import slugify

# Every dash a title may join words with: hyphen, non-breaking hyphen, figure, en and em dashes,
# horizontal bar, minus, small and full-width hyphen-minus. "Rasht–Astara" is rasht-astara.
DASHES_RE = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d]")
SLUG_MAX_LENGTH = 60


def slug_from(text: str, *, max_length: int = SLUG_MAX_LENGTH, default: str = "event") -> str:
    """A slug of `text` that keeps its dashes and transliterates other scripts; `default` when nothing is left."""
    slug = slugify(anyascii(DASHES_RE.sub("-", text or "")))
    return re.sub(r"-{2,}", "-", slug)[:max_length].strip("-") or default
