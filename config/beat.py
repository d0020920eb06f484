"""One beat per deployment, and one run per scheduled slot.

`LockedScheduler` is Celery beat's file scheduler that dispatches only while it holds a lock in Redis
(renewed every tick, released at shutdown; a beat that dies lets go when the lock expires), so a
mistaken second beat or an overlapping rolling restart stays idle. Each dispatch gets a task id naming
its entry and slot (`members.jobs.run_key`), and `RunOnceTask`, the app's task class, runs a given
run key once (`members.jobs.job_run_claim`): even two beats holding no lock, or the broker handing a
task out twice, cannot double a run.
"""

import logging
import uuid

import redis
from celery.beat import PersistentScheduler
from celery.contrib.django.task import DjangoTask
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

LOCK_NAME = "kindred:beat:lock"
# Beat ticks (and renews the lock) at least this often; the lock outlives its holder's last tick by
# settings.BEAT_LOCK_TIMEOUT_SECONDS, the longest a dead beat's schedule waits for another beat.
LOCK_TICK_SECONDS = 1


class RunOnceTask(DjangoTask):
    """The app's task class: a delivery of a beat run key that already ran does nothing."""

    def __call__(self, *args, **kwargs):
        # Imported here: Celery resolves the task class before Django's apps are ready.
        from members import jobs

        run_key = self.request.id
        if jobs.is_run_key(run_key) and not jobs.job_run_claim(task=self.name, run_key=run_key):
            logger.info("%s: run %s already happened, skipped", self.name, run_key)
            jobs.job_run_skip(run_key)
            return "already run"
        return super().__call__(*args, **kwargs)


class LockedScheduler(PersistentScheduler):
    """Beat's scheduler, dispatching only while it holds the deployment's beat lock in Redis."""

    def __init__(self, *args, **kwargs):
        self._lock = None
        self._holding = False
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        if not self.lock_hold():
            return LOCK_TICK_SECONDS
        return min(super().tick(*args, **kwargs), LOCK_TICK_SECONDS)

    def lock_hold(self):
        """Take or renew the lock (in the broker's Redis); True while this beat may dispatch.

        Without Redis (`make run`'s file broker) there is one beat and no lock.
        """
        if not settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
            return True
        if self._lock is None:
            client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
            self._lock = client.lock(LOCK_NAME, timeout=settings.BEAT_LOCK_TIMEOUT_SECONDS, thread_local=False)
        try:
            if self._holding and self._lock.owned():
                self._lock.reacquire()
            else:
                self._holding = self._lock.acquire(blocking=False, token=uuid.uuid4().hex)
        except redis.RedisError as exc:
            logger.warning("beat lock unavailable, not dispatching: %s", exc)
            self._holding = False
        return self._holding

    def apply_async(self, entry, producer=None, advance=True, **kwargs):
        from members import jobs  # see RunOnceTask

        options = entry.options
        entry.options = {**options, "task_id": jobs.run_key(entry.name, entry.schedule, timezone.now())}
        try:
            return super().apply_async(entry, producer=producer, advance=advance, **kwargs)
        finally:
            entry.options = options

    def close(self):
        if self._holding and self._lock is not None:
            try:
                self._lock.release()
            except redis.RedisError:
                logger.warning("beat lock not released; it expires in %s s", settings.BEAT_LOCK_TIMEOUT_SECONDS)
        super().close()
