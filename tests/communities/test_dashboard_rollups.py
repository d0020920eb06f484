"""The dashboard's money rollup (fundraising.DonationDay) and the periodic task that keeps it fresh."""

from datetime import timedelta
from decimal import Decimal

from communities.insights.selectors import dashboard_build, period_for
from fundraising import tasks
from fundraising.models import Donation, DonationDay
from fundraising.services.rollups import donation_days_refresh
from tests.communities.dashboard_support import MSK, NOW, at, frozen, world  # noqa: F401


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


def test_a_new_donation_and_a_late_refund_show_after_the_next_refresh(world):  # noqa: F811
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
    assert raised(world.community) == Decimal("2050")  # not yet refreshed
    tasks.donation_days_refresh.apply().get()
    # Today's gift counts; the refund of a gift from 6 March is older than the days a refresh rewrites.
    assert raised(world.community) == Decimal("2150")
    donation_days_refresh(now=NOW, days=14)
    assert raised(world.community) == Decimal("1650")  # 2050 + 100 - 500


def test_the_task_builds_every_day_when_the_rollup_is_empty(world):  # noqa: F811
    DonationDay.objects.all().delete()
    tasks.donation_days_refresh.apply().get()
    tasks.donation_days_refresh.apply().get()
    assert raised(world.community) == Decimal("2050")
    assert raised(None) == Decimal("12049")
