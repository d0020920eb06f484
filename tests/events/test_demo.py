import io

import pytest

from events import demo
from events.models import Event, Registration
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_demo_does_nothing_without_communities():
    demo.seed(io.StringIO())

    assert not Event.objects.exists()


def demo_member(community, n, **kwargs):
    return MembershipFactory(community=community, user__email=f"demo-member-{n}@kindred.test", **kwargs)


def test_the_demo_seeds_past_and_upcoming_events_once(mailoutbox):
    community = CommunityFactory(slug="teplyi-dom-volunteers")  # one of the demo's own
    demo_member(community, 0, role="manager")
    demo_member(community, 1, role="host")
    for n in range(2, 62):
        demo_member(community, n)

    demo.seed(io.StringIO())
    counts = (Event.objects.count(), Registration.objects.count())
    demo.seed(io.StringIO())

    assert (Event.objects.count(), Registration.objects.count()) == counts
    statuses = set(Registration.objects.values_list("status", flat=True))
    assert {"attended", "no_show", "confirmed", "waitlisted"} <= statuses
    assert set(Event.objects.values_list("status", flat=True)) == {"completed", "published", "pending"}
    race = Event.objects.get(slug="zabeg-v-parke")
    assert race.registrations.filter(status__in=["confirmed", "attended"]).count() == race.capacity
    assert mailoutbox == []


def test_the_demo_leaves_other_communities_and_people_alone():
    community = CommunityFactory()
    MembershipFactory(community=community, role="manager")
    demo_community = CommunityFactory(slug="teplyi-dom-volunteers")
    MembershipFactory.create_batch(5, community=demo_community)

    demo.seed(io.StringIO())

    assert not Event.objects.filter(community=community).exists()
    assert not Registration.objects.exists()
