import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from communities.models import Community, Invitation, Membership
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def communities_url(pk=None, action=None):
    if action:
        return reverse(f"api:community-{action}", kwargs={"pk": pk})
    return reverse("api:community-detail", kwargs={"pk": pk}) if pk else reverse("api:community-list")


def memberships_url(community, pk=None, action=None):
    if action:
        return reverse(f"api:community-membership-{action}", kwargs={"community_pk": community.pk, "pk": pk})
    if pk:
        return reverse("api:community-membership-detail", kwargs={"community_pk": community.pk, "pk": pk})
    return reverse("api:community-membership-list", kwargs={"community_pk": community.pk})


def invitations_url(community, pk=None, action=None):
    if action:
        return reverse(f"api:community-invitation-{action}", kwargs={"community_pk": community.pk, "pk": pk})
    return reverse("api:community-invitation-list", kwargs={"community_pk": community.pk})


def test_anyone_lists_public_communities_with_member_counts(api):
    public = CommunityFactory(name="Open")
    MembershipFactory.create_batch(2, community=public)
    CommunityFactory(name="Hidden", visibility="private")

    response = api.get(communities_url())

    assert response.status_code == 200
    results = response.json()["results"]
    assert [(c["name"], c["member_count"], c["my_status"]) for c in results] == [("Open", 2, "")]


def test_a_member_sees_their_private_community_and_their_role(api):
    private = CommunityFactory(visibility="private")
    member = MembershipFactory(community=private, role="host").user
    api.force_login(member)

    data = api.get(communities_url(private.pk)).json()

    assert (data["my_status"], data["my_role"]) == ("active", "host")


def test_staff_create_a_community_and_become_its_manager(api):
    staff = UserFactory(is_staff=True)
    api.force_login(staff)

    response = api.post(
        communities_url(), {"name": "Runners for good", "kind": "team", "join_policy": "approval"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["slug"] == "runners-for-good"
    community = Community.objects.get(slug="runners-for-good")
    assert Membership.objects.get(community=community, user=staff).is_manager


def test_bad_input_gets_field_messages(api):
    api.force_login(UserFactory(is_staff=True))
    CommunityFactory(slug="taken")

    response = api.post(communities_url(), {"name": "", "slug": "taken", "timezone": "Mars/Base"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) >= {"name", "slug", "timezone"}


def test_a_manager_updates_their_community(api):
    community = CommunityFactory()
    manager = MembershipFactory(community=community, role="manager").user
    api.force_login(manager)

    response = api.patch(
        communities_url(community.pk), {"description": "<p>Hi</p><script>x</script>", "join_policy": "invitation"}
    )

    assert response.status_code == 200
    community.refresh_from_db()
    assert (community.description, community.join_policy) == ("<p>Hi</p>", "invitation")


def test_joining_and_leaving_through_the_api(api, user):
    community = CommunityFactory(join_policy="approval")
    MembershipFactory(community=community, role="manager")
    api.force_login(user)

    joined = api.post(communities_url(community.pk, "join"), {"message": "Hi"}, format="json")
    again = api.post(communities_url(community.pk, "join"), {}, format="json")
    left = api.post(communities_url(community.pk, "leave"))

    assert (joined.status_code, joined.json()["status"]) == (200, "pending")
    assert again.status_code == 400
    assert "already waiting" in again.json()["non_field_errors"][0]
    assert (left.status_code, left.json()["status"]) == (200, "left")


def test_joining_an_invitation_only_community_is_a_400(api, user):
    community = CommunityFactory(join_policy="invitation")
    api.force_login(user)

    response = api.post(communities_url(community.pk, "join"), {}, format="json")

    assert response.status_code == 400
    assert "invitation only" in response.json()["non_field_errors"][0]


def test_managers_list_filter_and_decide_memberships(api):
    community = CommunityFactory(join_policy="approval")
    manager = MembershipFactory(community=community, role="manager").user
    pending = MembershipFactory.create_batch(2, community=community, status="pending", joined_at=None)
    api.force_login(manager)

    listed = api.get(memberships_url(community), {"status": "pending"}).json()
    approved = api.post(memberships_url(community, pending[0].pk, "approve"))
    declined = api.post(memberships_url(community, pending[1].pk, "decline"))

    assert sorted(m["id"] for m in listed["results"]) == sorted(m.pk for m in pending)
    assert listed["results"][0]["user"]["email"]
    assert approved.json()["status"] == "active"
    assert declined.status_code == 204


def test_managers_change_roles_and_remove_people_but_keep_a_manager(api):
    community = CommunityFactory()
    me = MembershipFactory(community=community, role="manager")
    member = MembershipFactory(community=community)
    api.force_login(me.user)

    promoted = api.patch(memberships_url(community, member.pk), {"role": "host"}, format="json")
    bad = api.patch(memberships_url(community, member.pk), {"role": "king"}, format="json")
    step_down = api.patch(memberships_url(community, me.pk), {"role": "member"}, format="json")
    removed = api.delete(memberships_url(community, member.pk))

    assert promoted.json()["role"] == "host"
    assert bad.status_code == 400
    assert "role" in bad.json()
    assert step_down.status_code == 400
    assert "at least one manager" in step_down.json()["non_field_errors"][0]
    assert removed.status_code == 204
    member.refresh_from_db()
    assert member.status == "removed"


def test_managers_send_list_and_revoke_invitations(api, commit, mailoutbox):
    community = CommunityFactory()
    manager = MembershipFactory(community=community, role="manager").user
    api.force_login(manager)

    with commit():
        created = api.post(invitations_url(community), {"email": "a@example.org", "role": "host"}, format="json")
    bad = api.post(invitations_url(community), {"email": "nope"}, format="json")
    invitation_id = created.json()["id"]
    listed = api.get(invitations_url(community)).json()
    revoked = api.post(invitations_url(community, invitation_id, "revoke"))

    assert created.status_code == 201
    assert created.json()["status"] == "open"
    assert "token" not in created.json()
    assert len(mailoutbox) == 1
    assert bad.status_code == 400
    assert "email" in bad.json()
    assert [i["email"] for i in listed["results"]] == ["a@example.org"]
    assert revoked.json()["status"] == "revoked"
    assert Invitation.objects.get(pk=invitation_id).revoked_at is not None
