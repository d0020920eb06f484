import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from events import services
from events.models import Event, Registration
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "host", "event_host", "manager", "staff"]


def client_for(client, cast, role):
    person = getattr(cast, role)
    if person is not None:
        client.force_login(person)
    return client


# ---------------------------------------------------------------- the permission matrix

PAGE_ACCESS = {
    # page: roles that get 200; everyone else gets 404 (or the sign-in page when anonymous)
    "detail": set(ROLES),
    "manage": {"event_host", "manager", "staff"},
    "edit": {"event_host", "manager", "staff"},
    "csv": {"event_host", "manager", "staff"},
    "check_in": {"event_host", "manager", "staff"},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(PAGE_ACCESS))
def test_event_pages_follow_the_permission_matrix(client, cast, role, page):
    client = client_for(client, cast, role)

    response = client.get(reverse(f"events:{page}", kwargs={"pk": cast.event.pk}))

    if role in PAGE_ACCESS[page]:
        assert response.status_code == 200
    elif role == "anonymous" and page != "detail":
        assert response.status_code == 302
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ["outsider", "member", "host", "event_host", "manager"])
@pytest.mark.parametrize("page", ["manage", "edit", "csv", "check_in"])
def test_another_communitys_event_is_not_found_for_its_non_hosts(client, cast, role, page):
    client = client_for(client, cast, role)
    if role == "outsider":
        # The outsider belongs to the other community but runs none of its events.
        cast.other_event.hosts.clear()

    assert client.get(reverse(f"events:{page}", kwargs={"pk": cast.other_event.pk})).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_members_only_events_are_invisible_to_outsiders(client, cast, role):
    cast.event.visibility = Event.Visibility.MEMBERS
    cast.event.save()
    client = client_for(client, cast, role)

    status = client.get(reverse("events:detail", kwargs={"pk": cast.event.pk})).status_code

    assert status == (404 if role in ("anonymous", "outsider") else 200)


@pytest.mark.parametrize("role", ROLES)
def test_drafts_and_proposals_are_seen_by_their_hosts_and_managers_only(client, cast, role):
    cast.event.status = Event.Status.PENDING
    cast.event.save()
    client = client_for(client, cast, role)

    status = client.get(reverse("events:detail", kwargs={"pk": cast.event.pk})).status_code

    assert status == (200 if role in ("event_host", "manager", "staff") else 404)


POST_ACTIONS = [
    ("events:status", {"action": "approve"}, {"manager", "staff"}),
    ("events:status", {"action": "publish"}, {"manager", "staff"}),
    ("events:decline", {}, {"manager", "staff"}),
    ("events:cancel", {}, {"event_host", "manager", "staff"}),
    ("events:question_add", {}, {"event_host", "manager", "staff"}),
    ("events:walk_in", {}, {"event_host", "manager", "staff"}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "extra", "allowed"), POST_ACTIONS)
def test_host_actions_are_refused_to_everyone_else(client, cast, role, name, extra, allowed):
    client = client_for(client, cast, role)

    response = client.post(reverse(name, kwargs={"pk": cast.event.pk, **extra}), {"confirmed": "1"})

    if role in allowed:
        assert response.status_code == 302
    elif role == "anonymous":
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_only_those_running_the_event_check_people_in(client, cast, role):
    registration = RegistrationFactory(event=cast.event)
    client = client_for(client, cast, role)

    client.post(reverse("events:check_in_toggle", kwargs={"pk": cast.event.pk, "registration_id": registration.pk}))

    registration.refresh_from_db()
    assert (registration.status == "attended") == (role in ("event_host", "manager", "staff"))


def test_a_registration_of_another_event_cannot_be_checked_in_through_this_one(client, cast):
    foreign = RegistrationFactory(event=cast.other_event)
    client.force_login(cast.event_host)

    response = client.post(
        reverse("events:check_in_toggle", kwargs={"pk": cast.event.pk, "registration_id": foreign.pk})
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == "confirmed"


@pytest.mark.parametrize("role", ROLES)
def test_creating_events_is_for_managers_and_proposing_for_hosts(client, cast, role):
    client = client_for(client, cast, role)

    response = client.get(reverse("events:new", kwargs={"slug": cast.event.community.slug}))

    if role in ("host", "event_host", "manager", "staff"):
        assert response.status_code == 200
    else:
        assert response.status_code == (302 if role == "anonymous" else 404)


def test_a_private_communitys_events_are_not_found_by_outsiders(client, cast):
    community = cast.event.community
    community.visibility = "private"
    community.save()
    client.force_login(cast.outsider)

    assert client.get(reverse("events:community", kwargs={"slug": community.slug})).status_code == 404
    assert client.get(reverse("events:detail", kwargs={"pk": cast.event.pk})).status_code == 404
    assert client.get(reverse("events:ics", kwargs={"pk": cast.event.pk})).status_code == 404


# ---------------------------------------------------------------- registering through the page


def test_a_guest_registers_from_the_event_page_and_lands_on_their_registration(client, event, commit, mailoutbox):
    with commit():
        response = client.post(
            reverse("events:register", kwargs={"pk": event.pk}),
            {"guest_name": "Lena", "guest_email": "lena@example.org"},
            follow=True,
        )

    assert response.status_code == 200
    assert "You are registered" in response.text
    assert mailoutbox[0].to == ["lena@example.org"]


def test_bad_guest_input_shows_errors_next_to_the_fields(client, event):
    response = client.post(reverse("events:register", kwargs={"pk": event.pk}), {"guest_email": "not-an-email"})

    assert response.status_code == 400
    assert "Please correct the errors below." in response.text
    assert not Registration.objects.exists()


def test_the_guests_link_cancels_and_a_tampered_one_is_not_found(client, event):
    registration = services.registration_create(event=event, guest_name="Lena", guest_email="lena@example.org")
    token = services.registration_token(registration)

    assert client.get(reverse("events:registration", kwargs={"token": token + "x"})).status_code == 404
    assert client.post(reverse("events:registration", kwargs={"token": token + "x"})).status_code == 404
    client.post(reverse("events:registration", kwargs={"token": token}))

    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_a_guests_link_expires_after_its_configured_lifetime(client, event, settings):
    settings.ACTION_LINK_DAYS = {**settings.ACTION_LINK_DAYS, "registration": 180}
    registration = services.registration_create(event=event, guest_name="Lena", guest_email="lena@example.org")
    url = reverse("events:registration", kwargs={"token": services.registration_token(registration)})

    with time_machine.travel(timezone.now() + timedelta(days=181)):
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404

    registration.refresh_from_db()
    assert registration.status != "cancelled"
    assert client.get(url).status_code == 200


def test_a_member_registers_with_one_click_and_cancels(client, event, member):
    client.force_login(member)

    client.post(reverse("events:register", kwargs={"pk": event.pk}))
    page = client.get(reverse("events:detail", kwargs={"pk": event.pk}))
    assert "You are registered" in page.text

    client.post(reverse("events:unregister", kwargs={"pk": event.pk}))
    assert Registration.objects.get(user=member).status == "cancelled"


def test_the_online_link_is_shown_only_to_people_registered(client, community, member):
    event = EventFactory(community=community, format="online", online_url="https://meet.example.org/secret-room")
    url = reverse("events:detail", kwargs={"pk": event.pk})

    assert "secret-room" not in client.get(url).text
    client.force_login(member)
    assert "secret-room" not in client.get(url).text
    services.registration_create(event=event, user=member)
    assert "secret-room" in client.get(url).text


def test_an_offline_event_links_to_the_map(client, event):
    response = client.get(reverse("events:detail", kwargs={"pk": event.pk}))

    assert "https://www.openstreetmap.org/search?query=Tverskaya+1%2C+Moscow" in response.text


def test_a_full_event_offers_the_waitlist(client, community):
    event = EventFactory(community=community, capacity=1)
    RegistrationFactory(event=event)

    response = client.get(reverse("events:detail", kwargs={"pk": event.pk}))

    assert "Join the waitlist" in response.text


# ---------------------------------------------------------------- time zones


def test_times_are_shown_in_the_viewers_zone_across_a_daylight_saving_change(client, community):
    # Berlin moves its clocks forward on 29 March 2026 at 02:00; Moscow has no summer time.
    before = EventFactory(
        community=community, timezone="Europe/Berlin", starts_at=datetime(2026, 3, 28, 9, 0, tzinfo=UTC)
    )
    after = EventFactory(
        community=community, timezone="Europe/Berlin", starts_at=datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    )
    muscovite = UserFactory(timezone="Europe/Moscow")
    client.force_login(muscovite)

    saturday = client.get(reverse("events:detail", kwargs={"pk": before.pk})).text
    sunday = client.get(reverse("events:detail", kwargs={"pk": after.pk})).text

    # Both start at 10:00 in Berlin, which is 12:00 in Moscow before the change and 11:00 after it.
    assert "12:00–14:00" in saturday
    assert "28 March, 10:00 where the event is (Europe/Berlin)" in saturday
    assert "11:00–13:00" in sunday
    assert "29 March, 10:00 where the event is (Europe/Berlin)" in sunday
    assert "MSK" in sunday


def test_visitors_see_the_events_own_zone(client, community):
    event = EventFactory(
        community=community, timezone="Europe/Berlin", starts_at=datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    )

    text = client.get(reverse("events:detail", kwargs={"pk": event.pk})).text

    assert "10:00–12:00" in text
    assert "CEST · Europe/Berlin" in text


def test_a_manager_types_times_in_the_events_zone(client, community, manager):
    client.force_login(manager)
    response = client.post(
        reverse("events:new", kwargs={"slug": community.slug}),
        {
            "title": "Spring run",
            "starts_at": "2026-03-29T10:00",
            "ends_at": "2026-03-29T12:00",
            "timezone": "Europe/Berlin",
            "format": "offline",
            "address": "Tiergarten",
            "visibility": "public",
            "reminders_enabled": "on",
            "action": "publish",
        },
    )

    event = Event.objects.get(title="Spring run")
    assert response.status_code == 302
    assert event.starts_at == datetime(2026, 3, 29, 8, 0, tzinfo=UTC)
    assert event.status == "published"


def test_a_host_proposes_from_the_form(client, community):
    host = MembershipFactory(community=community, role="host").user
    client.force_login(host)
    start = (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    end = (timezone.now() + timedelta(days=5, hours=2)).strftime("%Y-%m-%dT%H:%M")

    client.post(
        reverse("events:new", kwargs={"slug": community.slug}),
        {
            "title": "Tea",
            "starts_at": start,
            "ends_at": end,
            "timezone": "Europe/Moscow",
            "format": "offline",
            "place": "Office",
            "visibility": "public",
        },
    )

    event = Event.objects.get(title="Tea")
    assert event.status == "pending"
    assert list(event.hosts.all()) == [host]


def test_bad_event_form_input_never_gives_a_500(client, community, manager):
    client.force_login(manager)

    response = client.post(
        reverse("events:new", kwargs={"slug": community.slug}),
        {"title": "", "starts_at": "yesterday", "ends_at": "2026-13-45T99:99", "timezone": "Mars/Olympus"},
    )

    assert response.status_code == 200
    assert "Please correct the errors below." in response.text


# ---------------------------------------------------------------- running an event


def test_the_csv_lists_registrations_with_answers(client, cast):
    services.questions_set(event=cast.event, questions=[{"label": "Size", "kind": "choice", "choices": ["S", "M"]}])
    question = cast.event.questions.get()
    services.registration_create(
        event=cast.event, guest_name="=cmd()", guest_email="a@example.org", answers={str(question.pk): "M"}
    )
    client.force_login(cast.event_host)

    response = client.get(reverse("events:csv", kwargs={"pk": cast.event.pk}))

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "Size"
    assert rows[1][:3] == ["'=cmd()", "a@example.org", "confirmed"]
    assert rows[1][-1] == "M"


def test_one_tap_check_in_answers_htmx_with_the_row_and_the_count(client, cast):
    registration = RegistrationFactory(event=cast.event, guest_name="Olga")
    client.force_login(cast.event_host)
    url = reverse("events:check_in_toggle", kwargs={"pk": cast.event.pk, "registration_id": registration.pk})

    response = client.post(url, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert f'id="checkin-{registration.pk}"' in response.text
    assert 'hx-swap-oob="true"' in response.text
    assert "1 of 1 person here" in response.text
    assert "<html" not in response.text
    client.post(url, headers={"HX-Request": "true"})  # a second tap undoes a mistake
    registration.refresh_from_db()
    assert registration.status == "confirmed"


def test_a_walk_in_is_added_from_the_check_in_page(client, cast):
    client.force_login(cast.event_host)

    client.post(reverse("events:walk_in", kwargs={"pk": cast.event.pk}), {"name": "Boris", "email": ""})

    assert cast.event.registrations.get().status == "attended"


def test_a_manager_approves_and_declines_from_the_manage_page(client, cast, commit, mailoutbox):
    cast.event.status = "pending"
    cast.event.save()
    client.force_login(cast.manager)

    client.post(reverse("events:decline", kwargs={"pk": cast.event.pk}), {"reason": "Another date, please"})
    assert Event.objects.get(pk=cast.event.pk).status == "draft"
    Event.objects.filter(pk=cast.event.pk).update(status="pending")
    client.post(reverse("events:status", kwargs={"pk": cast.event.pk, "action": "approve"}))
    assert Event.objects.get(pk=cast.event.pk).status == "published"


def test_an_unknown_action_is_not_found(client, cast):
    client.force_login(cast.manager)

    assert client.post(reverse("events:status", kwargs={"pk": cast.event.pk, "action": "explode"})).status_code == 404


def test_the_host_cancels_someones_registration_and_the_waitlist_moves_up(client, cast):
    cast.event.capacity = 1
    cast.event.save()
    first = RegistrationFactory(event=cast.event)
    waiting = RegistrationFactory(event=cast.event, status="waitlisted", position=1)
    client.force_login(cast.event_host)

    url = reverse("events:registration_cancel", kwargs={"pk": cast.event.pk, "registration_id": first.pk})
    asked = client.post(url).content.decode()
    assert "will get an e-mail that their registration is cancelled" in asked
    assert "Their place goes to the first person on the waitlist" in asked
    assert Registration.objects.get(pk=first.pk).status == "confirmed"
    client.post(url, {"confirmed": "1"})

    assert Registration.objects.get(pk=waiting.pk).status == "confirmed"


def test_removing_a_question_says_how_many_answers_go_first(client, cast):
    question = cast.event.questions.create(label="T-shirt size", kind="text", position=1)
    RegistrationFactory(event=cast.event, answers={"T-shirt size": "M"})
    RegistrationFactory(event=cast.event, answers={})
    client.force_login(cast.event_host)
    url = reverse("events:question_delete", kwargs={"pk": cast.event.pk, "question_id": question.pk})

    asked = client.post(url).content.decode()
    assert "1 person answered it" in asked
    assert cast.event.questions.filter(pk=question.pk).exists()
    client.post(url, {"confirmed": "1"})

    assert not cast.event.questions.filter(pk=question.pk).exists()
    assert client.post(url, {"confirmed": "1"}).status_code == 404


def test_editing_keeps_times_in_the_events_zone(client, cast):
    client.force_login(cast.manager)
    response = client.get(reverse("events:edit", kwargs={"pk": cast.event.pk}))
    local = cast.event.starts_at.astimezone(cast.event.zone).strftime("%Y-%m-%dT%H:%M")

    assert f'value="{local}"' in response.text


# ---------------------------------------------------------------- lists and their query counts


def make_events(community, n):
    for _ in range(n):
        event = EventFactory(community=community, capacity=5)
        RegistrationFactory(event=event)


@pytest.mark.parametrize("n", [1, 12])
def test_the_community_list_costs_the_same_queries_for_any_number_of_events(
    client, community, member, django_assert_num_queries, n
):
    make_events(community, n)
    client.force_login(member)
    url = reverse("events:community", kwargs={"slug": community.slug})

    # session, user, community, membership, is_manager, can_propose's membership, count, page of events
    with django_assert_num_queries(8):
        response = client.get(url)
    assert response.text.count("kd-event-card") == n


def test_the_community_list_splits_upcoming_and_past(client, community):
    EventFactory(community=community, title="Coming soon")
    EventFactory(
        community=community,
        title="Long ago",
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=30) + timedelta(hours=2),
        status="completed",
    )
    url = reverse("events:community", kwargs={"slug": community.slug})

    upcoming, past = client.get(url).text, client.get(url + "?when=past").text

    assert "Coming soon" in upcoming
    assert "Long ago" not in upcoming
    assert "Long ago" in past
    assert "Coming soon" not in past


def test_the_empty_list_says_what_to_do_next(client, community, manager):
    client.force_login(manager)

    response = client.get(reverse("events:community", kwargs={"slug": community.slug}))

    assert "Create the first one" in response.text


@pytest.mark.parametrize("n", [1, 10])
def test_my_events_costs_the_same_queries_for_any_number(client, community, member, django_assert_num_queries, n):
    for _ in range(n):
        RegistrationFactory(event=EventFactory(community=community), user=member, guest_name="", guest_email="")
    client.force_login(member)

    # session, user, upcoming, past, hosting
    with django_assert_num_queries(5):
        response = client.get(reverse("events:mine"))
    assert response.status_code == 200


def test_the_month_calendar_places_events_on_their_local_day(client, community):
    EventFactory(
        community=community,
        title="Late night talk",
        timezone="Europe/Moscow",
        starts_at=datetime(2026, 11, 30, 21, 30, tzinfo=UTC),
    )  # 1 December 00:30 in Moscow

    response = client.get(reverse("events:community_calendar", kwargs={"slug": community.slug}) + "?month=2026-12")

    assert "Late night talk" in response.text
    assert (
        client.get(reverse("events:community_calendar", kwargs={"slug": community.slug}) + "?month=garbage").status_code
        == 200
    )


@pytest.mark.parametrize("n", [1, 10])
def test_the_manage_page_costs_the_same_queries_for_any_number_of_registrations(
    client, cast, django_assert_num_queries, n
):
    for _ in range(n):
        RegistrationFactory(event=cast.event)
    client.force_login(cast.manager)

    # session, user, event, is_manager, registrations, questions, is_manager for the page
    with django_assert_num_queries(7):
        client.get(reverse("events:manage", kwargs={"pk": cast.event.pk}))


def test_an_empty_month_says_what_to_do_next(client, community):
    response = client.get(reverse("events:community_calendar", kwargs={"slug": community.slug}) + "?month=2030-01")

    assert "No events this month." in response.text


def test_a_manager_uploads_a_cover(client, community, manager, tmp_path, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, "PNG")
    start = (timezone.now() + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    end = (timezone.now() + timedelta(days=5, hours=2)).strftime("%Y-%m-%dT%H:%M")
    client.force_login(manager)

    client.post(
        reverse("events:new", kwargs={"slug": community.slug}),
        {
            "title": "Picnic",
            "starts_at": start,
            "ends_at": end,
            "timezone": "Europe/Moscow",
            "format": "offline",
            "place": "Park",
            "visibility": "public",
            "action": "draft",
            "cover": SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png"),
        },
    )

    event = Event.objects.get(title="Picnic")
    assert event.status == "draft"
    assert event.cover.name.startswith("events/covers/")
    assert f'src="{event.cover.url}"' in client.get(reverse("events:detail", kwargs={"pk": event.pk})).text


COMMUNITY_PAGES = ["events:community", "events:community_calendar", "events:community_ics"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", COMMUNITY_PAGES)
def test_a_private_communitys_event_pages_follow_the_matrix(client, cast, role, page):
    community = cast.event.community
    community.visibility = "private"
    community.save()
    client = client_for(client, cast, role)

    status = client.get(reverse(page, kwargs={"slug": community.slug})).status_code

    assert status == (404 if role in ("anonymous", "outsider") else 200)


@pytest.mark.parametrize("role", ROLES)
def test_a_public_communitys_lists_are_open_but_drafts_stay_hidden(client, cast, role):
    EventFactory(community=cast.event.community, title="Secret draft", status="draft")
    client = client_for(client, cast, role)

    text = client.get(reverse("events:community", kwargs={"slug": cast.event.community.slug})).text

    assert cast.event.title in text
    assert ("Secret draft" in text) == (role in ("manager", "staff"))


def test_cancelling_an_event_asks_first_and_says_who_will_be_told(client, cast, mailoutbox, commit):
    RegistrationFactory.create_batch(3, event=cast.event)
    RegistrationFactory(event=cast.event, status="waitlisted")
    client.force_login(cast.manager)
    url = reverse("events:cancel", kwargs={"pk": cast.event.pk})

    asked = client.post(url, {"reason": "Storm warning"})

    cast.event.refresh_from_db()
    assert cast.event.status == "published"
    page = asked.content.decode()
    assert "4 registered or waiting people will get an e-mail that the event is cancelled." in page
    assert 'name="reason" value="Storm warning"' in page
    with commit():
        client.post(url, {"reason": "Storm warning", "confirmed": "1"})
    cast.event.refresh_from_db()
    assert (cast.event.status, cast.event.cancel_reason) == ("cancelled", "Storm warning")
    assert len(mailoutbox) == 4


def test_completing_an_event_asks_first_and_says_what_happens(client, cast):
    Event.objects.filter(pk=cast.event.pk).update(starts_at=timezone.now() - timedelta(hours=3))
    RegistrationFactory.create_batch(2, event=cast.event)
    RegistrationFactory(event=cast.event, status="attended")
    client.force_login(cast.manager)
    url = reverse("events:status", kwargs={"pk": cast.event.pk, "action": "complete"})

    page = client.post(url).content.decode()

    assert "2 people registered but not checked in will be recorded as not come." in page
    assert "1 person who came will get a thank-you e-mail." in page
    cast.event.refresh_from_db()
    assert cast.event.status == "published"
    client.post(url, {"confirmed": "1"})
    cast.event.refresh_from_db()
    assert cast.event.status == "completed"
