from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from communities.models import Community, Membership
from events.models import Event, Registration
from fundraising.models import Campaign, Fundraiser
from members.models import Activity
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

COUNTED = [
    "members.User",
    "members.Activity",
    "communities.Community",
    "communities.Membership",
    "routine.CheckinEntry",
    "events.Event",
    "events.Registration",
    "fundraising.Campaign",
    "fundraising.Fundraiser",
    "fundraising.Donation",
]


def counts():
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


def test_seed_demo_fills_every_area_prints_the_logins_and_is_idempotent():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    first = counts()
    call_command("seed_demo", stdout=StringIO())

    assert counts() == first
    assert all(first[label] > 0 for label in COUNTED), first
    assert "manager@kindred.test" in out.getvalue()
    assert "kindred-demo" in out.getvalue()


def test_seed_demo_leaves_everyone_it_did_not_create_alone():
    call_command("seed_demo", stdout=StringIO())
    demo_community = Community.objects.get(slug="teplyi-dom-volunteers")
    real = UserFactory(email="real.person@example.org", phone="", city="")
    own = CommunityFactory(visibility=Community.Visibility.PUBLIC)
    joined = timezone.now() - timedelta(days=2)
    memberships = [
        MembershipFactory(community=community, user=real, joined_at=joined) for community in (demo_community, own)
    ]

    call_command("seed_demo", stdout=StringIO())

    real.refresh_from_db()
    assert (real.phone, real.city) == ("", "")
    assert [Membership.objects.get(pk=m.pk).joined_at for m in memberships] == [joined, joined]
    assert not Activity.objects.filter(user=real).exists()
    assert not Registration.objects.filter(user=real).exists()
    assert not Fundraiser.objects.filter(owner=real).exists()
    assert not Event.objects.filter(community=own).exists()
    assert not Campaign.objects.filter(community=own).exists()
