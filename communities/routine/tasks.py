"""Periodic tasks of the manager's routine (schedules in config/celery.py). Each is a scan that is
safe to run at any time and any number of times: what is due is found from the data, and every
e-mail and queue entry has a key that makes it happen once."""

from celery import shared_task

import members.jobs  # noqa: F401  (records every scheduled run in JobRun)
from communities.routine.services import checkin_messages, checkins, digest, mobilisation, onboarding, reports


# Task names are kept from before the move (communities/tasks_checkins.py): the beat schedule, messages
# already queued and the JobRun history still find them.
@shared_task(name="communities.tasks_checkins.checkins_refresh")
def checkins_refresh():
    return checkins.checkins_refresh()


@shared_task(name="communities.tasks_checkins.digests_send")
def digests_send():
    return digest.digests_send()


@shared_task(name="communities.tasks_checkins.onboarding_send")
def onboarding_send():
    return onboarding.onboarding_send()


@shared_task(name="communities.tasks_checkins.checkin_messages_send")
def checkin_messages_send():
    return checkin_messages.checkin_messages_send()


@shared_task(name="communities.tasks_checkins.reports_send")
def reports_send():
    return reports.reports_send()


@shared_task(name="communities.tasks_checkins.job_runs_prune")
def job_runs_prune():
    return members.jobs.job_runs_prune()


@shared_task(name="communities.tasks_checkins.call_to_action_batch")
def call_to_action_batch(call_id, membership_ids):
    """One batch of a call to action's e-mails (not scheduled: queued when the manager sends it)."""
    return mobilisation.call_to_action_batch_send(call_id=call_id, membership_ids=membership_ids)
