"""Scheduled jobs made visible: every run recorded, and an overdue or failing job flagged for staff."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from celery.schedules import crontab
from django.utils import translation

from communities.routine.tasks import checkins_refresh, onboarding_send
from config.celery import app
from members import jobs
from members.models import JobRun
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def status_of(name, now=NOW):
    return next(s for s in jobs.jobs_status(now=now) if s.name == name)


def test_every_run_of_a_scheduled_task_is_recorded_with_its_outcome(monkeypatch):
    checkins_refresh.delay().get()

    def broken(**kwargs):
        raise RuntimeError("database is on fire")

    monkeypatch.setattr("communities.routine.services.onboarding.onboarding_send", broken)
    with pytest.raises(RuntimeError):
        onboarding_send.delay().get()

    ok = JobRun.objects.get(task="communities.tasks_checkins.checkins_refresh")
    failed = JobRun.objects.get(task="communities.tasks_checkins.onboarding_send")
    assert (ok.outcome, ok.result) == (JobRun.Outcome.SUCCESS, "0")
    assert ok.duration is not None
    assert (failed.outcome, failed.error) == (JobRun.Outcome.FAILURE, "RuntimeError: database is on fire")


def test_tasks_outside_the_schedule_are_not_recorded():
    from members.tasks import message_deliver_task

    message_deliver_task.delay(0).get()
    assert not JobRun.objects.exists()


def _run(task, started, outcome=JobRun.Outcome.SUCCESS):
    return JobRun.objects.create(
        task=task, task_id=str(uuid.uuid4()), started_at=started, finished_at=started, outcome=outcome
    )


def test_a_job_without_a_success_for_twice_its_interval_is_overdue():
    task = "communities.tasks_checkins.checkins_refresh"  # hourly
    _run(task, NOW - timedelta(minutes=110))
    assert status_of("communities-checkins-refresh").healthy
    _run(task, NOW - timedelta(minutes=200), JobRun.Outcome.SUCCESS)
    JobRun.objects.filter(started_at__gt=NOW - timedelta(minutes=120)).delete()

    status = status_of("communities-checkins-refresh")

    assert status.overdue
    assert not status.failing


def test_a_daily_job_is_overdue_a_day_after_its_missed_run():
    task = "members.tasks.engagement_refresh"
    _run(task, NOW - timedelta(hours=40))
    assert not status_of("members-engagement-refresh").overdue
    assert status_of("members-engagement-refresh", now=NOW + timedelta(hours=10)).overdue


def test_a_job_whose_last_run_failed_is_failing():
    task = "communities.tasks_checkins.digests_send"
    _run(task, NOW - timedelta(minutes=70))
    _run(task, NOW - timedelta(minutes=10), JobRun.Outcome.FAILURE)

    status = status_of("communities-digests-send")

    assert status.failing
    assert status.last_success_at == NOW - timedelta(minutes=70)


def test_next_runs_follow_the_crontab_in_its_time_zone():
    schedule = crontab(hour=3, minute=20)  # the app's time zone (Moscow, UTC+3)
    assert jobs.next_run_after(schedule, NOW) == datetime(2026, 11, 25, 0, 20, tzinfo=UTC)
    assert jobs.schedule_interval(crontab(minute="*/5"), NOW) == timedelta(minutes=5)
    assert jobs.schedule_interval(crontab(hour=8, minute=0, day_of_week=1), NOW) == timedelta(days=7)


def test_only_staff_see_the_jobs_page_and_the_warning_badge(client):
    with time_machine.travel(NOW, tick=False):
        _run("communities.tasks_checkins.digests_send", NOW - timedelta(minutes=5), JobRun.Outcome.FAILURE)
        member, staff = UserFactory(), UserFactory(is_staff=True)
        client.force_login(member)
        refused = client.get("/staff/jobs/")
        assert refused.status_code == 403  # the site's page, not the admin's login
        assert "Scheduled jobs" not in client.get("/").content.decode()

        client.force_login(staff)
        page = client.get("/staff/jobs/").content.decode()
        home = client.get("/").content.decode()

    assert "Weekly digests to managers" in page
    assert "every hour at :10" in page
    assert "failing" in page
    assert "1 job needs attention" in page
    assert "jobs overdue or failing" in home


def test_old_runs_are_pruned_but_the_latest_of_each_job_stays():
    task = "communities.tasks_checkins.digests_send"
    _run(task, NOW - timedelta(days=50))
    _run(task, NOW - timedelta(days=40))
    _run("members.tasks.engagement_refresh", NOW - timedelta(days=45))

    assert jobs.job_runs_prune(now=NOW) == 1
    assert JobRun.objects.count() == 2


def test_the_jobs_page_reads_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for n in range(30):
        _run("communities.tasks_checkins.checkins_refresh", NOW - timedelta(hours=n))
        jobs.job_note_record(task="fundraising.tasks.totals_check", message=f"repair {n}")
    # Staff who turned on two-factor sign-in (otherwise the first page records when it becomes due).
    client.force_login(UserFactory(is_staff=True, mfa_enabled=True))

    # The 8 of the page and navbar, and 1 for the checks' notes (however many there are).
    with django_assert_max_num_queries(9):
        assert client.get("/staff/jobs/").status_code == 200


@pytest.mark.parametrize(
    ("schedule", "english", "russian"),
    [
        (crontab(minute="*/5"), "every 5 minutes", "каждые 5 минут"),
        (crontab(minute="7,37"), "every hour at :07, :37", "каждый час в :07, :37"),
        (crontab(minute=15), "every hour at :15", "каждый час в :15"),
        (crontab(hour=3, minute=20), "every day at 03:20", "каждый день в 03:20"),
        (crontab(hour=8, minute=0, day_of_week=1), "on Mondays at 08:00", "по понедельникам в 08:00"),
        (crontab(hour=8, minute=0, day_of_month=1), "0 8 1 * *", "0 8 1 * *"),
    ],
)
def test_schedules_read_as_words_in_both_languages(schedule, english, russian):
    with translation.override("en"):
        assert jobs.schedule_in_words(schedule) == english
    with translation.override("ru"):
        assert jobs.schedule_in_words(schedule) == russian


def test_every_job_in_the_schedule_has_a_human_name():
    assert set(app.conf.beat_schedule) <= set(jobs.JOB_TITLES)


def test_visitors_are_sent_to_the_sites_sign_in_page(client):
    response = client.get("/staff/jobs/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
