"""Refunds and late payments against a careless manager and a hostile or muddled provider: double and
parallel refunds, more than was given, callbacks out of order, a gift already refunded at the provider,
an answer lost on the way back. Each ends with every total equal to a fresh aggregate, counted once.

Only the providers' HTTP servers are faked (tests/fundraising/conftest.py).
"""

import json
import threading
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
import requests
import stripe
from django.db import connection
from django.test import Client
from django.urls import reverse

from fundraising import services
from fundraising.models import Donation, ProviderEvent, Refund, SandboxPayment
from fundraising.providers.base import RefundStatus
from fundraising.providers.sandbox import SIGNATURE_HEADER, SandboxProvider, callback_body, sandbox_refund_add, sign
from fundraising.services import totals_aggregate
from fundraising.services.refunds import refund_confirm
from fundraising.services.rollups import rollups_check
from tests.fundraising.helpers import make_donation, make_paid

S = Donation.Status


def _totals(obj):
    obj.refresh_from_db()
    return obj.raised_amount, obj.donor_count, obj.donation_count


def _fresh(**scope):
    row = totals_aggregate(Donation.objects.filter(**scope))
    return row["raised"], row["donors"], row["donations"]


def _sandbox_post(client, reference, event, refund=None):
    body = callback_body(reference=reference, event=event, refund=refund)
    return client.post(
        reverse("fundraising:callback", kwargs={"provider": "sandbox"}),
        body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: sign(body)},
    )


# --- a careless manager ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_double_submitted_refund_form_refunds_once(client, campaign, manager, commit, mailoutbox):
    donation = make_paid(campaign, amount="1000")
    client.force_login(manager)
    url = reverse("fundraising:refund", args=[campaign.slug, donation.pk])
    mailoutbox.clear()

    with commit():
        client.post(url, {"amount": "", "reason": "asked", "confirmed": "1"})
        again = client.post(url, {"amount": "", "reason": "asked", "confirmed": "1"}, follow=True)

    assert Refund.objects.filter(state=Refund.State.SUCCEEDED).count() == 1
    assert SandboxPayment.objects.get().refunds.count() == 1
    assert "Only a paid donation can be refunded" in again.content.decode()
    assert _totals(campaign) == (Decimal("0"), 0, 0) == _fresh(campaign=campaign)
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_gift_refunded_at_the_providers_dashboard_is_brought_in_when_the_manager_refunds_it_again(
    campaign, fundraiser, manager, commit, mailoutbox
):
    # The dashboard refund's callback was lost; the manager then refunds the same gift in Kindred.
    donation = make_paid(campaign, fundraiser=fundraiser, amount="1000")
    sandbox_refund_add(payment=SandboxPayment.objects.get(), amount=Decimal("1000"))
    mailoutbox.clear()

    with commit(), pytest.raises(services.RefundRefused, match=r"had already refunded RUB\xa01,000"):
        services.refund_request(donation=donation, by=manager)

    donation.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == (S.REFUNDED, Decimal("1000"))
    assert sorted(Refund.objects.values_list("origin", "state")) == [("manager", "failed"), ("provider", "succeeded")]
    assert _totals(fundraiser) == (Decimal("0"), 0, 0) == _fresh(fundraiser=fundraiser)
    assert rollups_check(repair=False) == {}
    assert len(mailoutbox) == 1  # the donor hears about the one refund there was


@pytest.mark.django_db
def test_a_partial_refund_at_the_dashboard_leaves_only_the_rest_refundable(campaign, manager):
    donation = make_paid(campaign, amount="1000")
    sandbox_refund_add(payment=SandboxPayment.objects.get(), amount=Decimal("600"))

    with pytest.raises(services.RefundRefused, match=r"had already refunded RUB\xa0600"):
        services.refund_request(donation=donation, by=manager, amount="500")
    with pytest.raises(services.AmountInvalid, match=r"At most RUB\xa0400"):
        services.refund_request(donation=donation, by=manager, amount="500")
    services.refund_request(donation=donation, by=manager)

    donation.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == (S.REFUNDED, Decimal("1000"))
    assert _totals(campaign) == (Decimal("0"), 0, 0) == _fresh(campaign=campaign)


@pytest.mark.django_db(transaction=True)
def test_two_managers_refunding_the_whole_gift_at_once_refund_it_once(campaign, manager):
    donation = make_paid(campaign, amount="1000")
    barrier, outcomes = threading.Barrier(4), []

    def refund():
        try:
            barrier.wait()
            outcomes.append(services.refund_request(donation=donation, by=manager).state)
        except services.FundraisingError as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=refund) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["RefundRefused"] * 3 + ["succeeded"]
    assert SandboxPayment.objects.get().refunds.count() == 1
    donation.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == (S.REFUNDED, Decimal("1000"))
    assert _totals(campaign) == (Decimal("0"), 0, 0) == _fresh(campaign=campaign)


@pytest.mark.django_db(transaction=True)
def test_a_manager_refund_and_the_providers_callback_for_it_racing_count_once(campaign, manager):
    donation = make_paid(campaign, amount="1000")
    payment = SandboxPayment.objects.get()
    barrier, errors = threading.Barrier(2), []
    original = SandboxProvider.refund_create

    def refund_then_callback(self, donation, refund):
        answer = original(self, donation, refund)
        barrier.wait()  # the callback for this very refund now races the manager's confirmation
        return answer

    def callback():
        try:
            barrier.wait()
            made = payment.refunds.get()
            response = _sandbox_post(Client(), donation.provider_reference, "refund.succeeded", made.reference)
            if response.status_code != 200:
                errors.append(response.status_code)
        finally:
            connection.close()

    thread = threading.Thread(target=callback)
    thread.start()
    try:
        SandboxProvider.refund_create = refund_then_callback
        services.refund_request(donation=donation, by=manager, amount="400")
    finally:
        SandboxProvider.refund_create = original
        thread.join()

    assert errors == []
    assert Refund.objects.count() == 1
    assert Refund.objects.get().state == Refund.State.SUCCEEDED
    assert _totals(campaign) == (Decimal("600"), 1, 1) == _fresh(campaign=campaign)


# --- callbacks out of order ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refund_callback_before_the_payments_own_callback_counts_the_gift_then_the_refund(
    client, campaign, fundraiser
):
    donation = make_donation(campaign, fundraiser=fundraiser, amount="1500")
    reference, _url = SandboxProvider().create_payment(donation)
    Donation.objects.filter(pk=donation.pk).update(provider_reference=reference)
    SandboxPayment.objects.update(status=SandboxPayment.Status.SUCCEEDED)
    made = sandbox_refund_add(payment=SandboxPayment.objects.get(), amount=Decimal("500"))

    refund_first = _sandbox_post(client, reference, "refund.succeeded", made.reference)
    paid_late = _sandbox_post(client, reference, "payment.succeeded")
    paid_again = _sandbox_post(client, reference, "payment.succeeded")

    assert refund_first.json() == {"outcome": "refunded"}
    assert (paid_late.json(), paid_again.json()) == ({"outcome": "unchanged"}, {"outcome": "duplicate"})
    donation.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == (S.SUCCEEDED, Decimal("500"))
    assert _totals(fundraiser) == (Decimal("1000"), 1, 1) == _fresh(fundraiser=fundraiser)
    assert rollups_check(repair=False) == {}


@pytest.mark.django_db
def test_a_late_cancel_or_failure_never_undoes_a_refunded_gift(client, campaign, manager):
    donation = make_paid(campaign, amount="1000")
    services.refund_request(donation=donation, by=manager)
    SandboxPayment.objects.update(status=SandboxPayment.Status.FAILED)  # a muddled provider

    response = _sandbox_post(client, donation.provider_reference, "payment.failed")

    assert response.status_code == 200
    donation.refresh_from_db()
    assert donation.status == S.REFUNDED
    assert _totals(campaign) == (Decimal("0"), 0, 0) == _fresh(campaign=campaign)


# --- Stripe, through its SDK -----------------------------------------------------------------------

WHSEC = "whsec_test_secret"


@pytest.fixture
def stripe_paid(campaign, settings, monkeypatch):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_kindred"
    settings.STRIPE_WEBHOOK_SECRET = WHSEC
    monkeypatch.setattr(stripe, "max_network_retries", 0)
    donation = make_donation(campaign, amount="1500", provider="stripe", reference="cs_test_1")
    services.donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)
    return donation


def _session():
    return {
        "id": "cs_test_1",
        "object": "checkout.session",
        "status": "complete",
        "payment_status": "paid",
        "amount_total": 150000,
        "currency": "rub",
        "payment_intent": "pi_1",
    }


def _refund(refund_id, amount, status="succeeded", key=""):
    metadata = {"kindred_refund": key} if key else {}
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "currency": "rub",
        "status": status,
        "payment_intent": "pi_1",
        "metadata": metadata,
    }


def _stripe_lists(provider_http, refunds):
    provider_http.on("GET", "https://api.stripe.com/v1/checkout/sessions/cs_test_1", lambda r: (200, _session()))
    provider_http.on(
        "GET",
        "https://api.stripe.com/v1/refunds?",
        lambda r: (200, {"object": "list", "data": refunds, "has_more": False}),
    )
    provider_http.on(
        "GET", "https://api.stripe.com/v1/disputes?", lambda r: (200, {"object": "list", "data": [], "has_more": False})
    )


@pytest.mark.django_db
def test_stripe_refusing_a_refund_of_a_gift_refunded_in_its_dashboard_brings_that_refund_in(
    stripe_paid, manager, provider_http, campaign
):
    _stripe_lists(provider_http, [_refund("re_dash", 150000)])
    already = {
        "error": {
            "type": "invalid_request_error",
            "code": "charge_already_refunded",
            "message": "Charge ch_1 has already been refunded.",
        }
    }
    provider_http.on("POST", "https://api.stripe.com/v1/refunds", lambda r: (400, already))

    with pytest.raises(services.RefundRefused, match=r"had already refunded RUB\xa01,500"):
        services.refund_request(donation=stripe_paid, by=manager)

    stripe_paid.refresh_from_db()
    assert stripe_paid.status == S.REFUNDED
    assert sorted(Refund.objects.values_list("provider_reference", "state")) == [
        ("", "failed"),
        ("re_dash", "succeeded"),
    ]
    assert _totals(campaign) == (Decimal("0"), 0, 0) == _fresh(campaign=campaign)


@pytest.mark.django_db
def test_a_stripe_refund_whose_answer_is_lost_counts_once_and_is_not_asked_twice(
    stripe_paid, manager, provider_http, campaign
):
    made = []

    def create(request):
        key = parse_qs(request.body)["metadata[kindred_refund]"][0]
        made.append(_refund("re_lost", 50000, key=key))
        raise requests.ConnectionError("the answer never came back")

    provider_http.on("POST", "https://api.stripe.com/v1/refunds", create)
    _stripe_lists(provider_http, made)

    refund = services.refund_request(donation=stripe_paid, by=manager, amount="500")

    assert (refund.state, refund.provider_reference) == (Refund.State.SUCCEEDED, "re_lost")
    assert len(made) == 1
    assert Refund.objects.count() == 1
    assert _totals(campaign) == (Decimal("1000"), 1, 1) == _fresh(campaign=campaign)


@pytest.mark.django_db
def test_a_stripe_dashboard_refund_of_the_same_sum_as_a_manager_refund_in_flight_is_its_own_refund(
    stripe_paid, manager, provider_http, client, campaign
):
    # The manager's refund is asked (no answer recorded yet) when a dashboard refund of the same sum arrives.
    asked = Refund.objects.create(
        donation=stripe_paid, amount=Decimal("500"), currency="RUB", provider="stripe", actor=manager
    )
    dashboard = _refund("re_dash", 50000)
    _stripe_lists(provider_http, [dashboard])
    payload = json.dumps(
        {
            "id": "evt_1",
            "object": "event",
            "type": "charge.refunded",
            "data": {"object": {"id": "ch_1", "object": "charge", "payment_intent": "pi_1"}},
        }
    )
    header = stripe.WebhookSignature.generate_signature_header(payload, WHSEC)
    provider_http.on(
        "GET",
        "https://api.stripe.com/v1/checkout/sessions?",
        lambda r: (200, {"object": "list", "data": [_session()], "has_more": False}),
    )

    response = client.post(
        reverse("fundraising:callback", kwargs={"provider": "stripe"}),
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )
    assert response.json() == {"outcome": "refunded"}
    asked.refresh_from_db()
    assert (asked.state, asked.provider_reference) == (Refund.State.PENDING, "")
    assert Refund.objects.get(provider_reference="re_dash").origin == Refund.Origin.PROVIDER
    assert _totals(campaign) == (Decimal("1000"), 1, 1) == _fresh(campaign=campaign)

    # Then Stripe's answer to the manager's refund arrives: a second refund, counted too.
    answer = RefundStatus("re_mgr", Decimal("500"), "RUB", "succeeded", kindred_refund=asked.idempotency_key)
    refund_confirm(refund_id=asked.pk, answer=answer, source="manager")

    asked.refresh_from_db()
    assert (asked.state, asked.provider_reference) == (Refund.State.SUCCEEDED, "re_mgr")
    assert _totals(campaign) == (Decimal("500"), 1, 1) == _fresh(campaign=campaign)
    assert ProviderEvent.objects.count() == 1


# --- YooKassa, through its SDK ----------------------------------------------------------------------

YK_PAYMENT = "2f1a0b3c-000f-5000-9000-1a2b3c4d5e6f"


@pytest.fixture
def yookassa_paid(campaign, settings):
    settings.PAYMENT_PROVIDER = "yookassa"
    settings.YOOKASSA_SHOP_ID = "100500"
    settings.YOOKASSA_SECRET_KEY = "test_secret"
    donation = make_donation(campaign, amount="1500", provider="yookassa", reference=YK_PAYMENT)
    services.donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)
    return donation


def _yk_refund(status, value="400.00", metadata=None):
    return {
        "id": "rf-1",
        "payment_id": YK_PAYMENT,
        "status": status,
        "amount": {"value": value, "currency": "RUB"},
        "created_at": "2026-11-25T10:00:00.000Z",
        "metadata": metadata or {},
    }


def _yk_payment():
    return {
        "id": YK_PAYMENT,
        "status": "succeeded",
        "paid": True,
        "test": True,
        "refundable": True,
        "amount": {"value": "1500.00", "currency": "RUB"},
        "created_at": "2026-11-24T10:00:00.000Z",
        "recipient": {"account_id": "100500", "gateway_id": "1"},
        "metadata": {},
    }


@pytest.mark.django_db
def test_a_yookassa_refund_it_cancels_while_pending_never_counts_and_the_managers_are_told(
    yookassa_paid, manager, provider_http, campaign, commit, mailoutbox
):
    from fundraising.services import checks

    manager.language = "ru"  # the manager hears in their own language
    manager.save(update_fields=["language"])
    provider_http.on("POST", "https://api.yookassa.ru/v3/refunds", lambda r: (200, _yk_refund("pending")))
    refund = services.refund_request(donation=yookassa_paid, by=manager, amount="400")
    assert refund.state == Refund.State.PENDING
    cancelled = _yk_refund("canceled")
    provider_http.on("GET", "https://api.yookassa.ru/v3/refunds/rf-1", lambda r: (200, cancelled))
    provider_http.on("GET", f"https://api.yookassa.ru/v3/payments/{YK_PAYMENT}", lambda r: (200, _yk_payment()))
    provider_http.on(
        "GET", "https://api.yookassa.ru/v3/refunds?", lambda r: (200, {"type": "list", "items": [cancelled]})
    )
    mailoutbox.clear()

    with commit():
        checks.payments_reconcile()
    checks.payments_reconcile()

    refund.refresh_from_db()
    assert (refund.state, refund.reversed_at) == (Refund.State.FAILED, None)
    assert _totals(campaign) == (Decimal("1500"), 1, 1) == _fresh(campaign=campaign)
    assert [m.to for m in mailoutbox] == [[manager.email]]
    assert mailoutbox[0].subject == f"Возврат 400\u00a0₽ не прошёл (пожертвование {yookassa_paid.pk})"
    assert "не состоялся: yookassa его отменил" in mailoutbox[0].body
    assert "Итоги кампании не изменились." in mailoutbox[0].body
    # The manager may now refund again: the cancelled refund no longer holds the amount.
    provider_http.on(
        "POST",
        "https://api.yookassa.ru/v3/refunds",
        lambda r: (200, {**_yk_refund("succeeded", "1500.00"), "id": "rf-2"}),
    )
    assert services.refund_request(donation=yookassa_paid, by=manager).state == Refund.State.SUCCEEDED
    assert _totals(campaign) == (Decimal("0"), 0, 0)


@pytest.mark.django_db
def test_a_yookassa_refund_succeeded_notification_for_a_manager_refund_in_flight_counts_it_once(
    yookassa_paid, manager, provider_http, client, campaign
):
    asked = Refund.objects.create(
        donation=yookassa_paid, amount=Decimal("400"), currency="RUB", provider="yookassa", actor=manager
    )
    made = _yk_refund("succeeded", metadata={"kindred_refund": asked.idempotency_key})
    provider_http.on("GET", f"https://api.yookassa.ru/v3/payments/{YK_PAYMENT}", lambda r: (200, _yk_payment()))
    provider_http.on("GET", "https://api.yookassa.ru/v3/refunds?", lambda r: (200, {"type": "list", "items": [made]}))
    body = json.dumps({"type": "notification", "event": "refund.succeeded", "object": made})
    url = reverse("fundraising:callback", kwargs={"provider": "yookassa"})

    first = client.post(url, body, content_type="application/json", REMOTE_ADDR="185.71.76.1")
    refund_confirm(
        refund_id=asked.pk,
        answer=RefundStatus("rf-1", Decimal("400"), "RUB", "succeeded", kindred_refund=asked.idempotency_key),
        source="manager",
    )

    assert first.json() == {"outcome": "refunded"}
    asked.refresh_from_db()
    assert (asked.state, asked.provider_reference, Refund.objects.count()) == (Refund.State.SUCCEEDED, "rf-1", 1)
    assert _totals(campaign) == (Decimal("1100"), 1, 1) == _fresh(campaign=campaign)


# --- the sandbox, with no keys ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_sandbox_refund_made_to_fail_on_its_page_counts_again_once(
    client, campaign, fundraiser, manager, provider_http, commit, mailoutbox
):
    donation = make_paid(campaign, fundraiser=fundraiser, amount="1500")
    services.refund_request(donation=donation, by=manager, amount="1500")
    page = reverse("fundraising:sandbox_checkout", args=[donation.provider_reference])
    made = SandboxPayment.objects.get().refunds.get()
    assert "Make it fail" in client.get(page).content.decode()
    mailoutbox.clear()

    with commit():
        client.post(page, {"outcome": "refund_fail", "refund": made.reference})
    with commit():
        client.post(page, {"outcome": "refund_fail", "refund": made.reference})  # a second click
    unknown = client.post(page, {"outcome": "refund_fail", "refund": "sbr_nobody"}, follow=True)

    assert "No such test refund." in unknown.content.decode()
    donation.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == (S.SUCCEEDED, Decimal("0"))
    assert Refund.objects.get().reversed_at is not None
    assert _totals(fundraiser) == (Decimal("1500"), 1, 1) == _fresh(fundraiser=fundraiser)
    assert rollups_check(repair=False) == {}
    assert [m.to for m in mailoutbox] == [[manager.email]]
    assert sorted(ProviderEvent.objects.values_list("outcome", flat=True)) == ["refund reversed"]
    # The money is refundable again, through the sandbox.
    assert services.refund_request(donation=donation, by=manager).state == Refund.State.SUCCEEDED


@pytest.mark.django_db
def test_refunds_cut_off_before_the_providers_answer_are_settled_by_reconciliation(campaign, manager):
    from datetime import timedelta

    from django.utils import timezone

    from fundraising.services import checks

    made_there = make_paid(campaign, amount="1000", email="a@example.org")
    never_asked = make_paid(campaign, amount="1000", email="b@example.org")
    hour_ago = timezone.now() - timedelta(hours=1)
    # The process stopped after recording each refund; only the first reached the sandbox.
    lost = Refund.objects.create(
        donation=made_there, amount=Decimal("300"), currency="RUB", provider="sandbox", created_at=hour_ago
    )
    payment = SandboxPayment.objects.get(reference=made_there.provider_reference)
    sandbox_refund_add(payment=payment, amount=Decimal("300"), kindred_refund=lost.idempotency_key)
    stuck = Refund.objects.create(
        donation=never_asked, amount=Decimal("1000"), currency="RUB", provider="sandbox", created_at=hour_ago
    )
    with pytest.raises(services.RefundRefused, match="Nothing is left"):
        services.refund_request(donation=never_asked, by=manager)  # the stuck refund holds the whole gift

    checks.payments_reconcile(sample=0)
    checks.payments_reconcile(sample=0)

    lost.refresh_from_db()
    stuck.refresh_from_db()
    assert (lost.state, stuck.state) == (Refund.State.SUCCEEDED, Refund.State.FAILED)
    assert _totals(campaign) == (Decimal("1700"), 2, 2) == _fresh(campaign=campaign)
    assert services.refund_request(donation=never_asked, by=manager).state == Refund.State.SUCCEEDED
