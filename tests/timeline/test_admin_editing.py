"""Everyday editing in the admin: actors, themes and timelines added to or removed from many events at once."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages

from tests.factories import (
    ActorFactory,
    CitationFactory,
    EventFactory,
    SourceFactory,
    ThemeFactory,
    TimelineFactory,
    UserFactory,
    default_timeline,
)
from timeline.models import Event
from timeline.services import slug_from

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/timeline/event/"


@pytest.fixture
def events():
    """Three published events of the default timeline."""
    return [EventFactory(slug=f"bulk-{n}", title=f"Bulkevent {n}") for n in range(3)]


@pytest.fixture
def editor(client):
    """An editor who may view and change events (not an administrator)."""
    client.force_login(UserFactory(username="bulk-editor", is_staff=True, permissions=["view_event", "change_event"]))
    return client


def apply(client, events, **choice):
    """The intermediate page's form posted back: the selected events and the choice."""
    data = {"action": "change_labels", ACTION_CHECKBOX_NAME: [event.pk for event in events], "apply": "1", **choice}
    return client.post(CHANGELIST, data)


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_action_opens_a_page_to_choose_and_confirm(editor, events):
    """Choosing the action shows the selected events, add or remove, every actor, theme and timeline, a CSRF token and Cancel."""
    actor = ActorFactory(slug="bulk-iran", name="Iranbulk")
    theme = ThemeFactory(slug="bulk-energy", name="Energybulk")
    assert "change_labels" in editor.get(CHANGELIST).content.decode()
    response = editor.post(CHANGELIST, {"action": "change_labels", ACTION_CHECKBOX_NAME: [events[0].pk, events[1].pk]})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bulkevent 0" in page and "Bulkevent 1" in page and "Bulkevent 2" not in page
    assert "csrfmiddlewaretoken" in page and ">Cancel</a>" in page
    assert f'value="actor-{actor.pk}">Iranbulk' in page and f'value="theme-{theme.pk}">Energybulk' in page
    assert f'value="timeline-{default_timeline().pk}"' in page
    assert 'value="remove"' in page and "Apply to 2 event(s)" in page
    assert events[0].actors.count() == 0  # nothing changes before the editor confirms


def test_add_an_actor_counts_the_events_that_already_had_it(editor, events):
    """Adding an actor to three events, one of which has it, changes two and says so."""
    actor = ActorFactory(slug="bulk-iran", name="Iranbulk")
    events[0].actors.add(actor)
    response = apply(editor, events, operation="add", label=f"actor-{actor.pk}")
    assert response.status_code == 302
    assert texts(response) == ["Actor “Iranbulk” added to 2 event(s); 1 already had it."]
    assert all(event.actors.filter(pk=actor.pk).exists() for event in events)


def test_remove_a_theme_counts_the_events_that_lacked_it(editor, events):
    """Removing a theme from three events, two of which have it, changes two and says the third lacked it."""
    theme = ThemeFactory(slug="bulk-energy", name="Energybulk")
    events[0].themes.add(theme)
    events[1].themes.add(theme)
    response = apply(editor, events, operation="remove", label=f"theme-{theme.pk}")
    assert texts(response) == ["Theme “Energybulk” removed from 2 event(s); 1 did not have it."]
    assert not theme.events.exists()


def test_timelines_added_and_removed_and_an_event_left_in_none_is_named(editor, events):
    """A timeline is added like an actor; removing the only timeline of a published event warns that readers lose it."""
    other = TimelineFactory(slug="bulk-other", title="Bulkother story")
    apply(editor, events[:2], operation="add", label=f"timeline-{other.pk}")
    assert set(other.events.all()) == set(events[:2])
    response = apply(editor, [events[2]], operation="remove", label=f"timeline-{default_timeline().pk}")
    assert not events[2].timelines.exists()
    assert "“Bulkevent 2” is published but readers cannot see it: it is in no timeline." in " ".join(texts(response))


def test_the_history_says_who_changed_what(editor, events):
    """Each changed event gets a history record naming the editor, the reason and the new actors; unchanged ones get none."""
    actor = ActorFactory(slug="bulk-iran", name="Iranbulk")
    events[0].actors.add(actor)
    before = [event.history.count() for event in events]
    apply(editor, events, operation="add", label=f"actor-{actor.pk}")
    assert [event.history.count() for event in events] == [before[0], before[1] + 1, before[2] + 1]
    latest = events[1].history.latest()
    assert latest.history_user.username == "bulk-editor"
    assert latest.history_change_reason == "added actor bulk-iran"
    assert [row.actor_id for row in latest.actors.all()] == [actor.pk]


def test_a_missing_choice_redisplays_the_page_and_changes_nothing(editor, events):
    """Confirming without a label, or with one deleted meanwhile, says what to fix and changes nothing."""
    actor = ActorFactory(slug="bulk-iran", name="Iranbulk")
    response = apply(editor, events, operation="add", label="")
    assert response.status_code == 200 and "Choose whether to add or remove" in response.content.decode()
    response = apply(editor, events, operation="add", label=f"actor-{actor.pk + 1000}")
    assert response.status_code == 200 and "no longer exists: choose another one" in response.content.decode()
    assert not actor.events.exists()


def test_an_editor_who_may_not_change_events_has_no_such_action(client, events):
    """Without change_event the action is not offered, and posting it anyway changes nothing."""
    client.force_login(UserFactory(username="bulk-reader", is_staff=True, permissions=["view_event"]))
    actor = ActorFactory(slug="bulk-iran", name="Iranbulk")
    assert "change_labels" not in client.get(CHANGELIST).content.decode()
    response = apply(client, events, operation="add", label=f"actor-{actor.pk}")
    assert response.status_code in (302, 403)
    assert not actor.events.exists()


def test_the_reader_sees_the_change_at_once(client, editor, events, django_capture_on_commit_callbacks):
    """The timeline filtered by the actor, held with its ETag by a browser or a CDN, shows the events once they are added."""
    actor = ActorFactory(slug="bulk-iran", name="Iranbulk")
    events[0].actors.add(actor)  # the filter needs one event to offer the actor
    reader = client.__class__()
    url = f"/?actor={actor.slug}"
    held = reader.get(url)
    assert "Bulkevent 1" not in held.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        apply(editor, events, operation="add", label=f"actor-{actor.pk}")
    response = reader.get(url, headers={"If-None-Match": held["ETag"]})
    assert response.status_code == 200 and response["ETag"] != held["ETag"]
    assert "Bulkevent 1" in response.content.decode() and "Bulkevent 2" in response.content.decode()


def test_drafts_are_changed_too(editor):
    """A draft gets the label like a published event (it is the editor's work in progress)."""
    draft = EventFactory(slug="bulk-draft", title="Bulkdraft", status=Event.Status.DRAFT)
    theme = ThemeFactory(slug="bulk-energy", name="Energybulk")
    apply(editor, [draft], operation="add", label=f"theme-{theme.pk}")
    assert list(draft.themes.all()) == [theme]


def change_form_data(page):
    """What an admin change form posts back unchanged: its fields and every inline's management and initial forms."""
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data = {name: "\n".join(value) if name == "authors" else value for name, value in data.items()}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data |= {f"{management.prefix}-{name}": value for name, value in management.initial.items()}
        data[f"{management.prefix}-TOTAL_FORMS"] = len(formset.formset.initial_forms)  # no blank extra forms
        for inline_form in formset.formset.initial_forms:
            data |= {inline_form.add_prefix(name): inline_form[name].value() for name in inline_form.fields}
            data = {name: value for name, value in data.items() if value is not None}
    return data


def test_without_javascript_citations_are_reordered_by_their_ordinals(admin_client_):
    """The ordinal stays a plain number field in the form (the Up/Down script only fills it); the reader follows it."""
    event = EventFactory(slug="bulk-order", title="Bulkorder")
    first = CitationFactory(event=event, quote="signed a treaty", ordinal=1)
    second = CitationFactory(event=event, passage=first.passage, quote="Russia and Iran", ordinal=2)
    url = f"/admin/timeline/event/{event.pk}/change/"
    page = admin_client_.get(url)
    html = page.content.decode()
    assert 'name="citations-0-ordinal"' in html and "citeline/admin/citation_order.js" in html
    data = change_form_data(page) | {"citations-0-ordinal": "2", "citations-1-ordinal": "1"}
    assert admin_client_.post(url, data).status_code == 302
    reader = admin_client_.get(event.get_absolute_url()).content.decode()
    assert reader.index(f'id="c-{second.pk}"') < reader.index(f'id="c-{first.pk}"')


# --- Automatic slugs: made on the server, words joined by any dash kept joined ---------------------

NAMED = {
    # model: (its admin add URL, the name field, the other fields the form needs)
    "actor": ("name", {"kind": "state"}),
    "theme": ("name", {"description": ""}),
    "period": ("name", {"date": "2019/2021", "description": ""}),
    "timeline": ("title", {"intro": "", "language": "en", "direction": "ltr", "status": "draft"}),
}


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(username="slug-admin", superuser=True))
    return client


@pytest.mark.parametrize("model", NAMED)
@pytest.mark.parametrize("dash", ["\u2013", "\u2014", "\u2212", "\u2011", "-"])
def test_an_empty_slug_is_made_from_the_name_with_its_dashes(admin_client_, model, dash):
    """Actors, themes, periods and timelines added with no slug get one from the name: “Rasht–Astara” is rasht-astara."""
    field, fields = NAMED[model]
    url = f"/admin/timeline/{model}/add/"
    assert "#id_slug" not in admin_client_.get(url).content.decode()  # no URLify script fills it (dropping the dash)
    response = admin_client_.post(url, {field: f"Rasht{dash}Astara railway", "slug": "", **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    model_class = response.wsgi_request.resolver_match.func.model_admin.model
    assert model_class.objects.filter(slug="rasht-astara-railway").exists()


@pytest.mark.parametrize("model", NAMED)
def test_a_taken_slug_gets_a_number_and_a_typed_slug_is_kept(admin_client_, model):
    """A second “Rasht–Astara” gets rasht-astara-2; a slug the editor types is used as typed."""
    field, fields = NAMED[model]
    url = f"/admin/timeline/{model}/add/"
    for _ in range(2):
        admin_client_.post(url, {field: "Rasht–Astara", "slug": "", **fields})
    admin_client_.post(url, {field: "Rasht–Astara", "slug": "my-own-slug", **fields})
    model_class = admin_client_.get(url).wsgi_request.resolver_match.func.model_admin.model
    assert set(model_class.objects.filter(slug__startswith="rasht").values_list("slug", flat=True)) == {
        "rasht-astara",
        "rasht-astara-2",
    }
    assert model_class.objects.filter(slug="my-own-slug").exists()


def test_a_cleared_source_slug_is_made_from_its_title(admin_client_):
    """A document whose slug an editor empties gets one from its title, dashes kept (uploads: see test_upload_forms)."""
    source = SourceFactory(slug="old-slug", title="The Rasht–Astara railway")
    url = f"/admin/sources/source/{source.pk}/change/"
    data = change_form_data(admin_client_.get(url)) | {"slug": ""}
    response = admin_client_.post(url, data)
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.slug == "the-rasht-astara-railway"


@pytest.mark.parametrize(
    "title, slug",
    [
        ("Rasht–Astara railway", "rasht-astara-railway"),
        ("Rasht—Astara", "rasht-astara"),
        ("Rasht − Astara", "rasht-astara"),
        ("Rasht‐Astara‑line", "rasht-astara-line"),
        ("Iran–Russia: the 2025 treaty", "iran-russia-the-2025-treaty"),
        ("راه‌آهن رشت–آستارا", "rhahn-rsht-astr"),
    ],
)
def test_event_slugs_keep_dashes_and_transliterate(title, slug):
    """The server's slug for an event title: every dash kept as "-", other scripts transliterated, never empty."""
    assert slug_from(title) == slug
