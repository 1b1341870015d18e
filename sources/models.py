"""Source documents as normalised text, their passages, earlier versions and the date mentions found in them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from sources.dates import FIRST_DAY_DOC, LAST_DAY_DOC, DayOf, Precision, edtf_display, validate_edtf


class SourceType(models.TextChoices):
    PEER_REVIEWED_ARTICLE = "peer-reviewed-article", "peer-reviewed article"
    BOOK = "book", "book"
    REPORT = "report", "report"
    OP_ED = "op-ed", "op-ed"
    NEWS = "news", "news article"
    BLOG_POST = "blog-post", "blog post"
    WEB_ARTICLE = "web-article", "web article"
    WEB_PAGE = "web-page", "web page"
    PRIMARY = "primary", "primary document"
    OTHER = "other", "other"


class Direction(models.TextChoices):
    LTR = "ltr", "left to right"
    RTL = "rtl", "right to left"


def validate_authors(value):
    """Authors are a list of names, each a non-empty string: what citations, BibTeX and CSL-JSON expect."""
    example = 'e.g. ["Ada Lovelace", "Charles Babbage"]'
    if not isinstance(value, list):
        raise ValidationError(
            "Give the authors as a list of names, %(example)s, not %(kind)s.",
            code="authors_not_a_list", params={"example": example, "kind": type(value).__name__},
        )  # fmt: skip
    for number, name in enumerate(value, start=1):
        if not isinstance(name, str) or not name.strip():
            raise ValidationError(
                "Author %(number)s is %(found)s; each author is a name (a non-empty string), %(example)s.",
                code="author_not_a_name",
                params={"number": number, "found": "empty" if isinstance(name, str) else repr(name), "example": example},
            )  # fmt: skip


class SourceQuerySet(models.QuerySet):
    def with_passage_counts(self):
        return self.annotate(passage_count=models.Count("passages"))


class Source(models.Model):
    """One document, stored as normalised text so that every quote can be found in it again."""

    slug = models.SlugField(max_length=120, unique=True, help_text="Identifies the source across re-imports.")
    title = models.CharField(max_length=500)
    authors = models.JSONField(
        default=list, blank=True, validators=[validate_authors], help_text="Author names, in the order the document gives them."
    )
    container = models.CharField(max_length=300, blank=True, help_text="Journal, site or book the document appeared in.")
    source_type = models.CharField(max_length=30, choices=SourceType, default=SourceType.WEB_PAGE)
    issued = models.CharField(
        max_length=60, blank=True, validators=[validate_edtf], help_text="Publication date in EDTF, e.g. 2023-07-16 or 2019~."
    )
    language = models.CharField(max_length=16, blank=True, help_text="BCP 47 code of the main language, e.g. en or fa.")
    url = models.URLField(max_length=1000, blank=True)
    license = models.CharField(max_length=200, blank=True)
    license_url = models.URLField(max_length=500, blank=True)
    accessed = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, help_text="Editor's notes on the document and its provenance.")
    text = models.TextField(help_text="Full normalised text; passages and citations point into it by offset.")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the normalised text.")
    original_filename = models.CharField(max_length=255, blank=True)
    media_type = models.CharField(max_length=50, default="text/plain")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("timeline:source_detail", kwargs={"slug": self.slug})

    @property
    def issued_display(self):
        return edtf_display(self.issued) if self.issued else "n.d."

    @property
    def authors_display(self):
        names = list(self.authors or [])
        if len(names) > 2:
            return ", ".join(names[:-1]) + " and " + names[-1]
        return " and ".join(names)


class PassageRole(models.TextChoices):
    HEADING = "heading", "heading"
    BODY = "body", "body"
    REFERENCE = "reference", "reference entry"
    BOILERPLATE = "boilerplate", "boilerplate"


# A source page shows the passages of one range of ordinals: ¶1–200 on page 1, ¶201–400 on page 2… So a
# page never grows with the source, and a passage's page follows from its ordinal alone.
PASSAGES_PER_PAGE = 200


class PassageQuerySet(models.QuerySet):
    def citable(self):
        """Passages offered to editors by default: everything but boilerplate."""
        return self.exclude(role=PassageRole.BOILERPLATE)


class Passage(models.Model):
    """An addressable span of a source: a paragraph, heading, list item or reference entry."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="passages")
    ordinal = models.PositiveIntegerField(help_text="Position in the source, from 1; the anchor #p-N uses it.")
    start = models.PositiveIntegerField(help_text="Offset of the first character in the source text.")
    end = models.PositiveIntegerField(help_text="Offset just past the last character in the source text.")
    text = models.TextField()
    role = models.CharField(max_length=20, choices=PassageRole, default=PassageRole.BODY)
    role_reason = models.CharField(
        max_length=100, blank=True, help_text="Why the importer gave this role, e.g. “duplicate of ¶2” or “N min read”."
    )
    language = models.CharField(max_length=16, blank=True)
    direction = models.CharField(max_length=3, choices=Direction, default=Direction.LTR)
    page = models.CharField(
        max_length=20, null=True, blank=True, help_text="The printed page the passage is on (a PDF's page label, e.g. 12 or iv)."
    )

    objects = PassageQuerySet.as_manager()

    class Meta:
        ordering = ["source", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["source", "ordinal"], name="passage_unique_ordinal"),
            models.CheckConstraint(condition=Q(start__lte=F("end")), name="passage_start_before_end"),
        ]
        indexes = [models.Index(fields=["source", "role"])]

    def __str__(self):
        excerpt = self.text if len(self.text) <= 80 else self.text[:77] + "…"
        return f"{self.source.slug} ¶{self.ordinal}: {excerpt}"

    def get_absolute_url(self):
        """The source page that holds this passage (pages are ranges of ordinals), at its #p-N anchor."""
        query = []
        if self.page_number > 1:
            query.append(f"page={self.page_number}")
        if self.role == PassageRole.BOILERPLATE:
            query.append("boilerplate=1")  # hidden unless asked for
        return f"{self.source.get_absolute_url()}{'?' + '&'.join(query) if query else ''}#{self.anchor}"

    @property
    def page_number(self):
        return (self.ordinal - 1) // PASSAGES_PER_PAGE + 1

    @property
    def anchor(self):
        return f"p-{self.ordinal}"

    def clean(self):
        if self.source_id and self.source.text[self.start : self.end] != self.text:
            raise ValidationError(
                "The passage text is not the source text at offsets %(start)s–%(end)s; "
                "re-import the source rather than editing passages by hand.",
                code="offsets_mismatch",
                params={"start": self.start, "end": self.end},
            )


class SourceVersion(models.Model):
    """One imported text of a source, kept when a re-import replaces it, so that old quotes can be read in their old place."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(help_text="1 for the first import, then one more for each changed text.")
    text = models.TextField()
    content_hash = models.CharField(max_length=64)
    original_filename = models.CharField(max_length=255, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    archive = models.FileField(
        upload_to="archives/%Y/%m/",
        max_length=300,
        blank=True,
        help_text="The fetched page as a WARC record (gzip): the bytes, the response headers, the fetch time and SHA-256.",
    )
    archive_sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the fetched bytes (the HTTP body).")
    fetched_url = models.URLField(max_length=1000, blank=True, help_text="The address the bytes came from, after redirects.")
    fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["source", "-number"]
        constraints = [models.UniqueConstraint(fields=["source", "number"], name="source_version_unique_number")]

    def __str__(self):
        return f"{self.source.slug} v{self.number}"

    def get_archive_url(self):
        """Where readers download the archived copy (a view, so that it works wherever the media files are stored)."""
        return reverse("timeline:source_archive", kwargs={"slug": self.source.slug, "number": self.number})


class Calendar(models.TextChoices):
    GREGORIAN = "gregorian", "Gregorian"
    JALALI = "jalali", "Solar Hijri (Jalali)"


class MentionRole(models.TextChoices):
    EVENT = "event", "event"
    CITATION = "citation", "citation year"
    PUBLICATION = "publication", "publication date"
    BOILERPLATE = "boilerplate", "boilerplate"


class DateMentionQuerySet(models.QuerySet):
    def open_events(self):
        """Event-role mentions in citable passages that no editor has dismissed (timeline's candidates start here)."""
        return self.filter(role=MentionRole.EVENT, dismissed=False).exclude(passage__role=PassageRole.BOILERPLATE)


class DateMention(models.Model):
    """A date expression the importer found in a passage, with what it means and a guess at what it is for."""

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="date_mentions")
    start = models.PositiveIntegerField(help_text="Offset of the first character in the passage text.")
    end = models.PositiveIntegerField(help_text="Offset just past the last character in the passage text.")
    sentence_start = models.PositiveIntegerField(help_text="Offset of the sentence holding the mention, in the passage text.")
    sentence_end = models.PositiveIntegerField()
    text = models.CharField(max_length=200, help_text="The date as the passage writes it.")
    edtf = models.CharField(max_length=60, validators=[validate_edtf])
    # Day numbers of any era (sources.dates.day_number); OPEN_LOWER/OPEN_UPPER for an open end.
    lower = models.BigIntegerField(help_text="First day the mention can mean, as a day number.")
    upper = models.BigIntegerField(help_text="Last day the mention can mean, as a day number.")
    precision = models.CharField(max_length=10, choices=Precision)
    calendar = models.CharField(max_length=10, choices=Calendar, default=Calendar.GREGORIAN)
    role = models.CharField(max_length=12, choices=MentionRole, default=MentionRole.EVENT)
    dismissed = models.BooleanField(default=False, help_text="An editor decided this is not an event worth a candidate.")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dismissed_at = models.DateTimeField(null=True, blank=True)

    objects = DateMentionQuerySet.as_manager()

    class Meta:
        ordering = ["lower", "upper", "passage", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="date_mention_start_before_end"),
            models.CheckConstraint(condition=Q(lower__lte=F("upper")), name="date_mention_lower_lte_upper"),
        ]
        indexes = [models.Index(fields=["role", "dismissed", "lower"])]

    def __str__(self):
        return f"{self.text} → {self.edtf} ({self.get_role_display()})"

    @property
    def sentence(self):
        return self.passage.text[self.sentence_start : self.sentence_end]

    @property
    def context(self):
        """The passage split around the mention, for highlighting: (before, mention, after)."""
        text = self.passage.text
        return text[: self.start], text[self.start : self.end], text[self.end :]

    @property
    def date_display(self):
        return edtf_display(self.edtf)

    first = DayOf("lower", FIRST_DAY_DOC)
    last = DayOf("upper", LAST_DAY_DOC)
