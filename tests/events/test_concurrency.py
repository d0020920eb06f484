"""Real concurrent registrations against PostgreSQL: each thread has its own connection."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from events import services
from events.models import Registration
from members.models import OutboundMessage
from tests.events.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def run_together(count, action):
    """Start `count` threads that call action(i) at the same moment; return the errors."""
    barrier = threading.Barrier(count)
    errors = []

    def worker(i):
        try:
            barrier.wait()
            action(i)
        except Exception as exc:  # collected and asserted on by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_many_people_registering_at_once_never_exceed_the_capacity():
    event = EventFactory(capacity=5)

    errors = run_together(
        20, lambda i: services.registration_create(event=event, guest_name=f"P{i}", guest_email=f"p{i}@example.org")
    )

    assert errors == []
    statuses = list(event.registrations.values_list("status", flat=True))
    assert statuses.count("confirmed") == 5
    assert statuses.count("waitlisted") == 15
    positions = sorted(event.registrations.filter(status="waitlisted").values_list("position", flat=True))
    assert positions == list(range(1, 16))


def test_the_same_person_double_clicking_is_registered_once():
    event = EventFactory(capacity=5)

    errors = run_together(
        6, lambda i: services.registration_create(event=event, guest_name="Same", guest_email="same@example.org")
    )

    assert event.registrations.count() == 1
    assert len(errors) == 5
    assert all(isinstance(e, services.EventError) for e in errors)


def test_cancellations_and_registrations_at_once_keep_the_count_and_promote_in_order():
    event = EventFactory(capacity=4)
    seated = [RegistrationFactory(event=event) for _ in range(4)]
    waiting = [RegistrationFactory(event=event, status="waitlisted", position=i + 1) for i in range(4)]

    def action(i):
        if i < 4:
            services.registration_cancel(registration=seated[i])
        else:
            services.registration_create(event=event, guest_name=f"N{i}", guest_email=f"n{i}@example.org")

    errors = run_together(8, action)

    assert errors == []
    assert event.registrations.filter(status__in=Registration.SEATED).count() == 4
    # Whatever the interleaving, the seats went to the waitlist before any newcomer.
    assert {r.status for r in Registration.objects.filter(pk__in=[w.pk for w in waiting])} == {"confirmed"}


def test_two_reminder_scans_overlapping_send_each_reminder_once(mailoutbox):
    event = EventFactory(capacity=None, starts_at=timezone.now() + timedelta(hours=23))
    for _ in range(30):
        RegistrationFactory(event=event, created_at=event.starts_at - timedelta(days=2))

    errors = run_together(3, lambda i: services.event_reminders_send())

    assert errors == []
    assert OutboundMessage.objects.filter(key__startswith="event-reminder:24h:").count() == 30
    recipients = [m.to[0] for m in mailoutbox]
    assert len(recipients) == 30
    assert len(set(recipients)) == 30
