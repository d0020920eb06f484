"""The check-in queue: who lands in it and why (time frozen), and what the manager does with it."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from communities.crm.models import ContactLog
from communities.models import Membership
from communities.routine.models import CheckinEntry
from communities.routine.services import checkins
from communities.routine.tasks import checkins_refresh
from communities.services import CommunityError
from events.models import Event
from fundraising.models import Campaign, Donation, Fundraiser
from members.models import Activity
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # a Wednesday, 12:00 in Moscow
Reason = CheckinEntry.Reason


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def community(db):
    return CommunityFactory(name="Running for Hope", slug="running", timezone="Europe/Moscow")


@pytest.fixture
def manager(community):
    return MembershipFactory(community=community, role=Membership.Role.MANAGER, user=UserFactory(name="Mila Manager"))


def member(community, **fields):
    fields.setdefault("joined_at", NOW - timedelta(days=60))
    fields.setdefault("stage", Membership.Stage.ACTIVE)
    return MembershipFactory(community=community, **fields)


def reasons(community):
    return sorted(
        (e.membership.user.name, e.reason)
        for e in CheckinEntry.objects.filter(community=community, done_at__isnull=True).select_related(
            "membership__user"
        )
    )


def test_a_new_member_nobody_called_is_in_the_queue_for_three_weeks(frozen, community, manager):
    recent = member(community, joined_at=NOW - timedelta(days=20), stage="new", user=UserFactory(name="Nina New"))
    member(community, joined_at=NOW - timedelta(days=22), stage="new", user=UserFactory(name="Old Olga"))
    member(community, joined_at=NOW - timedelta(days=2), stage="contacted", user=UserFactory(name="Called Carl"))

    checkins.checkins_refresh(now=NOW)

    assert reasons(community) == [("Nina New", Reason.NEW_MEMBER)]
    assert CheckinEntry.objects.get().due_on == recent.joined_at.date()


def test_a_member_who_lapsed_in_the_last_two_weeks_is_in_the_queue(frozen, community, manager):
    lapsed_after = community.lapsed_after_days
    member(
        community,
        stage="lapsed",
        last_activity_at=NOW - timedelta(days=lapsed_after + 3),
        user=UserFactory(name="Lena Lapsed"),
    )
    member(
        community,
        stage="lapsed",
        last_activity_at=NOW - timedelta(days=lapsed_after + 30),
        user=UserFactory(name="Long Gone"),
    )

    checkins.checkins_refresh(now=NOW)

    assert reasons(community) == [("Lena Lapsed", Reason.LAPSED)]


def test_hosts_of_events_in_the_next_two_weeks_are_in_the_queue(frozen, community, manager):
    soon = member(community, role="host", user=UserFactory(name="Hugo Host")).user
    later = member(community, role="host", user=UserFactory(name="Late Larry")).user
    for host, days, status in [(soon, 5, "published"), (later, 20, "published"), (later, 3, "draft")]:
        event = Event.objects.create(
            community=community,
            title=f"Run {days}",
            slug=f"run-{days}-{status}",
            starts_at=NOW + timedelta(days=days),
            ends_at=NOW + timedelta(days=days, hours=2),
            status=status,
        )
        event.hosts.add(host)

    checkins.checkins_refresh(now=NOW)

    entry = CheckinEntry.objects.get()
    assert (entry.membership.user, entry.reason, entry.details["title"]) == (soon, Reason.HOST, "Run 5")


def _fundraiser(community, owner, *, raised, goal, created_days_ago, gift_days_ago=None):
    campaign, _ = Campaign.objects.get_or_create(
        community=community, slug="winter", defaults={"title": "Winter", "goal": 100000, "status": "active"}
    )
    fundraiser = Fundraiser.objects.create(
        campaign=campaign,
        owner=owner,
        title=f"{owner.name}'s run",
        slug=f"run-{owner.pk}",
        goal=Decimal(goal),
        raised_amount=Decimal(raised),
        created_at=NOW - timedelta(days=created_days_ago),
    )
    if gift_days_ago is not None:
        Donation.objects.create(
            campaign=campaign,
            fundraiser=fundraiser,
            amount=Decimal(raised),
            currency="RUB",
            provider="sandbox",
            status=Donation.Status.SUCCEEDED,
            succeeded_at=NOW - timedelta(days=gift_days_ago),
            donor_key=f"d{owner.pk}",
        )
    return fundraiser


def test_fundraiser_owners_who_stalled_or_just_reached_the_goal_are_in_the_queue(frozen, community, manager):
    stalled = member(community, user=UserFactory(name="Stan Stalled")).user
    reached = member(community, user=UserFactory(name="Greta Goal")).user
    busy = member(community, user=UserFactory(name="Busy Bella")).user
    fresh = member(community, user=UserFactory(name="Fresh Fred")).user
    _fundraiser(community, stalled, raised=500, goal=5000, created_days_ago=40, gift_days_ago=15)
    _fundraiser(community, reached, raised=5000, goal=5000, created_days_ago=40, gift_days_ago=2)
    _fundraiser(community, busy, raised=500, goal=5000, created_days_ago=40, gift_days_ago=3)
    _fundraiser(community, fresh, raised=0, goal=5000, created_days_ago=5)

    checkins.checkins_refresh(now=NOW)

    assert reasons(community) == [("Greta Goal", Reason.FUNDRAISER_GOAL), ("Stan Stalled", Reason.FUNDRAISER_STALLED)]


def test_a_follow_up_date_that_is_due_brings_the_person_back(frozen, community, manager):
    person = member(community, user=UserFactory(name="Fiona Follow"))
    later = member(community, user=UserFactory(name="Not Yet"))
    ContactLog.objects.create(membership=person, author=manager.user, follow_up_on=date(2026, 11, 18))
    ContactLog.objects.create(membership=later, author=manager.user, follow_up_on=date(2026, 11, 19))

    checkins.checkins_refresh(now=NOW)

    assert reasons(community) == [("Fiona Follow", Reason.FOLLOW_UP)]


def test_a_refresh_run_twice_adds_nothing_and_done_entries_stay_done(frozen, community, manager):
    newcomer = member(community, joined_at=NOW - timedelta(days=3), stage="new")

    checkins_refresh.delay().get()
    entry = CheckinEntry.objects.get()
    CheckinEntry.objects.filter(pk=entry.pk).update(done_at=NOW)
    checkins_refresh.delay().get()

    assert CheckinEntry.objects.count() == 1
    assert CheckinEntry.objects.get().membership == newcomer


def test_people_who_left_and_new_members_called_elsewhere_leave_the_queue(frozen, community, manager):
    leaving = member(community, joined_at=NOW - timedelta(days=3), stage="new")
    called = member(community, joined_at=NOW - timedelta(days=3), stage="new")
    checkins.checkins_refresh(now=NOW)
    Membership.objects.filter(pk=leaving.pk).update(status=Membership.Status.LEFT)
    Membership.objects.filter(pk=called.pk).update(stage=Membership.Stage.CONTACTED)

    checkins.checkins_refresh(now=NOW)

    assert reasons(community) == []


def test_logging_the_call_writes_the_contact_log_and_the_person_leaves_the_queue(frozen, community, manager):
    newcomer = member(community, joined_at=NOW - timedelta(days=3), stage="new")
    checkins.checkins_refresh(now=NOW)
    entry = CheckinEntry.objects.get()

    contact = checkins.checkin_entry_log_call(
        entry=entry, actor=manager.user, outcome="reached", note="Wants to help at the run", follow_up_on=None
    )

    newcomer.refresh_from_db()
    assert (contact.kind, contact.outcome, contact.membership) == ("call", "reached", newcomer)
    assert newcomer.stage == Membership.Stage.CONTACTED
    assert CheckinEntry.objects.get().done_at == NOW
    assert Activity.objects.filter(user=newcomer.user, kind=Activity.Kind.CONTACTED).exists()
    with pytest.raises(CommunityError):
        checkins.checkin_entry_log_call(entry=entry, actor=manager.user, outcome="reached")


def test_a_follow_up_logged_with_the_call_brings_the_person_back_on_that_day(community, manager):
    newcomer = member(community, joined_at=NOW - timedelta(days=3), stage="new")
    checkins.checkins_refresh(now=NOW)
    checkins.checkin_entry_log_call(
        entry=CheckinEntry.objects.get(),
        actor=manager.user,
        outcome="call_back",
        follow_up_on=date(2026, 11, 25),
        now=NOW,
    )

    checkins.checkins_refresh(now=NOW + timedelta(days=3))
    assert reasons(community) == []
    checkins.checkins_refresh(now=datetime(2026, 11, 24, 22, 0, tzinfo=UTC))  # the 25th in Moscow

    assert [e.reason for e in CheckinEntry.objects.filter(done_at__isnull=True, membership=newcomer)] == [
        Reason.FOLLOW_UP
    ]


def test_snooze_needs_a_future_day_and_assign_a_manager_of_the_community(frozen, community, manager):
    member(community, joined_at=NOW - timedelta(days=3), stage="new")
    other_manager = MembershipFactory(role=Membership.Role.MANAGER).user  # manages another community
    colleague = MembershipFactory(community=community, role=Membership.Role.MANAGER).user
    checkins.checkins_refresh(now=NOW)
    entry = CheckinEntry.objects.get()

    with pytest.raises(CommunityError):
        checkins.checkin_entry_snooze(entry=entry, until=date(2026, 11, 18), actor=manager.user)
    with pytest.raises(CommunityError):
        checkins.checkin_entry_assign(entry=entry, manager_id=other_manager.pk, actor=manager.user)
    with pytest.raises(CommunityError):  # only the community's managers sort its queue
        checkins.checkin_entry_snooze(entry=entry, until=date(2026, 11, 20), actor=other_manager)
    checkins.checkin_entry_snooze(entry=entry, until=date(2026, 11, 20), actor=manager.user)
    checkins.checkin_entry_assign(entry=entry, manager_id=colleague.pk, actor=manager.user)

    entry.refresh_from_db()
    assert (entry.snoozed_until, entry.assigned_to) == (date(2026, 11, 20), colleague)


def test_a_hosts_call_is_due_three_days_before_the_event_in_the_communitys_own_calendar(community, manager):
    # 22:30 UTC on 29 November is already 01:30 on 30 November in Moscow; the event starts at 01:00 on
    # 4 December in Moscow (22:00 UTC on the 3rd): the call is due on 1 December, not 30 November.
    now = datetime(2026, 11, 29, 22, 30, tzinfo=UTC)
    host = member(community, role="host", user=UserFactory(name="Nina Night")).user
    event = Event.objects.create(
        community=community,
        title="Night run",
        slug="night-run",
        starts_at=datetime(2026, 12, 3, 22, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 3, 23, 0, tzinfo=UTC),
        status="published",
    )
    event.hosts.add(host)

    with time_machine.travel(now, tick=False):
        checkins.checkins_refresh(now=now)

    assert CheckinEntry.objects.get(reason=Reason.HOST).due_on == date(2026, 12, 1)
