"""Shared set-up of the directory and CRM tests: a community with a manager and a cast of outsiders."""

from dataclasses import dataclass

import pytest

from communities.models import Membership
from tests.factories import CommunityFactory, MembershipFactory, UserFactory


@dataclass
class Cast:
    community: object
    manager: object
    manager_membership: object
    host: object
    member: object
    member_membership: object
    outsider: object  # an active member of another community
    other_manager: object  # manages another community
    staff: object
    other_community: object
    other_membership: object  # someone in the other community


@pytest.fixture
def cast(db):
    community = CommunityFactory(name="Running for Hope", slug="running")
    other = CommunityFactory(name="Donor club", slug="donors")
    manager_membership = MembershipFactory(
        community=community, role=Membership.Role.MANAGER, user=UserFactory(name="Mila Manager")
    )
    host = MembershipFactory(community=community, role=Membership.Role.HOST, user=UserFactory(name="Hugo Host")).user
    member_membership = MembershipFactory(community=community, user=UserFactory(name="Mark Member"))
    outsider = MembershipFactory(community=other, user=UserFactory(name="Olga Outsider"))
    other_manager = MembershipFactory(community=other, role=Membership.Role.MANAGER).user
    return Cast(
        community=community,
        manager=manager_membership.user,
        manager_membership=manager_membership,
        host=host,
        member=member_membership.user,
        member_membership=member_membership,
        outsider=outsider.user,
        other_manager=other_manager,
        staff=UserFactory(is_staff=True),
        other_community=other,
        other_membership=outsider,
    )
