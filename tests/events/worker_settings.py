"""Settings for a Celery worker started as a separate process by test_worker.py.

The test settings, but tasks go through the broker, and every e-mail sent is appended as one line
to the file named by KINDRED_TEST_MAIL_LOG so the test can count what really went out.
"""

from config.test_settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
MAILERS = {"default": {"BACKEND": "tests.events.worker_settings.LineLogBackend"}}


class LineLogBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        import os

        with open(os.environ["KINDRED_TEST_MAIL_LOG"], "a", encoding="utf-8") as log:
            for message in messages:
                log.write(f"{message.to[0]}\t{message.subject}\n")
        return len(messages)
