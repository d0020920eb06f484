from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import signing
from django.urls import reverse

from events import services
from tests.events.factories import EventFactory
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def parse(response):
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def test_the_event_ics_parses_back_with_its_zone_and_a_stable_uid(client, community):
    event = EventFactory(
        community=community,
        title="Spring run",
        timezone="Europe/Berlin",
        starts_at=datetime(2026, 3, 29, 8, 0, tzinfo=UTC),
    )
    url = reverse("events:ics", kwargs={"pk": event.pk})

    calendar = parse(client.get(url))
    vevent = calendar.walk("VEVENT")[0]

    assert str(vevent["SUMMARY"]) == "Spring run"
    start = vevent.decoded("DTSTART")
    assert start == datetime(2026, 3, 29, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert start.utcoffset() == timedelta(hours=2)  # summer time already, on the switch day
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert "Café Dobro" in str(vevent["LOCATION"])
    event.title = "Spring run, renamed"
    event.save()
    again = parse(client.get(url)).walk("VEVENT")[0]
    assert again["UID"] == vevent["UID"]


def test_the_online_link_is_in_the_ics_only_with_a_registration(client, community):
    event = EventFactory(community=community, format="online", online_url="https://meet.example.org/room")
    registration = services.registration_create(event=event, guest_name="A", guest_email="a@example.org")
    url = reverse("events:ics", kwargs={"pk": event.pk})

    public = parse(client.get(url)).walk("VEVENT")[0]
    personal = parse(client.get(url + "?t=" + services.registration_token(registration))).walk("VEVENT")[0]

    assert "LOCATION" not in public
    assert str(personal["LOCATION"]) == "https://meet.example.org/room"


def test_a_tampered_token_falls_back_to_the_public_rules(client, community):
    event = EventFactory(community=community, visibility="members")

    assert client.get(reverse("events:ics", kwargs={"pk": event.pk}) + "?t=forged").status_code == 404


def test_the_community_feed_lists_public_events_and_members_get_their_own_link(client, community):
    public = EventFactory(community=community, title="Open day")
    private = EventFactory(community=community, title="Members' dinner", visibility="members")
    EventFactory(community=community, title="Draft", status="draft")
    member = MembershipFactory(community=community).user
    url = reverse("events:community_ics", kwargs={"slug": community.slug})

    anyone = parse(client.get(url))
    assert [str(e["SUMMARY"]) for e in anyone.walk("VEVENT")] == ["Open day"]
    assert anyone.walk("VEVENT")[0]["UID"] != ""

    client.force_login(member)
    feed_link = client.get(reverse("events:community", kwargs={"slug": community.slug})).context["feed_url"]
    client.logout()
    members = parse(client.get(feed_link))  # a calendar app fetches it without a session
    assert sorted(str(e["SUMMARY"]) for e in members.walk("VEVENT")) == ["Members' dinner", "Open day"]
    assert {public.pk, private.pk}


def test_a_feed_token_for_another_community_or_forged_is_refused(client, community):
    member = MembershipFactory(community=community).user
    other = MembershipFactory(role="member").community
    token = signing.dumps({"c": community.pk, "u": member.pk}, salt="events.feed")

    assert (
        client.get(reverse("events:community_ics", kwargs={"slug": other.slug}) + "?token=" + token).status_code == 404
    )
    url = reverse("events:community_ics", kwargs={"slug": community.slug})
    assert client.get(url + "?token=" + token + "x").status_code == 404


def test_a_cancelled_event_is_marked_cancelled_in_the_feed(client, community):
    EventFactory(community=community, status="cancelled")

    vevent = parse(client.get(reverse("events:community_ics", kwargs={"slug": community.slug}))).walk("VEVENT")[0]

    assert str(vevent["STATUS"]) == "CANCELLED"
