"""Stripe Checkout: a Checkout Session per donation, signed webhooks, the session's state asked back.

Refunds go through the Refund API against the session's payment intent; refunds made in Stripe's
dashboard (charge.refunded, refund.*) and chargebacks (charge.dispute.*) arrive by webhook, and the
payment's refunds and disputes are then listed from Stripe. A lost dispute counts as a refund.

Monthly gifts use saved payment methods charged off-session, not Stripe Billing subscriptions. Kindred
owns the schedule (the day of the month, pauses, amount changes, retries after 1, 3 and 7 days, the
organisation's general fund when a campaign ends) for every provider alike, and each month is an
ordinary donation with its own attribution; with Billing, Stripe would run a second schedule
(invoices, smart retries, proration) that Kindred would have to mirror and keep in step through
webhooks. So the first gift is a Checkout Session with `setup_future_usage=off_session` and a
customer; each later month is a PaymentIntent confirmed off-session with that customer and payment
method, under an idempotency key derived from the subscription, the month and the attempt. A card
that needs the donor (authentication) fails the charge, and the donor updates the card by link.
"""

import json
from datetime import date

import stripe
from django.conf import settings

from fundraising.money import from_minor_units, to_minor_units
from fundraising.providers.base import Callback, PaymentProvider, PaymentStatus, RefundStatus, SavedMethod
from fundraising.services.errors import CallbackInvalid, ProviderUnavailable

SESSION_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}
REFUND_EVENTS = {"charge.refunded", "charge.refund.updated", "refund.created", "refund.updated", "refund.failed"}
FAILED_INTENT = {"canceled", "requires_payment_method"}
REFUND_STATES = {"succeeded": "succeeded", "failed": "failed", "canceled": "failed"}
DISPUTE_STATES = {"lost": "succeeded", "won": "failed", "warning_closed": "failed", "prevented": "failed"}


def _key():
    return {"api_key": settings.STRIPE_SECRET_KEY}


class StripeProvider(PaymentProvider):
    name = "stripe"

    def create_payment(self, donation, *, save_method=False):
        extra, intent_data = {}, {"metadata": {"donation": str(donation.pk)}}
        if save_method:
            extra, intent_data["setup_future_usage"] = {"customer_creation": "always"}, "off_session"
        try:
            session = stripe.checkout.Session.create(
                **_key(),
                # The same donation never creates a second session, even when the request is retried.
                idempotency_key=f"kindred-donation-{donation.idempotency_key}",
                mode="payment",
                line_items=[{"quantity": 1, "price_data": self._price(donation)}],
                customer_email=donation.donor_email or None,
                client_reference_id=str(donation.pk),
                metadata={"donation": str(donation.pk)},
                payment_intent_data=intent_data,
                success_url=self.return_url(donation),
                cancel_url=self.retry_url(donation),
                **extra,
            )
        except stripe.StripeError as exc:
            raise ProviderUnavailable(str(exc)) from exc
        return session.id, session.url

    def _price(self, donation):
        return {
            "currency": donation.currency.lower(),
            "unit_amount": to_minor_units(donation.amount, donation.currency),
            "product_data": {"name": self.description(donation)},
        }

    def verify_callback(self, request):
        try:
            event = stripe.Webhook.construct_event(
                request.body.decode("utf-8"),
                request.headers.get("Stripe-Signature", ""),
                settings.STRIPE_WEBHOOK_SECRET,
            )
        except (ValueError, stripe.SignatureVerificationError) as exc:
            raise CallbackInvalid(str(exc)) from exc
        obj, payload = event.data.object, json.loads(request.body)
        if event.type in SESSION_EVENTS:
            return Callback(event_id=event.id, kind="payment", payload=payload, payment=obj.id)
        if event.type in REFUND_EVENTS or event.type.startswith("charge.dispute."):
            refund = obj.id if obj.object in ("refund", "dispute") else None
            return Callback(
                event_id=event.id,
                kind="refund",
                payload=payload,
                lookup=getattr(obj, "payment_intent", None),
                refund=refund,
            )
        return Callback(event_id=event.id, kind="", payload=payload)

    def payment_reference(self, callback):
        """The Checkout Session of a refund's or dispute's payment intent, as Stripe lists it."""
        if callback.payment or not callback.lookup:
            return callback.payment
        try:
            sessions = stripe.checkout.Session.list(**_key(), payment_intent=callback.lookup, limit=1)
        except stripe.StripeError as exc:
            raise ProviderUnavailable(str(exc)) from exc
        # A monthly gift's later charges are payment intents without a session: Kindred stored the intent.
        return sessions.data[0].id if sessions.data else callback.lookup

    def create_recurring_payment(self, donation):
        return self.create_payment(donation, save_method=True)

    def saved_method(self, reference):
        try:
            session = stripe.checkout.Session.retrieve(
                reference, api_key=settings.STRIPE_SECRET_KEY, expand=["payment_intent.payment_method"]
            )
        except stripe.StripeError as exc:
            raise ProviderUnavailable(str(exc)) from exc
        intent = session.payment_intent
        if not intent or not session.customer or not intent.payment_method:
            return None
        method = intent.payment_method
        card = getattr(method, "card", None)
        if card is None:
            return SavedMethod(id=method.id, customer=session.customer)
        return SavedMethod(
            id=method.id,
            customer=session.customer,
            label=f"{card.brand.title()} •••• {card.last4}",
            expires_on=date(int(card.exp_year), int(card.exp_month), 1),
        )

    def charge_saved(self, *, donation, method, idempotency_key):
        try:
            intent = stripe.PaymentIntent.create(
                api_key=settings.STRIPE_SECRET_KEY,
                idempotency_key=idempotency_key,
                amount=to_minor_units(donation.amount, donation.currency),
                currency=donation.currency.lower(),
                customer=method.customer,
                payment_method=method.id,
                off_session=True,
                confirm=True,
                description=self.description(donation),
                metadata={"donation": str(donation.pk), "subscription": str(donation.subscription_id)},
            )
        except stripe.CardError as exc:
            # Declined, or the card wants the donor present: the failed intent is in the error.
            intent = (exc.json_body or {}).get("error", {}).get("payment_intent") or {}
            return intent.get("id", ""), "failed"
        except stripe.StripeError as exc:
            raise ProviderUnavailable(str(exc)) from exc
        return intent.id, self._intent_status(intent)

    @staticmethod
    def _intent_status(intent):
        if intent.status == "succeeded":
            return "succeeded"
        return "failed" if intent.status in FAILED_INTENT else "pending"

    def fetch_payment(self, reference):
        if reference.startswith("pi_"):
            return self._fetch_intent(reference)
        try:
            session = stripe.checkout.Session.retrieve(reference, **_key())
            status = self._status(session)
        except stripe.StripeError as exc:
            raise ProviderUnavailable(str(exc)) from exc
        currency = session.currency.upper()
        return PaymentStatus(status, from_minor_units(session.amount_total, currency), currency)

    def _fetch_intent(self, reference):
        try:
            intent = stripe.PaymentIntent.retrieve(reference, api_key=settings.STRIPE_SECRET_KEY)
        except stripe.StripeError as exc:
            raise ProviderUnavailable(str(exc)) from exc
        currency = intent.currency.upper()
        return PaymentStatus(self._intent_status(intent), from_minor_units(intent.amount, currency), currency)

    def _status(self, session):
        if session.payment_status in ("paid", "no_payment_required"):
            return "succeeded"
        if session.status == "expired":
            return "cancelled"
        if session.status == "complete" and session.payment_intent:
            # A delayed payment method: the payment intent says whether it finally failed.
            intent = stripe.PaymentIntent.retrieve(session.payment_intent, **_key())
            return "failed" if intent.status in FAILED_INTENT else "pending"
        return "pending"

    def _intent(self, reference):
        if reference.startswith("pi_"):
            return reference  # an off-session charge of a monthly gift
        intent = stripe.checkout.Session.retrieve(reference, **_key()).payment_intent
        return intent if isinstance(intent, str) or intent is None else intent.id

    def refund_create(self, donation, refund):
        try:
            intent = self._intent(donation.provider_reference)
            if intent is None:
                raise ProviderUnavailable("Stripe has no payment for this donation yet.")
            answer = stripe.Refund.create(
                **_key(),
                idempotency_key=f"kindred-refund-{refund.idempotency_key}",
                payment_intent=intent,
                amount=to_minor_units(refund.amount, refund.currency),
                reason="requested_by_customer",
                metadata={"kindred_refund": refund.idempotency_key, "donation": str(donation.pk)},
            )
        except stripe.StripeError as exc:
            raise ProviderUnavailable(str(exc)) from exc
        return _refund_status(answer)

    def fetch_refund(self, reference):
        try:
            if reference.startswith("dp_"):
                return _dispute_status(stripe.Dispute.retrieve(reference, **_key()))
            return _refund_status(stripe.Refund.retrieve(reference, **_key()))
        except stripe.StripeError as exc:
            raise ProviderUnavailable(str(exc)) from exc

    def fetch_refunds(self, payment_reference):
        try:
            intent = self._intent(payment_reference)
            if intent is None:
                return []
            refunds = stripe.Refund.list(**_key(), payment_intent=intent, limit=100)
            disputes = stripe.Dispute.list(**_key(), payment_intent=intent, limit=100)
        except stripe.StripeError as exc:
            raise ProviderUnavailable(str(exc)) from exc
        return [_refund_status(r) for r in refunds.data] + [_dispute_status(d) for d in disputes.data]


def _refund_status(refund):
    currency = refund.currency.upper()
    metadata = getattr(refund, "metadata", None)
    return RefundStatus(
        reference=refund.id,
        amount=from_minor_units(refund.amount, currency),
        currency=currency,
        state=REFUND_STATES.get(refund.status, "pending"),
        reason=getattr(refund, "reason", None) or "",
        kindred_refund=getattr(metadata, "kindred_refund", "") or "",
    )


def _dispute_status(dispute):
    currency = dispute.currency.upper()
    return RefundStatus(
        reference=dispute.id,
        amount=from_minor_units(dispute.amount, currency),
        currency=currency,
        state=DISPUTE_STATES.get(dispute.status, "pending"),
        kind="chargeback",
        reason=getattr(dispute, "reason", None) or "",
    )
