"""
Quote anchors in the manner of W3C Web Annotation selectors: a TextQuoteSelector (the exact quote
with a little context either side) backed by a TextPositionSelector (offsets in the passage).
"""

from typing import NamedTuple

CONTEXT_CHARS = 32


class Anchor(NamedTuple):
    start: int
    end: int
    prefix: str
    suffix: str


def quote_anchor(passage, quote, *, near=None):
    """
    Where `quote` stands in `passage`, with up to CONTEXT_CHARS of the source text either side
    (crossing passage boundaries, as a selector's context does). When the quote occurs more than
    once, the occurrence nearest `near` (an offset in the passage) wins. None if it is not there.
    """
    if not quote:
        return None
    text = passage.text
    occurrences = []
    index = text.find(quote)
    while index != -1:
        occurrences.append(index)
        index = text.find(quote, index + 1)
    if not occurrences:
        return None
    start = min(occurrences, key=lambda offset: abs(offset - near)) if near is not None else occurrences[0]
    end = start + len(quote)
    source_text = passage.source.text
    absolute_start, absolute_end = passage.start + start, passage.start + end
    return Anchor(
        start=start,
        end=end,
        prefix=source_text[max(0, absolute_start - CONTEXT_CHARS) : absolute_start],
        suffix=source_text[absolute_end : absolute_end + CONTEXT_CHARS],
    )
