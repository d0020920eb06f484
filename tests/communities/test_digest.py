"""The managers' weekly digest: Monday morning in the community's time zone, once a week, in their language."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from communities.models import Membership
from communities.routine.models import CheckinEntry
from communities.routine.services import digest
from communities.routine.tasks import digests_send
from events.models import Event, Registration
from fundraising.models import Campaign, Donation
from members.models import OutboundMessage
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

MONDAY_0830_MOSCOW = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    community = CommunityFactory(name="Running for Hope", slug="running", timezone="Europe/Moscow")
    MembershipFactory(community=community, role="manager", user=UserFactory(name="Mila", email="mila@example.org"))
    MembershipFactory(
        community=community, role="manager", user=UserFactory(name="Пётр", email="petr@example.org", language="ru")
    )
    return community


def digests():
    return OutboundMessage.objects.filter(template="digest_weekly").order_by("to_email")


def test_each_manager_gets_one_digest_a_week_however_often_the_scan_runs(community, commit, mailoutbox):
    with time_machine.travel(MONDAY_0830_MOSCOW, tick=False):
        with commit():
            digests_send.delay().get()
        with commit():
            digests_send.delay().get()
    with time_machine.travel(MONDAY_0830_MOSCOW + timedelta(hours=5), tick=False), commit():
        digests_send.delay().get()

    assert [m.to_email for m in digests()] == ["mila@example.org", "petr@example.org"]
    assert sorted(m.to[0] for m in mailoutbox) == ["mila@example.org", "petr@example.org"]
    assert digests().first().key == f"digest:{community.pk}:{digests().first().user_id}:2026-W48"
    assert {m.category for m in digests()} == {OutboundMessage.Category.TRANSACTIONAL}
    assert {m.community for m in digests()} == {community}


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 23, 4, 30, tzinfo=UTC),  # Monday 07:30 in Moscow: too early
        datetime(2026, 11, 22, 9, 0, tzinfo=UTC),  # Sunday
        datetime(2026, 11, 24, 9, 0, tzinfo=UTC),  # Tuesday
    ],
)
def test_no_digest_outside_monday_morning_in_the_communitys_time_zone(community, moment):
    assert digest.digests_send(now=moment) == 0
    assert not digests().exists()


def test_the_monday_of_a_far_time_zone_comes_on_sunday_in_utc(db):
    far = CommunityFactory(timezone="Asia/Vladivostok")
    MembershipFactory(community=far, role="manager")

    sent = digest.digests_send(now=datetime(2026, 11, 22, 22, 30, tzinfo=UTC))  # Monday 08:30 there

    assert sent == 1


def test_the_digest_shows_the_queue_new_members_events_and_money_in_the_managers_language(community):
    now = MONDAY_0830_MOSCOW
    newcomer = MembershipFactory(community=community, joined_at=now - timedelta(days=2), user=UserFactory(name="Nina"))
    CheckinEntry.objects.create(
        community=community, membership=newcomer, reason="new_member", ref="x", due_on=now.date()
    )
    event = Event.objects.create(
        community=community,
        title="River clean-up",
        slug="river",
        status="published",
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=2),
    )
    Registration.objects.create(event=event, user=newcomer.user, status="confirmed")
    campaign = Campaign.objects.create(community=community, title="Winter", slug="winter", goal=10000, status="active")
    for amount, days_ago in [(Decimal("1500"), 1), (Decimal("700.50"), 9)]:
        Donation.objects.create(
            campaign=campaign,
            amount=amount,
            currency="RUB",
            provider="sandbox",
            status="succeeded",
            succeeded_at=now - timedelta(days=days_ago),
            donor_key=str(days_ago),
        )

    digest.digests_send(now=now)

    english, russian = digests()
    assert "Who to call: 1 person" in english.body_text
    assert "Nina" in english.body_text
    assert "River clean-up" in english.body_text
    assert "1 registered" in english.body_text
    assert "this week: RUB\xa01,500; last week: RUB\xa0700.50" in english.body_text
    assert "1\xa0500\xa0₽" in russian.body_text
    assert russian.language == "ru"
    assert 'lang="ru"' in russian.body_html


def test_a_manager_who_stepped_down_gets_no_digest(community):
    Membership.objects.filter(user__email="petr@example.org").update(role="member")
    digest.digests_send(now=MONDAY_0830_MOSCOW)
    assert [m.to_email for m in digests()] == ["mila@example.org"]
