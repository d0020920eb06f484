import io

import pytest
from django.core.management import call_command

from fundraising.models import Campaign, Donation, Fundraiser
from fundraising.services import totals_aggregate

pytestmark = pytest.mark.django_db


def test_the_demo_is_alive_consistent_and_safe_to_run_again():
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())

    assert Campaign.objects.count() == 3
    assert Donation.objects.count() == 3900
    for campaign in Campaign.objects.all():
        fresh = totals_aggregate(Donation.objects.filter(campaign=campaign))
        assert (campaign.raised_amount, campaign.donor_count, campaign.donation_count) == (
            fresh["raised"],
            fresh["donors"],
            fresh["donations"],
        )
    assert Fundraiser.objects.filter(raised_amount__gt=0).count() >= 10


def test_without_communities_the_demo_adds_no_campaigns():
    from fundraising import demo

    demo.seed(io.StringIO())

    assert not Campaign.objects.exists()
