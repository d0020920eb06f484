"""Every destructive one-tap action of a manager asks first: the page says what will happen and to whom,
changes nothing until it is confirmed, re-posts what was typed, and speaks the manager's language."""

import re

import pytest
from django.urls import reverse

from communities.models import Invitation, Membership
from communities.services.invitations import invitation_send
from fundraising.models import Refund
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.fundraising.conftest import make_campaign
from tests.fundraising.helpers import make_paid

pytestmark = pytest.mark.django_db

ENGLISH_LEFT = re.compile(r"\b(will|Go back|Refund|Remove|Revoke|cannot)\b")


@pytest.fixture
def cast(db):
    community = CommunityFactory(slug="warm")
    manager = MembershipFactory(community=community, role="manager", user=UserFactory(name="Anna")).user
    vera = MembershipFactory(community=community, role="host", user=UserFactory(name="Vera", email="vera@example.org"))
    invitation = invitation_send(community=community, email="guest@example.org", actor=manager)
    campaign = make_campaign(community=community)
    gift = make_paid(campaign, amount="1500", donor_name="Olga")
    return {"community": community, "manager": manager, "vera": vera, "invitation": invitation, "gift": gift}


def _actions(cast):
    slug, vera, gift = "warm", cast["vera"], cast["gift"]
    return [
        (reverse("communities:manage_person_remove", args=[slug, vera.pk]), {}, "Vera"),
        (reverse("communities:manage_person_role", args=[slug, vera.pk]), {"role": "member"}, "Vera"),
        (reverse("communities:manage_invitation_revoke", args=[slug, cast["invitation"].pk]), {}, "guest@example.org"),
        (
            reverse("fundraising:refund", args=[gift.campaign.slug, gift.pk]),
            {"amount": "500", "reason": "asked"},
            "Olga",
        ),
    ]


def _unchanged(cast):
    vera = Membership.objects.get(pk=cast["vera"].pk)
    invitation = Invitation.objects.get(pk=cast["invitation"].pk)
    return (
        vera.status == "active"
        and vera.role == "host"
        and invitation.revoked_at is None
        and not Refund.objects.exists()
    )


def test_each_action_asks_first_and_re_posts_what_was_typed(client, cast):
    client.force_login(cast["manager"])

    for url, data, who in _actions(cast):
        page = client.post(url, data).content.decode()

        assert who in page, url
        assert '<input type="hidden" name="confirmed" value="1">' in page, url
        assert f'action="{url}"' in page, url
        for name, value in data.items():
            assert f'name="{name}" value="{value}"' in page, url
        assert _unchanged(cast), url


def test_the_confirmations_speak_the_managers_language(client, cast):
    cast["manager"].language = "ru"
    cast["manager"].save(update_fields=["language"])
    client.force_login(cast["manager"])

    for url, data, _who in _actions(cast):
        page = client.post(url, data, HTTP_ACCEPT_LANGUAGE="ru")
        main = page.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
        text = re.sub(r"<[^>]+>", " ", main)

        assert page.status_code == 200
        assert "Вернуться" in text, url
        assert not ENGLISH_LEFT.findall(text), (url, ENGLISH_LEFT.findall(text))
    assert _unchanged(cast)


def test_confirmed_actions_happen(client, cast):
    client.force_login(cast["manager"])
    gift = cast["gift"]

    client.post(reverse("fundraising:refund", args=[gift.campaign.slug, gift.pk]), {"reason": "x", "confirmed": "1"})
    client.post(
        reverse("communities:manage_invitation_revoke", args=["warm", cast["invitation"].pk]), {"confirmed": "1"}
    )
    client.post(reverse("communities:manage_person_remove", args=["warm", cast["vera"].pk]), {"confirmed": "1"})

    assert Refund.objects.get().amount == gift.amount
    assert Invitation.objects.get(pk=cast["invitation"].pk).revoked_at is not None
    assert Membership.objects.get(pk=cast["vera"].pk).status == "removed"


def test_promoting_someone_needs_no_confirmation(client, cast):
    client.force_login(cast["manager"])

    response = client.post(
        reverse("communities:manage_person_role", args=["warm", cast["vera"].pk]), {"role": "manager"}
    )

    assert response.status_code == 302
    assert Membership.objects.get(pk=cast["vera"].pk).role == "manager"


def test_taking_a_role_away_by_e_mail_asks_too(client, cast):
    client.force_login(cast["manager"])
    url = reverse("communities:manage_roles", args=["warm"])

    asked = client.post(url, {"email": "vera@example.org", "role": "member"}).content.decode()
    assert "will no longer be able to propose and run events" in asked
    assert 'name="email" value="vera@example.org"' in asked
    assert Membership.objects.get(pk=cast["vera"].pk).role == "host"
    client.post(url, {"email": "vera@example.org", "role": "member", "confirmed": "1"})

    assert Membership.objects.get(pk=cast["vera"].pk).role == "member"
