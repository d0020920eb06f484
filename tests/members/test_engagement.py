from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from communities import engagement
from communities.models import Membership
from members import services, tasks
from members.models import Activity
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def did(membership, kind, days_ago):
    return Activity.objects.create(
        user=membership.user, community=membership.community, kind=kind, occurred_at=NOW - timedelta(days=days_ago)
    )


def member(community=None, joined_days_ago=1, **kwargs):
    kwargs.setdefault("community", community or CommunityFactory())
    return MembershipFactory(joined_at=NOW - timedelta(days=joined_days_ago), **kwargs)


def refreshed(membership):
    membership.refresh_from_db()
    return membership


def test_the_score_is_weighted_activity_halving_every_30_days():
    membership = member()
    did(membership, Activity.Kind.ATTENDED, 0)  # 5
    did(membership, Activity.Kind.HOSTED, 30)  # 8 * 0.5 = 4
    did(membership, Activity.Kind.DONATED, 60)  # 6 * 0.25 = 1.5
    did(membership, Activity.Kind.CONTACTED, 1)  # a manager's call: 0
    did(membership, Activity.Kind.NOTE, 1)  # a manager's note: 0
    did(membership, Activity.Kind.REGISTERED, 181)  # older than 180 days: 0

    services.engagement_refresh(now=NOW)

    membership = refreshed(membership)
    assert membership.engagement_score == pytest.approx(10.5)
    assert membership.engagement_level == Membership.Level.CONTRIBUTOR


def test_the_score_counts_only_activity_in_that_community():
    membership = member()
    elsewhere = member(user=membership.user)
    did(elsewhere, Activity.Kind.HOSTED, 0)

    services.engagement_refresh(now=NOW)

    assert refreshed(membership).engagement_score == 0
    assert refreshed(elsewhere).engagement_score == 8


@pytest.mark.parametrize(
    ("score", "level"),
    [(0, "observer"), (1.99, "observer"), (2, "participant"), (7.99, "participant"), (8, "contributor"), (20, "core")],
)
def test_levels_follow_the_thresholds(score, level):
    assert engagement.level_for(score) == level


def test_levels_come_out_of_the_refresh():
    community = CommunityFactory()
    core, contributor, participant, observer = (member(community) for _ in range(4))
    for _ in range(4):
        did(core, Activity.Kind.ATTENDED, 0)  # 20
    did(contributor, Activity.Kind.HOSTED, 0)  # 8
    did(participant, Activity.Kind.REGISTERED, 0)  # 2
    did(observer, Activity.Kind.JOINED, 0)  # 1

    services.engagement_refresh(now=NOW)

    levels = [refreshed(m).engagement_level for m in (core, contributor, participant, observer)]
    assert levels == ["core", "contributor", "participant", "observer"]


def test_last_activity_is_recomputed_from_what_the_person_did():
    membership = member(last_activity_at=NOW - timedelta(days=300))
    did(membership, Activity.Kind.ATTENDED, 5)
    did(membership, Activity.Kind.CONTACTED, 1)  # done to them, not by them

    services.engagement_refresh(now=NOW)

    assert refreshed(membership).last_activity_at == NOW - timedelta(days=5)


def test_a_member_silent_for_longer_than_the_communitys_period_becomes_lapsed():
    community = CommunityFactory(lapsed_after_days=60)
    quiet = member(community, joined_days_ago=200, stage=Membership.Stage.ACTIVE)
    did(quiet, Activity.Kind.ATTENDED, 61)
    recent = member(community, joined_days_ago=200, stage=Membership.Stage.ACTIVE)
    did(recent, Activity.Kind.ATTENDED, 59)
    never_seen = member(community, joined_days_ago=90)
    new_one = member(community, joined_days_ago=10)

    services.engagement_refresh(now=NOW)

    stages = [refreshed(m).stage for m in (quiet, recent, never_seen, new_one)]
    assert stages == ["lapsed", "active", "lapsed", "new"]


def test_each_community_uses_its_own_lapsed_period():
    patient = member(CommunityFactory(lapsed_after_days=120), joined_days_ago=100)
    strict = member(CommunityFactory(lapsed_after_days=30), joined_days_ago=100)

    services.engagement_refresh(now=NOW)

    assert (refreshed(patient).stage, refreshed(strict).stage) == ("new", "lapsed")


def test_a_lapsed_member_who_comes_back_is_active_again():
    membership = member(joined_days_ago=300, stage=Membership.Stage.LAPSED)
    did(membership, Activity.Kind.REGISTERED, 2)

    services.engagement_refresh(now=NOW)

    assert refreshed(membership).stage == Membership.Stage.ACTIVE


def test_new_and_contacted_members_who_take_part_become_active():
    community = CommunityFactory()
    new = member(community, stage=Membership.Stage.NEW)
    contacted = member(community, stage=Membership.Stage.CONTACTED)
    only_joined = member(community, stage=Membership.Stage.CONTACTED)
    did(new, Activity.Kind.ATTENDED, 3)
    did(contacted, Activity.Kind.REGISTERED, 0)
    did(only_joined, Activity.Kind.JOINED, 0)  # 1 point: still an observer

    services.engagement_refresh(now=NOW)

    assert [refreshed(m).stage for m in (new, contacted, only_joined)] == ["active", "active", "contacted"]


def test_people_who_left_are_left_alone():
    gone = member(joined_days_ago=300, status=Membership.Status.LEFT, engagement_score=3.0)

    services.engagement_refresh(now=NOW)

    gone = refreshed(gone)
    assert (gone.stage, gone.engagement_score) == ("new", 3.0)


def test_running_the_refresh_twice_changes_nothing_the_second_time():
    membership = member(joined_days_ago=100)
    did(membership, Activity.Kind.ATTENDED, 70)

    first = services.engagement_refresh(now=NOW)
    second = services.engagement_refresh(now=NOW)

    assert first == {"scores_changed": 1, "reactivated": 0, "activated": 0, "lapsed": 1}
    assert second == {"scores_changed": 0, "reactivated": 0, "activated": 0, "lapsed": 0}
    assert refreshed(membership).stage == Membership.Stage.LAPSED


def test_batches_cover_every_membership():
    community = CommunityFactory()
    memberships = [member(community) for _ in range(7)]
    for m in memberships:
        did(m, Activity.Kind.HOSTED, 0)

    engagement.engagement_refresh(now=NOW, batch_size=3)

    assert {refreshed(m).engagement_score for m in memberships} == {8.0}


@pytest.mark.parametrize("size", [10, 100])
def test_the_number_of_queries_does_not_grow_with_the_members(size, django_assert_max_num_queries):
    community = CommunityFactory()
    memberships = MembershipFactory.create_batch(size, community=community, joined_at=NOW - timedelta(days=1))
    Activity.objects.bulk_create(
        Activity(user=m.user, community=community, kind=Activity.Kind.ATTENDED, occurred_at=NOW) for m in memberships
    )

    # 2 batch reads (the second finds nothing), 1 bulk update, 1 read of lapse periods per stage
    # query (x2), 3 stage updates.
    with django_assert_max_num_queries(8):
        services.engagement_refresh(now=NOW)

    assert Membership.objects.filter(community=community, engagement_level="participant").count() == size


def test_the_periodic_task_uses_the_current_time():
    membership = member(joined_days_ago=1)
    did(membership, Activity.Kind.HOSTED, 0)

    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        tasks.engagement_refresh.delay()
        tasks.engagement_refresh.delay()

    assert refreshed(membership).engagement_score == pytest.approx(4.0)
