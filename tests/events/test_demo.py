import io

import pytest

from events import demo
from events.models import Event, Registration
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_the_demo_does_nothing_without_communities():
    demo.seed(io.StringIO())

    assert not Event.objects.exists()


def test_the_demo_seeds_past_and_upcoming_events_once(mailoutbox):
    community = CommunityFactory()
    MembershipFactory(community=community, role="manager")
    MembershipFactory(community=community, role="host")
    MembershipFactory.create_batch(60, community=community)

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
