"""Become a host: a member asks on the community's events page, a manager decides on the requests page."""

import pytest
from django.urls import reverse

from communities.models import Membership
from communities.services import CommunityError
from communities.services.membership import membership_host_request
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community(db):
    return CommunityFactory(slug="warm")


@pytest.fixture
def member(community):
    return MembershipFactory(community=community, role="member")


@pytest.fixture
def manager(community):
    return MembershipFactory(community=community, role="manager").user


def test_the_events_page_explains_hosting_and_a_member_asks(client, member):
    client.force_login(member.user)
    events = reverse("events:community", args=["warm"])

    before = client.get(events).content.decode()
    client.post(reverse("communities:host_request", args=["warm"]), follow=True)
    after = client.get(events).content.decode()

    assert "Ask to become a host" in before
    assert "a manager approves each one before it is published" in before
    member.refresh_from_db()
    assert member.host_requested_at is not None
    assert "You asked to become a host" in after
    assert "Ask to become a host" not in after


def test_a_manager_makes_them_a_host_and_they_are_told(client, member, manager, commit, mailoutbox):
    membership_host_request(membership=member, by=member.user)
    client.force_login(manager)
    requests_page = client.get(reverse("communities:manage_requests", args=["warm"])).content.decode()
    assert "Asking to become hosts" in requests_page

    with commit():
        client.post(reverse("communities:manage_host_approve", args=["warm", member.pk]))

    member.refresh_from_db()
    assert (member.role, member.host_requested_at) == (Membership.Role.HOST, None)
    assert [m.to for m in mailoutbox] == [[member.user.email]]
    client.force_login(member.user)
    assert "Propose an event" in client.get(reverse("events:community", args=["warm"])).content.decode()


def test_declining_keeps_them_a_member_and_deciding_twice_is_refused(client, member, manager, mailoutbox):
    membership_host_request(membership=member, by=member.user)
    client.force_login(manager)

    client.post(reverse("communities:manage_host_decline", args=["warm", member.pk]))
    again = client.post(reverse("communities:manage_host_approve", args=["warm", member.pk]), follow=True)

    member.refresh_from_db()
    assert member.role == Membership.Role.MEMBER
    assert "already decided" in again.content.decode()
    assert mailoutbox == []


def test_only_members_ask_for_themselves_and_only_managers_decide(client, member, community):
    other = MembershipFactory(community=community)
    with pytest.raises(CommunityError):
        membership_host_request(membership=member, by=other.user)
    host = MembershipFactory(community=community, role="host")
    with pytest.raises(CommunityError):
        membership_host_request(membership=host, by=host.user)
    membership_host_request(membership=member, by=member.user)
    client.force_login(other.user)

    response = client.post(reverse("communities:manage_host_approve", args=["warm", member.pk]))

    assert response.status_code == 404
    member.refresh_from_db()
    assert member.role == Membership.Role.MEMBER
