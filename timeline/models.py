"""Events with honest EDTF dates, their citations (anchored quotes), and the actors, themes and periods they belong to."""

from urllib.parse import urlsplit

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sources.anchoring import CONTEXT_CHARS, quote_anchor
from sources.dates import FIRST_DAY_DOC, LAST_DAY_DOC, DayOf, Precision, edtf_bounds, edtf_display, validate_edtf
from timeline.permissions import can_see_drafts


class DatedModel(models.Model):
    """An EDTF date with the bounds and precision derived from it on save."""

    date = models.CharField(
        max_length=60,
        validators=[validate_edtf],
        help_text="EDTF: 2015, 2022-07, 2019-06-28, 2007~ (about), 2015? (uncertain), 2011/2019, ../1999 (before 2000), "
        "-0043-03-15 (15 March 44 BCE), Y-13800000000.",
    )
    # Derived from `date` on save (blank=True so validation waits for them to be derived): signed day
    # numbers of any era (sources.dates.day_number), OPEN_LOWER/OPEN_UPPER for an open end.
    date_lower = models.BigIntegerField(blank=True, editable=False, help_text="First day the date can mean, as a day number.")
    date_upper = models.BigIntegerField(blank=True, editable=False, help_text="Last day the date can mean, as a day number.")
    date_precision = models.CharField(max_length=10, blank=True, choices=Precision, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        bounds = edtf_bounds(self.date)
        self.date = bounds.edtf
        self.date_lower, self.date_upper, self.date_precision = bounds.lower, bounds.upper, bounds.precision
        super().save(*args, **kwargs)

    @property
    def date_display(self):
        return edtf_display(self.date)

    @property
    def date_bounds(self):
        return edtf_bounds(self.date)

    date_first = DayOf("date_lower", FIRST_DAY_DOC)
    date_last = DayOf("date_upper", LAST_DAY_DOC)

    @property
    def date_year(self):
        """The astronomical year it is filed under: its first possible year, or its last for "before 2000"."""
        return self.date_first.year if not self.date_first.is_open else self.date_last.year

    @property
    def date_year_last(self):
        """Its last possible year, or its first for "since 2022"."""
        return self.date_last.year if not self.date_last.is_open else self.date_first.year


def date_bounds_constraint(name):
    return models.CheckConstraint(condition=Q(date_lower__lte=F("date_upper")), name=name)


class InvolvedQuerySet(models.QuerySet):
    """Actors or themes: what events involve."""

    def published(self):
        """Those some published event involves: what anonymous readers may see (one only a draft names is not public yet)."""
        return self.filter(pk__in=Event.objects.published().values(self.model.events.field.name))


class Actor(models.Model):
    class Kind(models.TextChoices):
        STATE = "state", "state"
        ORGANISATION = "organisation", "organisation"
        PERSON = "person", "person"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.STATE)

    objects = InvolvedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Theme(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    objects = InvolvedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class TimelineQuerySet(models.QuerySet):
    def published(self):
        """What anonymous readers may see."""
        return self.filter(status=Timeline.Status.PUBLISHED)

    def visible_to(self, user):
        """Every timeline for editors, published ones for everyone else."""
        return self if can_see_drafts(user) else self.published()

    def default(self):
        """The site's default timeline (the one `/` shows), or None on a site that has none yet."""
        return self.filter(is_default=True).first()


class Timeline(models.Model):
    """
    One story told with events: a newsroom's timeline per story, a teacher's per course. Events and
    periods belong to one or more timelines; actors, themes and sources are shared across the site.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "draft"
        PUBLISHED = "published", "published"

    class Direction(models.TextChoices):
        LTR = "ltr", "left to right"
        RTL = "rtl", "right to left"

    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="What the timeline is about, in Markdown (sanitised on display).")
    language = models.CharField(
        max_length=35, default="en", help_text="BCP 47 language tag of the titles and annotations, e.g. en, de, fa, ar."
    )
    direction = models.CharField(
        max_length=3, choices=Direction, default=Direction.LTR, help_text="Right to left for Persian, Arabic, Hebrew…"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    is_default = models.BooleanField(
        "site's default timeline", default=False, help_text="The timeline `/` shows; exactly one timeline is the default."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TimelineQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["title", "slug"]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="timeline_one_default")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("timeline:timeline_detail", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        """A new default takes the flag from the old one; the first timeline of a site is its default."""
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(Timeline)):
            if self.is_default:
                Timeline.objects.filter(is_default=True).exclude(pk=self.pk).update(is_default=False)
            elif not Timeline.objects.exclude(pk=self.pk).filter(is_default=True).exists():
                self.is_default = True
            super().save(*args, **kwargs)


class Period(DatedModel):
    """A named interval drawn as a band behind the events, e.g. “Syrian civil war”."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    timelines = models.ManyToManyField(Timeline, blank=True, related_name="periods")

    class Meta:
        ordering = ["date_lower", "date_upper", "name"]
        constraints = [date_bounds_constraint("period_date_lower_lte_upper")]
        indexes = [models.Index(fields=["date_lower", "date_upper"], name="period_date_bounds_idx")]

    def __str__(self):
        return f"{self.name} ({self.date_display})"


SEARCH_CONFIG = "english"
# SQLite's search index: an FTS5 table (trigram tokenizer, so words match inside words as icontains
# did) whose rowid is the event's id, with its title, annotation and evidence quotes. Migration 0005
# creates it; search_vector_refresh keeps it in step.
EVENT_FTS_TABLE = "timeline_event_fts"
EVENT_FTS_ROWS = """
    SELECT event.id, event.title, event.annotation,
           COALESCE((SELECT group_concat(citation.quote, ' … ') FROM timeline_citation citation
                     WHERE citation.event_id = event.id AND citation.passage_id IS NOT NULL), '')
    FROM timeline_event event
"""


def event_quotes_text():
    """Every quote cited as evidence by the outer event, in one string (PostgreSQL)."""
    quotes = (
        Citation.objects.evidence().filter(event=OuterRef("pk")).order_by().values("event")
        .annotate(text=StringAgg("quote", delimiter=" … ", order_by=("ordinal", "pk"))).values("text")
    )  # fmt: skip
    return Coalesce(Subquery(quotes, output_field=TextField()), Value(""), output_field=TextField())


def event_search_vector():
    """What full-text search reads of an event: its title (weight A), annotation (B) and quotes (C)."""
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("annotation", weight="B", config=SEARCH_CONFIG)
        + SearchVector(event_quotes_text(), weight="C", config=SEARCH_CONFIG)
    )


class EventQuerySet(models.QuerySet):
    def published(self):
        """What anonymous readers may see: published events of a published timeline (a draft timeline hides its events)."""
        in_public_timeline = Event.timelines.through.objects.filter(
            event=OuterRef("pk"), timeline__status=Timeline.Status.PUBLISHED
        )
        return self.filter(Exists(in_public_timeline), status=Event.Status.PUBLISHED)

    def visible_to(self, user, *, drafts=False):
        """
        The events `user` sees where readers see published ones. With `drafts` (a preview an editor
        asked for), an editor sees every event, drafts and events of draft timelines included;
        everyone else, the published events only, whatever they ask.
        """
        return self.all() if drafts and can_see_drafts(user) else self.published()

    def in_timeline(self, timeline):
        return self.filter(Exists(Event.timelines.through.objects.filter(event=OuterRef("pk"), timeline=timeline)))

    def drafts(self):
        return self.filter(status=Event.Status.DRAFT)

    def between(self, lower=None, upper=None):
        """Events whose possible dates overlap [lower, upper]; either end may be open."""
        queryset = self
        if lower is not None:
            queryset = queryset.filter(date_upper__gte=lower)
        if upper is not None:
            queryset = queryset.filter(date_lower__lte=upper)
        return queryset

    def turning_points(self):
        return self.filter(is_turning_point=True)

    def dates_disputed(self):
        """
        Events whose sources disagree on the date (Event.dates_disputed, in SQL): the event's date lies
        outside every date its evidence claims, or two claims cannot both be right.
        """
        claims = Citation.objects.evidence().filter(event=OuterRef("pk"), claimed_lower__isnull=False)
        agreeing = claims.filter(claimed_lower__lte=OuterRef("date_upper"), claimed_upper__gte=OuterRef("date_lower"))
        later = Citation.objects.evidence().filter(event=OuterRef("event"), claimed_lower__gt=OuterRef("claimed_upper"))
        return self.filter((Exists(claims) & ~Exists(agreeing)) | Exists(claims.filter(Exists(later))))

    def uncited(self):
        """Events without evidence: no citation, or only orphaned ones a re-import could not place."""
        return self.exclude(pk__in=Citation.objects.evidence().values("event_id"))

    def search_vector_refresh(self):
        """
        Store what search reads of these events: the search vector on PostgreSQL (a GIN index serves
        it), the FTS5 rows on SQLite. Event and Citation saves call it; bulk writes must too.
        """
        connection = connections[self.db]
        if connection.vendor == "postgresql":
            self.update(search_vector=event_search_vector())
        elif connection.vendor == "sqlite":
            ids = list(self.values_list("pk", flat=True))
            with connection.cursor() as cursor:
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(f"DELETE FROM {EVENT_FTS_TABLE} WHERE rowid IN ({marks})", chunk)
                    cursor.execute(
                        f"INSERT INTO {EVENT_FTS_TABLE} (rowid, title, annotation, quotes) {EVENT_FTS_ROWS} WHERE event.id IN ({marks})",
                        chunk,
                    )

    def for_reader(self):
        """Everything a timeline page, feed, export or widget shows of its events, in a fixed number of queries."""
        return self.select_related("media_item").prefetch_related(
            "actors", "themes", models.Prefetch("citations", queryset=Citation.objects.for_reader())
        )


class Event(DatedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", "draft"
        PUBLISHED = "published", "published"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=160, unique=True)
    annotation = models.TextField(blank=True, help_text="The editor's annotation, in Markdown (sanitised on display).")
    display_date = models.CharField(
        max_length=100, blank=True, help_text="Overrides the date shown to readers; leave empty to derive it from the EDTF."
    )
    actors = models.ManyToManyField(Actor, blank=True, related_name="events")
    themes = models.ManyToManyField(Theme, blank=True, related_name="events")
    timelines = models.ManyToManyField(
        Timeline, blank=True, related_name="events", help_text="The timelines that tell this event."
    )
    is_turning_point = models.BooleanField("turning point", default=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Derived from the title, annotation and quotes by search_vector_refresh (PostgreSQL only).
    search_vector = SearchVectorField(null=True, editable=False)

    objects = EventQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[actors, themes, timelines], excluded_fields=["updated_at", "search_vector"])

    class Meta:
        ordering = ["date_lower", "date_upper", "title"]
        constraints = [date_bounds_constraint("event_date_lower_lte_upper")]
        indexes = [
            models.Index(fields=["status", "date_lower", "date_upper"]),
            # The timeline's order: a page of events is a short walk of this index (selectors.events_page).
            models.Index(fields=["date_lower", "date_upper", "title"], name="event_date_order_idx"),
            # The feed's order, newest first.
            models.Index(fields=["published_at", "id"], name="event_published_at_idx"),
            # The axis's span: the first and last end of the timeline are the ends of a walk of this index.
            models.Index(fields=["date_upper"], name="event_date_upper_idx"),
            # On PostgreSQL migration 0013 adds event_days_gist, a GiST index of the days as a range (axis windows).
            # A clustered axis draws the first turning points of its window: a short walk of this one, whatever the window holds.
            models.Index(
                fields=["date_lower", "date_upper", "title", "id"],
                condition=Q(is_turning_point=True),
                name="event_turning_point_order_idx",
            ),  # fmt: skip
        ]

    def __str__(self):
        return f"{self.date_display}: {self.title}"

    def get_absolute_url(self):
        return reverse("timeline:event_detail", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)
        Event.objects.filter(pk=self.pk).search_vector_refresh()

    @property
    def date_display(self):
        return self.display_date or edtf_display(self.date)

    @property
    def date_claims(self):
        """The evidence that states a date for this event (from prefetched citations when there are)."""
        return [citation for citation in self.citations.all() if citation.passage_id and citation.claimed_lower is not None]

    @property
    def dates_disputed(self):
        """Sources disagree on the date: the event's date lies outside every claim, or two claims cannot both be right."""
        claims = self.date_claims
        if not claims:
            return False
        outside_all = not any(
            claim.claimed_lower <= self.date_upper and claim.claimed_upper >= self.date_lower for claim in claims
        )
        return outside_all or max(claim.claimed_lower for claim in claims) > min(claim.claimed_upper for claim in claims)


class CitationQuerySet(models.QuerySet):
    def evidence(self):
        """Citations anchored in a passage: what readers, exports and the API may show."""
        return self.filter(passage__isnull=False)

    def published(self):
        """Evidence for published events of published timelines: the citations anonymous readers may see."""
        return self.evidence().filter(event__in=Event.objects.published())

    def in_passage_order(self):
        """Published citations as a passage shows them: with their event, in the order of the text."""
        return self.published().select_related("event").order_by("start")

    def for_reader(self):
        """Evidence with its passage and source (without the sources' full texts), in citation order."""
        return self.evidence().select_related("passage__source").defer("passage__source__text").order_by("ordinal", "pk")

    def needs_review(self):
        """Citations a re-import changed (quote updated) or could not place (orphaned)."""
        return self.filter(anchor_status__in=[Citation.AnchorStatus.UPDATED, Citation.AnchorStatus.ORPHANED])


class Citation(models.Model):
    """
    Evidence for an event: an exact quote from a passage, anchored like a W3C Web Annotation
    (TextQuoteSelector: quote with prefix and suffix; TextPositionSelector: start and end in the
    passage) so that it can be found again when the source is re-imported.
    """

    class Stance(models.TextChoices):
        SUPPORTS = "supports", "supports"
        DISPUTES = "disputes", "disputes"
        CONTEXT = "context", "context"

    class AnchorStatus(models.TextChoices):
        ANCHORED = "anchored", "anchored"
        MOVED = "moved", "moved by a re-import"
        UPDATED = "updated", "quote updated by a re-import (needs review)"
        ORPHANED = "orphaned", "orphaned: not found in the new text (needs review)"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="citations")
    # PROTECT: deleting a passage (or its source) must never take citations with it silently.
    # Empty only for an orphan: a re-import could not place its quote in the new text.
    passage = models.ForeignKey("sources.Passage", on_delete=models.PROTECT, related_name="citations", null=True, blank=True)
    ordinal = models.PositiveSmallIntegerField(default=1, help_text="Order of the citation within its event.")
    quote = models.TextField(help_text="The exact words quoted from the passage.")
    prefix = models.CharField(max_length=CONTEXT_CHARS, blank=True, help_text="Source text just before the quote.")
    suffix = models.CharField(max_length=CONTEXT_CHARS, blank=True, help_text="Source text just after the quote.")
    start = models.PositiveIntegerField(
        blank=True, help_text="Offset of the quote in the passage text (found from the quote when empty)."
    )
    end = models.PositiveIntegerField(blank=True, help_text="Offset just past the quote in the passage text.")
    stance = models.CharField(max_length=10, choices=Stance, default=Stance.SUPPORTS)
    note = models.TextField(blank=True, help_text="The editor's note on this evidence, shown to readers.")
    claimed_date = models.CharField(
        max_length=60, blank=True, validators=[validate_edtf],
        help_text="The date this passage gives for the event (EDTF or words), e.g. one of its date mentions; empty when it gives none.",
    )  # fmt: skip
    # Derived from claimed_date on save: day numbers as DatedModel's bounds; empty without a claim.
    claimed_lower = models.BigIntegerField(null=True, blank=True, editable=False)
    claimed_upper = models.BigIntegerField(null=True, blank=True, editable=False)
    anchor_status = models.CharField(
        max_length=10, choices=AnchorStatus, default=AnchorStatus.ANCHORED,
        help_text="What the last re-import of the source did to this citation; “updated” and “orphaned” need an editor.",
    )  # fmt: skip
    previous_quote = models.TextField(blank=True, help_text="The quote before a re-import updated or orphaned it.")
    orphaned_from = models.ForeignKey(
        "sources.Source", on_delete=models.PROTECT, null=True, blank=True, related_name="orphaned_citations",
        help_text="The source whose re-import lost this quote; set only while the citation is orphaned.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CitationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["event", "ordinal", "pk"]
        constraints = [
            # Anchored: a passage and a non-empty span in it. Orphaned: no passage, offsets 0/0, and the
            # source it was lost from, so that the admin can list orphans per source.
            models.CheckConstraint(
                condition=(
                    Q(passage__isnull=False, start__lt=F("end"), orphaned_from__isnull=True) & ~Q(anchor_status="orphaned")
                )
                | Q(passage__isnull=True, anchor_status="orphaned", orphaned_from__isnull=False, start=0, end=0),
                name="citation_anchored_or_orphaned",
            ),
            models.CheckConstraint(
                condition=Q(claimed_lower__isnull=True, claimed_upper__isnull=True) | Q(claimed_lower__lte=F("claimed_upper")),
                name="citation_claimed_lower_lte_upper",
            ),
        ]

    def __str__(self):
        excerpt = self.quote if len(self.quote) <= 60 else self.quote[:57] + "…"
        return f"“{excerpt}” ({self.stance})"

    def get_absolute_url(self):
        return self.passage.get_absolute_url() if self.passage_id else ""

    def save(self, *args, **kwargs):
        if self.claimed_date:
            bounds = edtf_bounds(self.claimed_date)
            self.claimed_date, self.claimed_lower, self.claimed_upper = bounds.edtf, bounds.lower, bounds.upper
        else:
            self.claimed_lower = self.claimed_upper = None
        super().save(*args, **kwargs)
        Event.objects.filter(pk=self.event_id).search_vector_refresh()

    @property
    def claimed_display(self):
        return edtf_display(self.claimed_date) if self.claimed_date else ""

    @property
    def claim_agrees(self):
        """Whether the claimed date can be the event's date (their days overlap); None without a claim."""
        if self.claimed_lower is None:
            return None
        return self.claimed_lower <= self.event.date_upper and self.claimed_upper >= self.event.date_lower

    def claim_mention(self):
        """The passage's date mention that states the claimed date, or None (a typed date the passage does not give)."""
        if self.claimed_lower is None or self.passage_id is None:
            return None
        return next(
            (
                mention for mention in self.passage.date_mentions.all()
                if (mention.lower, mention.upper) == (self.claimed_lower, self.claimed_upper)
            ),
            None,
        )  # fmt: skip

    @property
    def claim_in_passage(self):
        """True when a date mention of the passage states the claimed date; None without a claim."""
        return None if self.claimed_lower is None else self.claim_mention() is not None

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        Event.objects.filter(pk=self.event_id).search_vector_refresh()
        return result

    def clean(self):
        if not self.passage_id:
            if self.anchor_status == self.AnchorStatus.ORPHANED and self.orphaned_from_id:
                return  # an orphan keeps its quote until an editor places it again
            raise ValidationError({"passage": "Pick the passage that holds the quote."}, code="required")
        if self.anchor_status == self.AnchorStatus.ORPHANED:
            # An editor placed an orphan in a passage again: it is anchored from now on.
            self.anchor_status, self.orphaned_from = self.AnchorStatus.ANCHORED, None
        if not self.quote:
            raise ValidationError({"quote": "Enter the exact words quoted from the passage."}, code="required")
        if self.start is not None and self.passage.text[self.start : self.end] == self.quote:
            anchor = quote_anchor(self.passage, self.quote, near=self.start)
        else:
            anchor = quote_anchor(self.passage, self.quote)
        if anchor is None:
            raise ValidationError(
                {
                    "quote": ValidationError(
                        "This quote is not in passage ¶%(ordinal)s of “%(source)s”. Copy the words exactly as "
                        "the passage gives them (quotation marks and dashes included), or pick the passage that contains them.",
                        code="quote_not_in_passage",
                        params={"ordinal": self.passage.ordinal, "source": self.passage.source.slug},
                    )
                }
            )
        self.start, self.end, self.prefix, self.suffix = anchor

    @property
    def context(self):
        """The passage split around the quote, for highlighting: (before, quote, after)."""
        if self.passage_id is None:
            return "", self.quote, ""
        text = self.passage.text
        return text[: self.start], text[self.start : self.end], text[self.end :]


class EventMedia(models.Model):
    """
    The one media item an event may carry: an image uploaded here (kept with resized copies and
    served from this site, see timeline.media) or a link to media elsewhere, shown as a card that
    loads nothing from the other site.
    """

    class Kind(models.TextChoices):
        IMAGE = "image", "image uploaded here"
        LINK = "link", "link to media elsewhere"

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="media_item")
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.IMAGE)
    # The upload as it came (never served: readers get the re-encoded renditions), under
    # events/<key>/; `key` is the hash of its bytes and names the folder of its renditions.
    image = models.FileField(upload_to="events/", blank=True, max_length=200, editable=False)
    key = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # [[width, height, "events/<key>/480.webp"], …], narrowest first.
    renditions = models.JSONField(default=list, blank=True, editable=False)
    alt = models.CharField(
        "alt text", max_length=500, blank=True,
        help_text="What the image shows, for readers who cannot see it (required for an image).",
    )  # fmt: skip
    url = models.URLField("link", max_length=1000, blank=True, help_text="For a link: where the media is (never loaded here).")
    credit = models.CharField(max_length=300, blank=True, help_text="Who made it, e.g. “Photo: AP / Jane Doe”.")
    caption = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "media"
        verbose_name_plural = "media"
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="image") & ~Q(key="") & ~Q(alt="")) | (Q(kind="link") & ~Q(url="")),
                name="event_media_image_with_alt_or_link",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.event.slug}"

    def clean(self):
        if self.kind == self.Kind.IMAGE and not self.alt.strip():
            raise ValidationError(
                {"alt": "Describe the image for readers who cannot see it (alt text is required)."}, code="required"
            )
        if self.kind == self.Kind.LINK and not self.url:
            raise ValidationError({"url": "Give the address of the media, or choose “image uploaded here”."}, code="required")

    @property
    def link_host(self):
        """The site a link points to, as readers read it: "www.youtube.com"."""
        return urlsplit(self.url).hostname or ""

    def rendition_urls(self):
        """[(width, URL), …] of the resized copies, narrowest first."""
        return [
            (width, reverse("media_file", kwargs={"key": self.key, "name": name.rsplit("/", 1)[-1]}))
            for width, _, name in self.renditions
        ]

    @property
    def srcset(self):
        return ", ".join(f"{url} {width}w" for width, url in self.rendition_urls())

    @property
    def src(self):
        """The widest copy: what a browser without srcset shows and what exports link to."""
        urls = self.rendition_urls()
        return urls[-1][1] if urls else ""

    @property
    def thumbnail(self):
        urls = self.rendition_urls()
        return urls[0][1] if urls else ""


class ContentVersion(models.Model):
    """
    One row: a number that every committed editorial write moves, and when it moved. The HTTP
    validators (timeline.caching) are read from it in one query by primary key, whatever the size of
    the timeline; timeline.receivers moves it when a transaction that changed content commits.
    """

    SINGLETON_PK = 1

    version = models.BigIntegerField(default=0, help_text="Moves by one at each commit that changed what readers see.")
    changed_at = models.DateTimeField(
        help_text="When the version last moved; always at least a second after the previous value, so Last-Modified moves too."
    )

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="content_version_single_row")]

    def __str__(self):
        return f"content version {self.version} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class Tally(models.Model):
    """
    A kept count of a timeline's published events (a derived index, like the search vector): in all
    (`total`), per actor, theme and source (`key` is its primary key), and per year they start and end
    in (`key` is the astronomical year). timeline.tallies keeps them exact in every edit's
    transaction, so a reader's unfiltered counts are a lookup rather than a scan of the events.
    """

    class Kind(models.TextChoices):
        TOTAL = "total", "published events"
        TURNING = "turning", "published turning points"
        ACTOR = "actor", "published events per actor"
        THEME = "theme", "published events per theme"
        SOURCE = "source", "published events citing a source as evidence"
        START = "start", "published events per year they start in"
        END = "end", "published events per year they end in"

    timeline = models.ForeignKey(Timeline, on_delete=models.CASCADE, related_name="tallies")
    kind = models.CharField(max_length=8, choices=Kind)
    key = models.BigIntegerField(help_text="0 for the totals; the actor's, theme's or source's id; or a year.")
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["timeline", "kind", "key"], name="tally_one_per_timeline_kind_key")]

    def __str__(self):
        return f"{self.timeline_id} {self.kind} {self.key}: {self.count}"


class TallySnapshot(models.Model):
    """
    What one event was last counted under in one timeline's tallies ([[kind, key], …]): a refresh
    subtracts it and adds what the event holds now, so an unchanged event costs nothing and a deleted
    one (or one moved out of the timeline) is taken out exactly. Cascades with the timeline, like its tallies.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    timeline = models.ForeignKey(Timeline, on_delete=models.CASCADE, related_name="+")
    keys = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "timeline"], name="tally_snapshot_one_per_event_timeline")]

    def __str__(self):
        return f"event {self.event_id} in timeline {self.timeline_id}: {len(self.keys)} keys"
