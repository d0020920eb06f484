"""YooKassa: a payment per donation with an idempotence key, notifications confirmed by asking back.

YooKassa does not sign notifications; it sends them from published networks. A notification from
elsewhere is refused, and even a trusted one only makes Kindred ask YooKassa for the payment.
"""

import json
from decimal import Decimal

from django.conf import settings
from yookassa import Configuration, Payment
from yookassa.domain.common import SecurityHelper
from yookassa.domain.notification import WebhookNotificationFactory

from config.net import client_ip
from fundraising.money import quantize
from fundraising.providers.base import PaymentProvider
from fundraising.services.errors import CallbackInvalid, ProviderUnavailable

STATUSES = {"succeeded": "succeeded", "canceled": "cancelled"}


def _configure():
    Configuration.configure(settings.YOOKASSA_SHOP_ID, settings.YOOKASSA_SECRET_KEY)


class YooKassaProvider(PaymentProvider):
    name = "yookassa"

    def create_payment(self, donation):
        _configure()
        params = {
            "amount": {"value": f"{quantize(donation.amount)}", "currency": donation.currency},
            "confirmation": {"type": "redirect", "return_url": self.return_url(donation)},
            "capture": True,
            "description": self.description(donation),
            "metadata": {"donation": str(donation.pk)},
        }
        try:
            payment = Payment.create(params, f"kindred-donation-{donation.idempotency_key}")
        except Exception as exc:  # the SDK raises its own hierarchy and requests' errors
            raise ProviderUnavailable(str(exc)) from exc
        return payment.id, payment.confirmation.confirmation_url

    def verify_callback(self, request):
        # Behind our proxies the sender is the client address they report, not REMOTE_ADDR.
        if not SecurityHelper().is_ip_trusted(client_ip(request) or "0.0.0.0"):  # noqa: S104
            raise CallbackInvalid("Notification from an address YooKassa does not use.")
        try:
            payload = json.loads(request.body)
            notification = WebhookNotificationFactory().create(payload)
        except Exception as exc:  # malformed JSON or an unknown event type
            raise CallbackInvalid(str(exc)) from exc
        reference = notification.object.id if notification.event.startswith("payment.") else None
        return f"{notification.event}:{notification.object.id}", reference, payload

    def fetch_payment(self, reference):
        _configure()
        try:
            payment = Payment.find_one(reference)
        except Exception as exc:
            raise ProviderUnavailable(str(exc)) from exc
        status = STATUSES.get(payment.status, "pending")
        return status, quantize(Decimal(str(payment.amount.value))), payment.amount.currency
