from decimal import Decimal

import pytest

from fundraising.models import Campaign, Donation, Fundraiser, Team
from fundraising.services import ALLOWED_TRANSITIONS, TransitionRefused, donation_transition
from tests.fundraising.helpers import make_donation

pytestmark = pytest.mark.django_db
S = Donation.Status
ALL_PAIRS = [(a, b) for a in S.values for b in S.values if a != b]
ALLOWED = [(a, b) for a, b in ALL_PAIRS if b in ALLOWED_TRANSITIONS.get(a, ())]
REFUSED = [(a, b) for a, b in ALL_PAIRS if b not in ALLOWED_TRANSITIONS.get(a, ())]


def test_the_allowed_transitions_are_exactly_the_documented_ones():
    assert sorted(ALLOWED) == sorted(
        [
            ("pending", "succeeded"),
            ("pending", "failed"),
            ("pending", "cancelled"),
            ("failed", "succeeded"),
            ("cancelled", "succeeded"),
        ]
    )


@pytest.mark.parametrize(("start", "target"), ALLOWED)
def test_an_allowed_transition_moves_the_donation(campaign, start, target):
    donation = make_donation(campaign)
    if start == S.SUCCEEDED:
        donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)

    donation, changed = donation_transition(donation_id=donation.pk, to=target)

    assert changed
    donation.refresh_from_db()
    assert donation.status == target


@pytest.mark.parametrize(("start", "target"), REFUSED)
def test_a_refused_transition_changes_nothing(campaign, start, target):
    donation = make_donation(campaign, status=start)
    before = Campaign.objects.values("raised_amount", "donor_count", "donation_count").get(pk=campaign.pk)

    with pytest.raises(TransitionRefused):
        donation_transition(donation_id=donation.pk, to=target)

    donation.refresh_from_db()
    assert donation.status == start
    assert Campaign.objects.values("raised_amount", "donor_count", "donation_count").get(pk=campaign.pk) == before


@pytest.mark.parametrize("status", S.values)
def test_the_same_status_again_is_a_no_op(campaign, status):
    donation = make_donation(campaign, status=status)

    _, changed = donation_transition(donation_id=donation.pk, to=status)

    assert not changed


def _totals(obj):
    obj.refresh_from_db()
    return obj.raised_amount, obj.donor_count, obj.donation_count


def test_success_moves_campaign_team_and_fundraiser_totals_by_the_amount(campaign, fundraiser, team):
    donation = make_donation(campaign, fundraiser=fundraiser, amount="1500.50")

    donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)
    donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)  # a repeated callback

    for obj in (campaign, team, fundraiser):
        assert _totals(obj) == (Decimal("1500.50"), 1, 1)


def test_a_second_gift_from_the_same_donor_is_one_donor_two_donations(campaign, fundraiser):
    for amount in ("100", "200"):
        donation = make_donation(campaign, fundraiser=fundraiser, amount=amount, email="Same@Example.org")
        donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)

    assert _totals(fundraiser) == (Decimal("300"), 1, 2)


@pytest.mark.parametrize("target", [S.FAILED, S.CANCELLED])
def test_failed_and_cancelled_gifts_never_count(campaign, fundraiser, target):
    donation = make_donation(campaign, fundraiser=fundraiser)

    donation_transition(donation_id=donation.pk, to=target)

    assert _totals(campaign) == (Decimal("0"), 0, 0)


def test_database_refuses_zero_amounts_and_oversized_refunds(campaign):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_donation(campaign, amount="0")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_donation(campaign, amount="10", refunded_amount=Decimal("11"))


def test_team_and_fundraiser_models_hold_totals(fundraiser):
    assert isinstance(Team.objects.get().raised_amount, Decimal)
    assert Fundraiser.objects.get().donor_count == 0
