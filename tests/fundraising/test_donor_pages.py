"""The give form's monthly choice, and the donor's own page opened by a signed link, without an account."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from fundraising.models import Donation, Subscription
from fundraising.services.donor_links import donor_page_url
from members.models import OutboundMessage
from tests.fundraising.subscription_helpers import start_monthly

pytestmark = pytest.mark.django_db
S = Subscription.Status


def _give(client, campaign, **data):
    payload = {"frequency": "monthly", "day": "31", "preset": "500.00", "name": "Mia", "email": "mia@example.org"}
    return client.post(reverse("fundraising:give", args=["campaign", campaign.slug]), {**payload, **data})


def test_choosing_monthly_starts_a_gift_and_goes_to_the_checkout(client, campaign):
    response = _give(client, campaign)

    subscription = Subscription.objects.get()
    assert (subscription.status, subscription.day, str(subscription.amount)) == (S.PENDING, 31, "500.00")
    donation = Donation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("fundraising:sandbox_checkout", args=[donation.provider_reference])
    checkout = client.get(response.url)
    assert "Later charges on this test card fail" in checkout.content.decode()


def test_monthly_without_a_day_is_a_form_error_not_a_gift(client, campaign):
    response = _give(client, campaign, day="")
    assert response.status_code == 200
    assert "Choose the day of the month" in response.content.decode()
    assert not Subscription.objects.exists()


def test_the_give_page_offers_once_or_monthly_in_both_languages(client, campaign, fundraiser):
    page = client.get(reverse("fundraising:give", args=["fundraiser", fundraiser.slug])).content.decode()
    assert 'value="monthly"' in page
    assert "Day of the month" in page
    client.cookies["django_language"] = "ru"
    page = client.get(reverse("fundraising:give", args=["campaign", campaign.slug]), HTTP_ACCEPT_LANGUAGE="ru")
    assert "Ежемесячно" in page.content.decode()


def _open(client, email="mia@example.org"):
    url = donor_page_url(email).removeprefix("http://127.0.0.1:8000")
    return client.get(url, follow=True)


def test_the_link_in_a_receipt_opens_the_donors_page_without_an_account(client, provider_http, campaign):
    start_monthly(campaign, day=12)
    receipt = OutboundMessage.objects.get(template="donation_receipt")
    link = next(w for w in receipt.body_text.split() if "/give/me/link/" in w)

    page = client.get(link.split("8000", 1)[-1], follow=True)

    text = page.content.decode()
    assert page.redirect_chain[-1][0] == reverse("fundraising:donor_page")
    assert "a month" in text
    assert "On day 12 of each month" in text
    assert text.count('data-testid="gift"') == 1


def test_stopping_the_gift_from_the_page_takes_one_click(client, provider_http, campaign):
    subscription = start_monthly(campaign, day=12)
    _open(client)

    response = client.post(reverse("fundraising:subscription_action", args=[subscription.pk, "cancel"]), follow=True)

    subscription.refresh_from_db()
    assert subscription.status == S.CANCELLED
    assert "Your monthly gift is stopped" in response.content.decode()


def test_changing_amount_and_day_with_bad_input_shows_the_error(client, provider_http, campaign):
    subscription = start_monthly(campaign, day=12)
    _open(client)
    url = reverse("fundraising:subscription_action", args=[subscription.pk, "change"])

    bad = client.post(url, {"amount": "abc", "day": "5"}, follow=True)
    good = client.post(url, {"amount": "750", "day": "5"}, follow=True)

    assert "Enter an amount as a number" in bad.content.decode()
    assert "changed from the next month" in good.content.decode()
    subscription.refresh_from_db()
    assert (str(subscription.amount), subscription.day) == ("750.00", 5)


def test_another_donors_gift_is_not_found(client, provider_http, campaign):
    subscription = start_monthly(campaign, day=12)
    _open(client, "someone@example.org")
    response = client.post(reverse("fundraising:subscription_action", args=[subscription.pk, "cancel"]))
    assert response.status_code == 404
    subscription.refresh_from_db()
    assert subscription.status == S.ACTIVE


def test_without_a_link_the_page_asks_for_the_email(client):
    response = client.get(reverse("fundraising:donor_page"))
    assert response.url == reverse("fundraising:donor_find")


def test_a_forged_or_expired_link_is_refused(client, settings):
    assert client.get(reverse("fundraising:donor_link", args=["nonsense"])).status_code == 400
    url = donor_page_url("mia@example.org").removeprefix("http://127.0.0.1:8000")
    with time_machine.travel(timezone.now() + timedelta(days=settings.DONOR_LINK_MAX_AGE_DAYS + 1)):
        response = client.get(url)
    assert response.status_code == 400
    assert "expired" in response.content.decode()


def test_find_my_gifts_sends_a_link_and_limits_each_address(client, commit):
    url = reverse("fundraising:donor_find")
    with commit():
        answers = [client.post(url, {"email": "Mia@example.org"}).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    sent = OutboundMessage.objects.filter(template="donor_link")
    assert sent.count() == 3
    assert "/give/me/link/" in sent.first().body_text
    assert client.post(url, {"email": "not an address"}).status_code == 400


def test_a_signed_in_donor_sees_the_same_page(client, provider_http, campaign, user):
    start_monthly(campaign, day=12, email=user.email.upper())
    client.force_login(user)
    page = client.get(reverse("fundraising:donor_page")).content.decode()
    assert 'data-testid="subscription"' in page


def test_trying_a_failed_monthly_gift_again_keeps_it_monthly_on_its_day(client, campaign):
    _give(client, campaign, day="28")
    donation = Donation.objects.get()

    page = client.get(
        reverse("fundraising:give", args=["campaign", campaign.slug]), {"again": donation.idempotency_key}
    ).content.decode()

    assert re.search(r'<input[^>]*value="monthly"[^>]*checked', page)
    assert re.search(r'<option value="28" selected>', page)
    assert 'value="mia@example.org"' in page
