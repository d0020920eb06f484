"""A gift counted (paid, or its refund reversed) moves its day's rollup rows by its money in constant
time; the rows stay exactly what a fresh aggregate of the donations gives, refunds included."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fundraising.models import CampaignDay, Donation, DonationDay
from fundraising.services.payments import donation_transition
from fundraising.services.rollups import rollups_check
from tests.fundraising.helpers import make_donation

pytestmark = pytest.mark.django_db


def test_many_gifts_on_one_day_keep_the_rollups_exact_without_rereading_the_day(campaign, fundraiser):
    when = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
    gifts = [
        make_donation(campaign, amount=str(100 * (i + 1)), email=f"d{i}@example.org", created_at=when, fundraiser=f)
        for i, f in enumerate([None, None, fundraiser, None, fundraiser])
    ]
    for gift in gifts[:-1]:
        donation_transition(donation_id=gift.pk, to=Donation.Status.SUCCEEDED, now=when)
    with CaptureQueriesContext(connection) as queries:
        donation_transition(donation_id=gifts[-1].pk, to=Donation.Status.SUCCEEDED, now=when)
    # The day's rows are moved, not rebuilt from the day's donations.
    assert not [q for q in queries.captured_queries if 'FROM "fundraising_donation"' in q["sql"] and "SUM(" in q["sql"]]

    assert rollups_check(repair=False) == {}
    day = CampaignDay.objects.get(campaign=campaign)
    assert (day.amount, day.donations) == (Decimal("1500"), 5)
    by_fundraiser = DonationDay.objects.get(campaign=campaign, fundraiser=fundraiser)
    assert (by_fundraiser.amount, by_fundraiser.donations) == (Decimal("800"), 2)
    assert by_fundraiser.last_donation_at == when
