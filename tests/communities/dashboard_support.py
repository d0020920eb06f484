"""Small fixed data for the dashboard tests, with every figure computed by hand in the comments.

The clock stands at Wednesday 18 March 2026, 12:00 in Moscow (the community's zone). "This month" is
1-18 March, compared with 1-18 February; "this week" is 16-18 March against 9-11 March.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine

from communities.models import Community, Membership
from communities.routine.models import CheckinEntry
from events.models import Event, Registration
from fundraising.models import Campaign, Donation, Fundraiser, Team
from fundraising.services.rollups import donation_days_rebuild
from members.models import Activity
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

MSK = zoneinfo.ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 18, 12, 0, tzinfo=MSK)
Stage, Level, Status = Membership.Stage, Membership.Level, Membership.Status


def at(month, day, hour=12, year=2026):
    return datetime(year, month, day, hour, 0, tzinfo=MSK)


@dataclass
class World:
    community: Community
    other: Community
    manager: object
    other_manager: object
    member: object
    staff: object
    people: dict


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def _person(community, name, joined, stage=Stage.NEW, level=Level.OBSERVER, status=Status.ACTIVE, role="member"):
    return MembershipFactory(
        community=community,
        user=UserFactory(name=name),
        joined_at=joined,
        stage=stage,
        engagement_level=level,
        status=status,
        role=role,
    )


def _members(community):
    people = {
        # Members at the end of the period: manager, anna, boris, vera, gleb, dina = 6.
        # At the end of the previous period (18 Feb): manager, gleb, dina = 3 (egor has left).
        "manager": _person(community, "Mila Manager", at(12, 1, year=2025), Stage.ACTIVE, Level.CORE, role="manager"),
        "anna": _person(community, "Anna", at(3, 2), Stage.NEW, Level.OBSERVER),  # new in March
        "boris": _person(community, "Boris", at(3, 10), Stage.CONTACTED, Level.PARTICIPANT),  # new in March
        "vera": _person(community, "Vera", at(3, 17), Stage.ACTIVE, Level.CONTRIBUTOR),  # new this week too
        "gleb": _person(community, "Gleb", at(2, 5), Stage.ACTIVE, Level.CORE),  # new in February
        "egor": _person(community, "Egor", at(2, 10), Stage.ACTIVE, Level.CORE, status=Status.LEFT),  # Feb, left
        "dina": _person(community, "Dina", at(1, 1), Stage.LAPSED, Level.OBSERVER),  # lapsed
        "petr": _person(community, "Petr", None, Stage.NEW, Level.OBSERVER, status=Status.PENDING),  # a request
    }
    return people


def _activity(community, other, people):
    def log(person, kind, when, community=community, summary=""):
        Activity.objects.create(
            user=people[person].user, community=community, kind=kind, occurred_at=when, summary=summary
        )

    # Active in the 30 days before 19 March: anna and boris (boris twice) = 2.
    log("anna", Activity.Kind.REGISTERED, at(3, 3), summary="Park run")
    log("boris", Activity.Kind.JOINED, at(3, 10))
    log("boris", Activity.Kind.ATTENDED, at(3, 12), summary="Park run")
    # Active in the 30 days before 19 February: gleb = 1 (a manager's note is not the person's activity).
    log("gleb", Activity.Kind.DONATED, at(2, 16))
    log("dina", Activity.Kind.NOTE, at(2, 17), summary="Called, no answer")
    # Another community's activity is never counted here.
    log("anna", Activity.Kind.ATTENDED, at(3, 15), community=other)


def _money(community, other, people):
    campaign = Campaign.objects.create(
        community=community, title="Wheelchairs", slug="wheelchairs", goal=Decimal("100000"), currency="RUB"
    )
    second = Campaign.objects.create(
        community=community, title="Summer camp", slug="camp", goal=Decimal("50000"), currency="RUB"
    )
    elsewhere = Campaign.objects.create(
        community=other, title="Elsewhere", slug="elsewhere", goal=Decimal("1000"), currency="RUB"
    )
    team = Team.objects.create(campaign=campaign, name="Runners", slug="runners")
    anna_page = Fundraiser.objects.create(
        campaign=campaign, owner=people["anna"].user, team=team, title="Anna runs", slug="anna-runs", goal=1000
    )
    boris_page = Fundraiser.objects.create(
        campaign=second, owner=people["boris"].user, title="Boris swims", slug="boris-swims", goal=1000
    )

    def give(amount, when, status=Donation.Status.SUCCEEDED, refunded=0, currency="RUB", **links):
        Donation.objects.create(
            campaign=links.pop("campaign", campaign),
            amount=Decimal(amount),
            refunded_amount=Decimal(refunded),
            currency=currency,
            status=status,
            provider="sandbox",
            created_at=when,
            donor_key=f"donor-{amount}-{when:%m%d}",
            **links,
        )

    # March, RUB: 1000 + 500 + (400 - 100) + 250 = 2050 in 4 donations.
    give(1000, at(3, 5), fundraiser=anna_page, team=team)
    give(500, at(3, 6))
    give(300, at(3, 7), status=Donation.Status.REFUNDED, refunded=300)  # refunded in full: not counted
    give(400, at(3, 8), status=Donation.Status.REFUNDED, refunded=100)  # 300 counted
    give(700, at(3, 9), status=Donation.Status.PENDING)  # not paid: not counted
    give(250, at(3, 11), campaign=second, fundraiser=boris_page)
    give(50, at(3, 12), currency="EUR")  # another currency, shown apart
    # February: 200 in 1 donation.
    give(200, at(2, 10))
    # Another community's money is never counted here.
    give(9999, at(3, 5), campaign=elsewhere)


def _events(community, people):
    def event(title, slug, starts, status, capacity=None):
        return Event.objects.create(
            community=community,
            title=title,
            slug=slug,
            starts_at=starts,
            ends_at=starts.replace(hour=starts.hour + 2),
            status=status,
            capacity=capacity,
        )

    def register(event, count, status):
        for _ in range(count):
            Registration.objects.create(event=event, user=UserFactory(), status=status)

    upcoming = event("Spring fair", "fair", at(3, 25), Event.Status.PUBLISHED, capacity=10)
    register(upcoming, 3, Registration.Status.CONFIRMED)  # 3 of 10 places taken
    register(upcoming, 1, Registration.Status.WAITLISTED)  # 1 on the waitlist
    register(upcoming, 1, Registration.Status.CANCELLED)
    march = event("Park run", "park-run", at(3, 7), Event.Status.COMPLETED)
    register(march, 4, Registration.Status.ATTENDED)  # 4 of 5 came: 80%
    register(march, 1, Registration.Status.NO_SHOW)
    february = event("Winter walk", "walk", at(2, 10), Event.Status.COMPLETED)
    register(february, 1, Registration.Status.ATTENDED)  # 1 of 2 came: 50%
    register(february, 1, Registration.Status.NO_SHOW)
    event("Draft idea", "draft", at(3, 8), Event.Status.DRAFT)  # drafts never count


def _queue(community, people):
    def entry(person, ref, due, **extra):
        CheckinEntry.objects.create(
            community=community,
            membership=people[person],
            reason=CheckinEntry.Reason.NEW_MEMBER,
            ref=ref,
            due_on=due,
            **extra,
        )

    # Open and due: anna, boris = 2.
    entry("anna", "a", date(2026, 3, 16))
    entry("boris", "b", date(2026, 3, 18))
    entry("vera", "c", date(2026, 3, 16), done_at=at(3, 17))  # done
    entry("gleb", "d", date(2026, 3, 16), snoozed_until=date(2026, 3, 25))  # snoozed
    entry("dina", "e", date(2026, 3, 30))  # not due yet


@pytest.fixture
def world(db, frozen):
    community = CommunityFactory(name="Running for Hope", slug="running", timezone="Europe/Moscow")
    other = CommunityFactory(name="Donor club", slug="donors", timezone="Europe/Moscow")
    people = _members(community)
    other_manager = MembershipFactory(community=other, role="manager", joined_at=at(1, 5)).user
    _activity(community, other, people)
    _money(community, other, people)
    _events(community, people)
    _queue(community, people)
    donation_days_rebuild(now=NOW)  # what the periodic task keeps fresh
    return World(
        community=community,
        other=other,
        manager=people["manager"].user,
        other_manager=other_manager,
        member=people["anna"].user,
        staff=UserFactory(is_staff=True),
        people=people,
    )
