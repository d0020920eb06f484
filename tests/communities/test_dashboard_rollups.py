"""The dashboard's money rollup (fundraising.DonationDay): rewritten with every counted change, checked nightly."""

from datetime import timedelta
from decimal import Decimal

from communities.insights.selectors import dashboard_build, period_for
from fundraising import tasks
from fundraising.models import Donation, DonationDay
from fundraising.services import totals_recompute
from fundraising.services.refunds import refund_request
from fundraising.services.rollups import donation_days_refresh
from tests.communities.dashboard_support import MSK, NOW, at, frozen, world  # noqa: F401
from tests.factories import UserFactory


def raised(community):
    dashboard = dashboard_build(community=community, period=period_for(key="month", zone=MSK, now=NOW), now=NOW)
    return {card.key: card.value for card in dashboard.cards}["raised"]


def snapshot():
    return sorted(
        DonationDay.objects.values_list("day", "campaign_id", "fundraiser_id", "team_id", "currency", "amount")
    )


def test_a_refresh_run_twice_writes_the_same_rows(world):  # noqa: F811
    before = snapshot()
    donation_days_refresh(now=NOW, days=60)
    donation_days_refresh(now=NOW, days=60)
    assert snapshot() == before
    march_5 = DonationDay.objects.get(day=at(3, 5).date(), fundraiser__isnull=False)
    assert (march_5.amount, march_5.donations, march_5.last_donation_at) == (Decimal("1000"), 1, at(3, 5))


def test_a_refund_of_an_old_gift_reaches_the_dashboard_at_once(world):  # noqa: F811
    """A refund through the services rewrites the gift's own day, however old (6 March here)."""
    Donation.objects.filter(amount=Decimal("500")).update(offline=True, provider="offline")  # cash, handed back
    gift = Donation.objects.get(amount=Decimal("500"))
    totals_recompute(campaign_ids=[gift.campaign_id])  # the demo world writes donations without totals
    refund_request(donation=gift, by=UserFactory(is_staff=True), amount="500", reason="asked")

    assert raised(world.community) == Decimal("1550")  # 2050 - 500


def test_the_nightly_check_repairs_changes_made_behind_the_services_back(world):  # noqa: F811
    campaign = world.community.campaigns.get(slug="wheelchairs")
    Donation.objects.create(
        campaign=campaign,
        amount=Decimal("100"),
        currency="RUB",
        status="succeeded",
        provider="sandbox",
        created_at=NOW - timedelta(hours=1),
        donor_key="late",
    )
    Donation.objects.filter(amount=Decimal("500")).update(status="refunded", refunded_amount=Decimal("500"))
    assert raised(world.community) == Decimal("2050")  # written around the services: not seen yet
    tasks.rollups_check.apply().get()
    assert raised(world.community) == Decimal("1650")  # 2050 + 100 - 500, on every day


def test_the_check_builds_every_day_when_the_rollup_is_empty(world):  # noqa: F811
    DonationDay.objects.all().delete()
    tasks.rollups_check.apply().get()
    assert tasks.rollups_check.apply().get() == 0
    assert raised(world.community) == Decimal("2050")
    assert raised(None) == Decimal("12049")
