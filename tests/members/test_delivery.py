"""Delivery from the ledger: claim with a lease, send, mark sent, each on its own; the sweep and one clock."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from members import services
from members.models import OutboundMessage

pytestmark = pytest.mark.django_db


def queued(key="delivery:1"):
    # Queued, not delivered: no on-commit callbacks run in these tests unless asked.
    return services.message_send(key=key, template="hello", context={"name": "Friend"}, to_email="friend@example.org")


class CrashAfterSend:
    """A mail backend that hands the message over, then the worker "dies" before it can mark it sent."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        mail.outbox.extend(messages)
        raise SystemExit("killed")


def test_a_claim_moves_the_row_to_sending_with_a_lease_and_a_second_claim_gets_nothing():
    message = queued()
    now = timezone.now()

    claimed = services.message_claim(message_id=message.pk, now=now)

    assert claimed.status == OutboundMessage.Status.SENDING
    assert claimed.lease_until == now + timedelta(seconds=settings.MESSAGE_LEASE_SECONDS)
    assert claimed.attempts == 1
    assert services.message_claim(message_id=message.pk, now=now + timedelta(seconds=30)) is None


def test_a_worker_holding_the_same_task_sends_nothing_while_the_lease_lives(mailoutbox):
    message = queued()
    services.message_claim(message_id=message.pk)

    services.message_deliver(message_id=message.pk)

    assert mailoutbox == []


def test_a_crash_between_send_and_mark_leaves_it_sending_and_the_sweep_resends_it_only_after_the_lease(
    settings, mailoutbox
):
    settings.MAILERS = {"default": {"BACKEND": "tests.members.test_delivery.CrashAfterSend"}}
    message = queued()
    with pytest.raises(SystemExit):
        services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENDING
    assert len(mailoutbox) == 1
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

    assert services.messages_requeue_stale(now=timezone.now() + timedelta(seconds=60)) == 0
    later = message.lease_until + timedelta(seconds=1)
    assert services.messages_requeue_stale(now=later) == 1
    services.message_deliver(message_id=message.pk, now=later)

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert message.attempts == 2
    # The one possible duplicate is recognisable: both copies carry the row's Message-ID.
    assert len(mailoutbox) == 2
    assert {m.extra_headers["Message-ID"] for m in mailoutbox} == {message.message_id}


def test_every_row_has_its_own_message_id_and_the_mail_carries_it(commit, mailoutbox):
    with commit():
        first, second = queued("delivery:a"), queued("delivery:b")

    assert first.message_id != second.message_id
    assert first.message_id.startswith("<")
    assert first.message_id.endswith(f"@{settings.MESSAGE_ID_DOMAIN}>")
    assert sorted(m.message()["Message-ID"] for m in mailoutbox) == sorted([first.message_id, second.message_id])


def test_the_sweep_leaves_fresh_queued_rows_and_live_leases_alone():
    fresh, held = queued("delivery:fresh"), queued("delivery:held")
    services.message_claim(message_id=held.pk)

    assert services.messages_requeue_stale(now=timezone.now() + timedelta(seconds=30)) == 0
    assert services.messages_requeue_stale(now=timezone.now() + timedelta(seconds=settings.WORK_LEASE_SECONDS + 5)) == 2
    assert fresh.pk != held.pk


def test_the_sweep_cutoff_the_lease_and_the_brokers_visibility_timeout_are_one_clock():
    lease = settings.WORK_LEASE_SECONDS
    assert lease == settings.MESSAGE_LEASE_SECONDS
    assert lease > settings.CELERY_TASK_TIME_LIMIT
    assert lease > settings.TASK_RETRY_MAX_SECONDS
    if settings.CELERY_BROKER_URL.startswith("redis://"):
        assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] == lease


def test_a_sent_message_is_never_claimed_again(commit, mailoutbox):
    with commit():
        message = queued()

    assert services.message_claim(message_id=message.pk, now=timezone.now() + timedelta(days=1)) is None
    services.message_deliver(message_id=message.pk)
    assert len(mailoutbox) == 1
