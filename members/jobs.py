"""Scheduled jobs made visible: every run of a task in the beat schedule is written to JobRun.

Celery's task_prerun / task_postrun / task_failure signals record the start, the finish and the
outcome (they fire on a worker and for eager calls alike). `jobs_status` reads the schedule from
config.celery and says, for each job, when it last ran and succeeded, when it runs next, and whether it
is overdue (no success for twice its interval, or a day more than its interval for daily and
rarer jobs) or failing (its last run failed): a stopped beat or worker is noticed the same day.

A run dispatched by beat has a task id naming its entry and slot (`<entry>@<slot>`, see config.beat);
`job_run_claim` lets one delivery of that id run and turns every other one into a no-op, so a second
beat or a broker's redelivery cannot double a run.
"""

import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from celery.schedules import crontab
from celery.signals import task_failure, task_postrun, task_prerun
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from members.models import JobNote, JobRun

ALERT_CACHE_KEY = "jobs:alert"
ALERT_CACHE_SECONDS = 60


def scheduled_tasks():
    from config.celery import app

    return {entry["task"] for entry in app.conf.beat_schedule.values()}


RUN_KEY_SEPARATOR = "@"

# Run keys this process turned away as already run: their finish must not overwrite the real run's row.
_skipped_runs = set()


def is_run_key(task_id):
    """Whether a task id is a beat run key (`<entry>@<slot>`) rather than Celery's random uuid."""
    return bool(task_id) and RUN_KEY_SEPARATOR in task_id


def job_run_claim(*, task, run_key, now=None):
    """Take the one run named by `run_key`; False when it ran or is running elsewhere.

    A run that failed, or that has been "running" for longer than a lease (its worker died), is taken
    over, so a redelivered or retried run still happens once.
    """
    now = now or timezone.now()
    run, created = JobRun.objects.get_or_create(task_id=run_key, defaults={"task": task, "started_at": now})
    if created:
        return True
    stale = now - timedelta(seconds=settings.WORK_LEASE_SECONDS)
    takeover = Q(outcome=JobRun.Outcome.FAILURE) | Q(outcome=JobRun.Outcome.RUNNING, started_at__lt=stale)
    changes = {"outcome": JobRun.Outcome.RUNNING, "started_at": now, "finished_at": None, "error": ""}
    return JobRun.objects.filter(takeover, pk=run.pk).update(**changes) == 1


def job_run_skip(run_key):
    """Remember that this process did not run `run_key` (it was already run), for the postrun signal."""
    _skipped_runs.add(run_key)


@task_prerun.connect
def _job_started(task_id=None, task=None, **kwargs):
    if task is not None and task.name in scheduled_tasks() and not is_run_key(task_id):
        JobRun.objects.update_or_create(task_id=task_id, defaults={"task": task.name, "started_at": timezone.now()})


@task_postrun.connect
def _job_finished(task_id=None, task=None, retval=None, state=None, **kwargs):
    if task is None or task.name not in scheduled_tasks():
        return
    if task_id in _skipped_runs:
        _skipped_runs.discard(task_id)
        return
    outcome = JobRun.Outcome.SUCCESS if state == "SUCCESS" else JobRun.Outcome.FAILURE
    changes = {"finished_at": timezone.now(), "outcome": outcome}
    if outcome == JobRun.Outcome.SUCCESS:
        changes["result"] = repr(retval)[:200]
    else:
        # On a worker task_failure has the error already; a task run eagerly (tests, a shell) raises
        # straight through, and the exception is still being handled here.
        exception = retval if isinstance(retval, BaseException) else sys.exc_info()[1]
        if exception is not None:
            changes["error"] = _describe_error(exception)
    JobRun.objects.filter(task_id=task_id).update(**changes)
    cache.delete(ALERT_CACHE_KEY)


@task_failure.connect
def _job_failed(task_id=None, exception=None, sender=None, **kwargs):
    if sender is None or sender.name not in scheduled_tasks():
        return
    JobRun.objects.filter(task_id=task_id).update(
        outcome=JobRun.Outcome.FAILURE, error=_describe_error(exception), finished_at=timezone.now()
    )
    cache.delete(ALERT_CACHE_KEY)


def _describe_error(exception):
    return f"{type(exception).__name__}: {exception}"[:4000]


# What each job of config.celery's beat schedule does, in the words staff use.
JOB_TITLES = {
    "events-reminders-send": gettext_lazy("Event reminders"),
    "events-complete-due": gettext_lazy("Close finished events and thank attendees"),
    "fundraising-donations-expire-pending": gettext_lazy("Cancel unpaid donations"),
    "fundraising-donation-days-refresh": gettext_lazy("Money figures for the dashboard"),
    "fundraising-campaigns-end-due": gettext_lazy("End campaigns on their last day"),
    "messages-requeue-stale": gettext_lazy("Resend e-mails stuck in the queue"),
    "members-engagement-refresh": gettext_lazy("Engagement levels and lapsed members"),
    "members-imports-resume": gettext_lazy("Finish interrupted member imports"),
    "communities-checkins-refresh": gettext_lazy("Fill the check-in queues"),
    "communities-digests-send": gettext_lazy("Weekly digests to managers"),
    "communities-onboarding-send": gettext_lazy("Onboarding e-mails to new members"),
    "communities-checkin-messages-send": gettext_lazy("Weekly check-in messages"),
    "communities-reports-send": gettext_lazy("Monthly reports to fundraisers and donors"),
    "members-job-runs-prune": gettext_lazy("Forget old job runs"),
    "fundraising-payments-reconcile": gettext_lazy("Check payments with the payment providers"),
    "fundraising-totals-check": gettext_lazy("Check campaign, team and fundraiser totals"),
    "fundraising-rollups-check": gettext_lazy("Check the dashboard's money figures"),
    "fundraising-subscriptions-charge-due": gettext_lazy("Charge monthly gifts that are due"),
    "fundraising-subscriptions-card-expiring": gettext_lazy("Warn donors whose card is expiring"),
    "fundraising-annual-statements-send": gettext_lazy("Annual statements to donors who asked (January)"),
    "members-personal-data-retention": gettext_lazy("Remove personal data past its retention period"),
}
# Celery numbers days from Sunday (0).
ON_WEEKDAYS = [
    gettext_lazy("on Sundays"),
    gettext_lazy("on Mondays"),
    gettext_lazy("on Tuesdays"),
    gettext_lazy("on Wednesdays"),
    gettext_lazy("on Thursdays"),
    gettext_lazy("on Fridays"),
    gettext_lazy("on Saturdays"),
]


def schedule_in_words(schedule):
    """A crontab as staff read it: "every 5 minutes", "every day at 03:20", "on Mondays at 08:00".

    Schedules none of these fit come back as their cron expression.
    """
    if not isinstance(schedule, crontab):
        minutes = int(schedule.run_every.total_seconds() // 60)
        return ngettext("every %(n)d minute", "every %(n)d minutes", minutes) % {"n": minutes}
    minutes, hours, days = sorted(schedule.minute), sorted(schedule.hour), sorted(schedule.day_of_week)
    january_daily = schedule.month_of_year == {1} and len(schedule.day_of_month) == 31 and len(days) == 7
    if january_daily and len(hours) == 1 and len(minutes) == 1:  # the annual statements' month
        return _("every day in January at %(time)s") % {"time": f"{hours[0]:02d}:{minutes[0]:02d}"}
    if len(schedule.day_of_month) < 31 or len(schedule.month_of_year) < 12:
        return _describe(schedule)
    if len(hours) == 24 and len(days) == 7:
        return _hourly_in_words(minutes)
    if len(hours) == 1 and len(minutes) == 1:
        at = f"{hours[0]:02d}:{minutes[0]:02d}"
        if len(days) == 7:
            return _("every day at %(time)s") % {"time": at}
        if len(days) == 1:
            return _("%(days)s at %(time)s") % {"days": ON_WEEKDAYS[days[0]], "time": at}
    return _describe(schedule)


def _hourly_in_words(minutes):
    step = minutes[1] - minutes[0] if len(minutes) > 1 else 60
    if minutes[0] == 0 and 60 % step == 0 and minutes == list(range(0, 60, step)) and step < 60:
        return ngettext("every %(n)d minute", "every %(n)d minutes", step) % {"n": step}
    at = ", ".join(f":{m:02d}" for m in minutes)
    return _("every hour at %(minutes)s") % {"minutes": at}


@dataclass
class JobStatus:
    name: str
    title: str
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


def next_run_after(schedule, moment):
    """The first time after `moment` the schedule fires (a crontab, in the Celery app's time zone, or an interval)."""
    if not isinstance(schedule, crontab):
        return moment + schedule.run_every
    local = moment.astimezone(schedule.tz).replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _step in range(100_000):  # a couple of years of day and hour jumps, far more than any schedule needs
        day_ok = (
            local.month in schedule.month_of_year
            and local.day in schedule.day_of_month
            and local.isoweekday() % 7 in schedule.day_of_week
        )
        if not day_ok:
            local = (local + timedelta(days=1)).replace(hour=0, minute=0)
        elif local.hour not in schedule.hour:
            local = (local + timedelta(hours=1)).replace(minute=0)
        elif local.minute not in schedule.minute:
            local += timedelta(minutes=1)
        else:
            return local
    raise ValueError(f"{schedule} never fires")


def previous_run_at(schedule, moment):
    """The last time at or before `moment` the schedule fires: the slot a beat dispatch belongs to."""
    if not isinstance(schedule, crontab):
        step = getattr(schedule, "run_every", schedule).total_seconds()
        return datetime.fromtimestamp(moment.timestamp() // step * step, tz=UTC)
    local = moment.astimezone(schedule.tz).replace(second=0, microsecond=0)
    for _step in range(100_000):
        day_ok = (
            local.month in schedule.month_of_year
            and local.day in schedule.day_of_month
            and local.isoweekday() % 7 in schedule.day_of_week
        )
        if not day_ok:
            local = local.replace(hour=23, minute=59) - timedelta(days=1)
        elif local.hour not in schedule.hour:
            local = local.replace(minute=59) - timedelta(hours=1)
        elif local.minute not in schedule.minute:
            local -= timedelta(minutes=1)
        else:
            return local
    raise ValueError(f"{schedule} never fired")


def run_key(entry_name, schedule, now):
    """The task id of the run of a beat entry due at `now`: `<entry>@<slot in UTC>`, at most 64 characters."""
    slot = previous_run_at(schedule, now).astimezone(UTC)
    return f"{entry_name[:46]}{RUN_KEY_SEPARATOR}{slot:%Y%m%dT%H%M%SZ}"


def schedule_interval(schedule, now):
    """The time between two runs: from the next run to the one after it."""
    first = next_run_after(schedule, now)
    return next_run_after(schedule, first) - first


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
        title=JOB_TITLES.get(name, name),
        task=entry["task"],
        schedule=schedule_in_words(schedule),
        interval=interval,
        last_run=last_run,
        last_success_at=last_success_at,
        next_run_at=next_run_after(schedule, now),
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


# How each kind of note reads: kind -> render(data) -> str, called when the note is shown, in the reader's
# language. The apps whose checks write notes register their kinds (fundraising.apps).
JOB_NOTE_TEXTS = {}


def job_note_kind_register(kind, render):
    JOB_NOTE_TEXTS[kind] = render


def job_note_record(*, task, kind="", data=None, message="", now=None):
    """Tell staff on the jobs page what a periodic check found and repaired.

    `task` is the Celery task's name (or a manage.py command's), `kind` a registered kind of note and
    `data` the small JSON-able dict of ids and amounts it reads from, so the note is written in the
    language of whoever reads it. `message` is for notes of no kind (shown as it is). Returns the JobNote.
    """
    note = JobNote.objects.create(
        task=task, kind=kind, message=message[:500], data=data or {}, created_at=now or timezone.now()
    )
    cache.delete(ALERT_CACHE_KEY)
    return note


def job_note_text(note):
    """The note in the active language; a note whose kind is unknown or whose data do not fit shows its
    stored message."""
    render = JOB_NOTE_TEXTS.get(note.kind)
    if render is None:
        return note.message
    try:
        return render(note.data)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return note.message or note.kind


def job_notes_recent(*, limit=50):
    """The latest notes of every job, newest first (one query), each with its `text` and the `job` that
    wrote it (the job's title, or the command's name) in the active language."""
    from config.celery import app

    titles = {entry["task"]: JOB_TITLES.get(name, name) for name, entry in app.conf.beat_schedule.items()}
    notes = list(JobNote.objects.order_by("-created_at", "-pk")[:limit])
    for note in notes:
        note.text = job_note_text(note)
        note.job = titles.get(note.task, note.task)
    return notes


def job_runs_prune(*, now=None, keep_days=30):
    """Old runs go; the latest run of each task always stays."""
    now = now or timezone.now()
    keep = JobRun.objects.values("task").annotate(last=Max("pk")).values_list("last", flat=True)
    old = JobRun.objects.filter(started_at__lt=now - timedelta(days=keep_days)).exclude(pk__in=list(keep))
    deleted, _rows = old.delete()
    JobNote.objects.filter(created_at__lt=now - timedelta(days=keep_days * 3)).delete()
    return deleted
