"""One beat dispatches, however many run; a run key runs once, however often it is delivered."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from celery.schedules import crontab
from django.conf import settings

from config import beat
from config.celery import app
from members import jobs
from members.models import JobRun
from members.tasks import messages_requeue_stale

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "kindred-beat-probe"


def test_a_run_key_names_the_entry_and_the_slot_it_belongs_to():
    every_five = crontab(minute="*/5")
    at = datetime(2026, 11, 29, 19, 27, 41, tzinfo=UTC)

    assert jobs.run_key("events-reminders-send", every_five, at) == "events-reminders-send@20261129T192500Z"
    assert jobs.run_key("nightly", crontab(hour=3, minute=20), at).endswith("T002000Z")  # 03:20 Moscow, today
    assert jobs.run_key("tick", timedelta(seconds=10), at) == "tick@20261129T192740Z"
    for name, entry in app.conf.beat_schedule.items():
        assert len(jobs.run_key(name, entry["schedule"], at)) <= 64


@pytest.mark.django_db(transaction=True)
def test_a_run_delivered_twice_runs_once_and_a_failed_or_abandoned_one_is_taken_over():
    key = "messages-requeue-stale@20261129T192500Z"
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        first = messages_requeue_stale.apply(task_id=key)
        second = messages_requeue_stale.apply(task_id=key)
    finally:
        app.conf.task_always_eager = previous

    assert first.result == 0
    assert second.result == "already run"
    run = JobRun.objects.get(task_id=key)
    assert run.outcome == JobRun.Outcome.SUCCESS
    assert not jobs.job_run_claim(task=run.task, run_key=key)
    JobRun.objects.filter(pk=run.pk).update(outcome=JobRun.Outcome.FAILURE)
    assert jobs.job_run_claim(task=run.task, run_key=key)
    assert not jobs.job_run_claim(task=run.task, run_key=key)  # now running
    later = run.started_at + timedelta(seconds=settings.WORK_LEASE_SECONDS + 60)
    assert jobs.job_run_claim(task=run.task, run_key=key, now=later)  # its worker died


@pytest.fixture
def broker():
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the beat test needs REDIS_URL"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(QUEUE, beat.LOCK_NAME)
    yield client
    client.delete(QUEUE, beat.LOCK_NAME)


@pytest.fixture
def start_beat(tmp_path):
    processes = []

    def start(name):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.members.beat_settings",
            "REDIS_URL": settings.CELERY_BROKER_URL,
            "KINDRED_TEST_BEAT_FILE": str(tmp_path / f"{name}-schedule"),
        }
        log = (tmp_path / f"{name}.log").open("w")
        command = [sys.executable, "-m", "celery", "-A", "tests.members.beat_app", "beat", "--loglevel=INFO"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        processes.append((process, log))
        return process

    yield start
    for process, log in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def dispatched(client):
    """Task ids in the probe queue, oldest first."""
    return [json.loads(raw)["headers"]["id"] for raw in reversed(client.lrange(QUEUE, 0, -1))]


def wait_for(predicate, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def beat_logs(tmp_path):
    return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted(tmp_path.glob("*.log")))


@pytest.mark.worker
def test_two_beats_dispatch_each_slot_once_and_the_standby_takes_over_when_the_first_dies(broker, start_beat, tmp_path):
    first = start_beat("first")
    assert wait_for(lambda: len(dispatched(broker)) >= 1), beat_logs(tmp_path)
    second = start_beat("second")
    time.sleep(6)  # both beats tick; only the lock holder dispatches

    ids = dispatched(broker)
    assert len(ids) >= 4, beat_logs(tmp_path)
    assert all(task_id.startswith("probe@") for task_id in ids)
    assert max(Counter(ids).values()) == 1, ids
    assert "Sending due task" not in (tmp_path / "second.log").read_text()

    first.kill()  # SIGKILL: the lock is not released, it expires
    first.wait()
    count_when_killed = len(dispatched(broker))
    assert wait_for(lambda: len(dispatched(broker)) >= count_when_killed + 2, seconds=60), beat_logs(tmp_path)
    assert "Sending due task" in (tmp_path / "second.log").read_text()
    assert second.poll() is None
