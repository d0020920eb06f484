"""Settings for worker processes in the fault tests: the test settings on a real broker, a short lease.

Every e-mail sent is appended to KINDRED_TEST_MAIL_LOG as "<Message-ID>\t<to>" (the SMTP sink the
ledger is compared with). The lease is short so that a killed worker's work comes back in seconds;
it stays one clock, as in production: visibility timeout = message lease > task time limit.
"""

import os

from config.test_settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
WORK_LEASE_SECONDS = 20
MESSAGE_LEASE_SECONDS = WORK_LEASE_SECONDS
TASK_RETRY_MAX_SECONDS = 2
MESSAGE_RETRY_BASE_SECONDS = 1
CELERY_TASK_SOFT_TIME_LIMIT = 12
CELERY_TASK_TIME_LIMIT = 15
CELERY_BROKER_URL = os.environ["REDIS_URL"]
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": WORK_LEASE_SECONDS}
MAILERS = {"default": {"BACKEND": "tests.faults.worker_settings.MailLogBackend"}}


class MailLogBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        with open(os.environ["KINDRED_TEST_MAIL_LOG"], "a", encoding="utf-8") as log:
            for message in messages:
                log.write(f"{message.extra_headers['Message-ID']}\t{message.to[0]}\n")
        return len(messages)
