"""Faults with real workers on Redis and PostgreSQL: a worker killed (SIGKILL) in the middle of a batch.

The ledger and the mail sink must agree afterwards: every message delivered, none twice (bar the
one documented window), whatever was killed or lost on the way.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.crm.services import contacts as crm
from communities.models import Membership
from members import services as member_services
from members.models import OutboundMessage, User
from tests.factories import CommunityFactory, MembershipFactory
from tests.faults.conftest import assert_ledger_and_sink_agree, sink_counts, wait_for, worker_logs

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def community_of(size):
    community = CommunityFactory()
    manager = MembershipFactory(community=community, role="manager").user
    users = User.objects.bulk_create(
        User(email=f"fault{n}@example.org", name=f"Person {n}", consent_news=True) for n in range(size)
    )
    Membership.objects.bulk_create(
        Membership(community=community, user=user, status=Membership.Status.ACTIVE) for user in users
    )
    return community, manager


def sweep_after_a_lease():
    """What beat's sweep does once the killed worker's lease (20 s in these workers) has run out."""
    member_services.messages_requeue_stale(now=timezone.now() + timedelta(minutes=15))


def test_a_bulk_message_survives_a_worker_killed_mid_batch(start_worker, mail_log, tmp_path):
    total = 400
    community, manager = community_of(total)
    messages = OutboundMessage.objects.filter(key__startswith="direct:").exclude(status=OutboundMessage.Status.SKIPPED)

    first = start_worker("first")
    crm.directory_message_send(
        community=community,
        actor=manager,
        memberships=Membership.objects.filter(community=community),
        subject="Saturday",
        body="Come and help.",
    )
    assert wait_for(lambda: sum(sink_counts(mail_log).values()) >= 40, seconds=240), (
        messages.count(),
        messages.values_list("status", "last_error")[:3],
        worker_logs(tmp_path)[-1500:],
    )
    first.kill()  # SIGKILL in the middle: a batch and a delivery half done, neither acknowledged
    first.wait()
    assert sum(sink_counts(mail_log).values()) < total, "everything went before the kill; the test proves nothing"

    start_worker("second")  # the broker hands the killed worker's task out again after its lease
    everyone = OutboundMessage.objects.filter(key__startswith="direct:")
    # The manager, an active member too, has not agreed to news: their row is recorded as skipped.
    assert wait_for(lambda: everyone.count() == total + 1, seconds=240), worker_logs(tmp_path)
    assert everyone.filter(status=OutboundMessage.Status.SKIPPED).count() == 1
    queued = messages.filter(status=OutboundMessage.Status.QUEUED)
    assert wait_for(lambda: not queued.exists(), seconds=400), worker_logs(tmp_path)
    # Left: the delivery the kill interrupted, "sending" under the dead worker's lease.
    sweep_after_a_lease()
    assert wait_for(lambda: not messages.exclude(status=OutboundMessage.Status.SENT).exists()), worker_logs(tmp_path)

    assert_ledger_and_sink_agree(messages, mail_log)
