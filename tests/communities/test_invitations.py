import re
import threading
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from communities.models import Invitation, InviteLink, Membership
from communities.services import CommunityError
from communities.services.invitations import (
    invitation_accept,
    invitation_revoke,
    invitation_send,
    invite_link_create,
    invite_link_revoke,
    invite_link_use,
)
from members.models import User
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(name="Lighthouse", join_policy="invitation")


@pytest.fixture
def manager(community):
    return MembershipFactory(community=community, role="manager").user


def invite(community, manager, email="new@example.org", role="member", **kwargs):
    return invitation_send(community=community, email=email, role=role, actor=manager, **kwargs)


def link_in(message):
    return re.search(r"https?://\S+/c/invite/\S+/", message.body).group(0)


def test_an_invitation_emails_a_single_use_link_valid_for_14_days(community, manager, commit, mailoutbox):
    with commit():
        invitation = invite(community, manager, email="New@Example.org", message="Come help us!")

    assert invitation.email == "new@example.org"
    assert invitation.expires_at - invitation.created_at == timedelta(days=14)
    assert [m.to for m in mailoutbox] == [["new@example.org"]]
    assert "Lighthouse" in mailoutbox[0].subject
    assert "Come help us!" in mailoutbox[0].body
    assert link_in(mailoutbox[0]).endswith(f"/c/invite/{invitation.token}/")


def test_an_invitation_to_an_existing_person_is_written_in_their_language(community, manager, commit, mailoutbox):
    UserFactory(email="olga@example.org", language="ru")

    with commit():
        invite(community, manager, email="olga@example.org")

    # Django's own Russian month names show the e-mail was rendered in Russian.
    months = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
              "ноября", "декабря"]  # fmt: skip
    assert any(month in mailoutbox[0].body for month in months)


def test_inviting_the_same_address_again_replaces_the_open_invitation(community, manager):
    first = invite(community, manager)
    second = invite(community, manager, role="host")

    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    with pytest.raises(CommunityError, match="withdrawn"):
        invitation_accept(token=first.token, user=UserFactory(email="new@example.org"))


def test_inviting_an_active_member_is_refused(community, manager):
    MembershipFactory(community=community, user__email="in@example.org")

    with pytest.raises(CommunityError, match="already a member"):
        invite(community, manager, email="in@example.org")


def test_only_managers_send_invitations(community):
    host = MembershipFactory(community=community, role="host").user

    with pytest.raises(CommunityError, match="managers"):
        invite(community, host)


def test_accepting_joins_with_the_invitation_role_and_source(community, manager):
    invitation = invite(community, manager, role="host")
    person = UserFactory(email="new@example.org")

    membership = invitation_accept(token=invitation.token, user=person)

    assert (membership.status, membership.role, membership.source) == ("active", "host", "invitation")
    invitation.refresh_from_db()
    assert invitation.accepted_by == person


def test_an_expired_invitation_is_refused(community, manager):
    invitation = invite(community, manager, now=timezone.now() - timedelta(days=15))

    with pytest.raises(CommunityError, match="expired"):
        invitation_accept(token=invitation.token, user=UserFactory(email="new@example.org"))


def test_a_used_invitation_cannot_be_used_by_someone_else(community, manager):
    invitation = invite(community, manager)
    invitation_accept(token=invitation.token, user=UserFactory(email="new@example.org"))
    other = UserFactory()
    EmailAddress.objects.create(user=other, email="new@example.org", verified=False)

    with pytest.raises(CommunityError, match="already used"):
        invitation_accept(token=invitation.token, user=other)


def test_accepting_twice_by_the_same_person_is_harmless(community, manager):
    invitation = invite(community, manager)
    person = UserFactory(email="new@example.org")

    first = invitation_accept(token=invitation.token, user=person)
    second = invitation_accept(token=invitation.token, user=person)

    assert first.pk == second.pk


def test_a_revoked_invitation_is_refused(community, manager):
    invitation = invite(community, manager)
    invitation_revoke(invitation=invitation, actor=manager)

    with pytest.raises(CommunityError, match="withdrawn"):
        invitation_accept(token=invitation.token, user=UserFactory(email="new@example.org"))


def test_an_accepted_invitation_cannot_be_revoked(community, manager):
    invitation = invite(community, manager)
    invitation_accept(token=invitation.token, user=UserFactory(email="new@example.org"))

    with pytest.raises(CommunityError, match="already accepted"):
        invitation_revoke(invitation=invitation, actor=manager)


def test_someone_signed_in_with_another_address_is_told_clearly(community, manager):
    invitation = invite(community, manager)
    other = UserFactory(email="someone@example.org")

    with pytest.raises(CommunityError, match="sent to new@example.org, but you are signed in as someone@example.org"):
        invitation_accept(token=invitation.token, user=other)
    assert not Membership.objects.filter(user=other, community=community).exists()


def test_an_unverified_matching_address_is_not_enough(community, manager):
    invitation = invite(community, manager)
    person = UserFactory(email="new@example.org", verified=False)

    with pytest.raises(CommunityError, match="sent to new@example.org"):
        invitation_accept(token=invitation.token, user=person)


def test_an_invitation_brings_back_a_removed_member(community, manager):
    removed = MembershipFactory(community=community, status="removed", user__email="back@example.org")

    invitation = invite(community, manager, email="back@example.org")
    membership = invitation_accept(token=invitation.token, user=removed.user)

    assert membership.pk == removed.pk
    assert membership.status == "active"


# The invitation page


def invitation_url(invitation):
    return reverse("communities:invitation", kwargs={"token": invitation.token})


def test_a_new_person_signs_up_on_the_invitation_page_and_is_in(client, community, manager):
    invitation = invite(community, manager)
    page = client.get(invitation_url(invitation))
    assert "Create your account to join" in page.content.decode()
    assert "new@example.org" in page.content.decode()

    response = client.post(
        invitation_url(invitation),
        {"name": "Nina Volkova", "password": PASSWORD, "personal_data": "on", "consent_news": "on"},
    )

    assert response.url == community.get_absolute_url()
    person = User.objects.get(email="new@example.org")
    assert person.name == "Nina Volkova"
    assert person.consent_news
    assert set(person.consents.values_list("kind", "granted")) == {("personal_data", True), ("news", True)}
    assert EmailAddress.objects.get(user=person).verified
    assert Membership.objects.get(user=person, community=community).source == "invitation"
    assert client.get(reverse("members:account")).status_code == 200  # signed in


def test_the_invitation_sign_up_asks_for_a_good_password(client, community, manager):
    invitation = invite(community, manager)

    response = client.post(invitation_url(invitation), {"name": "", "password": "123"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "password", "personal_data"}
    assert not User.objects.filter(email="new@example.org").exists()


def test_the_sign_up_cannot_change_the_invited_address(client, community, manager):
    invitation = invite(community, manager)

    data = {"name": "Eve", "password": PASSWORD, "personal_data": "on", "email": "eve@example.org"}
    client.post(invitation_url(invitation), data)

    assert not User.objects.filter(email="eve@example.org").exists()
    assert User.objects.filter(email="new@example.org").exists()


def test_a_person_with_an_account_is_asked_to_sign_in_and_comes_back(client, community, manager):
    UserFactory(email="new@example.org")
    invitation = invite(community, manager)

    page = client.get(invitation_url(invitation)).content.decode()
    assert "Sign in to accept" in page
    assert f"next={invitation_url(invitation).replace('/', '%2F')}" in page

    response = client.post(
        reverse("account_login") + f"?next={invitation_url(invitation)}",
        {"login": "new@example.org", "password": PASSWORD},
    )
    assert response.url == invitation_url(invitation)
    accepted = client.post(invitation_url(invitation))
    assert accepted.url == community.get_absolute_url()
    assert Membership.objects.get(user__email="new@example.org", community=community).is_active


def test_the_invitation_page_shows_why_it_cannot_be_used(client, community, manager):
    invitation = invite(community, manager, now=timezone.now() - timedelta(days=20))

    body = client.get(invitation_url(invitation)).content.decode()

    assert "has expired" in body
    assert "<form" not in body.split("<main")[1].split("</main>")[0]


def test_the_invitation_page_warns_someone_signed_in_with_another_address(client, community, manager):
    invitation = invite(community, manager)
    client.force_login(UserFactory(email="other@example.org"))

    body = client.get(invitation_url(invitation)).content.decode()
    assert "but you are signed in as other@example.org" in body
    response = client.post(invitation_url(invitation), follow=True)
    assert "but you are signed in as other@example.org" in response.content.decode()


def test_an_unknown_invitation_token_is_a_404(client):
    assert client.get(reverse("communities:invitation", kwargs={"token": "nope"})).status_code == 404


def test_managers_send_and_revoke_invitations_from_their_page(client, community, manager, commit, mailoutbox):
    client.force_login(manager)
    url = reverse("communities:manage_invitations", kwargs={"slug": community.slug})

    with commit():
        response = client.post(url, {"email": "a@example.org", "role": "host", "message": ""})
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="a@example.org")
    assert "a@example.org" in client.get(url).content.decode()
    assert len(mailoutbox) == 1

    revoke = reverse("communities:manage_invitation_revoke", kwargs={"slug": community.slug, "pk": invitation.pk})
    asked = client.post(revoke).content.decode()
    invitation.refresh_from_db()
    assert "The link in the e-mail sent to a@example.org will stop working" in asked
    assert invitation.revoked_at is None
    response = client.post(revoke, {"confirmed": "1"}, headers={"HX-Request": "true"})
    assert "Revoked" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


# Invite links


def test_an_invite_link_has_a_default_limit_and_expiry(community, manager):
    link = invite_link_create(community=community, actor=manager)

    assert link.max_uses == 50
    assert link.expires_at - link.created_at == timedelta(days=30)


def test_an_invite_link_joins_people_until_its_limit(community, manager):
    link = invite_link_create(community=community, actor=manager, max_uses=2)
    first, second, third = UserFactory.create_batch(3)

    invite_link_use(token=link.token, user=first)
    invite_link_use(token=link.token, user=second)
    with pytest.raises(CommunityError, match="as many times as it allows"):
        invite_link_use(token=link.token, user=third)

    link.refresh_from_db()
    assert link.uses == 2
    assert Membership.objects.get(user=first, community=community).source == "invitation"
    assert not Membership.objects.filter(user=third, community=community).exists()


def test_a_member_opening_the_link_again_uses_nothing(community, manager):
    link = invite_link_create(community=community, actor=manager, max_uses=1)
    person = UserFactory()
    invite_link_use(token=link.token, user=person)

    invite_link_use(token=link.token, user=person)

    link.refresh_from_db()
    assert link.uses == 1


def test_an_expired_or_revoked_link_is_refused(community, manager):
    old = invite_link_create(community=community, actor=manager, days=1, now=timezone.now() - timedelta(days=2))
    revoked = invite_link_revoke(link=invite_link_create(community=community, actor=manager), actor=manager)

    with pytest.raises(CommunityError, match="expired"):
        invite_link_use(token=old.token, user=UserFactory())
    with pytest.raises(CommunityError, match="switched off"):
        invite_link_use(token=revoked.token, user=UserFactory())


def test_a_removed_person_cannot_come_back_through_a_link(community, manager):
    removed = MembershipFactory(community=community, status="removed")
    link = invite_link_create(community=community, actor=manager)

    with pytest.raises(CommunityError, match="removed you"):
        invite_link_use(token=link.token, user=removed.user)


@pytest.mark.django_db(transaction=True)
def test_many_people_opening_a_link_at_once_never_pass_its_limit():
    community = CommunityFactory(join_policy="invitation")
    manager = MembershipFactory(community=community, role="manager").user
    link = invite_link_create(community=community, actor=manager, max_uses=3)
    people = UserFactory.create_batch(8)
    barrier = threading.Barrier(len(people))
    refused = []

    def use(person):
        barrier.wait()
        try:
            invite_link_use(token=link.token, user=person)
        except CommunityError:
            refused.append(person)
        finally:
            connection.close()

    threads = [threading.Thread(target=use, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    link.refresh_from_db()
    assert link.uses == 3
    assert len(refused) == 5
    assert Membership.objects.filter(community=community, source="invitation").count() == 3


def link_url(link):
    return reverse("communities:invite_link", kwargs={"token": link.token})


def test_a_visitor_opening_a_link_is_sent_to_sign_in_or_up_and_back(client, community, manager):
    link = invite_link_create(community=community, actor=manager)

    body = client.get(link_url(link)).content.decode()

    quoted = link_url(link).replace("/", "%2F")
    assert f"/accounts/login/?next={quoted}" in body
    assert f"/accounts/signup/?next={quoted}" in body
    assert client.post(link_url(link)).status_code == 200
    link.refresh_from_db()
    assert link.uses == 0


def test_a_signed_in_person_joins_through_the_link_page(client, community, manager, user):
    link = invite_link_create(community=community, actor=manager)
    client.force_login(user)
    assert "Join the community" in client.get(link_url(link)).content.decode()

    response = client.post(link_url(link))

    assert response.url == community.get_absolute_url()
    assert Membership.objects.get(user=user, community=community).is_active


def test_the_link_page_says_when_a_link_is_used_up(client, community, manager, user):
    link = invite_link_create(community=community, actor=manager, max_uses=1)
    InviteLink.objects.filter(pk=link.pk).update(uses=1)
    client.force_login(user)

    assert "as many times as it allows" in client.get(link_url(link)).content.decode()


def test_managers_create_copy_and_revoke_links_from_their_page(client, community, manager):
    client.force_login(manager)
    url = reverse("communities:manage_links", kwargs={"slug": community.slug})

    client.post(url, {"max_uses": 10, "days": 7})
    link = InviteLink.objects.get(community=community)
    page = client.get(url).content.decode()
    assert f"http://testserver/c/join/{link.token}/" in page
    assert "data-copy=" in page

    revoke = reverse("communities:manage_link_revoke", kwargs={"slug": community.slug, "pk": link.pk})
    assert "The link will stop working for everyone who has it." in client.post(revoke).content.decode()
    link.refresh_from_db()
    assert link.revoked_at is None
    client.post(revoke, {"confirmed": "1"})
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_opening_an_accepted_invitation_again_goes_to_the_community(client, community, manager):
    invitation = invite(community, manager)
    person = UserFactory(email="new@example.org")
    invitation_accept(token=invitation.token, user=person)
    client.force_login(person)

    assert client.get(invitation_url(invitation)).url == community.get_absolute_url()
