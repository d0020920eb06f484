"""Who may see and change what, on every page and endpoint of communities' public side and manager pages.

The cast: an anonymous visitor, a manager of another community ("outsider"), a member, a host, a
manager and a staff member. The community is private, so outsiders must not even learn it exists.
"""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from communities.models import Invitation, InviteLink, Membership
from communities.services.invitations import invitation_send, invite_link_create
from tests.communities.cast import make_cast
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

WHO = ["anonymous", "outsider", "member", "host", "manager", "staff"]


@pytest.fixture
def cast():
    cast = make_cast(visibility="private", join_policy="approval")
    cast.pending = MembershipFactory(community=cast.community, status="pending", joined_at=None)
    cast.invitation = invitation_send(
        community=cast.community, email="guest@example.org", role="member", actor=cast.manager
    )
    cast.link = invite_link_create(community=cast.community, actor=cast.manager)
    # The same kinds of objects in the other community, whose ids must stay out of reach.
    cast.other_pending = MembershipFactory(community=cast.other, status="pending", joined_at=None)
    cast.other_member = MembershipFactory(community=cast.other)
    cast.other_invitation = invitation_send(
        community=cast.other, email="someone@example.org", role="member", actor=cast.outsider
    )
    cast.other_link = invite_link_create(community=cast.other, actor=cast.outsider)
    return cast


def signed_in(client, cast, who):
    if who != "anonymous":
        client.force_login(getattr(cast, who))
    return client


def page(name, cast, **kwargs):
    return reverse(f"communities:{name}", kwargs={"slug": cast.community.slug, **kwargs})


# Pages

PAGE_EXPECTED = {
    # who: (community page, new community page, manager pages)
    "anonymous": (404, 302, 302),
    "outsider": (404, 403, 404),
    "member": (200, 403, 404),
    "host": (200, 403, 404),
    "manager": (200, 403, 200),
    "staff": (200, 200, 200),
}
MANAGER_PAGES = [
    "manage",
    "manage_requests",
    "manage_invitations",
    "manage_links",
    "manage_announcements",
    "manage_roles",
]


@pytest.mark.parametrize("who", WHO)
def test_pages_answer_by_who_is_asking(client, cast, who):
    client = signed_in(client, cast, who)
    detail, create, manage = PAGE_EXPECTED[who]

    assert client.get(reverse("communities:list")).status_code == 200
    assert client.get(page("detail", cast)).status_code == detail
    assert client.get(reverse("communities:create")).status_code == create
    for name in MANAGER_PAGES:
        assert client.get(page(name, cast)).status_code == manage, name


@pytest.mark.parametrize("who", WHO)
def test_the_private_community_stays_out_of_outsiders_lists(client, cast, who):
    client = signed_in(client, cast, who)

    body = client.get(reverse("communities:list")).content.decode() + client.get("/").content.decode()

    assert (cast.community.name in body) == (who in {"member", "host", "manager", "staff"})


def manager_actions(cast):
    """Every manager action on an object of the community, as (url name, kwargs, data)."""
    return [
        ("manage_request_approve", {"pk": cast.pending.pk}, {}),
        ("manage_request_decline", {"pk": cast.pending.pk}, {}),
        ("manage_invitation_revoke", {"pk": cast.invitation.pk}, {}),
        ("manage_link_revoke", {"pk": cast.link.pk}, {}),
        ("manage_person_role", {"pk": cast.pending.pk}, {"role": "host"}),
        ("manage_person_remove", {"pk": cast.pending.pk}, {}),
        ("manage", {}, {"name": "Taken over"}),
        ("manage_invitations", {}, {"email": "x@example.org", "role": "manager"}),
        ("manage_links", {}, {"max_uses": 5, "days": 5}),
        ("manage_announcements", {}, {"title": "Spam", "body": "Spam"}),
        ("manage_roles", {}, {"email": "x@example.org", "role": "manager"}),
    ]


@pytest.mark.parametrize("who", ["anonymous", "outsider", "member", "host"])
def test_nobody_but_managers_can_act_on_the_community(client, cast, who):
    client = signed_in(client, cast, who)

    for name, kwargs, data in manager_actions(cast):
        response = client.post(page(name, cast, **kwargs), data)
        assert response.status_code == (302 if who == "anonymous" else 404), name
        if who == "anonymous":
            assert response.url.startswith(reverse("account_login"))

    cast.pending.refresh_from_db()
    cast.invitation.refresh_from_db()
    cast.link.refresh_from_db()
    cast.community.refresh_from_db()
    assert cast.pending.status == "pending"
    assert cast.invitation.revoked_at is None
    assert cast.link.revoked_at is None
    assert cast.community.name != "Taken over"
    assert not Invitation.objects.filter(email="x@example.org").exists()
    assert InviteLink.objects.filter(community=cast.community).count() == 1


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_another_communitys_object_ids_are_404_even_for_managers(client, cast, who):
    client = signed_in(client, cast, who)

    for name, pk in [
        ("manage_request_approve", cast.other_pending.pk),
        ("manage_request_decline", cast.other_pending.pk),
        ("manage_invitation_revoke", cast.other_invitation.pk),
        ("manage_link_revoke", cast.other_link.pk),
        ("manage_person_role", cast.other_member.pk),
        ("manage_person_remove", cast.other_member.pk),
    ]:
        assert client.post(page(name, cast, pk=pk), {"role": "manager"}).status_code == 404, name

    cast.other_pending.refresh_from_db()
    cast.other_member.refresh_from_db()
    assert (cast.other_pending.status, cast.other_member.status) == ("pending", "active")
    assert Invitation.objects.get(pk=cast.other_invitation.pk).revoked_at is None


def test_a_manager_of_another_community_cannot_reach_ours_through_their_own(client, cast):
    client.force_login(cast.outsider)

    url = reverse("communities:manage_request_approve", kwargs={"slug": cast.other.slug, "pk": cast.pending.pk})

    assert client.post(url).status_code == 404
    cast.pending.refresh_from_db()
    assert cast.pending.status == "pending"


@pytest.mark.parametrize("who", WHO)
def test_joining_or_leaving_a_private_community_needs_being_in_it(client, cast, who):
    client = signed_in(client, cast, who)

    response = client.post(page("join", cast))

    expected = {"anonymous": 302, "outsider": 404}.get(who, 302)
    assert response.status_code == expected
    assert not Membership.objects.filter(community=cast.community, user=cast.outsider).exists()


# API


def api_for(cast, who):
    api = APIClient()
    if who != "anonymous":
        api.force_login(getattr(cast, who))
    return api


API_EXPECTED = {
    # who: (read the community, change it, create a community, managers' lists)
    "anonymous": (404, 401, 401, 401),
    "outsider": (404, 404, 403, 404),
    "member": (200, 403, 403, 404),
    "host": (200, 403, 403, 404),
    "manager": (200, 200, 403, 200),
    "staff": (200, 200, 400, 200),
}


@pytest.mark.parametrize("who", WHO)
def test_api_answers_by_who_is_asking(cast, who):
    api = api_for(cast, who)
    read, change, create, lists = API_EXPECTED[who]
    pk = cast.community.pk

    assert api.get(reverse("api:community-list")).status_code == 200
    assert api.get(reverse("api:community-detail", kwargs={"pk": pk})).status_code == read
    assert api.patch(reverse("api:community-detail", kwargs={"pk": pk}), {"name": "Renamed"}).status_code == change
    assert api.post(reverse("api:community-list"), {}).status_code == create  # staff get 400: no name
    for name in ["api:community-membership-list", "api:community-invitation-list"]:
        assert api.get(reverse(name, kwargs={"community_pk": pk})).status_code == lists, name


@pytest.mark.parametrize("who", ["anonymous", "outsider", "member", "host"])
def test_api_refuses_every_manager_action_to_others(cast, who):
    api = api_for(cast, who)
    expected = 401 if who == "anonymous" else 404
    pk = cast.community.pk

    def url(name, object_pk=None):
        kwargs = {"community_pk": pk, **({"pk": object_pk} if object_pk else {})}
        return reverse(name, kwargs=kwargs)

    responses = [
        api.get(url("api:community-membership-detail", cast.pending.pk)),
        api.patch(url("api:community-membership-detail", cast.pending.pk), {"role": "manager"}),
        api.delete(url("api:community-membership-detail", cast.pending.pk)),
        api.post(url("api:community-membership-approve", cast.pending.pk)),
        api.post(url("api:community-membership-decline", cast.pending.pk)),
        api.post(url("api:community-invitation-list"), {"email": "x@example.org"}),
        api.get(url("api:community-invitation-detail", cast.invitation.pk)),
        api.post(url("api:community-invitation-revoke", cast.invitation.pk)),
    ]

    assert [r.status_code for r in responses] == [expected] * len(responses)
    cast.pending.refresh_from_db()
    assert cast.pending.status == "pending"
    assert not Invitation.objects.filter(email="x@example.org").exists()


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_api_another_communitys_ids_are_404_for_managers(cast, who):
    api = api_for(cast, who)
    pk = cast.community.pk

    def url(name, object_pk):
        return reverse(name, kwargs={"community_pk": pk, "pk": object_pk})

    responses = [
        api.get(url("api:community-membership-detail", cast.other_member.pk)),
        api.patch(url("api:community-membership-detail", cast.other_member.pk), {"role": "manager"}),
        api.delete(url("api:community-membership-detail", cast.other_member.pk)),
        api.post(url("api:community-membership-approve", cast.other_pending.pk)),
        api.post(url("api:community-membership-decline", cast.other_pending.pk)),
        api.get(url("api:community-invitation-detail", cast.other_invitation.pk)),
        api.post(url("api:community-invitation-revoke", cast.other_invitation.pk)),
    ]

    assert [r.status_code for r in responses] == [404] * len(responses)
    cast.other_member.refresh_from_db()
    assert (cast.other_member.role, cast.other_member.status) == ("member", "active")


def test_api_join_of_an_invisible_community_is_404(cast):
    api = api_for(cast, "outsider")

    response = api.post(reverse("api:community-join", kwargs={"pk": cast.community.pk}), {})

    assert response.status_code == 404
