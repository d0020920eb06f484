"""Stripe Checkout: a Checkout Session per donation, signed webhooks, the session's state asked back.

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
from fundraising.providers.base import PaymentProvider, SavedMethod
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

    def create_payment(self, donation, *, save_method=False):
        extra = {}
        if save_method:
            extra = {"customer_creation": "always", "payment_intent_data": {"setup_future_usage": "off_session"}}
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
        reference = event.data.object.id if event.type in SESSION_EVENTS else None
        return event.id, reference, json.loads(request.body)

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
            session = stripe.checkout.Session.retrieve(reference, api_key=settings.STRIPE_SECRET_KEY)
            status = self._status(session)
        except stripe.StripeError as exc:
            raise ProviderUnavailable(str(exc)) from exc
        currency = session.currency.upper()
        return status, from_minor_units(session.amount_total, currency), currency

    def _fetch_intent(self, reference):
        try:
            intent = stripe.PaymentIntent.retrieve(reference, api_key=settings.STRIPE_SECRET_KEY)
        except stripe.StripeError as exc:
            raise ProviderUnavailable(str(exc)) from exc
        currency = intent.currency.upper()
        return self._intent_status(intent), from_minor_units(intent.amount, currency), currency

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
