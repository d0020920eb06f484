"""Refunds: several partial refunds through each provider, refunds made at the provider's dashboard and
chargebacks by callback, each counted once, the donor told; and bad input changing nothing.

Only the providers' HTTP servers are faked (tests/fundraising/conftest.py): the stripe and yookassa
SDKs run their own code down to the transport.
"""

import json
from decimal import Decimal

import pytest
import stripe
from django.urls import reverse

from fundraising import services
from fundraising.models import CampaignDay, Donation, DonationChange, DonationDay, ProviderEvent, Refund, SandboxPayment
from fundraising.providers.sandbox import SIGNATURE_HEADER, callback_body, sign
from fundraising.services import totals_aggregate
from fundraising.services.rollups import rollups_check
from members.models import OutboundMessage
from tests.fundraising.helpers import make_donation, make_paid

pytestmark = pytest.mark.django_db
S = Donation.Status


def _totals(obj):
    obj.refresh_from_db()
    return obj.raised_amount, obj.donor_count, obj.donation_count


def _fresh(**scope):
    row = totals_aggregate(Donation.objects.filter(**scope))
    return row["raised"], row["donors"], row["donations"]


def _rollup_total(campaign):
    return sum(DonationDay.objects.filter(campaign=campaign).values_list("amount", flat=True)), sum(
        CampaignDay.objects.filter(campaign=campaign).values_list("amount", flat=True)
    )


# --- manager refunds through the sandbox ------------------------------------------------------------


def test_two_partial_refunds_then_the_rest_each_count_once_and_tell_the_donor(
    campaign, fundraiser, manager, commit, mailoutbox
):
    donation = make_paid(campaign, fundraiser=fundraiser, amount="1000")
    mailoutbox.clear()

    with commit():
        first = services.refund_request(donation=donation, by=manager, amount="300", reason="asked")
        second = services.refund_request(donation=donation, by=manager, amount="200,50", language="ru")
        rest = services.refund_request(donation=donation, by=manager, reason="all of it")

    assert [r.state for r in (first, second, rest)] == [Refund.State.SUCCEEDED] * 3
    assert [r.amount for r in (first, second, rest)] == [Decimal("300"), Decimal("200.50"), Decimal("499.50")]
    donation.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == (S.REFUNDED, Decimal("1000"))
    assert _totals(fundraiser) == (Decimal("0"), 0, 0) == _fresh(fundraiser=fundraiser)
    assert _totals(campaign) == (Decimal("0"), 0, 0)
    assert _rollup_total(campaign) == (0, 0)
    assert len(mailoutbox) == 3
    assert mailoutbox[0].to == ["d@example.org"]
    assert "RUB\u00a0300" in mailoutbox[0].subject
    # The sandbox holds the same three refunds, each under the Kindred refund that asked for it.
    payment = SandboxPayment.objects.get(reference=donation.provider_reference)
    assert payment.refunds.count() == 3


def test_a_partial_refund_keeps_the_donor_and_the_rest(campaign, fundraiser, manager):
    donation = make_paid(campaign, fundraiser=fundraiser, amount="700")

    services.refund_request(donation=donation, by=manager, amount="200")

    donation.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == (S.SUCCEEDED, Decimal("200"))
    assert _totals(fundraiser) == (Decimal("500"), 1, 1) == _fresh(fundraiser=fundraiser)
    assert _rollup_total(campaign) == (Decimal("500"), Decimal("500"))
    assert DonationChange.objects.filter(donation=donation, refund__isnull=False, actor=manager).count() == 1


def test_the_donor_hears_in_their_own_language(campaign, manager, commit, mailoutbox):
    donation = make_paid(campaign, amount="1000", language="ru")
    mailoutbox.clear()

    with commit():
        services.refund_request(donation=donation, by=manager, amount="250")

    assert mailoutbox[0].subject == "Возврат 250\u00a0₽"
    assert "вернул" in mailoutbox[0].body
    assert OutboundMessage.objects.filter(key__startswith="donation-refund:").count() == 1


@pytest.mark.parametrize(
    ("amount", "currency", "error"),
    [
        ("1000.01", None, "At most RUB\u00a01,000 can still be refunded."),
        ("0", None, "greater than zero"),
        ("abc", None, "as a number"),
        ("100", "EUR", "This page takes RUB only."),
        ("$100", None, "This page takes RUB only."),
    ],
)
def test_bad_refund_amounts_change_nothing(campaign, manager, amount, currency, error):
    donation = make_paid(campaign, amount="1000")

    with pytest.raises(services.AmountInvalid, match=error.replace("$", r"\$")):
        services.refund_request(donation=donation, by=manager, amount=amount, currency=currency, language="en")

    assert not Refund.objects.exists()
    assert _totals(campaign) == (Decimal("1000"), 1, 1)


@pytest.mark.parametrize("status", [S.PENDING, S.FAILED, S.CANCELLED])
def test_only_a_paid_gift_can_be_refunded(campaign, manager, status):
    donation = make_donation(campaign, status=status)

    with pytest.raises(services.RefundRefused, match=f"this one is {status}"):
        services.refund_request(donation=donation, by=manager)

    assert not Refund.objects.exists()


def test_nothing_is_left_after_a_full_refund(campaign, manager):
    donation = make_paid(campaign, amount="1000")
    services.refund_request(donation=donation, by=manager)

    with pytest.raises(services.RefundRefused):
        services.refund_request(donation=donation, by=manager, amount="1")

    assert Refund.objects.count() == 1


def test_a_refund_the_provider_refuses_is_failed_and_changes_nothing(campaign, manager):
    donation = make_paid(campaign, amount="1000")
    SandboxPayment.objects.update(status=SandboxPayment.Status.FAILED)  # the sandbox refuses to refund

    with pytest.raises(services.RefundRefused, match="Nothing was refunded"):
        services.refund_request(donation=donation, by=manager, amount="100")

    assert Refund.objects.get().state == Refund.State.FAILED
    assert _totals(campaign) == (Decimal("1000"), 1, 1)


def test_an_offline_gift_is_refunded_at_once_without_a_provider(campaign, manager):
    gift = services.donation_record_offline(campaign=campaign, actor=manager, amount="5000", donor_name="Cash")

    refund = services.refund_request(donation=gift, by=manager, amount="2000", reason="returned in cash")

    assert refund.state == Refund.State.SUCCEEDED
    assert _totals(campaign) == (Decimal("3000"), 1, 1)


def test_the_refund_page_refunds_through_the_provider_and_shows_the_history(client, campaign, manager, commit):
    donation = make_paid(campaign, amount="1000")
    client.force_login(manager)
    url = reverse("fundraising:refund", args=[campaign.slug, donation.pk])

    asked = client.post(url, {"amount": "400", "reason": "asked"}).content.decode()
    assert "Refund RUB\u00a0400 to" in asked
    assert "through the payment service" in asked
    assert not Refund.objects.exists()
    with commit():
        response = client.post(url, {"amount": "400", "reason": "asked", "confirmed": "1"}, follow=True)
    bad = client.post(url, {"amount": "700", "reason": "too much", "confirmed": "1"})

    page = response.content.decode()
    assert "The refund is made" in page
    assert 'data-testid="refunds"' in page
    assert "RUB\u00a0400" in page
    assert "At most RUB\u00a0600 can still be refunded." in bad.content.decode()
    assert Refund.objects.count() == 1


def test_the_refund_page_is_only_for_managers(client, campaign, owner):
    donation = make_paid(campaign, amount="1000")
    client.force_login(owner)

    response = client.post(reverse("fundraising:refund", args=[campaign.slug, donation.pk]), {"reason": "x"})

    assert response.status_code == 404
    assert not Refund.objects.exists()


# --- refunds made at the sandbox's own page, by callback --------------------------------------------


def test_a_refund_from_the_sandbox_page_reaches_every_total_once(client, campaign, fundraiser, provider_http, commit):
    donation = make_paid(campaign, fundraiser=fundraiser, amount="1500")
    page = reverse("fundraising:sandbox_checkout", args=[donation.provider_reference])
    assert "Refund at the provider" in client.get(page).content.decode()

    with commit():
        client.post(page, {"outcome": "refund", "amount": "500"})
    with commit():
        too_much = client.post(page, {"outcome": "refund", "amount": "1000.01"})

    assert "refuses this refund" in too_much.content.decode()
    refund = Refund.objects.get()
    assert (refund.origin, refund.state, refund.amount) == (
        Refund.Origin.PROVIDER,
        Refund.State.SUCCEEDED,
        Decimal("500"),
    )
    assert _totals(fundraiser) == (Decimal("1000"), 1, 1) == _fresh(fundraiser=fundraiser)
    assert rollups_check(repair=False) == {}
    assert ProviderEvent.objects.get().outcome == "refunded"


def _sandbox_refund_post(client, reference, refund):
    body = callback_body(reference=reference, event="refund.succeeded", refund=refund)
    return client.post(
        reverse("fundraising:callback", kwargs={"provider": "sandbox"}),
        body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: sign(body)},
    )


def test_a_callback_for_a_refund_the_provider_does_not_list_is_refused(client, campaign):
    donation = make_paid(campaign, amount="1500")

    response = _sandbox_refund_post(client, donation.provider_reference, "sbr_nobody")

    assert response.status_code == 400
    assert not Refund.objects.exists()
    assert not ProviderEvent.objects.exists()
    assert _totals(campaign) == (Decimal("1500"), 1, 1)


def test_a_repeated_refund_callback_counts_once(client, campaign):
    from fundraising.providers.sandbox import sandbox_refund_add

    donation = make_paid(campaign, amount="1500")
    made = sandbox_refund_add(payment=SandboxPayment.objects.get(), amount=Decimal("100"))

    first = _sandbox_refund_post(client, donation.provider_reference, made.reference)
    again = _sandbox_refund_post(client, donation.provider_reference, made.reference)

    assert (first.json(), again.json()) == ({"outcome": "refunded"}, {"outcome": "duplicate"})
    assert _totals(campaign) == (Decimal("1400"), 1, 1)


# --- Stripe -----------------------------------------------------------------------------------------

WHSEC = "whsec_test_secret"


@pytest.fixture
def stripe_settings(settings):
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_kindred"
    settings.STRIPE_WEBHOOK_SECRET = WHSEC
    return settings


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


def _stripe_refund(refund_id="re_1", amount=50000, status="succeeded", currency="rub", metadata=None):
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount,
        "currency": currency,
        "status": status,
        "payment_intent": "pi_1",
        "metadata": metadata or {},
    }


def _stripe_dispute(status="lost", amount=150000):
    return {
        "id": "dp_1",
        "object": "dispute",
        "amount": amount,
        "currency": "rub",
        "status": status,
        "reason": "fraudulent",
        "payment_intent": "pi_1",
    }


def _stripe_post(client, kind, obj, event_id="evt_r1"):
    payload = json.dumps(
        {"id": event_id, "object": "event", "type": kind, "api_version": "2025-01-27.acacia", "data": {"object": obj}}
    )
    header = stripe.WebhookSignature.generate_signature_header(payload, WHSEC)
    return client.post(
        reverse("fundraising:callback", kwargs={"provider": "stripe"}),
        payload,
        content_type="application/json",
        headers={"Stripe-Signature": header},
    )


@pytest.fixture
def stripe_paid(campaign, fundraiser, stripe_settings):
    donation = make_donation(campaign, fundraiser=fundraiser, amount="1500", provider="stripe", reference="cs_test_1")
    services.donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)
    return donation


def _stripe_api(provider_http, refunds=(), disputes=()):
    provider_http.on("GET", "https://api.stripe.com/v1/checkout/sessions/cs_test_1", lambda r: (200, _session()))
    provider_http.on(
        "GET",
        "https://api.stripe.com/v1/checkout/sessions?",
        lambda r: (200, {"object": "list", "data": [_session()], "has_more": False}),
    )
    provider_http.on(
        "GET",
        "https://api.stripe.com/v1/refunds?",
        lambda r: (200, {"object": "list", "data": list(refunds), "has_more": False}),
    )
    provider_http.on(
        "GET",
        "https://api.stripe.com/v1/disputes?",
        lambda r: (200, {"object": "list", "data": list(disputes), "has_more": False}),
    )


def test_a_manager_refund_goes_through_stripe_refund_create(stripe_paid, manager, provider_http, fundraiser):
    _stripe_api(provider_http)

    def create(request):
        create.request = request
        return 200, _stripe_refund(amount=50000, metadata={"kindred_refund": "x"})

    provider_http.on("POST", "https://api.stripe.com/v1/refunds", create)

    refund = services.refund_request(donation=stripe_paid, by=manager, amount="500")

    assert (refund.state, refund.provider_reference) == (Refund.State.SUCCEEDED, "re_1")
    assert create.request.headers["Idempotency-Key"] == f"kindred-refund-{refund.idempotency_key}"
    assert "payment_intent=pi_1" in create.request.body
    assert "amount=50000" in create.request.body
    assert _totals(fundraiser) == (Decimal("1000"), 1, 1)


def test_a_pending_stripe_refund_counts_when_stripe_confirms_it(stripe_paid, manager, provider_http, client, campaign):
    pending = _stripe_refund(amount=50000, status="pending")
    _stripe_api(provider_http, refunds=[{**pending, "status": "succeeded"}])
    provider_http.on("POST", "https://api.stripe.com/v1/refunds", lambda r: (200, pending))

    refund = services.refund_request(donation=stripe_paid, by=manager, amount="500")
    assert refund.state == Refund.State.PENDING
    assert _totals(campaign) == (Decimal("1500"), 1, 1)

    assert _stripe_post(client, "refund.updated", {**pending, "status": "succeeded"}).json() == {"outcome": "refunded"}
    refund.refresh_from_db()
    assert refund.state == Refund.State.SUCCEEDED
    assert Refund.objects.count() == 1
    assert _totals(campaign) == (Decimal("1000"), 1, 1)


def test_a_refund_made_in_the_stripe_dashboard_arrives_by_charge_refunded(stripe_paid, provider_http, client, campaign):
    _stripe_api(provider_http, refunds=[_stripe_refund("re_a", 30000), _stripe_refund("re_b", 20000)])
    charge = {"id": "ch_1", "object": "charge", "payment_intent": "pi_1", "amount_refunded": 50000}

    first = _stripe_post(client, "charge.refunded", charge, event_id="evt_1")
    again = _stripe_post(client, "charge.refunded", charge, event_id="evt_2")  # another delivery: same refunds

    assert (first.json(), again.json()) == ({"outcome": "refunded"}, {"outcome": "unchanged"})
    assert sorted(Refund.objects.values_list("provider_reference", "origin")) == [
        ("re_a", "provider"),
        ("re_b", "provider"),
    ]
    assert _totals(campaign) == (Decimal("1000"), 1, 1) == _fresh(campaign=campaign)


def test_a_lost_chargeback_takes_the_money_out_and_a_won_one_does_not(stripe_paid, provider_http, client, campaign):
    _stripe_api(provider_http, disputes=[_stripe_dispute(status="needs_response")])
    assert _stripe_post(
        client, "charge.dispute.created", _stripe_dispute(status="needs_response"), "evt_d1"
    ).json() == {"outcome": "unchanged"}
    assert Refund.objects.get().state == Refund.State.PENDING
    assert _totals(campaign) == (Decimal("1500"), 1, 1)

    _stripe_api(provider_http, disputes=[_stripe_dispute(status="lost")])
    assert _stripe_post(client, "charge.dispute.closed", _stripe_dispute(status="lost"), "evt_d2").json() == {
        "outcome": "refunded"
    }

    refund = Refund.objects.get()
    assert (refund.origin, refund.state) == (Refund.Origin.CHARGEBACK, Refund.State.SUCCEEDED)
    assert _totals(campaign) == (Decimal("0"), 0, 0)


def test_a_stripe_refund_in_another_currency_is_refused_and_changes_nothing(
    stripe_paid, provider_http, client, campaign
):
    _stripe_api(provider_http, refunds=[_stripe_refund(currency="eur")])

    response = _stripe_post(client, "charge.refunded", {"id": "ch_1", "object": "charge", "payment_intent": "pi_1"})

    assert response.status_code == 400
    assert not Refund.objects.exists()
    assert not ProviderEvent.objects.exists()
    assert _totals(campaign) == (Decimal("1500"), 1, 1)


def test_a_refund_callback_for_a_payment_kindred_never_made_is_404(stripe_settings, provider_http, client):
    provider_http.on(
        "GET",
        "https://api.stripe.com/v1/checkout/sessions?",
        lambda r: (200, {"object": "list", "data": [], "has_more": False}),
    )

    response = _stripe_post(client, "charge.refunded", {"id": "ch_9", "object": "charge", "payment_intent": "pi_9"})

    assert response.status_code == 404


# A refund Stripe reports succeeded can still fail (the donor's card was closed): Stripe then sends
# charge.refund.updated (refund.failed in newer API versions) and lists the refund as failed.


def _stripe_refund_made(stripe_paid, manager, provider_http, amount):
    _stripe_api(provider_http)
    made = _stripe_refund(amount=amount * 100, metadata={})
    provider_http.on("POST", "https://api.stripe.com/v1/refunds", lambda r: (200, made))
    return services.refund_request(donation=stripe_paid, by=manager, amount=str(amount))


@pytest.mark.parametrize("event", ["charge.refund.updated", "refund.failed"])
def test_a_stripe_refund_that_fails_after_it_succeeded_counts_again_and_managers_are_told(
    stripe_paid, manager, provider_http, client, campaign, fundraiser, commit, mailoutbox, event
):
    refund = _stripe_refund_made(stripe_paid, manager, provider_http, 1500)
    stripe_paid.refresh_from_db()
    assert (stripe_paid.status, _totals(fundraiser)) == (S.REFUNDED, (Decimal("0"), 0, 0))
    mailoutbox.clear()
    failed = _stripe_refund(amount=150000, status="failed")
    _stripe_api(provider_http, refunds=[failed])

    with commit():
        first = _stripe_post(client, event, failed, event_id="evt_f1")
    again = _stripe_post(client, event, failed, event_id="evt_f2")  # another delivery of the same news

    assert (first.json(), again.json()) == ({"outcome": "refund reversed"}, {"outcome": "unchanged"})
    refund.refresh_from_db()
    stripe_paid.refresh_from_db()
    assert (refund.state, refund.reversed_at is not None) == (Refund.State.FAILED, True)
    assert (stripe_paid.status, stripe_paid.refunded_amount) == (S.SUCCEEDED, Decimal("0"))
    assert _totals(fundraiser) == (Decimal("1500"), 1, 1) == _fresh(fundraiser=fundraiser)
    assert _totals(campaign) == (Decimal("1500"), 1, 1) == _fresh(campaign=campaign)
    assert _rollup_total(campaign) == (Decimal("1500"), Decimal("1500"))
    assert rollups_check(repair=False) == {}
    change = DonationChange.objects.filter(donation=stripe_paid).last()
    assert (change.refund_reversed, change.from_status, change.to_status) == (True, S.REFUNDED, S.SUCCEEDED)
    assert [m.to for m in mailoutbox] == [[manager.email]]
    assert "failed" in mailoutbox[0].subject
    page = client_page(client, manager, campaign, stripe_paid)
    assert 'data-testid="refund-reversed"' in page
    assert "failed at the payment service; counted again" in page


def client_page(client, manager, campaign, donation):
    client.force_login(manager)
    return client.get(reverse("fundraising:refund", args=[campaign.slug, donation.pk])).content.decode()


def test_a_late_succeeded_callback_after_the_failure_changes_nothing(
    stripe_paid, manager, provider_http, client, campaign
):
    # Callbacks out of order: the failure first, then the older "succeeded" news. Kindred asks Stripe,
    # which lists the refund as failed, so the older news changes nothing.
    _stripe_refund_made(stripe_paid, manager, provider_http, 500)
    failed = _stripe_refund(amount=50000, status="failed")
    _stripe_api(provider_http, refunds=[failed])

    assert _stripe_post(client, "refund.failed", failed, event_id="evt_f").json() == {"outcome": "refund reversed"}
    stale = _stripe_post(client, "refund.updated", {**failed, "status": "succeeded"}, event_id="evt_s")

    assert stale.json() == {"outcome": "unchanged"}
    assert _totals(campaign) == (Decimal("1500"), 1, 1)
    assert Refund.objects.get().state == Refund.State.FAILED


def test_a_partial_refund_that_fails_later_is_found_by_reconciliation_when_the_callback_is_lost(
    stripe_paid, manager, provider_http, campaign
):
    from fundraising.services import checks
    from members.models import JobNote

    _stripe_refund_made(stripe_paid, manager, provider_http, 500)
    _stripe_api(provider_http, refunds=[_stripe_refund(amount=50000, status="failed")])

    checks.payments_reconcile(sample=10)
    checks.payments_reconcile(sample=10)  # a second run finds nothing more

    stripe_paid.refresh_from_db()
    assert (stripe_paid.status, stripe_paid.refunded_amount) == (S.SUCCEEDED, Decimal("0"))
    assert _totals(campaign) == (Decimal("1500"), 1, 1) == _fresh(campaign=campaign)
    assert JobNote.objects.count() == 1


# --- YooKassa ---------------------------------------------------------------------------------------

YOOKASSA_IP = "185.71.76.1"


@pytest.fixture
def yookassa_paid(campaign, settings):
    settings.PAYMENT_PROVIDER = "yookassa"
    settings.YOOKASSA_SHOP_ID = "100500"
    settings.YOOKASSA_SECRET_KEY = "test_secret"
    donation = make_donation(
        campaign, amount="1500", provider="yookassa", reference="2f1a0b3c-000f-5000-9000-1a2b3c4d5e6f"
    )
    services.donation_transition(donation_id=donation.pk, to=S.SUCCEEDED)
    return donation


def _yk_payment():
    return {
        "id": "2f1a0b3c-000f-5000-9000-1a2b3c4d5e6f",
        "status": "succeeded",
        "paid": True,
        "test": True,
        "refundable": True,
        "amount": {"value": "1500.00", "currency": "RUB"},
        "created_at": "2026-11-24T10:00:00.000Z",
        "recipient": {"account_id": "100500", "gateway_id": "1"},
        "metadata": {},
    }


def _yk_refund(refund_id="rf-1", value="400.00", status="succeeded", metadata=None):
    return {
        "id": refund_id,
        "payment_id": "2f1a0b3c-000f-5000-9000-1a2b3c4d5e6f",
        "status": status,
        "amount": {"value": value, "currency": "RUB"},
        "created_at": "2026-11-25T10:00:00.000Z",
        "metadata": metadata or {},
    }


def test_a_manager_refund_goes_through_yookassa_with_an_idempotence_key(
    yookassa_paid, manager, provider_http, campaign
):
    def create(request):
        create.request = request
        return 200, _yk_refund(value="400.00")

    provider_http.on("POST", "https://api.yookassa.ru/v3/refunds", create)

    refund = services.refund_request(donation=yookassa_paid, by=manager, amount="400", reason="asked")

    assert (refund.state, refund.provider_reference) == (Refund.State.SUCCEEDED, "rf-1")
    assert create.request.headers["Idempotence-Key"] == f"kindred-refund-{refund.idempotency_key}"
    body = json.loads(create.request.body)
    assert body["payment_id"] == "2f1a0b3c-000f-5000-9000-1a2b3c4d5e6f"
    assert body["amount"] == {
        "value": "400.00",
        "currency": "RUB",
    }
    assert _totals(campaign) == (Decimal("1100"), 1, 1)


def test_a_yookassa_dashboard_refund_arrives_by_refund_succeeded_once(yookassa_paid, provider_http, client, campaign):
    provider_http.on(
        "GET",
        "https://api.yookassa.ru/v3/payments/2f1a0b3c-000f-5000-9000-1a2b3c4d5e6f",
        lambda r: (200, _yk_payment()),
    )
    provider_http.on(
        "GET", "https://api.yookassa.ru/v3/refunds?", lambda r: (200, {"type": "list", "items": [_yk_refund()]})
    )
    body = json.dumps({"type": "notification", "event": "refund.succeeded", "object": _yk_refund()})
    url = reverse("fundraising:callback", kwargs={"provider": "yookassa"})

    first = client.post(url, body, content_type="application/json", REMOTE_ADDR=YOOKASSA_IP)
    again = client.post(url, body, content_type="application/json", REMOTE_ADDR=YOOKASSA_IP)

    assert (first.json(), again.json()) == ({"outcome": "refunded"}, {"outcome": "duplicate"})
    assert _totals(campaign) == (Decimal("1100"), 1, 1)
    assert Refund.objects.get().origin == Refund.Origin.PROVIDER
