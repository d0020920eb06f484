"""manage.py seed_scale: the volumes asked for, the dashboard's rollup built, and never on real data."""

import io

import pytest
from django.core.management import CommandError, call_command

from communities.models import Community, Membership
from events.models import Event
from fundraising.models import CampaignDay, Donation, DonationDay
from tests.factories import CommunityFactory


def test_it_generates_the_volumes_and_the_rollup(db):
    call_command("seed_scale", members=300, donations=2000, events=40, stdout=io.StringIO())
    assert Membership.objects.count() == 300
    assert Donation.objects.count() == 2000
    assert Event.objects.count() == 40
    assert Community.objects.count() == 20
    assert DonationDay.objects.exists()
    assert CampaignDay.objects.exists()
    # Running it again adds another batch next to the first: scale data only.
    call_command("seed_scale", members=10, donations=10, events=2, stdout=io.StringIO())
    assert Membership.objects.count() == 310


def test_it_refuses_a_database_with_other_data(db):
    CommunityFactory(slug="real-people")
    with pytest.raises(CommandError, match="did not make"):
        call_command("seed_scale", members=10, donations=10, events=2)
