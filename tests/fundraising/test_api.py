import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fundraising.models import Donation, Fundraiser
from fundraising.services import donation_transition
from tests.factories import CommunityFactory
from tests.fundraising.conftest import make_campaign
from tests.fundraising.helpers import make_donation

pytestmark = pytest.mark.django_db
S = Donation.Status


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def gifts(campaign, fundraiser):
    made = []
    for name, anonymous, private in [("Open Olga", False, False), ("Hidden Hugo", True, True)]:
        donation = make_donation(
            campaign,
            fundraiser=fundraiser,
            donor_name=name,
            anonymous=anonymous,
            message=f"msg of {name}",
            message_private=private,
            email=f"{name[:4]}@example.org",
        )
        made.append(donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)[0])
    make_donation(campaign, email="pending@example.org")  # pending: never public
    return made


def test_campaigns_fundraisers_and_teams_are_public(api, campaign, fundraiser, gifts):
    campaigns = api.get(reverse("api:campaign-list")).json()["results"]
    fundraisers = api.get(reverse("api:fundraiser-list"), {"campaign": campaign.pk}).json()["results"]
    teams = api.get(reverse("api:team-list")).json()["results"]

    assert [c["slug"] for c in campaigns] == [campaign.slug]
    assert campaigns[0]["raised_amount"] == "2000.00"
    assert campaigns[0]["donor_count"] == 2
    assert [f["slug"] for f in fundraisers] == [fundraiser.slug]
    assert [t["name"] for t in teams] == ["Runners"]


def test_the_public_sees_public_fields_only(api, gifts):
    rows = {d["id"]: d for d in api.get(reverse("api:donation-list")).json()["results"]}

    assert len(rows) == 2
    olga, hugo = rows[gifts[0].pk], rows[gifts[1].pk]
    assert olga["donor_name"] == "Open Olga"
    assert olga["message"] == "msg of Open Olga"
    assert hugo["donor_name"] == ""
    assert hugo["message"] == ""
    assert olga["donor_email"] is None
    assert hugo["donor_email"] is None


@pytest.mark.parametrize(
    ("who", "sees_private"),
    [
        ("member", False),
        ("outsider", False),
        ("owner", False),  # a peer fundraiser's owner sees only what the donor shares with them
        ("manager", True),
        ("staff", True),
    ],
)
def test_private_fields_only_for_the_communitys_managers(request, api, gifts, who, sees_private):
    api.force_authenticate(request.getfixturevalue(who))

    rows = {d["id"]: d for d in api.get(reverse("api:donation-list")).json()["results"]}
    hugo = rows[gifts[1].pk]

    assert (hugo["donor_email"] == "Hidd@example.org") is sees_private
    assert (hugo["message"] == "msg of Hidden Hugo") is sees_private
    assert ("pending@example.org" in [d["donor_email"] for d in rows.values()]) is (who in ("manager", "staff"))


def test_other_communities_private_campaigns_stay_hidden(api, member):
    private = make_campaign(CommunityFactory(visibility="private"))
    donation = make_donation(private)
    donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)
    api.force_authenticate(member)

    assert api.get(reverse("api:campaign-detail", args=[private.pk])).status_code == 404
    assert api.get(reverse("api:donation-detail", args=[donation.pk])).status_code == 404
    start = api.post(reverse("api:donation-list"), {"campaign": private.pk, "amount": "500", "email": "a@b.org"})
    assert start.status_code == 400
    assert "campaign" in start.json()


def test_starting_a_donation_returns_the_checkout_url(api, campaign, fundraiser):
    response = api.post(
        reverse("api:donation-list"),
        {
            "campaign": campaign.pk,
            "fundraiser": fundraiser.pk,
            "amount": "750.50",
            "currency": "RUB",
            "name": "Api Anna",
            "email": "anna@example.org",
        },
        format="json",
    )

    assert response.status_code == 201
    donation = Donation.objects.get(pk=response.json()["id"])
    assert donation.amount == 750.5
    assert donation.team == fundraiser.team
    assert donation.status == S.PENDING
    assert response.json()["checkout_url"] == f"http://testserver/give/sandbox/{donation.provider_reference}/"


@pytest.mark.parametrize(
    ("amount", "currency", "message"),
    [
        ("-10", "RUB", "greater than zero"),
        ("0", "RUB", "greater than zero"),
        ("10.555", "RUB", "Write it like 1,500.50"),
        ("5000000", "RUB", "largest amount"),
        ("500", "USD", "RUB only"),
        ("lots", "RUB", "as a number"),
    ],
)
def test_bad_amounts_get_a_400_with_the_field_message(api, campaign, amount, currency, message):
    response = api.post(
        reverse("api:donation-list"),
        {
            "campaign": campaign.pk,
            "amount": amount,
            "currency": currency,
            "email": "a@example.org",
        },
        format="json",
    )

    assert response.status_code == 400
    assert message in response.json()["amount"][0]
    assert not Donation.objects.exists()


def test_no_gift_to_a_hidden_fundraiser(api, campaign, fundraiser):
    Fundraiser.objects.filter(pk=fundraiser.pk).update(status=Fundraiser.Status.HIDDEN)

    response = api.post(
        reverse("api:donation-list"),
        {
            "campaign": campaign.pk,
            "fundraiser": fundraiser.pk,
            "amount": "500",
            "email": "a@example.org",
        },
        format="json",
    )

    assert response.status_code == 400
    assert "fundraiser" in response.json()


def test_the_donation_list_has_bounded_queries(api, manager, campaign, fundraiser, django_assert_max_num_queries):
    for n in range(30):
        donation = make_donation(campaign, fundraiser=fundraiser, email=f"n{n}@example.org")
        donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)
    api.force_authenticate(manager)

    with django_assert_max_num_queries(6):
        assert api.get(reverse("api:donation-list")).status_code == 200


def test_starting_donations_through_the_api_is_rate_limited_too(api, campaign):
    body = {"campaign": campaign.pk, "amount": "500", "email": "a@example.org"}

    statuses = [api.post(reverse("api:donation-list"), body, format="json").status_code for _ in range(11)]

    assert statuses == [201] * 10 + [429]
