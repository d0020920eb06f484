"""The people of a community permission test: one of each kind, around one community and another."""

from types import SimpleNamespace

from tests.factories import CommunityFactory, MembershipFactory, UserFactory


def make_cast(**community_fields):
    community = CommunityFactory(**community_fields)
    other = CommunityFactory(name="Other community")
    return SimpleNamespace(
        community=community,
        other=other,
        manager=MembershipFactory(community=community, role="manager").user,
        host=MembershipFactory(community=community, role="host").user,
        member=MembershipFactory(community=community, role="member").user,
        outsider=MembershipFactory(community=other, role="manager").user,
        staff=UserFactory(is_staff=True),
    )
