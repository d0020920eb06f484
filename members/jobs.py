"""Scheduled jobs made visible: every run of a task in the beat schedule is written to JobRun.

Celery's task_prerun / task_postrun / task_failure signals record the start, the finish and the
outcome (they fire on a worker and for eager calls alike). `jobs_status` reads the schedule from
config.celery and says, for each job, when it last ran and succeeded, when it runs next, and whether it
is overdue (no success for twice its interval, or a day more than its interval for daily and
rarer jobs) or failing (its last run failed): a stopped beat or worker is noticed the same day.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from celery.signals import task_failure, task_postrun, task_prerun
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone

from members.models import JobRun

ALERT_CACHE_KEY = "jobs:alert"
ALERT_CACHE_SECONDS = 60


def scheduled_tasks():
    from config.celery import app

    return {entry["task"] for entry in app.conf.beat_schedule.values()}


@task_prerun.connect
def _job_started(task_id=None, task=None, **kwargs):
    if task is not None and task.name in scheduled_tasks():
        JobRun.objects.update_or_create(task_id=task_id, defaults={"task": task.name, "started_at": timezone.now()})


@task_postrun.connect
def _job_finished(task_id=None, task=None, retval=None, state=None, **kwargs):
    if task is None or task.name not in scheduled_tasks():
        return
    outcome = JobRun.Outcome.SUCCESS if state == "SUCCESS" else JobRun.Outcome.FAILURE
    changes = {"finished_at": timezone.now(), "outcome": outcome}
    if outcome == JobRun.Outcome.SUCCESS:
        changes["result"] = repr(retval)[:200]
    JobRun.objects.filter(task_id=task_id).update(**changes)
    cache.delete(ALERT_CACHE_KEY)


@task_failure.connect
def _job_failed(task_id=None, exception=None, sender=None, **kwargs):
    if sender is None or sender.name not in scheduled_tasks():
        return
    error = f"{type(exception).__name__}: {exception}"[:4000]
    JobRun.objects.filter(task_id=task_id).update(
        outcome=JobRun.Outcome.FAILURE, error=error, finished_at=timezone.now()
    )
    cache.delete(ALERT_CACHE_KEY)


@dataclass
class JobStatus:
    name: str
    task: str
    schedule: str
    interval: timedelta
    last_run: JobRun | None
    last_success_at: datetime | None
    next_run_at: datetime
    overdue: bool
    failing: bool

    @property
    def healthy(self):
        return not (self.overdue or self.failing)


def schedule_interval(schedule, now):
    """The time between two runs: from the next run to the one after it."""
    # remaining_estimate(t) is "from now to the first run after t".
    first = now + schedule.remaining_estimate(now)
    second = now + schedule.remaining_estimate(first)
    return second - first


def grace_for(interval):
    if interval >= timedelta(days=1):
        return interval + timedelta(days=1)
    return interval * 2


def jobs_status(*, now=None):
    """The status of every job in the beat schedule, in the schedule's order. Two queries."""
    from config.celery import app

    now = now or timezone.now()
    entries = app.conf.beat_schedule
    tasks = [entry["task"] for entry in entries.values()]
    latest_ids = (
        JobRun.objects.filter(task__in=tasks).values("task").annotate(last=Max("pk")).values_list("last", flat=True)
    )
    last_runs = {run.task: run for run in JobRun.objects.filter(pk__in=list(latest_ids))}
    successes = dict(
        JobRun.objects.filter(task__in=tasks, outcome=JobRun.Outcome.SUCCESS)
        .values("task")
        .annotate(last=Max("finished_at"))
        .values_list("task", "last")
    )
    return [
        _status(name, entry, last_runs.get(entry["task"]), successes.get(entry["task"]), now)
        for name, entry in entries.items()
    ]


def _status(name, entry, last_run, last_success_at, now):
    schedule = entry["schedule"]
    interval = schedule_interval(schedule, now)
    # A job that never succeeded counts from its first try; one that never ran is not flagged.
    since = last_success_at or (last_run.started_at if last_run else None)
    grace = grace_for(interval)
    return JobStatus(
        name=name,
        task=entry["task"],
        schedule=_describe(schedule),
        interval=interval,
        last_run=last_run,
        last_success_at=last_success_at,
        next_run_at=now + schedule.remaining_estimate(last_run.started_at if last_run else now),
        overdue=since is not None and now - since > grace,
        failing=last_run is not None and last_run.outcome == JobRun.Outcome.FAILURE,
    )


def _describe(schedule):
    fields = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
    if all(hasattr(schedule, f"_orig_{f}") for f in fields):
        return " ".join(str(getattr(schedule, f"_orig_{f}")) for f in fields)
    return str(schedule)


def jobs_alert():
    """How many jobs are overdue or failing (cached for a minute: the navbar asks on every page)."""
    count = cache.get(ALERT_CACHE_KEY)
    if count is None:
        count = sum(1 for status in jobs_status() if not status.healthy)
        cache.set(ALERT_CACHE_KEY, count, ALERT_CACHE_SECONDS)
    return count


def job_runs_prune(*, now=None, keep_days=30):
    """Old runs go; the latest run of each task always stays."""
    now = now or timezone.now()
    keep = JobRun.objects.values("task").annotate(last=Max("pk")).values_list("last", flat=True)
    old = JobRun.objects.filter(started_at__lt=now - timedelta(days=keep_days)).exclude(pk__in=list(keep))
    deleted, _rows = old.delete()
    return deleted
