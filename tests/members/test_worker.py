"""Round trips through a real Celery worker consuming from the real Redis broker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from config.celery import app
from members import services
from members.models import OutboundMessage

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the worker tests need REDIS_URL"
    app.conf.task_always_eager = False
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def wait_for(predicate, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_a_queued_message_is_sent_by_the_worker(worker, mailoutbox):
    message = services.message_send(
        key="worker:hello", template="hello", context={"name": "Friend"}, to_email="friend@example.org"
    )

    assert wait_for(lambda: OutboundMessage.objects.get(pk=message.pk).status == OutboundMessage.Status.SENT)
    assert [m.to for m in mail.outbox] == [["friend@example.org"]]


class FailTwiceBackend:
    calls = 0

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        FailTwiceBackend.calls += 1
        if FailTwiceBackend.calls <= 2:
            raise TimeoutError("mail server timed out")
        mail.outbox.extend(messages)
        return len(messages)


def test_the_worker_retries_a_failing_send_with_back_off_until_it_goes(worker, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.members.test_worker.FailTwiceBackend"}}
    settings.MESSAGE_RETRY_BASE_SECONDS = 0
    mail.outbox = []

    message = services.message_send(
        key="worker:flaky", template="hello", context={"name": "Friend"}, to_email="friend@example.org"
    )

    assert wait_for(lambda: OutboundMessage.objects.get(pk=message.pk).status == OutboundMessage.Status.SENT)
    message.refresh_from_db()
    assert message.attempts == 3
    assert message.last_error == "TimeoutError: mail server timed out"
    assert len(mail.outbox) == 1
