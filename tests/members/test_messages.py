from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.utils import timezone

from members import services
from members.models import OutboundMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def send_hello(key="hello:1", **kwargs):
    kwargs.setdefault("to_email", "friend@example.org")
    return services.message_send(key=key, template="hello", context={"name": "Friend"}, **kwargs)


def test_it_sends_a_message_once_per_key(commit, mailoutbox):
    with commit():
        first = send_hello()
        second = send_hello()

    assert first.pk == second.pk
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["friend@example.org"]
    first.refresh_from_db()
    assert first.status == OutboundMessage.Status.SENT
    assert first.sent_at is not None
    assert first.attempts == 1


def test_a_repeated_key_sends_nothing_even_after_the_first_was_sent(commit, mailoutbox):
    with commit():
        send_hello()
    with commit():
        send_hello()

    assert len(mailoutbox) == 1
    assert OutboundMessage.objects.count() == 1


def test_it_writes_the_ledger_row_before_anything_is_sent(mailoutbox):
    # No commit yet: the row exists and is queued, the mail has not gone.
    message = send_hello()

    assert OutboundMessage.objects.get(pk=message.pk).status == OutboundMessage.Status.QUEUED
    assert mailoutbox == []


def test_it_renders_in_the_recipients_language(commit, mailoutbox):
    russian = UserFactory(language="ru", name="Мария Иванова")

    with commit():
        send_hello(key="hello:ru", to_email=None, user=russian, language="en")

    assert mailoutbox[0].subject == "Тестовое письмо от Kindred"
    assert "Здравствуйте" in mailoutbox[0].body
    html = mailoutbox[0].alternatives[0]
    assert html.mimetype == "text/html"
    assert 'lang="ru"' in html.content


def test_it_uses_the_given_language_for_an_address_without_an_account(commit, mailoutbox):
    with commit():
        send_hello(language="ru")

    assert mailoutbox[0].subject == "Тестовое письмо от Kindred"


class FlakyBackend:
    """A mail backend that fails a set number of times, then delivers."""

    failures_left = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        if FlakyBackend.failures_left:
            FlakyBackend.failures_left -= 1
            raise ConnectionRefusedError("SMTP server said no")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.fixture
def flaky_backend(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.members.test_messages.FlakyBackend"}}
    mail.outbox = []
    return FlakyBackend


def test_a_failed_send_keeps_its_error_and_asks_the_worker_to_retry(flaky_backend, commit):
    flaky_backend.failures_left = 1

    with pytest.raises(Retry), commit():
        send_hello()

    message = OutboundMessage.objects.get(key="hello:1")
    assert message.status == OutboundMessage.Status.FAILED
    assert message.attempts == 1
    assert message.last_error == "ConnectionRefusedError: SMTP server said no"
    assert mail.outbox == []


def test_the_retry_sends_it_and_keeps_the_earlier_error(flaky_backend, commit):
    flaky_backend.failures_left = 1
    with pytest.raises(Retry), commit():
        message = send_hello()

    services.message_deliver(message_id=message.pk)

    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT
    assert message.attempts == 2
    assert "SMTP server said no" in message.last_error
    assert len(mail.outbox) == 1


def test_delivering_a_sent_message_again_sends_nothing(commit, mailoutbox):
    with commit():
        message = send_hello()

    services.message_deliver(message_id=message.pk)
    services.message_deliver(message_id=message.pk)

    assert len(mailoutbox) == 1


def test_the_sweep_queues_again_a_message_whose_task_was_lost(commit, mailoutbox):
    message = send_hello()  # its on-commit task is never run: as if the broker lost it
    later = timezone.now() + timedelta(minutes=30)

    with commit():
        requeued = services.messages_requeue_stale(now=later)

    assert requeued == 1
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.status == OutboundMessage.Status.SENT


def test_the_sweep_leaves_fresh_and_sent_messages_alone(commit, mailoutbox):
    with commit():
        send_hello(key="sent")
    send_hello(key="fresh")

    with commit():
        requeued = services.messages_requeue_stale()

    assert requeued == 0
    assert len(mailoutbox) == 1


def test_resend_queues_only_failed_messages(flaky_backend, commit):
    flaky_backend.failures_left = 1
    with pytest.raises(Retry), commit():
        failed = send_hello(key="will-fail")
    with commit():
        sent = send_hello(key="will-send")

    nobody = services.messages_resend(ids=[failed.pk], actor=UserFactory())  # neither staff nor its manager
    with commit():
        count = services.messages_resend(ids=[failed.pk, sent.pk], actor=UserFactory(is_staff=True))

    assert (nobody, count) == (0, 1)
    failed.refresh_from_db()
    assert failed.status == OutboundMessage.Status.SENT
    assert len(mail.outbox) == 2


def test_subjects_keep_the_no_break_spaces_of_formatted_money():
    donation = SimpleNamespace(amount=Decimal("1500.00"), currency="RUB")

    subject, _text, _html = services.message_render(
        template="donation_receipt", context={"donation": donation}, language="ru"
    )

    assert "\n" not in subject
    assert "1\u00a0500\u00a0₽" in subject


def test_attachments_travel_with_the_message_and_are_kept_in_the_ledger(commit, mailoutbox):
    ics = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"

    with commit():
        message = send_hello(attachments=[{"filename": "event.ics", "content": ics, "mimetype": "text/calendar"}])

    assert mailoutbox[0].attachments == [("event.ics", ics, "text/calendar")]
    message.refresh_from_db()
    assert message.attachments[0]["filename"] == "event.ics"
