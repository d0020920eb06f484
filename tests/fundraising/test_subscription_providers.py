"""Monthly charges of saved methods through the real Stripe and YooKassa SDKs, HTTP faked at the boundary.

Each charge goes out with the idempotency key of its attempt (subscription, month, attempt), the
same key when an attempt is finished after a lost answer, and a new one only for a retry.
"""

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest

from fundraising.models import Donation, Subscription, SubscriptionCharge
from fundraising.services import subscriptions as subs

MSK = ZoneInfo("Europe/Moscow")
DUE = datetime(2026, 3, 15, 9, 0, tzinfo=MSK)
C = SubscriptionCharge.Status


@pytest.fixture
def stripe_settings(settings):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_kindred"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test"
    return settings


@pytest.fixture
def yookassa_settings(settings):
    settings.PAYMENT_PROVIDER = "yookassa"
    settings.YOOKASSA_SHOP_ID = "100500"
    settings.YOOKASSA_SECRET_KEY = "test_secret"
    return settings


def _active(campaign, *, provider, method, customer=""):
    """An active monthly gift whose March charge is due at DUE (its first month was paid by checkout)."""
    return Subscription.objects.create(
        campaign=campaign,
        amount=Decimal("750"),
        currency="RUB",
        day=15,
        donor_name="Mia",
        donor_email="mia@example.org",
        donor_key="mia@example.org",
        provider=provider,
        payment_method_id=method,
        payment_customer_id=customer,
        status=Subscription.Status.ACTIVE,
        started_at=DUE - timedelta(days=28),
        next_period=date(2026, 3, 1),
        next_charge_at=DUE,
    )


def _intent(intent_id="pi_month_1", status="succeeded"):
    return {"id": intent_id, "object": "payment_intent", "status": status, "amount": 75000, "currency": "rub"}


def _form(request):
    body = request.body if isinstance(request.body, str) else request.body.decode()
    return {k: v[0] for k, v in parse_qs(body).items()}


# --- Stripe: PaymentIntent, off-session, confirmed at once ---------------------------------------


def test_stripe_charges_the_saved_card_off_session_with_the_months_key(campaign, stripe_settings, provider_http):
    subscription = _active(campaign, provider="stripe", method="pm_card_1", customer="cus_1")
    sent = []

    def create(request):
        sent.append(request)
        return 200, _intent()

    provider_http.on("POST", "https://api.stripe.com/v1/payment_intents", create)

    outcome = subs.subscriptions_charge_due(now=DUE + timedelta(minutes=5))

    assert outcome == {"opened": 1, "succeeded": 1}
    charge = SubscriptionCharge.objects.get(subscription=subscription, period=date(2026, 3, 1))
    assert charge.status == C.SUCCEEDED
    assert [r.headers["Idempotency-Key"] for r in sent] == [f"kindred-sub-{subscription.pk}-202603-1"]
    body = _form(sent[0])
    assert body["payment_method"] == "pm_card_1"
    assert body["customer"] == "cus_1"
    assert body["off_session"] == "true"
    assert body["confirm"] == "true"
    assert body["amount"] == "75000"
    assert body["currency"] == "rub"
    donation = charge.donation
    assert donation.status == Donation.Status.SUCCEEDED
    assert donation.provider_reference == "pi_month_1"
    campaign.refresh_from_db()
    assert campaign.raised_amount == Decimal("750")
    # The next beat finds nothing to charge: the provider is not called again.
    assert subs.subscriptions_charge_due(now=DUE + timedelta(minutes=15)) == {"opened": 0}
    assert len(sent) == 1


def test_stripe_lost_answer_is_finished_with_the_same_key_never_a_new_one(campaign, stripe_settings, provider_http):
    subscription = _active(campaign, provider="stripe", method="pm_card_1", customer="cus_1")
    sent = []

    down = True

    def down_then_up(request):
        sent.append(request)
        if down:
            return 500, {"error": {"type": "api_error", "message": "try again"}}
        return 200, _intent()

    provider_http.on("POST", "https://api.stripe.com/v1/payment_intents", down_then_up)

    first = subs.subscriptions_charge_due(now=DUE)
    assert first.get("succeeded") is None
    charge = SubscriptionCharge.objects.get(subscription=subscription)
    assert charge.status == C.PROCESSING  # left claimed, as by a worker whose answer was lost
    down = False
    # Too early to take it over from the (maybe still running) worker that claimed it.
    subs.subscriptions_charge_due(now=DUE + timedelta(minutes=5))
    assert {r.headers["Idempotency-Key"] for r in sent} == {f"kindred-sub-{subscription.pk}-202603-1"}
    tried = len(sent)
    later = subs.subscriptions_charge_due(now=DUE + subs.STALE_CLAIM + timedelta(minutes=1))

    assert later.get("succeeded") == 1
    assert len(sent) == tried + 1
    assert {r.headers["Idempotency-Key"] for r in sent} == {f"kindred-sub-{subscription.pk}-202603-1"}
    assert Donation.objects.filter(subscription=subscription, status=Donation.Status.SUCCEEDED).count() == 1


def test_stripe_declined_card_is_retried_later_under_a_new_attempts_key(campaign, stripe_settings, provider_http):
    subscription = _active(campaign, provider="stripe", method="pm_card_1", customer="cus_1")
    sent = []

    def declined_then_paid(request):
        sent.append(request)
        if len(sent) == 1:
            error = {
                "type": "card_error",
                "code": "card_declined",
                "message": "Your card was declined.",
                "payment_intent": _intent("pi_declined", status="requires_payment_method"),
            }
            return 402, {"error": error}
        return 200, _intent("pi_retry")

    provider_http.on("POST", "https://api.stripe.com/v1/payment_intents", declined_then_paid)

    assert subs.subscriptions_charge_due(now=DUE) == {"opened": 1, "failed": 1}
    charge = SubscriptionCharge.objects.get(subscription=subscription)
    assert (charge.status, charge.failure_count) == (C.DUE, 1)
    assert subs.subscriptions_charge_due(now=DUE + timedelta(hours=23)) == {"opened": 0}
    assert subs.subscriptions_charge_due(now=DUE + timedelta(days=1, minutes=1)) == {"opened": 0, "succeeded": 1}

    assert [r.headers["Idempotency-Key"] for r in sent] == [
        f"kindred-sub-{subscription.pk}-202603-1",
        f"kindred-sub-{subscription.pk}-202603-2",
    ]
    assert Donation.objects.get(provider_reference="pi_declined").status == Donation.Status.FAILED
    assert Donation.objects.get(provider_reference="pi_retry").status == Donation.Status.SUCCEEDED


# --- YooKassa: a payment with payment_method_id, the key in Idempotence-Key -----------------------


def _yk_payment(payment_id, status):
    return {
        "id": payment_id,
        "status": status,
        "paid": status == "succeeded",
        "test": True,
        "refundable": status == "succeeded",
        "amount": {"value": "750.00", "currency": "RUB"},
        "created_at": "2026-03-15T06:00:00.000Z",
        "recipient": {"account_id": "100500", "gateway_id": "1"},
        "metadata": {},
    }


def test_yookassa_charges_the_saved_method_with_the_months_idempotence_key(campaign, yookassa_settings, provider_http):
    subscription = _active(campaign, provider="yookassa", method="2b8d-saved-card")
    sent = []

    def create(request):
        sent.append(request)
        return 200, _yk_payment("yk-month-1", "succeeded")

    provider_http.on("POST", "https://api.yookassa.ru/v3/payments", create)

    assert subs.subscriptions_charge_due(now=DUE) == {"opened": 1, "succeeded": 1}

    assert [r.headers["Idempotence-Key"] for r in sent] == [f"kindred-sub-{subscription.pk}-202603-1"]
    body = json.loads(sent[0].body)
    assert body["payment_method_id"] == "2b8d-saved-card"
    assert body["amount"] == {"value": "750.00", "currency": "RUB"}
    assert body["capture"] is True
    assert "confirmation" not in body  # charged without the donor
    donation = Donation.objects.get(subscription=subscription)
    assert (donation.status, donation.provider_reference) == (Donation.Status.SUCCEEDED, "yk-month-1")
    assert subs.subscriptions_charge_due(now=DUE + timedelta(minutes=10)) == {"opened": 0}
    assert len(sent) == 1


def test_yookassa_canceled_charge_fails_the_month_and_keeps_the_key_per_attempt(
    campaign, yookassa_settings, provider_http
):
    subscription = _active(campaign, provider="yookassa", method="2b8d-saved-card")
    sent = []

    def create(request):
        sent.append(request)
        return 200, _yk_payment(f"yk-{len(sent)}", "canceled")

    provider_http.on("POST", "https://api.yookassa.ru/v3/payments", create)

    subs.subscriptions_charge_due(now=DUE)
    subs.subscriptions_charge_due(now=DUE + timedelta(days=1, minutes=1))

    assert [r.headers["Idempotence-Key"] for r in sent] == [
        f"kindred-sub-{subscription.pk}-202603-1",
        f"kindred-sub-{subscription.pk}-202603-2",
    ]
    charge = SubscriptionCharge.objects.get(subscription=subscription)
    assert (charge.status, charge.failure_count) == (C.DUE, 2)
