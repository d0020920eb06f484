"""Who sees a donor, page by page: every page and API endpoint of the site (found from the URL
configuration, not listed by hand), opened with every object it can name, as a visitor, a member, the
volunteer who owns the fundraiser (and captains its team and hosts its event), a manager of another
community and the community's manager. A donor's e-mail, a message only for the organisers and an
anonymous donor's name appear for the community's manager only; e-mails to anyone else keep them too.

Each secret is a distinctive marker, so a leak shows up in any field of any response.
"""

import itertools
import re
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from events.models import Registration
from fundraising.models import Donation, Fundraiser, Subscription, SubscriptionCharge, Team
from fundraising.services import donation_transition
from tests.events.factories import EventFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.fundraising.conftest import make_campaign
from tests.fundraising.helpers import make_donation

pytestmark = pytest.mark.django_db

ANONYMOUS_NAME = "Zinaida Hiddenova"
SIGNED_IN_ANONYMOUS_NAME = "Prokhor Quietov"
EMAILS = ("zinaida.hidden@example.org", "open.donor@example.org", "prokhor.quiet@example.org", "monthly.m@example.org")
PRIVATE_MESSAGE = "PRIVATE-NOTE-7731"
MONTHLY_NAME = "Evlampia Monthlyova"
MARKERS = (ANONYMOUS_NAME, SIGNED_IN_ANONYMOUS_NAME, MONTHLY_NAME, PRIVATE_MESSAGE, *EMAILS)
PUBLIC = ("Olga Openova", "Keep going, friends")  # the control: what everyone may see

# URL parts that are a capability held by one person (a donor's link, a reset key) or not a page at all.
CAPABILITY_KWARGS = {"key", "token", "reference", "uidb36", "provider", "answer", "path", "format"}
SKIPPED_PREFIXES = ("admin/", "accounts/", "api/schema/", "api/docs/")


def gift(campaign, fundraiser, **fields):
    donation = make_donation(campaign, fundraiser=fundraiser, **fields)
    donation_transition(donation_id=donation.pk, to=Donation.Status.SUCCEEDED)
    return donation


@pytest.fixture
def world(commit):
    community = CommunityFactory(name="Harbour", slug="harbour")
    manager = MembershipFactory(community=community, role="manager").user
    owner_membership = MembershipFactory(community=community, role="host", user=UserFactory(name="Nina Owner"))
    owner = owner_membership.user
    people = SimpleNamespace(
        visitor=None,
        member=MembershipFactory(community=community).user,
        owner=owner,
        other_manager=MembershipFactory(community=CommunityFactory(name="Choir"), role="manager").user,
        manager=manager,
    )
    campaign = make_campaign(community, slug="warm")
    team = Team.objects.create(campaign=campaign, name="Runners", slug="runners", captain=owner)
    event = EventFactory(community=community, title="Park run", status="published")
    event.hosts.add(owner)
    fundraiser = Fundraiser.objects.create(
        campaign=campaign, owner=owner, team=team, event=event, title="Nina runs", slug="nina-runs", goal=10000
    )
    signed_in_donor = UserFactory(name=SIGNED_IN_ANONYMOUS_NAME, email=EMAILS[2])
    with commit():  # the owner's and the milestone e-mails go out
        gifts = [
            gift(campaign, fundraiser, donor_name=ANONYMOUS_NAME, email=EMAILS[0], anonymous=True, message="Bless"),
            gift(
                campaign,
                fundraiser,
                donor_name=PUBLIC[0],
                email=EMAILS[1],
                message=PRIVATE_MESSAGE,
                message_private=True,
                amount="6000",
            ),
            gift(
                campaign,
                fundraiser,
                donor_name=SIGNED_IN_ANONYMOUS_NAME,
                email=EMAILS[2],
                user=signed_in_donor,
                anonymous=True,
            ),
            gift(campaign, fundraiser, donor_name="Pavel Public", email="pavel@example.org", message=PUBLIC[1]),
        ]
    monthly = Subscription.objects.create(
        campaign=campaign,
        fundraiser=fundraiser,
        team=team,
        amount=Decimal("300"),
        currency="RUB",
        day=5,
        status="active",
        donor_name=MONTHLY_NAME,
        donor_email=EMAILS[3],
        donor_key=EMAILS[3],
        anonymous=True,
        provider="sandbox",
        next_charge_at=timezone.now() + timedelta(days=20),
    )
    SubscriptionCharge.objects.create(
        subscription=monthly,
        period=date.today().replace(day=1),
        status="succeeded",
        scheduled_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    gift(
        campaign,
        fundraiser,
        donor_name=MONTHLY_NAME,
        email=EMAILS[3],
        anonymous=True,
        subscription=monthly,
    )
    Registration.objects.create(event=event, user=people.member)
    values = {
        "slug": [community.slug, campaign.slug, fundraiser.slug],
        "community": [community.slug],
        "team": [team.slug],
        "pk": sorted(
            {event.pk, monthly.pk, community.pk, campaign.pk, fundraiser.pk, team.pk, owner_membership.pk}
            | {g.pk for g in gifts}
        ),
        "community_pk": [community.pk],
        "donation_id": [g.pk for g in gifts],
        "membership_id": [owner_membership.pk],
        "registration_id": list(Registration.objects.values_list("pk", flat=True)),
        "year": [timezone.now().year],
        "kind": ["campaign", "fundraiser", "team", "event"],
        "action": ["pause", "cancel", "resume", "approve", "publish"],
        "table": ["fundraisers", "campaigns", "teams", "activity", "money", "upcoming", "communities"],
    }
    return SimpleNamespace(people=people, values=values, community=community, manager=manager, event=event)


def pages(values):
    """Every GET-able URL of the site with every combination of the objects its parts can name."""

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield prefix + str(pattern.pattern), namespace + pattern.name, pattern.pattern.regex.groupindex

    seen = set()
    for route, name, groups in walk(get_resolver().url_patterns):
        parts = set(groups) | set(_converters(route))
        if route.lstrip("^").startswith(SKIPPED_PREFIXES) or parts & CAPABILITY_KWARGS or name in seen:
            continue
        seen.add(name)
        names = sorted(parts)
        for combo in itertools.product(*(values.get(part, [1]) for part in names)):
            try:
                yield reverse(name, kwargs=dict(zip(names, combo, strict=True)))
            except Exception:  # noqa: BLE001 - a value of the wrong shape for this part
                continue


def _converters(route):
    return re.findall(r"<(?:\w+:)?(\w+)>", route)


# A list's filters, pointed at the fundraiser that received the gifts.
def queries(url, values):
    yield {}
    if url.startswith("/api/"):
        yield {"campaign": values["pk"][3], "fundraiser": values["pk"][4], "community": values["community_pk"][0]}
        yield {"search": "Harbour", "q": "a"}


def found(body):
    text = body.lower()
    return [marker for marker in MARKERS if marker.lower() in text]


def client_for(person):
    client = Client()
    if person is not None:
        client.force_login(person)
    return client


# Pages each person must really have read (a 200), so the walk is known to reach what they see.
MUST_READ = {
    "visitor": {"/campaigns/warm/", "/f/nina-runs/", "/campaigns/warm/teams/runners/", "/api/v1/campaigns/"},
    "member": {"/f/nina-runs/", "/c/harbour/", "/api/v1/donations/", "/api/v1/fundraisers/"},
    "owner": {"/f/nina-runs/donations/", "/fundraising/mine/", "/api/v1/donations/", "/events/{event}/manage/"},
    "other_manager": {"/f/nina-runs/", "/api/v1/donations/", "/fundraising/manage/"},
}


@pytest.fixture
def unthrottled(monkeypatch):
    """The walk sends hundreds of requests a minute: the API's per-client limits would answer 429."""
    from rest_framework.views import APIView

    monkeypatch.setattr(APIView, "check_throttles", lambda self, request: None)


@pytest.mark.parametrize("who", ["visitor", "member", "owner", "other_manager"])
def test_no_page_or_endpoint_shows_a_donors_secrets_to_anyone_but_the_communitys_managers(world, who, unthrottled):
    person = getattr(world.people, who)
    client = client_for(person)
    token = Token.objects.create(user=person).key if person else None
    problems, walked, read = [], 0, set()

    for url in pages(world.values):
        for params in queries(url, world.values):
            headers = {"Authorization": f"Token {token}"} if token and url.startswith("/api/") else {}
            response = client.get(url, params, headers=headers)
            walked += 1
            body = b"".join(response.streaming_content) if response.streaming else response.content
            leaked = found(body.decode(errors="replace"))
            if response.status_code >= 500 or response.status_code == 429 or leaked:
                problems.append((url, params, response.status_code, leaked))
            if response.status_code == 200:
                read.add(url)

    assert walked > 300
    assert problems == []
    assert {url.format(event=world.event.pk) for url in MUST_READ[who]} <= read


def test_the_communitys_manager_does_see_them(world):
    client = client_for(world.manager)
    seen = set()
    for url in (
        reverse("fundraising:manage_donations", args=["warm"]),
        reverse("fundraising:donations_csv", args=["warm"]),
        reverse("fundraising:donors", args=["harbour"]),
        reverse("api:donation-list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen |= set(found(body.decode()))

    assert seen >= {ANONYMOUS_NAME, PRIVATE_MESSAGE, EMAILS[0], EMAILS[1]}


# What each donor may read in their own e-mails: what they typed themselves.
OWN = {
    EMAILS[0]: {EMAILS[0], ANONYMOUS_NAME},
    EMAILS[1]: {EMAILS[1], PRIVATE_MESSAGE},
    EMAILS[2]: {EMAILS[2], SIGNED_IN_ANONYMOUS_NAME},
    EMAILS[3]: {EMAILS[3], MONTHLY_NAME},
}


def test_no_email_to_anyone_but_the_managers_and_the_donor_themselves_holds_the_secrets(mailoutbox, world):
    problems = []
    for mail in mailoutbox:
        (recipient,) = [address.lower() for address in mail.to]
        body = mail.subject + mail.body + "".join(alt[0] for alt in getattr(mail, "alternatives", []))
        leaked = set(found(body)) - OWN.get(recipient, set())
        if recipient != world.manager.email.lower() and leaked:
            problems.append((recipient, mail.subject, leaked))

    assert len(mailoutbox) >= 4
    assert problems == []
