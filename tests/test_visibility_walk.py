"""Children inherit their parents' visibility: every API list, with every filter pointed at a hidden
parent, and every detail of a hidden record, shows nothing of it to a visitor, a member or an outsider.

Everything that must stay hidden carries the word SECRET (or MEMBERSONLY, which members of its
community may see), so a leak shows up in any field of any response.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from communities.models import Announcement
from config.api import router
from events.models import Registration
from fundraising.models import Campaign, Donation, Fundraiser, Team
from tests.events.factories import EventFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# The filters the list endpoints read, with the parameter names the API uses.
FILTERS = ("community", "campaign", "fundraiser", "event", "team", "status")
# Lists that are not on the router and take a community.
COMMUNITY_LISTS = ("directory_members", "checkin_queue", "messages", "community_dashboard")


def gift(campaign, fundraiser=None, **fields):
    return Donation.objects.create(
        campaign=campaign,
        fundraiser=fundraiser,
        amount=Decimal("500"),
        currency="RUB",
        donor_name=fields.pop("donor_name", "SECRET donor"),
        donor_email="secret.donor@example.org",
        donor_key="secret.donor@example.org",
        provider="sandbox",
        status="succeeded",
        **fields,
    )


@pytest.fixture
def world():
    """A public community with hidden things in it, a private community, and the three people."""
    public = CommunityFactory(name="Open runners", slug="open-runners")
    private = CommunityFactory(name="SECRET circle", slug="secret-circle", visibility="private")
    other = CommunityFactory(name="Choir", slug="choir")
    owner = MembershipFactory(community=public).user
    MembershipFactory(community=private, user=UserFactory(name="SECRET insider"))
    people = SimpleNamespace(
        visitor=None,
        member=MembershipFactory(community=public).user,
        outsider=MembershipFactory(community=other, role="manager").user,
    )
    campaign = Campaign.objects.create(community=public, title="Warm winter", slug="warm", goal=100000, status="active")
    hidden = Fundraiser.objects.create(
        campaign=campaign, owner=owner, title="SECRET hidden page", slug="secret-hidden", goal=1000, status="hidden"
    )
    draft = Campaign.objects.create(community=public, title="SECRET draft", slug="secret-draft", goal=1000)
    in_draft = Fundraiser.objects.create(campaign=draft, owner=owner, title="SECRET page", slug="secret-f", goal=1000)
    team = Team.objects.create(campaign=draft, name="SECRET team", slug="secret-team")
    closed = Campaign.objects.create(
        community=private, title="SECRET campaign", slug="secret-c", goal=1000, status="active"
    )
    closed_page = Fundraiser.objects.create(
        campaign=closed, owner=owner, title="SECRET closed page", slug="secret-cp", goal=1000
    )
    gift(campaign, hidden, message="SECRET gift to a hidden page")
    gift(draft, in_draft, team=team, message="SECRET gift in a draft")
    gift(closed, closed_page, message="SECRET gift in a private community")
    gift(campaign, donor_name="Visible donor", message="Keep going")  # the control: everyone sees it
    draft_event = EventFactory(community=public, title="SECRET draft event", status="draft")
    members_event = EventFactory(community=public, title="MEMBERSONLY evening", visibility="members")
    closed_event = EventFactory(community=private, title="SECRET closed event")
    for event in (draft_event, members_event, closed_event):
        Registration.objects.create(event=event, guest_name="SECRET guest", guest_email="g@example.org")
    Registration.objects.create(event=draft_event, user=people.member)  # their own, for an event now a draft
    Announcement.objects.create(community=private, title="SECRET news", body="SECRET")
    parents = {
        "community": [private.pk, private.slug],
        "campaign": [draft.pk, closed.pk],
        "fundraiser": [hidden.pk, in_draft.pk, closed_page.pk],
        "event": [draft_event.pk, closed_event.pk, members_event.pk],
        "team": [team.pk],
        "status": ["hidden", "draft", "pending"],
    }
    details = {
        "campaign-detail": [draft.pk, closed.pk],
        "fundraiser-detail": [hidden.pk, in_draft.pk, closed_page.pk],
        "team-detail": [team.pk],
        "event-detail": [draft_event.pk, closed_event.pk],
        "community-detail": [private.pk],
        "donation-detail": list(Donation.objects.exclude(donor_name="Visible donor").values_list("pk", flat=True)),
        "registration-detail": list(Registration.objects.values_list("pk", flat=True)),
    }
    communities = [public.pk, private.pk, other.pk]
    return SimpleNamespace(people=people, parents=parents, details=details, communities=communities)


def list_urls(communities):
    for prefix, _viewset, basename in router.registry:
        if "community_pk" in prefix:
            yield from (reverse(f"api:{basename}-list", kwargs={"community_pk": pk}) for pk in communities)
        else:
            yield reverse(f"api:{basename}-list")
    for name in COMMUNITY_LISTS:
        yield from (reverse(f"api:{name}", kwargs={"community_pk": pk}) for pk in communities)
    yield reverse("api:dashboard")


def leaks(who, response):
    body = response.content.decode()
    found = ["SECRET"] if "SECRET" in body else []
    if who != "member" and "MEMBERSONLY" in body:
        found.append("MEMBERSONLY")
    return found


@pytest.mark.parametrize("who", ["visitor", "member", "outsider"])
def test_no_list_or_filter_shows_what_belongs_to_something_hidden(world, who):
    api = APIClient()
    if getattr(world.people, who):
        api.force_authenticate(getattr(world.people, who))
    problems, walked = [], 0

    for url in list_urls(world.communities):
        queries = [{}] + [{name: value} for name in FILTERS for value in world.parents[name]]
        for params in queries:
            response = api.get(url, params)
            walked += 1
            if response.status_code >= 500 or leaks(who, response):
                problems.append((url, params, response.status_code, leaks(who, response)))

    assert walked > 200
    assert problems == []


@pytest.mark.parametrize("who", ["visitor", "member", "outsider"])
def test_no_detail_of_a_hidden_record_is_shown(world, who):
    api = APIClient()
    if getattr(world.people, who):
        api.force_authenticate(getattr(world.people, who))

    seen = {
        (name, pk): api.get(reverse(f"api:{name}", args=[pk])).status_code
        for name, pks in world.details.items()
        for pk in pks
    }

    assert {key: code for key, code in seen.items() if code not in (401, 403, 404)} == {}


def test_the_control_gift_is_listed_for_everyone(world):
    body = APIClient().get(reverse("api:donation-list")).content.decode()

    assert "Keep going" in body
    assert "SECRET" not in body
