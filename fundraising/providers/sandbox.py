"""The built-in test provider: a hosted checkout page in Kindred itself and HMAC-signed callbacks.

It behaves like a real provider: the checkout page records the outcome in the sandbox's own
payment record, then a worker posts a signed callback to Kindred's callback endpoint, and
fetch_payment reads the payment record back. No money moves; every page it touches says TEST MODE.
"""

import hmac
import json

from django.urls import reverse
from django.utils.crypto import salted_hmac

from fundraising.models import SandboxPayment
from fundraising.money import from_minor_units, to_minor_units
from fundraising.providers.base import PaymentProvider
from fundraising.services.errors import CallbackInvalid

SIGNATURE_HEADER = "X-Sandbox-Signature"
SALT = "fundraising.sandbox.callback"


def sign(body):
    return salted_hmac(SALT, body, algorithm="sha256").hexdigest()


class SandboxProvider(PaymentProvider):
    name = "sandbox"
    is_test = True

    def create_payment(self, donation):
        payment, _ = SandboxPayment.objects.get_or_create(
            reference=f"sbx_{donation.idempotency_key}",
            defaults={
                "amount_minor": to_minor_units(donation.amount, donation.currency),
                "currency": donation.currency,
                "description": self.description(donation),
                "return_url": self.return_path(donation),
            },
        )
        return payment.reference, reverse("fundraising:sandbox_checkout", kwargs={"reference": payment.reference})

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
