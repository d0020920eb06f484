from types import SimpleNamespace

import pytest

from tests.events.factories import EventFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory


@pytest.fixture
def community(db):
    return CommunityFactory(timezone="Europe/Moscow")


@pytest.fixture
def cast(community):
    """Everyone the permission matrix needs, around one community and one of its events."""
    other = CommunityFactory()
    people = SimpleNamespace(
        anonymous=None,
        outsider=MembershipFactory(community=other).user,
        member=MembershipFactory(community=community).user,
        host=MembershipFactory(community=community, role="host").user,
        event_host=MembershipFactory(community=community, role="host").user,
        manager=MembershipFactory(community=community, role="manager").user,
        staff=UserFactory(is_staff=True),
        other_community=other,
    )
    people.event = EventFactory(community=community, hosts=[people.event_host], capacity=10)
    people.other_event = EventFactory(community=other)
    return people


@pytest.fixture
def event(community):
    return EventFactory(community=community)


@pytest.fixture
def member(community):
    return MembershipFactory(community=community).user


@pytest.fixture
def manager(community):
    return MembershipFactory(community=community, role="manager").user
