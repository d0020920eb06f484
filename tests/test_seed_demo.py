from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

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
