from datetime import timedelta

import pytest
from django.utils import timezone

from fundraising import tasks
from fundraising.models import Campaign, Donation
from tests.fundraising.helpers import make_donation

pytestmark = pytest.mark.django_db


def test_the_expiry_task_cancels_old_pending_gifts_once(campaign):
    make_donation(campaign, created_at=timezone.now() - timedelta(days=30))

    assert tasks.donations_expire_pending.delay().get() == 1
    assert tasks.donations_expire_pending.delay().get() == 0
    assert Donation.objects.get().status == Donation.Status.CANCELLED


def test_the_daily_task_ends_campaigns_past_their_last_day_once(campaign, commit, mailoutbox):
    Campaign.objects.filter(pk=campaign.pk).update(ends_on=timezone.localdate() - timedelta(days=2))

    with commit():
        assert tasks.campaigns_end_due.delay().get() == 1
        assert tasks.campaigns_end_due.delay().get() == 0

    assert Campaign.objects.get().status == Campaign.Status.ENDED


def test_the_sandbox_callback_task_delivered_twice_applies_once(campaign, provider_http):
    from fundraising.models import SandboxPayment

    make_donation(campaign, amount="500", reference="sbx_t")
    SandboxPayment.objects.create(
        reference="sbx_t", amount_minor=50000, currency="RUB", status="succeeded", return_url="/"
    )
    url = "http://testserver/give/callback/sandbox/"

    tasks.sandbox_callback_send.delay("sbx_t", "payment.succeeded", url)
    tasks.sandbox_callback_send.delay("sbx_t", "payment.succeeded", url)

    campaign.refresh_from_db()
    assert campaign.raised_amount == 500
    assert campaign.donation_count == 1
