"""The built-in test provider: a hosted checkout page in Kindred itself and HMAC-signed callbacks.

Monthly gifts: a first payment made with "save the card" leaves a SandboxCard (its `fails` flag,
set on the checkout page or in the admin, makes later charges fail); charge_saved charges it at
once, one SandboxPayment per idempotency key, as a real provider's off-session charge.

It behaves like a real provider: the checkout page records the outcome in the sandbox's own
payment record, then a worker posts a signed callback to Kindred's callback endpoint, and
fetch_payment reads the payment record back. Refunds are kept in the sandbox's own records too, made
by Kindred through refund_create or from the test page (as from a provider's dashboard). No money
moves; every page it touches says TEST MODE.
"""

import hmac
import json
import secrets
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from fundraising.models import SandboxCard, SandboxPayment, SandboxRefund
from fundraising.money import from_minor_units, to_minor_units
from fundraising.providers.base import Callback, PaymentProvider, PaymentStatus, RefundStatus, SavedMethod
from fundraising.services.errors import CallbackInvalid, ProviderUnavailable

SIGNATURE_HEADER = "X-Sandbox-Signature"
SALT = "fundraising.sandbox.callback"


def sign(body):
    return salted_hmac(SALT, body, algorithm="sha256").hexdigest()


class SandboxProvider(PaymentProvider):
    name = "sandbox"
    is_test = True

    def __init__(self):
        if not settings.PAYMENT_SANDBOX_ALLOWED:
            # Shown to the donor; the operator learns of it from `check --deploy` (fundraising.E001).
            raise ProviderUnavailable(_("Online giving is not set up on this site yet."))

    def create_payment(self, donation, *, save_card=False):
        payment, _ = SandboxPayment.objects.get_or_create(
            reference=f"sbx_{donation.idempotency_key}",
            defaults={
                "amount_minor": to_minor_units(donation.amount, donation.currency),
                "currency": donation.currency,
                "description": self.description(donation),
                "return_url": self.return_path(donation),
                "save_card": save_card,
            },
        )
        return payment.reference, reverse("fundraising:sandbox_checkout", kwargs={"reference": payment.reference})

    def create_recurring_payment(self, donation):
        return self.create_payment(donation, save_card=True)

    def saved_method(self, reference):
        payment = SandboxPayment.objects.select_related("card").get(reference=reference)
        if payment.card is None:
            return None
        card = payment.card
        return SavedMethod(id=card.token, label=f"TEST •••• {card.last4}", expires_on=card.expires_on)

    def charge_saved(self, *, donation, method, idempotency_key):
        card = SandboxCard.objects.filter(token=method.id).first()
        failed = card is None or card.fails or card.expires_on < date.today()
        payment, _ = SandboxPayment.objects.get_or_create(
            reference=f"sbx_{idempotency_key}",
            defaults={
                "amount_minor": to_minor_units(donation.amount, donation.currency),
                "currency": donation.currency,
                "description": self.description(donation),
                "return_url": self.return_path(donation),
                "card": card,
                "status": SandboxPayment.Status.FAILED if failed else SandboxPayment.Status.SUCCEEDED,
            },
        )
        return payment.reference, str(payment.status)

    def verify_callback(self, request):
        body = request.body.decode("utf-8", errors="replace")
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not hmac.compare_digest(sign(body), signature):
            raise CallbackInvalid("Bad sandbox signature.")
        try:
            payload = json.loads(body)
            event_id, payment, event = str(payload["id"]), str(payload["payment"]), str(payload.get("event", ""))
        except (ValueError, KeyError, TypeError):
            raise CallbackInvalid("Unreadable sandbox callback.") from None
        if event.startswith("refund."):
            return Callback(
                event_id=event_id, kind="refund", payload=payload, payment=payment, refund=payload.get("refund")
            )
        return Callback(event_id=event_id, kind="payment", payload=payload, payment=payment)

    def fetch_payment(self, reference):
        payment = self._payment(reference)
        return PaymentStatus(payment.status, from_minor_units(payment.amount_minor, payment.currency), payment.currency)

    @staticmethod
    def _payment(reference):
        payment = SandboxPayment.objects.filter(reference=reference).first()
        if payment is None:
            raise ProviderUnavailable(f"The sandbox has no payment {reference}.")
        return payment

    def refund_create(self, donation, refund):
        with transaction.atomic():
            payment = SandboxPayment.objects.select_for_update().filter(reference=donation.provider_reference).first()
            if payment is None:
                raise ProviderUnavailable(f"The sandbox has no payment {donation.provider_reference}.")
            existing = payment.refunds.filter(kindred_refund=refund.idempotency_key).first()
            if existing is None:
                existing = sandbox_refund_add(
                    payment=payment, amount=refund.amount, kindred_refund=refund.idempotency_key
                )
        return _refund_status(existing)

    def fetch_refund(self, reference):
        refund = SandboxRefund.objects.filter(reference=reference).first()
        if refund is None:
            raise ProviderUnavailable(f"The sandbox has no refund {reference}.")
        return _refund_status(refund)

    def fetch_refunds(self, payment_reference):
        return [_refund_status(r) for r in self._payment(payment_reference).refunds.all()]


def _refund_status(refund):
    amount = from_minor_units(refund.amount_minor, refund.currency)
    state = "failed" if refund.failed else "succeeded"
    return RefundStatus(refund.reference, amount, refund.currency, state, kindred_refund=refund.kindred_refund)


def sandbox_refund_add(*, payment, amount, kindred_refund=""):
    """Record a refund of a succeeded sandbox payment (the caller holds the payment's row lock).

    Raises ProviderUnavailable, as a real provider's refusal, for an unpaid payment or an amount above
    what remains.
    """
    minor = to_minor_units(amount, payment.currency)
    refunded = payment.refunds.filter(failed=False).aggregate(total=Sum("amount_minor", default=0))["total"]
    if payment.status != SandboxPayment.Status.SUCCEEDED or not 0 < minor <= payment.amount_minor - refunded:
        raise ProviderUnavailable(
            "The sandbox refuses this refund: the payment is not paid or the amount is too large."
        )
    return SandboxRefund.objects.create(
        payment=payment,
        reference=f"sbr_{secrets.token_hex(8)}",
        amount_minor=minor,
        currency=payment.currency,
        kindred_refund=kindred_refund,
    )


def callback_body(*, reference, event, refund=None):
    """The callback the sandbox sends: an event id, the payment, what the event says (and the refund)."""
    body = {"id": f"{reference}:{event}", "payment": reference, "event": event}
    if refund:
        body |= {"id": f"{refund}:{event}", "refund": refund}
    return json.dumps(body, sort_keys=True)
