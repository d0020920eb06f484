"""Stripe Checkout: a Checkout Session per donation, signed webhooks, the session's state asked back."""

import json

import stripe
from django.conf import settings

from fundraising.money import from_minor_units, to_minor_units
from fundraising.providers.base import PaymentProvider
from fundraising.services.errors import CallbackInvalid, ProviderUnavailable

SESSION_EVENTS = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
}
FAILED_INTENT = {"canceled", "requires_payment_method"}


class StripeProvider(PaymentProvider):
    name = "stripe"

    def create_payment(self, donation):
        try:
            session = stripe.checkout.Session.create(
                api_key=settings.STRIPE_SECRET_KEY,
                # The same donation never creates a second session, even when the request is retried.
                idempotency_key=f"kindred-donation-{donation.idempotency_key}",
                mode="payment",
                line_items=[{"quantity": 1, "price_data": self._price(donation)}],
                customer_email=donation.donor_email or None,
                client_reference_id=str(donation.pk),
                metadata={"donation": str(donation.pk)},
                success_url=self.return_url(donation),
                cancel_url=self.retry_url(donation),
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
        reference = event.data.object.id if event.type in SESSION_EVENTS else None
        return event.id, reference, json.loads(request.body)

    def fetch_payment(self, reference):
        try:
            session = stripe.checkout.Session.retrieve(reference, api_key=settings.STRIPE_SECRET_KEY)
            status = self._status(session)
        except stripe.StripeError as exc:
            raise ProviderUnavailable(str(exc)) from exc
        currency = session.currency.upper()
        return status, from_minor_units(session.amount_total, currency), currency

    def _status(self, session):
        if session.payment_status in ("paid", "no_payment_required"):
            return "succeeded"
        if session.status == "expired":
            return "cancelled"
        if session.status == "complete" and session.payment_intent:
            # A delayed payment method: the payment intent says whether it finally failed.
            intent = stripe.PaymentIntent.retrieve(session.payment_intent, api_key=settings.STRIPE_SECRET_KEY)
            return "failed" if intent.status in FAILED_INTENT else "pending"
        return "pending"
