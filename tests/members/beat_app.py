"""The Celery app for the two-beat test: Kindred's app and scheduler with one fast entry on its own queue."""

from datetime import timedelta

from config.celery import app

app.conf.beat_schedule = {
    "probe": {
        "task": "members.tasks.messages_requeue_stale",
        "schedule": timedelta(seconds=1),
        "options": {"queue": "kindred-beat-probe"},
    },
}
