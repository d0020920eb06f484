from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Event, Registration
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "member", "host", "event_host", "manager", "staff"]
RUNS_EVENT = {"event_host", "manager", "staff"}


def api_for(cast, role):
    api = APIClient()
    person = getattr(cast, role)
    if person is not None:
        api.force_authenticate(person)
    return api


def body(**extra):
    start = timezone.now() + timedelta(days=4)
    return {
        "title": "Cleanup day",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
        "address": "Riverside",
        **extra,
    }


@pytest.mark.parametrize("role", ROLES)
def test_listing_shows_visible_events_only(cast, role):
    hidden = EventFactory(community=cast.event.community, visibility="members", title="Members only")

    response = api_for(cast, role).get(reverse("api:event-list"))

    titles = {e["title"] for e in response.json()["results"]}
    assert cast.event.title in titles
    assert (hidden.title in titles) == (role not in ("anonymous", "outsider"))


def test_the_list_costs_the_same_queries_for_any_number_of_events(cast, django_assert_num_queries):
    for _ in range(10):
        EventFactory(community=cast.event.community)
    api = api_for(cast, "anonymous")

    # count, page (with seat counts annotated)
    with django_assert_num_queries(2):
        response = api.get(reverse("api:event-list"))
    assert response.json()["count"] == 12


@pytest.mark.parametrize("role", ROLES)
def test_creating_an_event_publishes_for_managers_proposes_for_hosts_and_refuses_others(cast, role):
    api = api_for(cast, role)

    response = api.post(
        reverse("api:event-list"), {**body(), "community": cast.event.community.slug, "publish": True}, format="json"
    )

    if role in ("manager", "staff"):
        assert response.status_code == 201
        assert response.json()["status"] == "published"
    elif role in ("host", "event_host"):
        assert response.status_code == 201
        assert response.json()["status"] == "pending"
    elif role == "anonymous":
        assert response.status_code == 401
    else:
        assert response.status_code == 400


def test_creating_in_another_community_is_refused(cast):
    response = api_for(cast, "manager").post(
        reverse("api:event-list"), {**body(), "community": cast.other_community.slug}, format="json"
    )

    assert response.status_code == 400
    assert not Event.objects.filter(title="Cleanup day").exists()


def test_bad_input_gets_field_messages(cast):
    response = api_for(cast, "manager").post(
        reverse("api:event-list"), {"community": cast.event.community.slug, "starts_at": "soon"}, format="json"
    )

    assert response.status_code == 400
    assert {"title", "starts_at", "ends_at"} <= set(response.json())


@pytest.mark.parametrize("role", ROLES)
def test_only_those_running_the_event_change_it(cast, role):
    response = api_for(cast, role).patch(
        reverse("api:event-detail", kwargs={"pk": cast.event.pk}), {"title": "New name"}, format="json"
    )

    if role in RUNS_EVENT:
        assert response.status_code == 200
        assert Event.objects.get(pk=cast.event.pk).title == "New name"
    else:
        assert response.status_code in (401, 404)


def test_another_communitys_event_cannot_be_changed(cast):
    cast.other_event.visibility = "members"
    cast.other_event.save()

    response = api_for(cast, "manager").patch(
        reverse("api:event-detail", kwargs={"pk": cast.other_event.pk}), {"title": "x"}, format="json"
    )

    assert response.status_code == 404


def test_registering_and_cancelling_through_the_api(cast):
    api = api_for(cast, "member")
    cast.event.capacity = 1
    cast.event.save()
    RegistrationFactory(event=cast.event)

    registered = api.post(reverse("api:event-register", kwargs={"pk": cast.event.pk}), {}, format="json")
    again = api.post(reverse("api:event-register", kwargs={"pk": cast.event.pk}), {}, format="json")
    cancelled = api.post(reverse("api:event-cancel-registration", kwargs={"pk": cast.event.pk}))

    assert registered.status_code == 201
    assert registered.json()["status"] == "waitlisted"
    assert again.status_code == 400
    assert "already registered" in again.json()["detail"][0]
    assert cancelled.json()["status"] == "cancelled"


def test_registering_for_an_invisible_event_is_not_found(cast):
    cast.other_event.visibility = "members"
    cast.other_event.save()

    response = api_for(cast, "member").post(reverse("api:event-register", kwargs={"pk": cast.other_event.pk}))

    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_registrations_list_own_and_for_hosts_the_events(cast, role):
    guest = RegistrationFactory(event=cast.event)
    foreign = RegistrationFactory(event=cast.other_event)

    response = api_for(cast, role).get(reverse("api:registration-list"))

    if role == "anonymous":
        assert response.status_code == 401
        return
    ids = {r["id"] for r in response.json()["results"]}
    assert (guest.pk in ids) == (role in RUNS_EVENT)
    assert (foreign.pk in ids) == (role == "staff")


@pytest.mark.parametrize("role", ROLES)
def test_check_in_through_the_api_is_for_those_running_the_event(cast, role):
    registration = RegistrationFactory(event=cast.event)

    response = api_for(cast, role).post(reverse("api:registration-check-in", kwargs={"pk": registration.pk}))

    registration.refresh_from_db()
    assert (registration.status == "attended") == (role in RUNS_EVENT)
    if role not in RUNS_EVENT:
        assert response.status_code in (401, 404)


def test_a_member_cancels_their_own_registration_but_not_someone_elses(cast):
    mine = RegistrationFactory(event=cast.event, user=cast.member, guest_name="", guest_email="")
    other = RegistrationFactory(event=cast.event)
    api = api_for(cast, "member")

    assert api.post(reverse("api:registration-cancel", kwargs={"pk": mine.pk})).status_code == 200
    assert api.post(reverse("api:registration-cancel", kwargs={"pk": other.pk})).status_code == 404
    assert Registration.objects.get(pk=other.pk).status == "confirmed"


def test_the_online_link_is_hidden_from_people_not_registered(cast):
    cast.event.format, cast.event.online_url = "online", "https://meet.example.org/room"
    cast.event.save()
    url = reverse("api:event-detail", kwargs={"pk": cast.event.pk})

    assert api_for(cast, "member").get(url).json()["online_url"] == ""
    assert api_for(cast, "event_host").get(url).json()["online_url"] == "https://meet.example.org/room"


def test_a_walk_in_through_the_api(cast):
    response = api_for(cast, "event_host").post(
        reverse("api:event-walk-in", kwargs={"pk": cast.event.pk}), {"name": "Vera"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["status"] == "attended"
    assert (
        api_for(cast, "member")
        .post(reverse("api:event-walk-in", kwargs={"pk": cast.event.pk}), {"name": "Vera"}, format="json")
        .status_code
        == 404
    )


def test_the_list_for_a_signed_in_person_costs_the_same_queries_for_any_number_of_online_events(
    cast, django_assert_num_queries
):
    for _ in range(8):
        EventFactory(community=cast.event.community, format="online", online_url="https://meet.example.org/x")
    RegistrationFactory(
        event=EventFactory(community=cast.event.community, format="online", online_url="https://meet.example.org/mine"),
        user=cast.member,
        guest_name="",
        guest_email="",
    )
    api = api_for(cast, "member")

    # count, page (seat counts and the person's registration annotated), managed communities
    with django_assert_num_queries(3):
        results = api.get(reverse("api:event-list")).json()["results"]
    assert [e["online_url"] for e in results if e["online_url"]] == ["https://meet.example.org/mine"]


@pytest.mark.parametrize("path", ["/api/v1/events/abc/", "/api/v1/events/99999999/", "/api/v1/registrations/x/"])
def test_bad_ids_are_not_found_not_errors(cast, path):
    assert api_for(cast, "manager").get(path).status_code == 404


@pytest.mark.parametrize("n", [1, 10])
def test_the_registrations_list_costs_the_same_queries_for_any_number(cast, django_assert_num_queries, n):
    for _ in range(n):
        RegistrationFactory(event=cast.event, user=UserFactory(), guest_name="", guest_email="")
    api = api_for(cast, "manager")

    # count, page with the people joined
    with django_assert_num_queries(2):
        response = api.get(reverse("api:registration-list"), {"event": cast.event.pk})
    assert response.json()["count"] == n
