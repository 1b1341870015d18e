"""
Where a quote stands in a new text of its source: the placing half of re-anchoring, pure text work.
The layer that owns the quotes (timeline's citations) asks, then writes the answer.
"""

import bisect
from dataclasses import dataclass

from rapidfuzz import fuzz

from sources.anchoring import CONTEXT_CHARS

# A quote that is no longer in the new text is looked for again by similarity (rapidfuzz, 0–100):
# the best-matching span of the new text, snapped to whole words, must score at least this against
# the old quote. 85 accepts a fixed typo or a changed word or two in a sentence, and refuses a
# sentence that was rewritten or deleted (tests/sources/test_reanchor.py). Below it: orphaned.
FUZZY_THRESHOLD = 85


@dataclass(frozen=True)
class OldAnchor:
    """What a quote knew of its place before the re-import."""

    quote: str
    prefix: str
    suffix: str
    offset: int | None = None  # where the quote started in the old text; None for an orphan
    passage_text: str | None = None  # the old passage's text; None for an orphan


@dataclass(frozen=True)
class Placement:
    """Where a quote goes in the new text: an outcome (kept, moved, updated, orphaned) and, unless orphaned, its new place."""

    outcome: str
    passage_index: int | None = None
    start: int = 0  # offsets in the new passage
    end: int = 0
    prefix: str = ""
    suffix: str = ""
    quote: str = ""


class NewText:
    """A source's new text and passages (in order, each with start, end and text), ready to place quotes in."""

    def __init__(self, text, passages):
        self.text = text
        self.passages = passages
        self.starts = [passage.start for passage in passages]

    def place(self, old):
        """
        Where `old` goes. First the exact quote: the occurrence whose prefix and suffix still match,
        then the one nearest its old place. Then a fuzzy match of the quote (FUZZY_THRESHOLD)
        anywhere in the text, so it may land in a neighbouring passage: the quote is updated. Else orphaned.
        """
        exact = self._exact_place(old)
        if exact is not None:
            index, passage_index = exact
            quote = old.quote
            unchanged = old.offset == index and old.passage_text == self.passages[passage_index].text
            outcome = "kept" if unchanged else "moved"
        else:
            fuzzy = self._fuzzy_place(old.quote)
            if fuzzy is None:
                return Placement(outcome="orphaned")
            index, end, passage_index = fuzzy
            quote, outcome = self.text[index:end], "updated"
        passage, text = self.passages[passage_index], self.text
        return Placement(
            outcome=outcome, passage_index=passage_index, quote=quote,
            start=index - passage.start, end=index - passage.start + len(quote),
            prefix=text[max(0, index - CONTEXT_CHARS) : index], suffix=text[index + len(quote) : index + len(quote) + CONTEXT_CHARS],
        )  # fmt: skip

    def _passage_index(self, index, end):
        """The passage holding text[index:end] entirely, or None."""
        position = bisect.bisect_right(self.starts, index) - 1
        if position >= 0 and end <= self.passages[position].end:
            return position
        return None

    def _exact_place(self, old):
        text, candidates = self.text, []
        index = text.find(old.quote)
        while index != -1:
            end = index + len(old.quote)
            context_score = (text[max(0, index - len(old.prefix)) : index] == old.prefix) + (
                text[end : end + len(old.suffix)] == old.suffix
            )
            passage_index = self._passage_index(index, end)
            if passage_index is not None:
                distance = abs(index - old.offset) if old.offset is not None else 0
                candidates.append((-context_score, distance, index, passage_index))
            index = text.find(old.quote, index + 1)
        if not candidates:
            return None
        _, _, index, passage_index = min(candidates)
        return index, passage_index

    def _fuzzy_place(self, quote):
        """(start, end, passage index) of the span of the text most like `quote`, if it scores FUZZY_THRESHOLD or more."""
        if len(quote) < 12:
            return None  # a word or two: any similar words would do, which is no evidence
        text, passages = self.text, self.passages
        alignment = fuzz.partial_ratio_alignment(quote, text, score_cutoff=FUZZY_THRESHOLD)
        if alignment is None:
            return None
        start, end = alignment.dest_start, alignment.dest_end
        # Whole words only: widen a cut word, then trim white space.
        while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
            start -= 1
        while end < len(text) and text[end - 1].isalnum() and text[end].isalnum():
            end += 1
        # A span across two passages keeps the part in the passage that holds most of it.
        passage_index = max(
            range(len(passages)),
            key=lambda i: min(end, passages[i].end) - max(start, passages[i].start),
        )
        passage = passages[passage_index]
        start, end = max(start, passage.start), min(end, passage.end)
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end <= start or fuzz.ratio(quote, text[start:end]) < FUZZY_THRESHOLD:
            return None
        return start, end, passage_index
