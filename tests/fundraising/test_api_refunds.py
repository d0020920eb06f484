"""Refunds in the API for a campaign's managers: an input serializer, one service call, an output serializer."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from fundraising.models import Refund
from tests.fundraising.helpers import make_donation, make_paid

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def _url(donation):
    return f"/api/v1/donations/{donation.pk}/refunds/"


def test_a_manager_refunds_in_part_twice_and_lists_the_refunds(api, campaign, manager):
    donation = make_paid(campaign, amount="1000")
    api.force_authenticate(manager)

    first = api.post(_url(donation), {"amount": "300.00", "reason": "asked"}, format="json")
    second = api.post(_url(donation), {"amount": "200"}, format="json")
    listed = api.get(_url(donation))

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["state"] == "succeeded"
    assert first.json()["amount"] == "300.00"
    assert [r["amount"] for r in listed.json()] == ["300.00", "200.00"]
    campaign.refresh_from_db()
    assert campaign.raised_amount == Decimal("500")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"amount": "1000.01"}, "amount", "At most RUB\u00a01,000 can still be refunded."),
        ({"amount": "1 000,00"}, "amount", "We could not read “1 000,00” as an amount. Write it like 1,500.50."),
        ({"amount": "-1"}, "amount", "Enter an amount greater than zero."),
        ({"amount": "100", "currency": "USD"}, "amount", "This page takes RUB only."),
        ({"reason": "x" * 201}, "reason", "Ensure this field has no more than 200 characters."),
    ],
)
def test_bad_refunds_are_400_with_the_field_and_change_nothing(api, campaign, manager, body, field, message):
    donation = make_paid(campaign, amount="1000")
    api.force_authenticate(manager)

    response = api.post(_url(donation), body, format="json")

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not Refund.objects.exists()


def test_a_pending_gift_is_400_not_500(api, campaign, manager):
    api.force_authenticate(manager)

    response = api.post(_url(make_donation(campaign)), {}, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only a paid donation can be refunded; this one is pending."]}


@pytest.mark.parametrize("who", ["owner", "outsider", "member"])
def test_only_the_campaigns_managers_see_or_make_refunds(request, api, campaign, who):
    donation = make_paid(campaign, amount="1000")
    api.force_authenticate(request.getfixturevalue(who))

    assert api.get(_url(donation)).status_code == 404
    assert api.post(_url(donation), {"amount": "1"}, format="json").status_code == 404
    assert not Refund.objects.exists()


def test_anonymous_callers_are_refused(api, campaign):
    donation = make_paid(campaign, amount="1000")

    assert api.post(_url(donation), {}, format="json").status_code in (401, 403)
    assert not Refund.objects.exists()
