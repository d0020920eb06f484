from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from events import services, tasks
from members.models import OutboundMessage
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def soon(community):
    """An event starting in 23 hours: the 24-hour reminder is due, the 2-hour one is not."""
    return EventFactory(community=community, starts_at=timezone.now() + timedelta(hours=23))


def registered_long_ago(event, **kwargs):
    return RegistrationFactory(event=event, created_at=event.starts_at - timedelta(days=3), **kwargs)


def test_a_guest_who_did_not_ask_for_reminders_gets_none(soon, commit, mailoutbox):
    registered_long_ago(soon, guest_reminders=False)

    with commit():
        assert services.event_reminders_send() == 0

    assert mailoutbox == []


def test_each_due_reminder_is_sent_once_even_when_the_scan_runs_twice(soon, commit, mailoutbox):
    people = [registered_long_ago(soon) for _ in range(3)]

    with commit():
        assert services.event_reminders_send() == 3
        assert services.event_reminders_send() == 0
        tasks.event_reminders_send.delay()

    assert sorted(m.to[0] for m in mailoutbox) == sorted(r.guest_email for r in people)
    assert all("Reminder" in m.subject for m in mailoutbox)
    assert OutboundMessage.objects.filter(key__startswith="event-reminder:24h:").count() == 3


def test_both_offsets_are_sent_at_their_time(community, commit, mailoutbox):
    start = timezone.now() + timedelta(days=2)
    event = EventFactory(community=community, starts_at=start)
    registered_long_ago(event)

    with commit():
        sent = [
            services.event_reminders_send(now=start - timedelta(hours=hours)) for hours in (30, 24, 23, 13, 2, 1.5, 0.5)
        ]

    assert sent == [0, 1, 0, 0, 1, 0, 0]
    assert [m.subject for m in mailoutbox] == [f"Reminder: {event.title}"] * 2
    assert "starts in 24 hours" in mailoutbox[0].body
    assert "starts in 2 hours" in mailoutbox[1].body


def test_someone_registering_after_the_mark_gets_no_late_reminder_for_it(soon):
    RegistrationFactory(event=soon, created_at=soon.starts_at - timedelta(hours=23, minutes=30))

    assert services.event_reminders_send() == 0


def test_a_reminder_whose_window_passed_is_not_sent_late(community):
    event = EventFactory(community=community, starts_at=timezone.now() + timedelta(hours=5))
    registered_long_ago(event)

    # 24-hour window closed at 12 hours before; 2-hour one not open yet.
    assert services.event_reminders_send() == 0


def test_waitlisted_cancelled_and_opted_out_people_get_no_reminder(soon, community):
    registered_long_ago(soon, status="waitlisted", position=1)
    registered_long_ago(soon, status="cancelled")
    opted_out = MembershipFactory(community=community, user__consent_reminders=False).user
    registered_long_ago(soon, user=opted_out, guest_name="", guest_email="")
    consenting = MembershipFactory(community=community).user
    registered_long_ago(soon, user=consenting, guest_name="", guest_email="")

    assert services.event_reminders_send() == 1
    assert OutboundMessage.objects.get().user == consenting


def test_events_with_reminders_off_or_not_published_send_none(community):
    for fields in ({"reminders_enabled": False}, {"status": "cancelled"}, {"status": "draft"}):
        event = EventFactory(community=community, starts_at=timezone.now() + timedelta(hours=23), **fields)
        registered_long_ago(event)

    assert services.event_reminders_send() == 0


def test_a_full_event_of_500_reminds_every_person_once(community, django_assert_max_num_queries):
    event = EventFactory(community=community, capacity=500, starts_at=timezone.now() + timedelta(hours=23))
    RegistrationFactory.create_batch(500, event=event, created_at=event.starts_at - timedelta(days=2))

    first = services.event_reminders_send()
    with django_assert_max_num_queries(3):
        second = services.event_reminders_send()

    assert (first, second) == (500, 0)
    keys = OutboundMessage.objects.values_list("key", flat=True)
    assert len(set(keys)) == 500


def test_the_members_reminder_shows_the_time_in_their_zone(soon, community, commit, mailoutbox):
    person = MembershipFactory(community=community, user__timezone="Asia/Novosibirsk").user
    registered_long_ago(soon, user=person, guest_name="", guest_email="")

    with commit():
        services.event_reminders_send()

    local = soon.starts_at.astimezone(ZoneInfo("Asia/Novosibirsk")).strftime("%H:%M")
    assert local in mailoutbox[0].body
    assert "Asia/Novosibirsk" in mailoutbox[0].body
