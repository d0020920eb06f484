"""The routine's scans through a real Celery worker on the real Redis broker."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from communities.routine.services import onboarding
from communities.routine.tasks import digests_send, onboarding_send
from members.models import JobRun, OutboundMessage
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.members.test_worker import wait_for, worker  # noqa: F401

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MONDAY_0830_MOSCOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)


def runs(task, outcome):
    return JobRun.objects.filter(task=task.name, outcome=outcome).count()


def delivered(template, count):
    messages = OutboundMessage.objects.filter(template=template)
    return messages.count() == count and not messages.exclude(status=OutboundMessage.Status.SENT).exists()


def test_the_weekly_digest_run_twice_by_the_worker_is_sent_once(worker):  # noqa: F811
    community = CommunityFactory(timezone="Europe/Moscow")
    for _ in range(3):
        MembershipFactory(community=community, role="manager")
    mail.outbox = []

    with time_machine.travel(MONDAY_0830_MOSCOW, tick=True):
        digests_send.delay()
        digests_send.delay()
        assert wait_for(lambda: runs(digests_send, JobRun.Outcome.SUCCESS) == 2)
        assert wait_for(lambda: delivered("digest_weekly", 3))

    assert len(mail.outbox) == 3


def test_a_worker_that_dies_mid_run_sends_the_rest_and_no_duplicates_when_it_runs_again(worker, monkeypatch):  # noqa: F811
    community = CommunityFactory()
    for _ in range(5):
        MembershipFactory(
            community=community, joined_at=timezone.now() - timedelta(days=8), user=UserFactory(consent_news=True)
        )
    mail.outbox = []
    original, calls = onboarding.message_send, []

    def dies_on_the_third(**kwargs):
        calls.append(kwargs["key"])
        if len(calls) == 3:
            raise SystemError("worker killed")
        return original(**kwargs)

    monkeypatch.setattr(onboarding, "message_send", dies_on_the_third)
    onboarding_send.delay()
    assert wait_for(lambda: runs(onboarding_send, JobRun.Outcome.FAILURE) == 1)
    assert wait_for(lambda: delivered("onboarding_step", 2))

    monkeypatch.setattr(onboarding, "message_send", original)
    onboarding_send.delay()
    onboarding_send.delay()

    assert wait_for(lambda: runs(onboarding_send, JobRun.Outcome.SUCCESS) == 2)
    assert wait_for(lambda: delivered("onboarding_step", 5))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        OutboundMessage.objects.filter(template="onboarding_step").values_list("to_email", flat=True)
    )
    assert len(mail.outbox) == 5
    failed = JobRun.objects.filter(task=onboarding_send.name).order_by("started_at").first()
    assert (failed.outcome, failed.error) == (JobRun.Outcome.FAILURE, "SystemError: worker killed")
