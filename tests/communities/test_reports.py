"""Monthly reports on the 1st: to fundraiser owners about their month, to donors who agreed to reports."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from communities.routine.services import reports
from communities.routine.tasks import reports_send
from fundraising.models import Campaign, CampaignUpdate, Donation, Fundraiser
from members.models import OutboundMessage
from tests.factories import CommunityFactory, UserFactory

FIRST_OF_DECEMBER_1030_MOSCOW = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)
IN_NOVEMBER = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign():
    community = CommunityFactory(name="Running for Hope", timezone="Europe/Moscow")
    return Campaign.objects.create(
        community=community, title="Winter", slug="winter", goal=Decimal(100000), status="active", raised_amount=9000
    )


def give(campaign, amount, *, user=None, fundraiser=None, when=IN_NOVEMBER, email="guest@example.org"):
    return Donation.objects.create(
        campaign=campaign,
        fundraiser=fundraiser,
        amount=Decimal(amount),
        currency="RUB",
        provider="sandbox",
        status="succeeded",
        succeeded_at=when,
        user=user,
        donor_email=user.email if user else email,
        donor_key=(user.email if user else email).lower(),
    )


def test_an_owner_gets_their_fundraisers_month_once(campaign, commit, mailoutbox):
    owner = UserFactory(name="Olga Owner", language="ru")
    fundraiser = Fundraiser.objects.create(
        campaign=campaign, owner=owner, title="Olga's run", slug="olga", goal=Decimal(10000), raised_amount=4000
    )
    give(campaign, 1500, fundraiser=fundraiser, email="a@example.org")
    give(campaign, 2500, fundraiser=fundraiser, email="b@example.org")
    give(campaign, 700, fundraiser=fundraiser, email="c@example.org", when=IN_NOVEMBER - timedelta(days=30))

    with time_machine.travel(FIRST_OF_DECEMBER_1030_MOSCOW, tick=False):
        with commit():
            reports_send.delay()
        with commit():
            reports_send.delay()

    message = OutboundMessage.objects.get(template="report_owner")
    assert message.key == f"report:owner:{fundraiser.pk}:2026-11"
    assert message.language == "ru"
    assert "4\xa0000\xa0₽" in message.body_text  # November only: 1 500 + 2 500
    assert "2" in message.body_text
    assert len(mailoutbox) == 1


def test_donors_who_agreed_get_one_report_about_the_campaigns_they_gave_to(campaign):
    agreed = UserFactory(consent_reports=True, email="agreed@example.org")
    declined = UserFactory(consent_reports=False)
    give(campaign, 1000, user=agreed)
    give(campaign, 500, user=agreed)
    give(campaign, 800, user=declined)
    give(campaign, 300)  # no account: no recorded consent, no report
    CampaignUpdate.objects.create(
        campaign=campaign, title="Old news", body="x", published_at=IN_NOVEMBER - timedelta(days=20)
    )
    CampaignUpdate.objects.create(campaign=campaign, title="We bought the van", body="<p>Thanks to you</p>")

    reports.reports_send(now=FIRST_OF_DECEMBER_1030_MOSCOW)
    reports.reports_send(now=FIRST_OF_DECEMBER_1030_MOSCOW + timedelta(hours=3))

    message = OutboundMessage.objects.get(template="report_donor")
    assert (message.user, message.key) == (agreed, f"report:donor:{agreed.pk}:2026-11")
    assert message.category == OutboundMessage.Category.REPORTS
    assert "Winter" in message.body_text
    assert "We bought the van" in message.body_text
    assert "Old news" not in message.body_text
    assert "RUB\xa02,600" in message.body_text  # everything counted in November


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 12, 1, 5, 0, tzinfo=UTC),  # 08:00 in Moscow: too early
        datetime(2026, 12, 2, 9, 0, tzinfo=UTC),  # the 2nd
    ],
)
def test_no_reports_but_on_the_first_of_the_month(campaign, moment):
    owner = UserFactory(consent_reports=True)
    Fundraiser.objects.create(campaign=campaign, owner=owner, title="Run", slug="run", goal=Decimal(1000))
    give(campaign, 100, user=owner)

    assert reports.reports_send(now=moment) == 0
