"""Settings for beat processes started by test_beat.py: tasks go to the broker, the lock expires quickly."""

import os

from config.test_settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = os.environ["KINDRED_TEST_BEAT_FILE"]
BEAT_LOCK_TIMEOUT_SECONDS = 3
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "INFO"}}
