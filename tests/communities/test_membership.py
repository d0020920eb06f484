import threading

import pytest
from django.db import connection

from communities.models import Membership
from communities.services import CommunityError
from communities.services.membership import (
    membership_approve,
    membership_change_role,
    membership_decline,
    membership_join,
    membership_leave,
    membership_remove,
)
from members.models import Activity, OutboundMessage
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_joining_an_open_community_makes_an_active_member_at_once(user):
    community = CommunityFactory(join_policy="open")

    membership = membership_join(user=user, community=community)

    assert membership.status == Membership.Status.ACTIVE
    assert membership.joined_at is not None
    assert membership.source == Membership.Source.SIGNUP
    assert Activity.objects.filter(user=user, community=community, kind=Activity.Kind.JOINED).count() == 1
    membership.refresh_from_db()
    assert membership.last_activity_at is not None


def test_joining_twice_is_refused(user):
    community = CommunityFactory(join_policy="open")
    membership_join(user=user, community=community)

    with pytest.raises(CommunityError, match="already a member"):
        membership_join(user=user, community=community)


def test_an_invitation_only_community_refuses_joining(user):
    community = CommunityFactory(join_policy="invitation")

    with pytest.raises(CommunityError, match="invitation only"):
        membership_join(user=user, community=community)

    assert not Membership.objects.filter(community=community, user=user).exists()


def test_asking_to_join_creates_a_request_and_emails_every_manager_in_their_language(user, commit, mailoutbox):
    community = CommunityFactory(join_policy="approval", name="Lighthouse volunteers")
    ru_manager = MembershipFactory(community=community, role="manager", user__language="ru").user
    en_manager = MembershipFactory(community=community, role="manager").user
    MembershipFactory(community=community, role="host")

    with commit():
        membership = membership_join(user=user, community=community, message="I can drive on weekends.")

    assert membership.status == Membership.Status.PENDING
    assert membership.joined_at is None
    assert membership.message == "I can drive on weekends."
    assert Activity.objects.filter(user=user, kind=Activity.Kind.REQUESTED).exists()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([ru_manager.email, en_manager.email])
    english = next(m for m in mailoutbox if m.to == [en_manager.email])
    assert user.name in english.subject
    assert "I can drive on weekends." in english.body
    assert f"/c/{community.slug}/manage/requests/" in english.body
    assert OutboundMessage.objects.get(to_email=ru_manager.email).language == "ru"


def test_a_second_request_while_one_is_waiting_is_refused(user):
    community = CommunityFactory(join_policy="approval")
    membership_join(user=user, community=community)

    with pytest.raises(CommunityError, match="already waiting"):
        membership_join(user=user, community=community)


def test_approving_a_request_activates_the_member_and_tells_them(commit, mailoutbox):
    community = CommunityFactory(join_policy="approval", name="Donor club")
    manager = MembershipFactory(community=community, role="manager").user
    person = UserFactory(language="ru")
    request = membership_join(user=person, community=community)
    mailoutbox.clear()

    with commit():
        membership = membership_approve(membership=request, actor=manager)

    assert membership.status == Membership.Status.ACTIVE
    assert membership.joined_at is not None
    joined = Activity.objects.get(user=person, kind=Activity.Kind.JOINED)
    assert joined.actor == manager
    assert [m.to for m in mailoutbox] == [[person.email]]
    assert "Donor club" in mailoutbox[0].subject
    assert OutboundMessage.objects.get(to_email=person.email).language == "ru"


def test_approving_twice_is_refused_and_sends_one_email(commit, mailoutbox):
    community = CommunityFactory(join_policy="approval")
    manager = MembershipFactory(community=community, role="manager").user
    request = membership_join(user=UserFactory(), community=community)
    mailoutbox.clear()
    with commit():
        membership_approve(membership=request, actor=manager)

    with pytest.raises(CommunityError, match="already decided"):
        membership_approve(membership=request, actor=manager)
    assert len(mailoutbox) == 1


def test_declining_a_request_tells_the_person_and_lets_them_ask_again_later(commit, mailoutbox):
    community = CommunityFactory(join_policy="approval", name="Trustees")
    manager = MembershipFactory(community=community, role="manager").user
    person = UserFactory()
    request = membership_join(user=person, community=community)
    mailoutbox.clear()

    with commit():
        membership_decline(membership=request, actor=manager)

    assert not Membership.objects.filter(community=community, user=person).exists()
    assert [m.to for m in mailoutbox] == [[person.email]]
    assert "Trustees" in mailoutbox[0].subject
    assert membership_join(user=person, community=community).status == Membership.Status.PENDING


def test_declining_a_returning_member_keeps_their_history():
    community = CommunityFactory(join_policy="approval")
    manager = MembershipFactory(community=community, role="manager").user
    old = MembershipFactory(community=community, status="left")

    request = membership_join(user=old.user, community=community)
    membership_decline(membership=request, actor=manager)

    old.refresh_from_db()
    assert old.status == Membership.Status.LEFT
    assert old.joined_at is not None


def test_only_a_manager_of_the_community_can_decide_requests():
    community = CommunityFactory(join_policy="approval")
    request = membership_join(user=UserFactory(), community=community)
    host = MembershipFactory(community=community, role="host").user
    other_manager = MembershipFactory(role="manager").user

    for actor in (host, other_manager):
        with pytest.raises(CommunityError, match="managers"):
            membership_approve(membership=request, actor=actor)
    request.refresh_from_db()
    assert request.status == Membership.Status.PENDING


def test_leaving_and_coming_back(user):
    community = CommunityFactory(join_policy="open")
    membership_join(user=user, community=community)

    left = membership_leave(user=user, community=community)
    again = membership_join(user=user, community=community)

    assert left.status == Membership.Status.LEFT
    assert again.pk == left.pk
    assert again.status == Membership.Status.ACTIVE
    assert Activity.objects.filter(user=user, kind=Activity.Kind.LEFT).count() == 1


def test_a_removed_person_cannot_rejoin_by_themselves():
    community = CommunityFactory(join_policy="open")
    manager = MembershipFactory(community=community, role="manager").user
    membership = MembershipFactory(community=community)

    membership_remove(membership=membership, actor=manager)

    with pytest.raises(CommunityError, match="removed you"):
        membership_join(user=membership.user, community=community)
    assert Activity.objects.filter(user=membership.user, kind=Activity.Kind.REMOVED, actor=manager).exists()


def test_the_last_manager_cannot_leave_demote_themselves_or_be_removed():
    community = CommunityFactory()
    only = MembershipFactory(community=community, role="manager")
    staff = UserFactory(is_staff=True)

    with pytest.raises(CommunityError, match="at least one manager"):
        membership_leave(user=only.user, community=community)
    with pytest.raises(CommunityError, match="at least one manager"):
        membership_change_role(membership=only, role="member", actor=only.user)
    with pytest.raises(CommunityError, match="at least one manager"):
        membership_remove(membership=only, actor=staff)

    only.refresh_from_db()
    assert (only.role, only.status) == ("manager", "active")


def test_a_manager_can_step_down_once_there_is_another():
    community = CommunityFactory()
    first = MembershipFactory(community=community, role="manager")
    second = MembershipFactory(community=community)

    membership_change_role(membership=second, role="manager", actor=first.user)
    membership_change_role(membership=first, role="host", actor=first.user)

    first.refresh_from_db()
    assert first.role == "host"
    change = Activity.objects.get(user=first.user, kind=Activity.Kind.ROLE_CHANGED)
    assert change.data == {"from": "manager", "to": "host"}


def test_a_pending_or_left_manager_does_not_count_as_the_one_manager_left():
    community = CommunityFactory()
    active = MembershipFactory(community=community, role="manager")
    MembershipFactory(community=community, role="manager", status="left")

    with pytest.raises(CommunityError, match="at least one manager"):
        membership_leave(user=active.user, community=community)


@pytest.mark.django_db(transaction=True)
def test_two_managers_stepping_down_at_the_same_moment_leave_one_manager():
    community = CommunityFactory()
    managers = [MembershipFactory(community=community, role="manager") for _ in range(2)]
    barrier = threading.Barrier(2)
    errors = []

    def step_down(membership):
        barrier.wait()
        try:
            membership_change_role(membership=membership, role="member", actor=membership.user)
        except CommunityError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=step_down, args=(m,)) for m in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(errors) == 1
    assert Membership.objects.filter(community=community, role="manager", status="active").count() == 1


def test_roles_can_only_be_changed_for_active_members():
    community = CommunityFactory()
    manager = MembershipFactory(community=community, role="manager").user
    left = MembershipFactory(community=community, status="left")

    with pytest.raises(CommunityError, match="active members"):
        membership_change_role(membership=left, role="host", actor=manager)


def test_a_double_submitted_request_makes_one_request(user):
    community = CommunityFactory(join_policy="approval")
    Membership.objects.create(community=community, user=user, status="pending")

    with pytest.raises(CommunityError, match="already waiting"):
        membership_join(user=user, community=community)
    assert Membership.objects.filter(community=community, user=user).count() == 1
