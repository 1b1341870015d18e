"""
A realistic synthetic timeline for benchmarks (`manage.py seed_synthetic`): events across eras at
mixed precision (days, months, years, decades, intervals, approximate, uncertain, BCE), actors and
themes with a long tail, periods, sources with passages, 1–4 citations per event with valid offsets,
claimed dates on some, and a few published timelines. Everything is bulk-inserted; the search index
is refreshed in bulk at the end. The same seed gives the same data.
"""

import datetime
import hashlib
import random
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from sources.anchoring import CONTEXT_CHARS
from sources.dates import Precision, day_number, year_last_day
from sources.models import Passage, PassageRole, Source, SourceType
from timeline.caching import content_changed
from timeline.models import Actor, Citation, Event, Period, Theme, Timeline
from timeline.tallies import tallies_rebuild

BATCH = 2000
ACTORS, THEMES = 200, 30
PASSAGES_PER_SOURCE = 40
# Words the generated prose draws from: common ones often (so searches for them match many events), the rest rarely.
COMMON = "war treaty trade crown council city river harvest army church law king queen empire famine merchants".split()
RARE = (
    "alliance blockade charter commune concordat cordon delta edict envoy exodus frontier garrison guild harbour "
    "insurrection levy manuscript mint monastery navy oath parliament pilgrimage plague quarry rebellion reform "
    "regency salt schism siege silver steppe succession tariff telegraph textile tithe uprising vassal vineyard "
    "winter wool zealot archive bishop canal census coinage drought estuary ferry granary heresy irrigation"
).split()
FILLER = "the of and in to a was by with for on from at its their after before which".split()
ERAS = [  # (weight, first year, last year): most events are modern, a few are ancient
    (2, -1200, -1),
    (4, 1, 1199),
    (30, 1200, 1799),
    (40, 1800, 1999),
    (24, 2000, 2025),
]


@dataclass
class Seeded:
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0


class SeedError(Exception):
    """What stops a seed, in one line that says how to go on."""


def _year(rng):
    weights = [era[0] for era in ERAS]
    _, first, last = rng.choices(ERAS, weights=weights)[0]
    return rng.randint(first, last)


def _edtf_year(year):
    return f"-{abs(year):04d}" if year < 0 else f"{year:04d}"


def synthetic_date(rng):
    """
    An EDTF date at a random precision and certainty, any era, with its bounds: (edtf, lower, upper,
    precision). The bounds are computed here, as sources.dates.edtf_bounds would (the tests check it
    does), because parsing EDTF costs milliseconds and a seed writes hundreds of thousands of dates.
    """
    year = _year(rng)
    kind = rng.random()
    if kind < 0.25:
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        text, precision = f"{_edtf_year(year)}-{month:02d}-{day:02d}", Precision.DAY
        lower = upper = day_number(year, month, day)
    elif kind < 0.45:
        month = rng.randint(1, 12)
        text, precision = f"{_edtf_year(year)}-{month:02d}", Precision.MONTH
        lower = day_number(year, month)
        upper = (day_number(year + 1) if month == 12 else day_number(year, month + 1)) - 1
    elif kind < 0.9 and kind >= 0.75:
        last = min(year + rng.randint(1, 30), 2025)
        return f"{_edtf_year(year)}/{_edtf_year(last)}", day_number(year), year_last_day(last), Precision.YEAR
    elif kind < 0.95 and year >= 10:
        decade = year - year % 10
        return _edtf_year(decade)[:3] + "X", day_number(decade), year_last_day(decade + 9), Precision.DECADE
    else:
        text, precision, lower, upper = _edtf_year(year), Precision.YEAR, day_number(year), year_last_day(year)
    mark = rng.random()
    if mark < 0.08:
        text += "~"
    elif mark < 0.12:
        text += "?"
    return text, lower, upper, precision


def _long_tail(rng, count):
    """An index in range(count), low ones far more often (a Zipf-like long tail)."""
    return min(int(count * rng.random() ** 3), count - 1)


def _sentence(rng, words):
    chosen = [rng.choice(COMMON) if rng.random() < 0.25 else rng.choice(RARE) for _ in range(words)]
    mixed = []
    for word in chosen:
        mixed.append(word)
        if rng.random() < 0.4:
            mixed.append(rng.choice(FILLER))
    return " ".join(mixed).capitalize() + "."


def _passage_text(rng):
    return " ".join(_sentence(rng, rng.randint(6, 14)) for _ in range(rng.randint(2, 5)))


def seed_synthetic(*, events, sources=200, seed=0, timeline="synthetic", log=lambda message: None):
    """
    Write a synthetic timeline `timeline` (and a few sub-timelines) of `events` published events.
    Refuses, writing nothing, when that timeline already exists. Returns counts and seconds.
    """
    if events < 1 or sources < 1:
        raise SeedError("Give at least one event and one source (--events N, --sources M).")
    if Timeline.objects.filter(slug=timeline).exists():
        raise SeedError(
            f"A timeline “{timeline}” already exists: seed_synthetic writes a new one. "
            f"Pass another --timeline SLUG, or delete “{timeline}” first."
        )
    rng = random.Random(seed)
    started = time.monotonic()
    result = Seeded()
    with transaction.atomic():
        # Timelines: the main one and three subsets of it, all published.
        main = Timeline.objects.create(
            slug=timeline, title=f"Synthetic timeline ({events:,} events)", status=Timeline.Status.PUBLISHED,
            intro="Generated by `manage.py seed_synthetic` for benchmarks.",
        )  # fmt: skip
        subsets = [
            Timeline.objects.create(slug=f"{timeline}-{name}", title=f"Synthetic: {name}", status=Timeline.Status.PUBLISHED)
            for name in ("early", "modern", "turning-points")
        ]

        # Actors and themes are shared by the site: created once, reused by later seeds.
        actor_slugs = [f"synthetic-actor-{number}" for number in range(ACTORS)]
        existing = set(Actor.objects.filter(slug__in=actor_slugs).values_list("slug", flat=True))
        kinds = list(Actor.Kind)
        Actor.objects.bulk_create(
            [
                Actor(slug=slug, name=f"Actor {number:03d} {RARE[number % len(RARE)].title()}", kind=kinds[number % len(kinds)])
                for number, slug in enumerate(actor_slugs)
                if slug not in existing
            ],
            batch_size=BATCH,
        )
        actors = dict(Actor.objects.filter(slug__in=actor_slugs).values_list("slug", "pk"))
        actor_ids = [actors[slug] for slug in actor_slugs]
        theme_slugs = [f"synthetic-theme-{number}" for number in range(THEMES)]
        existing = set(Theme.objects.filter(slug__in=theme_slugs).values_list("slug", flat=True))
        Theme.objects.bulk_create(
            [
                Theme(slug=slug, name=f"Theme {number:02d} {COMMON[number % len(COMMON)]}")
                for number, slug in enumerate(theme_slugs)
                if slug not in existing
            ],
            batch_size=BATCH,
        )
        themes = dict(Theme.objects.filter(slug__in=theme_slugs).values_list("slug", "pk"))
        theme_ids = [themes[slug] for slug in theme_slugs]
        log(f"timelines, {len(actor_ids)} actors, {len(theme_ids)} themes")

        # Sources and their passages: the source text is the passages joined, so offsets agree.
        source_rows, passage_texts = [], []
        for number in range(sources):
            texts = [_passage_text(rng) for _ in range(PASSAGES_PER_SOURCE)]
            text = "\n\n".join(texts)
            year = rng.randint(1950, 2025)
            source_rows.append(
                Source(
                    slug=f"{timeline}-source-{number}", title=f"A history of the {rng.choice(RARE)} ({number})",
                    authors=[f"Author {rng.randint(1, 500)}"], container=rng.choice(["Journal of History", "Review", ""]),
                    source_type=rng.choice([SourceType.BOOK, SourceType.PEER_REVIEWED_ARTICLE, SourceType.NEWS]),
                    issued=str(year), language="en", text=text, content_hash=hashlib.sha256(text.encode()).hexdigest(),
                    media_type="text/plain",
                )
            )  # fmt: skip
            passage_texts.append(texts)
        source_rows = Source.objects.bulk_create(source_rows, batch_size=200)
        passages = []
        for source, texts in zip(source_rows, passage_texts, strict=True):
            offset = 0
            for ordinal, text in enumerate(texts, start=1):
                passages.append(
                    Passage(source=source, ordinal=ordinal, start=offset, end=offset + len(text), text=text,
                            role=PassageRole.BODY, language="en")
                )  # fmt: skip
                offset += len(text) + 2
        passages = Passage.objects.bulk_create(passages, batch_size=BATCH)
        source_texts = {source.pk: source.text for source in source_rows}
        log(f"{len(source_rows)} sources, {len(passages)} passages")

        # Periods: a few dozen named intervals across the eras.
        periods = []
        for number in range(max(3, min(60, events // 100))):
            first = _year(rng)
            last = max(first + 1, min(first + rng.randint(5, 120), 2025))
            periods.append(
                Period(name=f"Age of {rng.choice(RARE)} {number}", slug=f"{timeline}-period-{number}",
                       date=f"{_edtf_year(first)}/{_edtf_year(last)}", date_lower=day_number(first),
                       date_upper=year_last_day(last), date_precision=Precision.YEAR)
            )  # fmt: skip
        periods = Period.objects.bulk_create(periods, batch_size=BATCH)
        Period.timelines.through.objects.bulk_create([Period.timelines.through(period=p, timeline=main) for p in periods])

        # Events, in batches, with their actors, themes, timelines and citations.
        Through = Event.timelines.through
        ActorLink, ThemeLink = Event.actors.through, Event.themes.through
        now, early, modern = timezone.now(), day_number(1500), day_number(1900)
        totals = {"events": 0, "citations": 0, "actor links": 0, "theme links": 0, "timeline links": 0}
        for first in range(0, events, BATCH):
            batch = []
            for number in range(first, min(first + BATCH, events)):
                date, lower, upper, precision = synthetic_date(rng)
                words = " ".join(rng.choice(COMMON if rng.random() < 0.3 else RARE) for _ in range(rng.randint(2, 5)))
                batch.append(
                    Event(
                        title=f"{words.capitalize()} ({number})", slug=f"{timeline}-{number}", date=date,
                        date_lower=lower, date_upper=upper, date_precision=precision,
                        annotation=_passage_text(rng), is_turning_point=rng.random() < 0.03,
                        status=Event.Status.PUBLISHED, published_at=now - datetime.timedelta(minutes=events - number),
                    )
                )  # fmt: skip
            batch = Event.objects.bulk_create(batch, batch_size=BATCH)
            links, actor_links, theme_links, citations = [], [], [], []
            for event in batch:
                links.append(Through(event=event, timeline=main))
                if event.date_lower < early:
                    links.append(Through(event=event, timeline=subsets[0]))
                elif event.date_lower > modern:
                    links.append(Through(event=event, timeline=subsets[1]))
                if event.is_turning_point:
                    links.append(Through(event=event, timeline=subsets[2]))
                for actor in {actor_ids[_long_tail(rng, ACTORS)] for _ in range(rng.randint(1, 3))}:
                    actor_links.append(ActorLink(event=event, actor_id=actor))
                for theme in {theme_ids[_long_tail(rng, THEMES)] for _ in range(rng.randint(1, 2))}:
                    theme_links.append(ThemeLink(event=event, theme_id=theme))
                for ordinal in range(1, rng.randint(1, 4) + 1):
                    citations.append(_citation(rng, event, ordinal, rng.choice(passages), source_texts))
            Through.objects.bulk_create(links, batch_size=BATCH)
            ActorLink.objects.bulk_create(actor_links, batch_size=BATCH)
            ThemeLink.objects.bulk_create(theme_links, batch_size=BATCH)
            Citation.objects.bulk_create(citations, batch_size=BATCH)
            totals["events"] += len(batch)
            totals["citations"] += len(citations)
            totals["actor links"] += len(actor_links)
            totals["theme links"] += len(theme_links)
            totals["timeline links"] += len(links)
            if totals["events"] % 20_000 == 0:
                log(f"{totals['events']:,} events ({time.monotonic() - started:.0f} s)")
        log(f"{totals['events']:,} events written ({time.monotonic() - started:.0f} s); indexing for search…")
        Event.objects.in_timeline(main).search_vector_refresh()
        log("counting the tallies…")
        tallies_rebuild()  # bulk-created rows sent no signals: recount what readers' counts read
        content_changed()
    result.counts = {
        "timelines": 1 + len(subsets), "actors": len(actor_ids), "themes": len(theme_ids), "sources": len(source_rows),
        "passages": len(passages), "periods": len(periods), **totals,
    }  # fmt: skip
    result.seconds = time.monotonic() - started
    _SPACES.clear()
    return result


_SPACES = {}


def _spaces(text):
    """Offsets of the spaces in a passage's text (remembered: passages are quoted many times)."""
    if text not in _SPACES:
        _SPACES[text] = [index for index, char in enumerate(text) if char == " "]
    return _SPACES[text]


def _citation(rng, event, ordinal, passage, source_texts):
    """A quote of a few words from `passage`, with its offsets and context; on some, the date the passage claims."""
    text = passage.text
    spaces = _spaces(text)
    first = rng.randrange(len(spaces) - 8) if len(spaces) > 8 else 0
    start = spaces[first] + 1 if first else 0
    end = spaces[min(first + rng.randint(3, 8), len(spaces) - 1)]
    source_text = source_texts[passage.source_id]
    absolute_start, absolute_end = passage.start + start, passage.start + end
    claimed = {}
    if rng.random() < 0.2:
        # Mostly the event's own date; now and then a passage that disagrees.
        if rng.random() < 0.85:
            date, lower, upper = event.date, event.date_lower, event.date_upper
        else:
            date, lower, upper, _ = synthetic_date(rng)
        claimed = {"claimed_date": date, "claimed_lower": lower, "claimed_upper": upper}
    return Citation(
        event=event, passage=passage, ordinal=ordinal, quote=text[start:end], start=start, end=end,
        prefix=source_text[max(0, absolute_start - CONTEXT_CHARS) : absolute_start],
        suffix=source_text[absolute_end : absolute_end + CONTEXT_CHARS],
        stance=rng.choice([Citation.Stance.SUPPORTS] * 6 + [Citation.Stance.DISPUTES, Citation.Stance.CONTEXT]),
        **claimed,
    )  # fmt: skip
