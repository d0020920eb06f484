from datetime import UTC, datetime

import pytest

from communities.models import Membership
from members import demo
from members.models import Activity
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def demo_memberships(community, count, **kwargs):
    """Memberships of demo people (the only ones the demo writes to)."""
    return [
        MembershipFactory(community=community, user__email=f"demo-member-{n}@kindred.test", joined_at=NOW, **kwargs)
        for n in range(count)
    ]


def test_the_demo_history_shows_every_level_and_some_lapsed_members():
    community = CommunityFactory()
    demo_memberships(community, 60)
    MembershipFactory(community=community, role="manager", user__email="manager@kindred.test", joined_at=NOW)

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
    demo_memberships(CommunityFactory(), 5)
    demo.seed(now=NOW)
    count = Activity.objects.count()

    result = demo.seed(now=NOW)

    assert Activity.objects.count() == count
    assert (result["memberships"], result["activities"]) == (0, 0)


def test_the_demo_writes_no_history_for_real_people():
    real = MembershipFactory(community=CommunityFactory(), joined_at=NOW, user__phone="")

    result = demo.seed(now=NOW)

    real.refresh_from_db()
    assert (result["memberships"], result["profiles"]) == (0, 0)
    assert real.joined_at == NOW
    assert real.user.phone == ""
    assert not Activity.objects.exists()
