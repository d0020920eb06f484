"""The built-in test provider: a hosted checkout page in Kindred itself and HMAC-signed callbacks.

Monthly gifts: a first payment made with "save the card" leaves a SandboxCard (its `fails` flag,
set on the checkout page or in the admin, makes later charges fail); charge_saved charges it at
once, one SandboxPayment per idempotency key, as a real provider's off-session charge.

It behaves like a real provider: the checkout page records the outcome in the sandbox's own
payment record, then a worker posts a signed callback to Kindred's callback endpoint, and
fetch_payment reads the payment record back. No money moves; every page it touches says TEST MODE.
"""

import hmac
import json
from datetime import date

from django.urls import reverse
from django.utils.crypto import salted_hmac

from fundraising.models import SandboxCard, SandboxPayment
from fundraising.money import from_minor_units, to_minor_units
from fundraising.providers.base import PaymentProvider, SavedMethod
from fundraising.services.errors import CallbackInvalid

SIGNATURE_HEADER = "X-Sandbox-Signature"
SALT = "fundraising.sandbox.callback"


def sign(body):
    return salted_hmac(SALT, body, algorithm="sha256").hexdigest()


class SandboxProvider(PaymentProvider):
    name = "sandbox"
    is_test = True

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
            return str(payload["id"]), str(payload["payment"]), payload
        except (ValueError, KeyError, TypeError):
            raise CallbackInvalid("Unreadable sandbox callback.") from None

    def fetch_payment(self, reference):
        payment = SandboxPayment.objects.get(reference=reference)
        return payment.status, from_minor_units(payment.amount_minor, payment.currency), payment.currency


def callback_body(*, reference, event):
    """The callback the sandbox sends: an event id, the payment, and what the event says."""
    return json.dumps({"id": f"{reference}:{event}", "payment": reference, "event": event}, sort_keys=True)
