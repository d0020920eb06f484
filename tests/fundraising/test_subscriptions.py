"""Monthly gifts: starting through the sandbox, each month charged once, retries, past due and recovery,
the donor's changes, campaign end. Time is the organisation's (Europe/Moscow); charges open at 09:00."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError
from django.test import TestCase

from fundraising import services
from fundraising.models import Donation, SandboxCard, SandboxPayment, Subscription, SubscriptionCharge
from fundraising.providers import get_provider
from fundraising.services import subscriptions as subs
from members.models import OutboundMessage
from tests.fundraising.conftest import make_campaign
from tests.fundraising.subscription_helpers import card_of, start_monthly

pytestmark = pytest.mark.django_db
MSK = ZoneInfo("Europe/Moscow")
S = Subscription.Status
C = SubscriptionCharge.Status


def at(y, m, d, h=12):
    return datetime(y, m, d, h, tzinfo=MSK)


def test_the_first_payment_saves_the_card_and_starts_the_gift(provider_http, campaign, fundraiser, mailoutbox):
    subscription = start_monthly(campaign, fundraiser=fundraiser, amount="700", day=31)

    assert subscription.status == S.ACTIVE
    assert subscription.card_label == "TEST •••• 4242"
    assert subscription.payment_method_id.startswith("sbxcard_")
    first = Donation.objects.get(subscription=subscription)
    assert (first.status, first.amount, first.fundraiser_id, first.team_id) == (
        Donation.Status.SUCCEEDED,
        Decimal("700.00"),
        fundraiser.pk,
        fundraiser.team_id,
    )
    fundraiser.refresh_from_db()
    assert fundraiser.raised_amount == Decimal("700")  # the fundraiser's total grows with the gift
    assert subscription.next_period == subs.period_next(subs.period_of(first.created_at))
    templates = set(OutboundMessage.objects.filter(to_email="mia@example.org").values_list("template", flat=True))
    assert templates == {"donation_receipt", "subscription_started"}
    receipt = OutboundMessage.objects.get(template="donation_receipt")
    assert "/give/me/link/" in receipt.body_text


def test_a_monthly_gift_needs_an_email_and_a_real_day(campaign):
    with pytest.raises(services.SubscriptionRefused):
        services.subscription_start(campaign=campaign, amount="500", day=32, donor={"name": "A", "email": "a@x.org"})
    with pytest.raises(services.SubscriptionRefused):
        services.subscription_start(campaign=campaign, amount="500", day=3, donor={"name": "A", "email": ""})
    with pytest.raises(services.AmountInvalid):
        services.subscription_start(campaign=campaign, amount="5", day=3, donor={"name": "A", "email": "a@x.org"})
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    ("day", "february"),
    [(28, date(2027, 2, 28)), (29, date(2027, 2, 28)), (30, date(2027, 2, 28)), (31, date(2027, 2, 28))],
)
def test_the_day_falls_on_the_last_day_of_a_shorter_month(day, february):
    moment = subs.charge_moment(date(2027, 2, 1), day)
    assert moment.date() == february
    assert (moment.hour, moment.tzinfo) == (9, MSK)
    assert subs.charge_moment(date(2028, 2, 1), day).date() == date(2028, 2, min(day, 29))
    assert subs.charge_moment(date(2027, 4, 1), day).date() == date(2027, 4, min(day, 30))


def _charged_periods(subscription):
    return sorted(subscription.charges.filter(status=C.SUCCEEDED).values_list("period", flat=True))


def test_a_year_of_months_is_charged_once_each_with_failures_and_recoveries(provider_http, campaign, time_machine):
    """Days 1, 15, 28-31 over a year, the clock stepping every six hours (each step a beat run, some
    twice). One card fails in March and recovers on a retry; another fails for good in June, goes past
    due, and the donor pays with a new card in July."""
    start = at(2027, 1, 1, 8)
    time_machine.move_to(start, tick=False)
    gifts = {day: start_monthly(campaign, day=day, email=f"d{day}@example.org") for day in (1, 15, 28, 29, 30, 31)}
    flaky, lost = gifts[29], gifts[31]
    flaky_card, lost_card = card_of(flaky), card_of(lost)

    moment = start
    while moment < at(2028, 1, 1, 0):
        moment += timedelta(hours=6)
        time_machine.move_to(moment, tick=False)
        SandboxCard.objects.filter(pk=flaky_card.pk).update(fails=at(2027, 3, 1) <= moment < at(2027, 3, 31, 8))
        SandboxCard.objects.filter(pk=lost_card.pk).update(fails=moment >= at(2027, 6, 1))
        subs.subscriptions_charge_due(now=moment)
        if moment.hour == 15:
            subs.subscriptions_charge_due(now=moment)  # a second beat at the same time changes nothing
        lost.refresh_from_db()
        if lost.status == S.PAST_DUE and moment >= at(2027, 7, 10):
            _donor_pays_with_a_new_card(lost)

    every_month = [date(2027, m, 1) for m in range(1, 13)]
    for day in (1, 15, 28, 29, 30):
        assert _charged_periods(gifts[day]) == every_month, day
    # June (charged 30 June) failed, and again on 1, 3 and 7 July: past due. On 10 July the donor paid
    # June with a new card; July, whose day passed while past due, is not charged; August on, again.
    assert _charged_periods(lost) == [date(2027, m, 1) for m in (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12)]
    for subscription in gifts.values():
        succeeded = Donation.objects.filter(subscription=subscription, status=Donation.Status.SUCCEEDED)
        assert succeeded.count() == subscription.charges.filter(status=C.SUCCEEDED).count()
        assert (
            SandboxPayment.objects.filter(
                reference__in=succeeded.values("provider_reference"), status="succeeded"
            ).count()
            == succeeded.count()
        )
    # March's charge for day 29 (on the 29th) failed, was retried on the 30th, 1st ... and succeeded
    # once the card worked again (31 March, 09:00 is not before the retry on 1 April).
    march = flaky.charges.get(period=date(2027, 3, 1))
    assert (march.status, march.failure_count) == (C.SUCCEEDED, 2)
    assert Donation.objects.filter(subscription=flaky, status=Donation.Status.FAILED).count() == 2
    lost.refresh_from_db()
    assert lost.status == S.ACTIVE
    assert lost.recovered_at is not None
    assert OutboundMessage.objects.filter(template="subscription_past_due", to_email="d31@example.org").count() == 1


def _donor_pays_with_a_new_card(subscription):
    url = services.subscription_card_update_start(subscription=subscription, by_email=subscription.donor_email)
    reference = url.rstrip("/").rsplit("/", 1)[-1]
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.sandbox_payment_complete(
            reference=reference, succeed=True, callback_url="http://testserver/give/callback/sandbox/"
        )


def test_a_month_cannot_be_opened_twice(provider_http, campaign):
    subscription = start_monthly(campaign, day=10)
    charge = subscription.charges.get()
    with pytest.raises(IntegrityError):
        SubscriptionCharge.objects.create(
            subscription=subscription,
            period=charge.period,
            scheduled_at=charge.scheduled_at,
            next_attempt_at=charge.scheduled_at,
        )


def test_an_attempt_left_processing_by_a_dead_worker_is_finished_with_the_same_key(provider_http, campaign):
    subscription = start_monthly(campaign, day=10)
    due = subscription.next_charge_at
    subs.subscriptions_open_due(now=due)
    charge = subscription.charges.get(period=subscription.next_period)
    charge_id = charge.pk
    # The worker claims the attempt and the provider charges the card, then the worker dies.
    claimed, donation = subs._claim(charge_id, due)
    reference, status = get_provider("sandbox").charge_saved(
        donation=donation,
        method=subs.SavedMethod(id=subscription.payment_method_id),
        idempotency_key=claimed.provider_key,
    )

    assert subs.subscriptions_charge_due(now=due + timedelta(minutes=5)) == {"opened": 0}  # not stale yet
    outcome = subs.subscriptions_charge_due(now=due + timedelta(minutes=20))

    assert outcome == {"opened": 0, "succeeded": 1}
    assert SandboxPayment.objects.filter(reference=reference).count() == 1
    assert Donation.objects.filter(subscription=subscription, status="succeeded").count() == 2  # first + this one
    assert SubscriptionCharge.objects.get(pk=charge_id).status == C.SUCCEEDED


def test_pause_resume_change_and_cancel_by_the_donor(provider_http, campaign, mailoutbox):
    subscription = start_monthly(campaign, day=10)
    email = "MIA@example.org"

    subscription = services.subscription_change(subscription=subscription, amount="1 200", day=31, by_email=email)
    assert (subscription.amount, subscription.day, subscription.next_charge_at.day) == (
        Decimal("1200.00"),
        31,
        subs.charge_moment(subscription.next_period, 31).day,
    )
    services.subscription_pause(subscription=subscription, by_email=email)
    assert subs.subscriptions_charge_due(now=subscription.next_charge_at + timedelta(days=40))["opened"] == 0
    subscription = services.subscription_resume(subscription=subscription, by_email=email)
    assert subscription.status == S.ACTIVE
    services.subscription_cancel(subscription=subscription, by_email=email)
    services.subscription_cancel(subscription=subscription, by_email=email)  # twice: nothing new

    subscription.refresh_from_db()
    assert subscription.status == S.CANCELLED
    assert OutboundMessage.objects.filter(template="subscription_cancelled").count() == 1


def test_someone_else_cannot_change_a_gift(provider_http, campaign, outsider):
    subscription = start_monthly(campaign, day=10)
    with pytest.raises(services.SubscriptionRefused):
        services.subscription_cancel(subscription=subscription, by_email="other@example.org")
    with pytest.raises(services.SubscriptionRefused):
        services.subscription_pause(subscription=subscription, by=outsider)
    subscription.refresh_from_db()
    assert subscription.status == S.ACTIVE


def test_a_manager_may_stop_a_gift(provider_http, campaign, manager):
    subscription = start_monthly(campaign, day=10)
    services.subscription_cancel(subscription=subscription, by=manager, reason="asked by phone")
    subscription.refresh_from_db()
    assert subscription.status == S.CANCELLED


def test_a_campaign_that_ends_moves_its_gifts_to_the_general_fund(provider_http, community, campaign, settings):
    fund = make_campaign(community, slug="general-fund", title="Where most needed")
    settings.SUBSCRIPTIONS_GENERAL_FUND = "general-fund"
    subscription = start_monthly(campaign, day=10)

    services.campaign_end(campaign_id=campaign.pk)
    services.campaign_end(campaign_id=campaign.pk)

    subscription.refresh_from_db()
    assert (subscription.campaign_id, subscription.status) == (fund.pk, S.ACTIVE)
    assert OutboundMessage.objects.filter(template="subscription_moved").count() == 1


def test_a_campaign_that_ends_asks_the_donor_when_set_to(provider_http, community, campaign, settings):
    fund = make_campaign(community, slug="general-fund", title="Where most needed")
    settings.SUBSCRIPTIONS_GENERAL_FUND = "general-fund"
    settings.SUBSCRIPTIONS_ON_CAMPAIGN_END = "ask"
    subscription = start_monthly(campaign, day=10)

    services.campaign_end(campaign_id=campaign.pk)
    subscription.refresh_from_db()
    assert (subscription.campaign_id, subscription.status) == (campaign.pk, S.PAUSED)
    services.subscription_resume(subscription=subscription, by_email="mia@example.org")

    subscription.refresh_from_db()
    assert (subscription.campaign_id, subscription.status) == (fund.pk, S.ACTIVE)
    assert OutboundMessage.objects.filter(template="subscription_campaign_ended").count() == 1


def test_without_a_general_fund_the_gifts_stop(provider_http, campaign):
    subscription = start_monthly(campaign, day=10)
    services.campaign_end(campaign_id=campaign.pk)
    subscription.refresh_from_db()
    assert subscription.status == S.CANCELLED


def test_a_card_about_to_expire_is_announced_once(provider_http, campaign):
    subscription = start_monthly(campaign, day=10)
    Subscription.objects.filter(pk=subscription.pk).update(card_expires_on=date(2027, 1, 1))
    now = datetime(2026, 12, 10, tzinfo=UTC)

    services.subscriptions_card_expiring(now=now)
    services.subscriptions_card_expiring(now=now)

    assert OutboundMessage.objects.filter(template="subscription_card_expiring").count() == 1
