"""factory_boy factories, one place for every test's made-up data."""

import factory
from django.contrib.auth.models import Permission, User
from rest_framework.authtoken.models import Token

from sources.ingest import content_hash
from sources.models import Passage, PassageRole, Source
from timeline.models import Actor, Citation, Event, Period, Theme, Timeline


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Source number {n}")
    authors = factory.LazyFunction(lambda: ["Ada Author"])
    source_type = "web-article"
    issued = "2023"
    language = "en"
    text = "Heading\n\nThe first paragraph says that Russia and Iran signed a treaty in 2025.\n\nA second paragraph."
    content_hash = factory.LazyAttribute(lambda source: content_hash(source.text))

    @factory.post_generation
    def passages(source, create, extracted, **kwargs):
        """One passage per non-empty line of the text, as the importer would make them."""
        if not create or extracted is False:
            return
        offset = 0
        for ordinal, line in enumerate(source.text.split("\n"), start=1):
            if line:
                Passage.objects.create(
                    source=source, ordinal=ordinal, start=offset, end=offset + len(line), text=line,
                    role=PassageRole.HEADING if ordinal == 1 else PassageRole.BODY, language="en",
                )  # fmt: skip
            offset += len(line) + 1


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Actor {n}")
    slug = factory.Sequence(lambda n: f"actor-{n}")


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Period {n}")
    slug = factory.Sequence(lambda n: f"period-{n}")
    date = "2011/2019"

    @factory.post_generation
    def timelines(self, create, extracted, **kwargs):
        """Drawn on the default timeline unless timelines=[…] says otherwise ([] for none)."""
        if create:
            self.timelines.set(extracted if extracted is not None else [default_timeline()])


class TimelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Timeline
        django_get_or_create = ("slug",)

    title = factory.Sequence(lambda n: f"Timeline number {n}")
    slug = factory.Sequence(lambda n: f"timeline-{n}")
    status = Timeline.Status.PUBLISHED


def default_timeline():
    """The site's default timeline, made (published) on first use: where factory events go unless told otherwise."""
    return Timeline.objects.default() or TimelineFactory(slug="main", title="Main timeline", is_default=True)


class EventFactory(factory.django.DjangoModelFactory):
    """A published event of the default timeline; timelines=[…] puts it in others instead ([] in none)."""

    class Meta:
        model = Event
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Event number {n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    date = "2015"
    annotation = "An *annotation*."
    status = Event.Status.PUBLISHED

    @factory.post_generation
    def timelines(self, create, extracted, **kwargs):
        if create:
            self.timelines.set(extracted if extracted is not None else [default_timeline()])


class CitationFactory(factory.django.DjangoModelFactory):
    """A citation of the quote "signed a treaty" in the second line of a SourceFactory source."""

    class Meta:
        model = Citation

    class Params:
        # As an editor types it: a quote without offsets, for Citation.clean() to find in the passage.
        unanchored = factory.Trait(start=None, end=None)

    event = factory.SubFactory(EventFactory)
    passage = factory.LazyFunction(lambda: SourceFactory().passages.get(ordinal=3))
    quote = "signed a treaty"
    start = factory.LazyAttribute(lambda citation: citation.passage.text.index(citation.quote))
    end = factory.LazyAttribute(lambda citation: citation.start + len(citation.quote))
    stance = Citation.Stance.SUPPORTS


class UserFactory(factory.django.DjangoModelFactory):
    """A user; superuser=True for an administrator, permissions=[codename, …] for an editor with those rights."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        superuser = factory.Trait(is_staff=True, is_superuser=True)

    username = factory.Sequence(lambda n: f"user-{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("not-a-real-password-123")

    @factory.post_generation
    def permissions(user, create, extracted, **kwargs):
        if create and extracted:
            user.user_permissions.set(Permission.objects.filter(codename__in=extracted))


class TokenFactory(factory.django.DjangoModelFactory):
    """An API token; its key is generated on save."""

    class Meta:
        model = Token

    user = factory.SubFactory(UserFactory)
