"""Managers find their way: signing in lands on the dashboard, "Manage" is in the navigation."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, follow=True)


def verified(user):
    user.emailaddress_set.update_or_create(email=user.email, defaults={"verified": True, "primary": True})
    return user


def test_a_manager_of_one_community_lands_on_its_dashboard(client):
    membership = MembershipFactory(role="manager", user=verified(UserFactory()))

    response = sign_in(client, membership.user)

    assert response.redirect_chain[-1][0] == reverse("communities:dashboard", args=[membership.community.slug])
    assert f'href="{reverse("manage_home")}"' in response.content.decode()


def test_a_manager_of_several_communities_chooses_one(client):
    manager = verified(UserFactory())
    for name in ("Runners", "Donor club"):
        MembershipFactory(role="manager", user=manager, community=CommunityFactory(name=name))
    MembershipFactory(user=manager, community=CommunityFactory(name="Just a member here"))

    response = sign_in(client, manager)

    assert response.redirect_chain[-1][0] == reverse("manage_home")
    page = response.content.decode()
    assert "Runners" in page
    assert "Donor club" in page
    assert "Just a member here" not in page


def test_a_member_lands_on_their_account_and_sees_no_manage_entry(client):
    member = MembershipFactory(user=verified(UserFactory())).user

    response = sign_in(client, member)

    assert response.redirect_chain[-1][0] == reverse("members:account")
    assert f'href="{reverse("manage_home")}"' not in response.content.decode()


def test_manage_for_someone_who_manages_nothing_says_what_to_do(client):
    client.force_login(UserFactory())

    response = client.get(reverse("manage_home"))

    assert response.status_code == 200
    assert "You do not manage a community yet" in response.content.decode()


def test_the_manager_tabs_are_a_menu_on_phones_and_a_wrapping_bar_on_wider_screens(client):
    membership = MembershipFactory(role="manager")
    client.force_login(membership.user)

    page = client.get(reverse("communities:manage_requests", args=[membership.community.slug])).content.decode()

    assert 'class="dropdown d-md-none"' in page
    assert "kd-manage-tabs d-none d-md-flex" in page
    assert page.count(reverse("communities:manage_roles", args=[membership.community.slug])) == 2
