"""
Rows written before "mid-2015" became a point known within a range: "2015-04/2015-09" (and early
and late, with their qualifiers) was what the date reader wrote for the words, and no editor types
those exact spans as EDTF for a duration. The migrations of both apps rewrite them as the set
"[2015-04..2015-09]" with this one function; the bounds are the same days.
"""

import re

VAGUE_SPAN_RE = re.compile(r"^(?P<year>\d{4})-(?P<a>01|04|09)(?P<q1>[~?%]?)/(?P=year)-(?P<b>04|09|12)(?P<q2>[~?%]?)$")
READER_SPANS = {("01", "04"), ("04", "09"), ("09", "12")}


def vague_point(edtf):
    """The set form of a span the date reader wrote for "early/mid/late YYYY", or None for any other date."""
    match = VAGUE_SPAN_RE.match(edtf or "")
    if not match or (match["a"], match["b"]) not in READER_SPANS or match["q1"] != match["q2"]:
        return None
    year = match["year"]
    return f"[{year}-{match['a']}{match['q1']}..{year}-{match['b']}{match['q2']}]"
