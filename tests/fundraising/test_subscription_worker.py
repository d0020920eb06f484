"""Monthly charging through real Celery workers on Redis and PostgreSQL: two beats at once, one worker
killed with SIGKILL in the middle of its run. No month is charged twice, none is skipped."""

import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from fundraising import tasks
from fundraising.models import Donation, SandboxCard, SandboxPayment, Subscription, SubscriptionCharge
from fundraising.services import subscriptions as subs
from tests.events.test_worker import broker, start_worker, wait_for, worker_logs  # noqa: F401
from tests.factories import CommunityFactory
from tests.fundraising.conftest import make_campaign

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _due_subscriptions(total):
    """`total` active monthly gifts with working saved test cards, whose month opened a minute ago."""
    campaign = make_campaign(CommunityFactory())
    cards = SandboxCard.objects.bulk_create(
        SandboxCard(token=f"sbxcard_w{i}", expires_on=date(2099, 1, 1)) for i in range(total)
    )
    now = timezone.now()
    return Subscription.objects.bulk_create(
        Subscription(
            campaign=campaign,
            amount=Decimal("300"),
            currency="RUB",
            day=1,
            status=Subscription.Status.ACTIVE,
            donor_name=f"Donor {i}",
            donor_email=f"donor{i}@example.org",
            donor_key=f"donor{i}@example.org",
            provider="sandbox",
            payment_method_id=card.token,
            next_period=subs.period_of(now),
            next_charge_at=now - timedelta(minutes=1),
            started_at=now - timedelta(days=40),
        )
        for i, card in enumerate(cards)
    )


def test_two_beats_and_a_killed_worker_charge_every_month_exactly_once(broker, start_worker, tmp_path):  # noqa: F811
    total = 400
    gifts = _due_subscriptions(total)
    succeeded = Donation.objects.filter(status=Donation.Status.SUCCEEDED)

    first = start_worker("first")
    start_worker("second")
    tasks.subscriptions_charge_due.delay()
    tasks.subscriptions_charge_due.delay()  # two beats at once: each worker runs one scan
    assert wait_for(lambda: succeeded.count() >= 40), worker_logs(tmp_path)
    first.kill()  # SIGKILL: mid-charge, its claimed attempt is neither finished nor acknowledged
    first.wait()
    assert succeeded.count() < total, "the run finished before the kill; the test proves nothing"

    start_worker("third")
    tasks.subscriptions_charge_due.delay()  # the next beat
    assert wait_for(lambda: _settled_or_claimed() == total, 240), worker_logs(tmp_path)
    # A quarter of an hour later the beat finishes what the killed worker had claimed, with its key.
    subs.subscriptions_charge_due(now=timezone.now() + subs.STALE_CLAIM + timedelta(minutes=1))
    time.sleep(1)  # a double charge by a late worker would show by now

    charges = SubscriptionCharge.objects.filter(subscription__in=gifts)
    assert charges.count() == total
    assert set(charges.values_list("status", flat=True)) == {SubscriptionCharge.Status.SUCCEEDED}
    per_gift = Counter(succeeded.values_list("subscription_id", flat=True))
    assert len(per_gift) == total
    assert set(per_gift.values()) == {1}
    paid = SandboxPayment.objects.filter(
        status=SandboxPayment.Status.SUCCEEDED, reference__startswith="sbx_kindred-sub-"
    )
    assert paid.count() == total  # the provider, too, took every month's money once


def _settled_or_claimed():
    """Months opened and no longer waiting for an attempt (paid, or claimed by a worker)."""
    return SubscriptionCharge.objects.exclude(status=SubscriptionCharge.Status.DUE).count()
