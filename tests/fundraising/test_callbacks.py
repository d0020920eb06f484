"""Each provider's callback: success, duplicate, out of order, forged, wrong amount or currency, unknown payment.

Only the providers' HTTP servers are faked (tests/fundraising/conftest.py); signatures are made with
the providers' own schemes.
"""

import json
from decimal import Decimal

import pytest
import stripe
from django.urls import reverse

from fundraising.models import Donation, ProviderEvent, SandboxPayment
from fundraising.providers.sandbox import SIGNATURE_HEADER, callback_body, sign
from tests.fundraising.helpers import make_donation

pytestmark = pytest.mark.django_db
S = Donation.Status


def _raised(obj):
    obj.refresh_from_db()
    return obj.raised_amount


# --- sandbox -----------------------------------------------------------------------------------


def _sandbox_donation(campaign, fundraiser, status="succeeded", amount="1500", currency="RUB", **kwargs):
    donation = make_donation(campaign, fundraiser=fundraiser, amount="1500", reference="sbx_1", **kwargs)
    SandboxPayment.objects.create(
        reference="sbx_1", amount_minor=int(Decimal(amount) * 100), currency=currency, status=status, return_url="/"
    )
    return donation


def _sandbox_post(client, reference="sbx_1", event="payment.succeeded", signature=None):
    body = callback_body(reference=reference, event=event)
    headers = {SIGNATURE_HEADER: signature if signature is not None else sign(body)}
    return client.post(
        reverse("fundraising:callback", kwargs={"provider": "sandbox"}),
        body,
        content_type="application/json",
        headers=headers,
    )


def test_sandbox_callback_applies_the_payment_once(client, campaign, fundraiser, commit, mailoutbox):
    donation = _sandbox_donation(campaign, fundraiser)

    with commit():
        first = _sandbox_post(client)
        second = _sandbox_post(client)

    assert first.json() == {"outcome": "succeeded"}
    assert second.json() == {"outcome": "duplicate"}
    donation.refresh_from_db()
    assert donation.status == S.SUCCEEDED
    assert _raised(fundraiser) == Decimal("1500")
    assert ProviderEvent.objects.count() == 1
    assert sorted(m.to[0] for m in mailoutbox) == sorted(["d@example.org", fundraiser.owner.email])


def test_sandbox_late_failure_event_does_not_undo_success(client, campaign, fundraiser):
    _sandbox_donation(campaign, fundraiser)
    _sandbox_post(client)

    response = _sandbox_post(client, event="payment.failed")

    assert response.json() == {"outcome": "unchanged"}  # the provider still says succeeded
    assert _raised(fundraiser) == Decimal("1500")


def test_sandbox_pending_payment_changes_nothing_yet(client, campaign, fundraiser):
    donation = _sandbox_donation(campaign, fundraiser, status="pending")

    assert _sandbox_post(client).json() == {"outcome": "pending"}
    donation.refresh_from_db()
    assert donation.status == S.PENDING


def test_sandbox_forged_signature_is_refused_and_changes_nothing(client, campaign, fundraiser):
    donation = _sandbox_donation(campaign, fundraiser)

    response = _sandbox_post(client, signature="0" * 64)

    assert response.status_code == 400
    donation.refresh_from_db()
    assert donation.status == S.PENDING
    assert not ProviderEvent.objects.exists()


@pytest.mark.parametrize(("amount", "currency"), [("1499.99", "RUB"), ("1500", "EUR")])
def test_sandbox_wrong_amount_or_currency_is_refused(client, campaign, fundraiser, amount, currency):
    donation = _sandbox_donation(campaign, fundraiser, amount=amount, currency=currency)

    response = _sandbox_post(client)

    assert response.status_code == 400
    donation.refresh_from_db()
    assert donation.status == S.PENDING
    assert _raised(fundraiser) == 0
    assert not ProviderEvent.objects.exists()


def test_sandbox_unknown_payment_is_404(client, campaign, fundraiser):
    _sandbox_donation(campaign, fundraiser)

    assert _sandbox_post(client, reference="sbx_nobody").status_code == 404
    assert not ProviderEvent.objects.exists()


def test_unknown_provider_name_is_404(client):
    url = reverse("fundraising:callback", kwargs={"provider": "paypal"})
    assert client.post(url, "{}", content_type="application/json").status_code == 404


# --- Stripe ------------------------------------------------------------------------------------

WHSEC = "whsec_test_secret"


@pytest.fixture
def stripe_settings(settings):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_kindred"
    settings.STRIPE_WEBHOOK_SECRET = WHSEC
    return settings


def _session(session_id="cs_test_1", status="complete", payment_status="paid", amount=150000, currency="rub"):
    return {
        "id": session_id,
        "object": "checkout.session",
        "status": status,
        "payment_status": payment_status,
        "amount_total": amount,
        "currency": currency,
        "payment_intent": "pi_1",
        "url": None,
    }


def _stripe_post(client, event_id="evt_1", kind="checkout.session.completed", session_id="cs_test_1", secret=WHSEC):
    payload = json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": kind,
            "api_version": "2025-01-27.acacia",
            "data": {"object": {"id": session_id, "object": "checkout.session"}},
        }
    )
    header = stripe.WebhookSignature.generate_signature_header(payload, secret)
    return client.post(
        reverse("fundraising:callback", kwargs={"provider": "stripe"}),
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )


@pytest.fixture
def stripe_donation(campaign, fundraiser, stripe_settings):
    return make_donation(campaign, fundraiser=fundraiser, amount="1500", provider="stripe", reference="cs_test_1")


def test_stripe_webhook_confirms_with_the_session_and_applies_once(client, stripe_donation, fundraiser, provider_http):
    provider_http.on("GET", "https://api.stripe.com/v1/checkout/sessions/cs_test_1", lambda r: (200, _session()))

    assert _stripe_post(client).json() == {"outcome": "succeeded"}
    assert _stripe_post(client).json() == {"outcome": "duplicate"}

    stripe_donation.refresh_from_db()
    assert stripe_donation.status == S.SUCCEEDED
    assert _raised(fundraiser) == Decimal("1500")
    assert len(provider_http.calls) == 1  # the duplicate did not even ask Stripe


def test_stripe_late_open_session_never_undoes_success(client, stripe_donation, fundraiser, provider_http):
    answers = iter([_session(), _session(status="open", payment_status="unpaid")])
    provider_http.on("GET", "https://api.stripe.com/v1/checkout/sessions/cs_test_1", lambda r: (200, next(answers)))
    _stripe_post(client, event_id="evt_1")

    response = _stripe_post(client, event_id="evt_0", kind="checkout.session.async_payment_failed")

    assert response.json() == {"outcome": "pending"}
    stripe_donation.refresh_from_db()
    assert stripe_donation.status == S.SUCCEEDED


def test_stripe_expired_session_cancels_the_donation(client, stripe_donation, provider_http):
    provider_http.on(
        "GET",
        "https://api.stripe.com/v1/checkout/sessions/cs_test_1",
        lambda r: (200, _session(status="expired", payment_status="unpaid")),
    )

    assert _stripe_post(client, kind="checkout.session.expired").json() == {"outcome": "cancelled"}


def test_stripe_forged_signature_is_refused(client, stripe_donation, provider_http):
    response = _stripe_post(client, secret="whsec_someone_else")

    assert response.status_code == 400
    assert provider_http.calls == []
    stripe_donation.refresh_from_db()
    assert stripe_donation.status == S.PENDING


@pytest.mark.parametrize(("amount", "currency"), [(149999, "rub"), (150000, "eur")])
def test_stripe_wrong_amount_or_currency_is_refused(client, stripe_donation, provider_http, amount, currency):
    provider_http.on(
        "GET",
        "https://api.stripe.com/v1/checkout/sessions/cs_test_1",
        lambda r: (200, _session(amount=amount, currency=currency)),
    )

    assert _stripe_post(client).status_code == 400
    stripe_donation.refresh_from_db()
    assert stripe_donation.status == S.PENDING
    assert not ProviderEvent.objects.exists()


def test_stripe_unknown_session_is_404(client, stripe_donation, provider_http):
    assert _stripe_post(client, session_id="cs_test_unknown").status_code == 404


def test_stripe_other_event_types_are_acknowledged_and_ignored(client, stripe_donation, provider_http):
    assert _stripe_post(client, kind="customer.created").json() == {"outcome": "ignored"}


def test_stripe_checkout_session_carries_an_idempotency_key(client, campaign, stripe_settings, provider_http):
    def create(request):
        create.request = request
        return 200, {"id": "cs_test_new", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/x"}

    provider_http.on("POST", "https://api.stripe.com/v1/checkout/sessions", create)
    response = client.post(
        reverse("fundraising:give", args=["campaign", campaign.slug]),
        {"preset": "1000.00", "name": "Ann", "email": "ann@example.org"},
    )

    assert response.status_code == 302
    assert response["Location"] == "https://checkout.stripe.com/c/pay/x"
    donation = Donation.objects.get()
    assert donation.provider_reference == "cs_test_new"
    assert create.request.headers["Idempotency-Key"] == f"kindred-donation-{donation.idempotency_key}"
    assert "unit_amount%5D=100000" in create.request.body or "unit_amount]=100000" in create.request.body


# --- YooKassa ----------------------------------------------------------------------------------

YOOKASSA_IP = "185.71.76.1"


@pytest.fixture
def yookassa_settings(settings):
    settings.PAYMENT_PROVIDER = "yookassa"
    settings.YOOKASSA_SHOP_ID = "100500"
    settings.YOOKASSA_SECRET_KEY = "test_secret"
    return settings


def _payment(payment_id="2f1a-yk", status="succeeded", value="1500.00", currency="RUB"):
    return {
        "id": payment_id,
        "status": status,
        "paid": status == "succeeded",
        "test": True,
        "refundable": True,
        "amount": {"value": value, "currency": currency},
        "created_at": "2026-11-24T10:00:00.000Z",
        "recipient": {"account_id": "100500", "gateway_id": "1"},
        "metadata": {},
    }


def _yookassa_post(client, event="payment.succeeded", payment_id="2f1a-yk", ip=YOOKASSA_IP):
    body = json.dumps({"type": "notification", "event": event, "object": _payment(payment_id)})
    return client.post(
        reverse("fundraising:callback", kwargs={"provider": "yookassa"}),
        body,
        content_type="application/json",
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def yookassa_donation(campaign, fundraiser, yookassa_settings):
    return make_donation(campaign, fundraiser=fundraiser, amount="1500", provider="yookassa", reference="2f1a-yk")


def test_yookassa_notification_is_confirmed_with_find_one_and_applied_once(
    client, yookassa_donation, fundraiser, provider_http
):
    provider_http.on("GET", "https://api.yookassa.ru/v3/payments/2f1a-yk", lambda r: (200, _payment()))

    assert _yookassa_post(client).json() == {"outcome": "succeeded"}
    assert _yookassa_post(client).json() == {"outcome": "duplicate"}
    assert _raised(fundraiser) == Decimal("1500")


def test_yookassa_late_cancel_never_undoes_success(client, yookassa_donation, provider_http):
    provider_http.on("GET", "https://api.yookassa.ru/v3/payments/2f1a-yk", lambda r: (200, _payment()))
    _yookassa_post(client)

    assert _yookassa_post(client, event="payment.canceled").json() == {"outcome": "unchanged"}
    yookassa_donation.refresh_from_db()
    assert yookassa_donation.status == S.SUCCEEDED


def test_yookassa_notification_from_elsewhere_is_refused(client, yookassa_donation, provider_http):
    assert _yookassa_post(client, ip="203.0.113.9").status_code == 400
    assert provider_http.calls == []


@pytest.mark.parametrize(("value", "currency"), [("1.00", "RUB"), ("1500.00", "USD")])
def test_yookassa_wrong_amount_or_currency_is_refused(client, yookassa_donation, provider_http, value, currency):
    provider_http.on(
        "GET", "https://api.yookassa.ru/v3/payments/2f1a-yk", lambda r: (200, _payment(value=value, currency=currency))
    )

    assert _yookassa_post(client).status_code == 400
    yookassa_donation.refresh_from_db()
    assert yookassa_donation.status == S.PENDING


def test_yookassa_unknown_payment_is_404(client, yookassa_donation, provider_http):
    assert _yookassa_post(client, payment_id="other").status_code == 404


def test_yookassa_payment_is_created_with_an_idempotence_key(client, campaign, yookassa_settings, provider_http):
    def create(request):
        create.request = request
        body = _payment("new-yk", status="pending", value="1000.00")
        body["confirmation"] = {"type": "redirect", "confirmation_url": "https://yoomoney.ru/checkout/x"}
        return 200, body

    provider_http.on("POST", "https://api.yookassa.ru/v3/payments", create)
    response = client.post(
        reverse("fundraising:give", args=["campaign", campaign.slug]),
        {"preset": "1000.00", "name": "Ann", "email": "ann@example.org"},
    )

    assert response["Location"] == "https://yoomoney.ru/checkout/x"
    donation = Donation.objects.get()
    assert donation.provider_reference == "new-yk"
    assert create.request.headers["Idempotence-Key"] == f"kindred-donation-{donation.idempotency_key}"
    assert json.loads(create.request.body)["amount"] == {"value": "1000.00", "currency": "RUB"}


def test_a_provider_that_does_not_answer_fails_the_donation_with_a_clear_message(
    client, campaign, stripe_settings, provider_http
):
    provider_http.on(
        "POST",
        "https://api.stripe.com/v1/checkout/sessions",
        lambda r: (500, {"error": {"message": "down", "type": "api_error"}}),
    )

    response = client.post(
        reverse("fundraising:give", args=["campaign", campaign.slug]),
        {"preset": "1000.00", "name": "Ann", "email": "ann@example.org"},
    )

    assert response.status_code == 200
    assert "not answering" in response.content.decode()
    assert Donation.objects.get().status == S.FAILED


@pytest.mark.parametrize(("count", "accepted"), [(1, True), (0, False)])
def test_yookassa_address_check_reads_the_address_our_proxy_reports(
    client, yookassa_donation, provider_http, settings, count, accepted
):
    settings.TRUSTED_PROXY_COUNT = count
    provider_http.on("GET", "https://api.yookassa.ru/v3/payments/2f1a-yk", lambda r: (200, _payment()))
    body = json.dumps({"type": "notification", "event": "payment.succeeded", "object": _payment("2f1a-yk")})

    response = client.post(
        reverse("fundraising:callback", kwargs={"provider": "yookassa"}),
        body,
        content_type="application/json",
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=YOOKASSA_IP,
    )

    yookassa_donation.refresh_from_db()
    assert (yookassa_donation.status == Donation.Status.SUCCEEDED) is accepted
    assert (response.status_code == 200) is accepted
