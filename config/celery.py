"""The Celery application: tasks from every app, the periodic schedule in code.

Nothing is queued with a far ETA or countdown: on Redis such a task is delivered again after the
visibility timeout. Periodic tasks scan for what is due instead.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kindred", task_cls="config.beat:RunOnceTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "events-reminders-send": {
        "task": "events.tasks.event_reminders_send",
        "schedule": crontab(minute="*/5"),
    },
    "events-complete-due": {
        "task": "events.tasks.events_complete_due",
        "schedule": crontab(minute="7,37"),
    },
    "fundraising-donations-expire-pending": {
        "task": "fundraising.tasks.donations_expire_pending",
        "schedule": crontab(minute=15),
    },
    "fundraising-payments-reconcile": {
        "task": "fundraising.tasks.payments_reconcile",
        "schedule": crontab(minute=45),
    },
    "fundraising-totals-check": {
        "task": "fundraising.tasks.totals_check",
        "schedule": crontab(hour=2, minute=10),
    },
    "fundraising-rollups-check": {
        "task": "fundraising.tasks.rollups_check",
        "schedule": crontab(hour=2, minute=40),
    },
    "fundraising-campaigns-end-due": {
        "task": "fundraising.tasks.campaigns_end_due",
        "schedule": crontab(hour=0, minute=30),
    },
    "fundraising-subscriptions-charge-due": {
        "task": "fundraising.tasks.subscriptions_charge_due",
        "schedule": crontab(minute="*/10"),
    },
    "fundraising-subscriptions-card-expiring": {
        "task": "fundraising.tasks.subscriptions_card_expiring",
        "schedule": crontab(hour=11, minute=5),
    },
    "fundraising-annual-statements-send": {
        "task": "fundraising.tasks.annual_statements_send",
        "schedule": crontab(hour=10, minute=50, month_of_year=1),
    },
    "messages-requeue-stale": {
        "task": "members.tasks.messages_requeue_stale",
        "schedule": crontab(minute="*/5"),
    },
    "members-personal-data-retention": {
        "task": "members.tasks.personal_data_retention",
        "schedule": crontab(hour=4, minute=50),
    },
    "members-engagement-refresh": {
        "task": "members.tasks.engagement_refresh",
        "schedule": crontab(hour=3, minute=20),
    },
    "members-imports-resume": {
        "task": "members.tasks.member_imports_resume",
        "schedule": crontab(minute="*/10"),
    },
    # The manager's routine: scans that find what is due in each community's own time zone.
    "communities-checkins-refresh": {
        "task": "communities.tasks_checkins.checkins_refresh",
        "schedule": crontab(minute=5),
    },
    "communities-digests-send": {
        "task": "communities.tasks_checkins.digests_send",
        "schedule": crontab(minute=10),
    },
    "communities-onboarding-send": {
        "task": "communities.tasks_checkins.onboarding_send",
        "schedule": crontab(minute=20),
    },
    "communities-checkin-messages-send": {
        "task": "communities.tasks_checkins.checkin_messages_send",
        "schedule": crontab(minute=25),
    },
    "communities-reports-send": {
        "task": "communities.tasks_checkins.reports_send",
        "schedule": crontab(minute=35),
    },
    "members-job-runs-prune": {
        "task": "communities.tasks_checkins.job_runs_prune",
        "schedule": crontab(hour=4, minute=40),
    },
}
