"""Reminders through real Celery worker processes on Redis, one of them killed in the middle of the batch."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app
from events import tasks
from events.models import Registration
from members import services as member_services
from members.models import OutboundMessage
from tests.events.factories import EventFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, seconds=180, step=0.02):
    # Generous: a worker process boots Django and Celery, slowly on a busy two-core machine.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@pytest.fixture
def broker(settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the worker tests need REDIS_URL"
    app.conf.task_always_eager = False
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    yield
    app.conf.task_always_eager = True
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
        # The killed worker's unacknowledged task would come back after the visibility timeout.
        conn.default_channel.client.delete("unacked", "unacked_index")


@pytest.fixture
def start_worker(tmp_path, settings):
    processes, logs = [], []
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.events.worker_settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "KINDRED_TEST_MAIL_LOG": str(tmp_path / "sent.log"),
    }

    def start(name):
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-n",
            f"{name}@%h",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        log = (tmp_path / f"{name}.log").open("w")
        logs.append(log)
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    for log in logs:
        log.close()


def worker_logs(tmp_path):
    return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted(tmp_path.glob("*.log")))


def sent_lines(tmp_path):
    log = tmp_path / "sent.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_a_worker_killed_mid_batch_neither_loses_nor_repeats_a_reminder(broker, start_worker, tmp_path):
    total = 500
    event = EventFactory(capacity=total, starts_at=timezone.now() + timedelta(hours=23))
    Registration.objects.bulk_create(
        Registration(
            event=event,
            guest_name=f"Guest {i}",
            guest_email=f"guest{i}@example.org",
            guest_reminders=True,
            created_at=event.starts_at - timedelta(days=2),
        )
        for i in range(total)
    )
    reminders = OutboundMessage.objects.filter(key__startswith="event-reminder:")

    first = start_worker("first")
    tasks.event_reminders_send.delay()
    assert wait_for(lambda: reminders.count() >= 50), worker_logs(tmp_path)
    first.kill()  # SIGKILL: no warm shutdown, the task is neither finished nor acknowledged
    first.wait()
    queued_when_killed = reminders.count()
    assert queued_when_killed < total, "the batch finished before the kill; the test proves nothing"

    start_worker("second")
    tasks.event_reminders_send.delay()  # the next beat tick scans again
    assert wait_for(lambda: reminders.count() == total), worker_logs(tmp_path)
    # The periodic sweep re-queues deliveries the killed worker had taken but not done.
    member_services.messages_requeue_stale(now=timezone.now() + timedelta(minutes=15))
    assert wait_for(lambda: not reminders.exclude(status=OutboundMessage.Status.SENT).exists()), worker_logs(tmp_path)
    time.sleep(1)  # anything sent twice would show up by now

    recipients = Counter(line.split("\t")[0] for line in sent_lines(tmp_path))
    assert len(recipients) == total
    assert set(recipients.values()) == {1}
