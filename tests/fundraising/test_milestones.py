"""Milestones: one note per gift for the highest threshold it crossed, none for thresholds already passed,
the campaign's managers told about the campaign's; percentages shown as they are, the bar full."""

from decimal import Decimal

import pytest
from django.urls import reverse

from fundraising import services
from fundraising.models import Campaign, Fundraiser
from fundraising.services.notifications import milestone_crossed
from members.models import OutboundMessage
from tests.factories import MembershipFactory
from tests.fundraising.helpers import make_donation, make_paid

pytestmark = pytest.mark.django_db


def _keys(prefix):
    return sorted(OutboundMessage.objects.filter(key__startswith=prefix).values_list("key", flat=True))


@pytest.mark.parametrize(
    ("before", "after", "crossed"),
    [
        ("0", "4999", None),
        ("0", "5000", 50),
        ("4999", "10000", 100),  # both at once: only the highest
        ("0", "26700", 100),
        ("5000", "6000", None),  # half-way was passed before this gift
        ("12000", "13000", None),  # far past the goal already
        ("9999.99", "10000", 100),
    ],
)
def test_the_highest_threshold_crossed_by_one_gift(before, after, crossed):
    assert milestone_crossed(before=Decimal(before), after=Decimal(after), goal=Decimal("10000")) == crossed


def test_one_gift_that_crosses_both_sends_one_note(campaign, fundraiser, commit, mailoutbox):
    with commit():
        make_paid(campaign, fundraiser=fundraiser, amount="12000")

    assert _keys("milestone:") == [f"milestone:{fundraiser.pk}:100"]
    assert [m.subject for m in mailoutbox if "goal" in m.subject] == ["You reached your goal!"]


def test_a_fundraiser_credited_past_its_goal_sends_nothing_for_passed_thresholds(campaign, fundraiser, manager, commit):
    make_donation(campaign, fundraiser=fundraiser)  # nothing counted yet
    Fundraiser.objects.filter(pk=fundraiser.pk).update(goal=Decimal("100"))  # a goal set below what comes
    with commit():
        services.donation_record_offline(campaign=campaign, actor=manager, amount="500", fundraiser=fundraiser)
        make_paid(campaign, fundraiser=fundraiser, amount="700", email="more@example.org")

    assert _keys("milestone:") == [f"milestone:{fundraiser.pk}:100"]


def test_the_campaigns_managers_hear_once_when_the_campaign_crosses_a_threshold(campaign, manager, commit):
    other_manager = MembershipFactory(community=campaign.community, role="manager").user
    with commit():
        make_paid(campaign, amount="50000")  # half of 100 000
        make_paid(campaign, amount="1000", email="x@example.org")

    keys = _keys(f"campaign-milestone:{campaign.pk}:")
    assert keys == sorted(f"campaign-milestone:{campaign.pk}:50:{u.pk}" for u in (manager, other_manager))


def test_a_campaign_far_past_its_goal_shows_its_real_percentage_and_a_full_bar(client, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(raised_amount=Decimal("267000"), donor_count=3)

    page = client.get(reverse("fundraising:campaign", args=[campaign.slug])).content.decode()

    assert '<span data-testid="percent">267%</span>' in page
    assert "kd-w-100" in page
    assert 'aria-valuenow="100"' in page
