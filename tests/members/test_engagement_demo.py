from datetime import UTC, datetime

import pytest

from communities.models import Membership
from members import demo
from members.models import Activity
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_the_demo_history_shows_every_level_and_some_lapsed_members():
    community = CommunityFactory()
    MembershipFactory.create_batch(60, community=community, joined_at=NOW)
    MembershipFactory(community=community, role="manager", joined_at=NOW)

    result = demo.seed(now=NOW)

    memberships = Membership.objects.filter(community=community)
    levels = set(memberships.values_list("engagement_level", flat=True))
    stages = set(memberships.values_list("stage", flat=True))
    assert levels == {"core", "contributor", "participant", "observer"}
    assert {"lapsed", "active", "new", "contacted"} <= stages
    assert result["memberships"] == 61
    assert not memberships.filter(user__phone="").exists()
    assert not Activity.objects.filter(occurred_at__gt=NOW).exists()
    # Nobody did anything before joining.
    for membership in memberships:
        first = Activity.objects.filter(user=membership.user, community=community).earliest("occurred_at")
        assert (first.kind, first.occurred_at) == ("joined", membership.joined_at)


def test_running_the_demo_seed_again_adds_nothing():
    MembershipFactory.create_batch(5, community=CommunityFactory(), joined_at=NOW)
    demo.seed(now=NOW)
    count = Activity.objects.count()

    result = demo.seed(now=NOW)

    assert Activity.objects.count() == count
    assert (result["memberships"], result["activities"]) == (0, 0)
