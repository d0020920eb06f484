"""Real worker processes on Redis and PostgreSQL, killed and restarted, and the mail sink they write to."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.db import connection

from config.celery import app
from members.models import OutboundMessage

ROOT = Path(__file__).resolve().parents[2]


def wait_for(predicate, seconds=180, step=0.1):
    # Generous: a worker process boots Django and Celery, slowly on a busy machine.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


@pytest.fixture
def broker_url(settings):
    """The broker the workers use (the test run's own Redis database), emptied before and after."""
    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the fault tests need REDIS_URL"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")
    yield settings.CELERY_BROKER_URL
    client.delete("celery", "unacked", "unacked_index", "unacked_mutex")


@pytest.fixture
def mail_log(tmp_path):
    return tmp_path / "sent.log"


@pytest.fixture
def start_worker(tmp_path, mail_log, broker_url):
    """start(name, broker=None) runs a worker process (solo pool) on the test database and a broker."""
    processes, logs = [], []
    database = connection.settings_dict
    app.conf.task_always_eager = False

    def start(name, broker=None):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.faults.worker_settings",
            "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
            "REDIS_URL": broker or broker_url,
            "KINDRED_TEST_MAIL_LOG": str(mail_log),
        }
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-n", f"{name}@%h"]
        command += ["--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
        log = (tmp_path / f"{name}.log").open("w")
        logs.append(log)
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        processes.append(process)
        return process

    yield start
    app.conf.task_always_eager = True
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


def sink_counts(mail_log):
    """How many times each Message-ID reached the mail sink."""
    lines = mail_log.read_text(encoding="utf-8").splitlines() if mail_log.exists() else []
    return Counter(line.split("\t")[0] for line in lines)


def assert_ledger_and_sink_agree(messages, mail_log):
    """Every ledger row is sent and reached the sink; nothing else did; at most one row twice (README:
    the window between the mail server's acceptance and the mark), and then with the same Message-ID."""
    rows = dict(messages.values_list("message_id", "status"))
    assert set(rows.values()) == {OutboundMessage.Status.SENT}
    counts = sink_counts(mail_log)
    assert set(counts) == set(rows)
    assert sum(counts.values()) - len(rows) <= 1, counts.most_common(3)
