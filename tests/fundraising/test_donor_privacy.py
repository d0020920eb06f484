"""Who sees a donor: the community's managers see everything; a peer fundraiser's owner sees what the
public sees, plus the name and e-mail of donors who chose to share them; the give form says so."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fundraising.models import Donation
from fundraising.services import donation_transition
from members.models import ConsentRecord
from tests.factories import UserFactory
from tests.fundraising.helpers import make_donation

pytestmark = pytest.mark.django_db
S = Donation.Status


def succeeded(campaign, fundraiser, **kwargs):
    donation = make_donation(campaign, fundraiser=fundraiser, **kwargs)
    donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)
    return donation


@pytest.fixture
def secretive(campaign, fundraiser):
    """An anonymous donor with a message only for the organisers, who shared nothing with the owner."""
    return succeeded(
        campaign,
        fundraiser,
        donor_name="Vera Tikhonova",
        email="vera@example.org",
        anonymous=True,
        message="My son was treated here",
        message_private=True,
    )


@pytest.fixture
def sharing(campaign, fundraiser):
    return succeeded(
        campaign, fundraiser, donor_name="Ilya Sharov", email="ilya@example.org", anonymous=True, share_with_owner=True
    )


SECRETS = ("Vera Tikhonova", "vera@example.org", "My son was treated here")


def test_the_owner_page_shows_no_anonymous_name_email_or_private_message(client, owner, fundraiser, secretive):
    client.force_login(owner)

    page = client.get(reverse("fundraising:fundraiser_donations", args=[fundraiser.slug])).content.decode()

    assert "Anonymous donor" in page
    assert not [s for s in SECRETS if s in page]


def test_a_donor_who_shares_their_contact_is_shown_to_the_owner(client, owner, fundraiser, sharing):
    client.force_login(owner)

    page = client.get(reverse("fundraising:fundraiser_donations", args=[fundraiser.slug])).content.decode()

    assert "Ilya Sharov" in page
    assert "ilya@example.org" in page
    assert "anonymous in public" in page


def test_the_owner_email_about_a_gift_keeps_the_donors_secrets(campaign, fundraiser, commit, mailoutbox):
    with commit():
        succeeded(
            campaign,
            fundraiser,
            donor_name="Vera Tikhonova",
            email="vera@example.org",
            anonymous=True,
            message="My son was treated here",
            message_private=True,
        )

    (to_owner,) = [m for m in mailoutbox if m.to == [fundraiser.owner.email]]
    text = to_owner.body + to_owner.alternatives[0][0]
    assert "Someone gave" in text
    assert not [s for s in SECRETS if s in text]


def donations_api(user, **params):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return {d["id"]: d for d in api.get(reverse("api:donation-list"), params).json()["results"]}


def test_the_api_gives_the_owner_only_what_was_shared(owner, secretive, sharing):
    seen = donations_api(owner)

    assert (seen[secretive.pk]["donor_name"], seen[secretive.pk]["donor_email"]) == ("", None)
    assert seen[secretive.pk]["message"] == ""
    assert (seen[sharing.pk]["donor_name"], seen[sharing.pk]["donor_email"]) == ("Ilya Sharov", "ilya@example.org")


def test_the_api_gives_the_communitys_managers_everything(manager, secretive):
    seen = donations_api(manager)[secretive.pk]

    assert (seen["donor_name"], seen["donor_email"], seen["message"]) == SECRETS


@pytest.mark.parametrize("who", ["visitor", "member", "outsider"])
def test_the_api_gives_others_the_public_fields_only(request, who, secretive):
    user = None if who == "visitor" else request.getfixturevalue(who)

    seen = donations_api(user)[secretive.pk]

    assert (seen["donor_name"], seen["donor_email"], seen["message"]) == ("", None, "")


def test_the_give_form_says_who_sees_what_and_offers_to_share_with_the_owner(client, campaign, fundraiser):
    page = client.get(reverse("fundraising:give", args=["fundraiser", fundraiser.slug])).content.decode()
    campaign_page = client.get(reverse("fundraising:give", args=["campaign", campaign.slug])).content.decode()

    assert "Who sees what" in page
    assert f"The managers of {campaign.community.name} see your name, e-mail, amount and message" in page
    assert "Share my name and e-mail with the person who runs this fundraiser" in page
    assert "Who sees what" in campaign_page
    assert "share_with_owner" not in campaign_page


def test_the_donors_choice_to_share_is_recorded(client, fundraiser, provider_http):
    form = {"preset": "1000.00", "name": "Olga", "email": "olga@example.org", "share_with_owner": "on"}

    client.post(reverse("fundraising:give", args=["fundraiser", fundraiser.slug]), form)

    assert Donation.objects.get().share_with_owner is True


def checkbox(html, name):
    start = html.index(f'name="{name}"')
    return html[html.rindex("<input", 0, start) : html.index(">", start)]


def test_a_signed_in_donor_is_asked_about_reports_and_the_answer_recorded(client, campaign, provider_http):
    user = UserFactory(consent_reports=False)
    client.force_login(user)
    url = reverse("fundraising:give", args=["campaign", campaign.slug])

    page = client.get(url).content.decode()
    client.post(url, {"preset": "1000.00", "name": "Olga", "email": user.email, "reports": "on"})

    assert "checked" not in checkbox(page, "reports")
    user.refresh_from_db()
    assert user.consent_reports is True
    assert ConsentRecord.objects.filter(user=user, kind="reports", granted=True, source="giving").exists()
