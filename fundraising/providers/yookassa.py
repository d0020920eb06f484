"""YooKassa: a payment per donation with an idempotence key, notifications confirmed by asking back.

YooKassa does not sign notifications; it sends them from published networks. A notification from
elsewhere is refused, and even a trusted one only makes Kindred ask YooKassa for the payment.
Refunds: Refund.create with an idempotence key; refunds made in YooKassa's dashboard arrive as
refund.succeeded, after which the payment's refunds are listed from YooKassa. A YooKassa refund is
pending, succeeded or canceled, and succeeded is final (unlike Stripe's, which can still fail); a
pending one that YooKassa cancels sends no notification, so reconciliation asks about it.

Monthly gifts use YooKassa's saved payment methods ("автоплатежи"): the first payment is created with
`save_payment_method`, its `payment_method.id` is kept on the subscription, and each later month is a
new payment with that `payment_method_id` and no confirmation, under an idempotence key derived from
the subscription, the month and the attempt (YooKassa answers a repeated key with the same payment).
Autopayments must be enabled for the shop by YooKassa.
"""

import json
from datetime import date
from decimal import Decimal

from django.conf import settings
from yookassa import Configuration, Payment, Refund
from yookassa.domain.common import SecurityHelper
from yookassa.domain.notification import WebhookNotificationFactory

from config.net import client_ip
from fundraising.money import quantize
from fundraising.providers.base import Callback, PaymentProvider, PaymentStatus, RefundStatus, SavedMethod
from fundraising.services.errors import CallbackInvalid, ProviderUnavailable

STATUSES = {"succeeded": "succeeded", "canceled": "cancelled"}
REFUND_STATES = {"succeeded": "succeeded", "canceled": "failed"}


def _configure():
    Configuration.configure(settings.YOOKASSA_SHOP_ID, settings.YOOKASSA_SECRET_KEY)


def _ask(call, *args):
    _configure()
    try:
        return call(*args)
    except Exception as exc:  # the SDK raises its own hierarchy and requests' errors
        raise ProviderUnavailable(str(exc)) from exc


class YooKassaProvider(PaymentProvider):
    name = "yookassa"

    def create_payment(self, donation, *, save_method=False):
        params = {
            "amount": {"value": f"{quantize(donation.amount)}", "currency": donation.currency},
            "confirmation": {"type": "redirect", "return_url": self.return_url(donation)},
            "capture": True,
            "description": self.description(donation),
            "metadata": {"donation": str(donation.pk)},
        }
        if save_method:
            params["save_payment_method"] = True
        payment = _ask(Payment.create, params, f"kindred-donation-{donation.idempotency_key}")
        return payment.id, payment.confirmation.confirmation_url

    def create_recurring_payment(self, donation):
        return self.create_payment(donation, save_method=True)

    def saved_method(self, reference):
        _configure()
        try:
            payment = Payment.find_one(reference)
        except Exception as exc:
            raise ProviderUnavailable(str(exc)) from exc
        method = payment.payment_method
        if method is None or not getattr(method, "saved", False):
            return None
        card = getattr(method, "card", None)
        if card is None:
            return SavedMethod(id=method.id, label=getattr(method, "title", "") or method.type)
        expires = date(int(card.expiry_year), int(card.expiry_month), 1)
        return SavedMethod(id=method.id, label=f"{card.card_type} •••• {card.last4}", expires_on=expires)

    def charge_saved(self, *, donation, method, idempotency_key):
        _configure()
        params = {
            "amount": {"value": f"{quantize(donation.amount)}", "currency": donation.currency},
            "capture": True,
            "payment_method_id": method.id,
            "description": self.description(donation),
            "metadata": {"donation": str(donation.pk), "subscription": str(donation.subscription_id)},
        }
        try:
            payment = Payment.create(params, idempotency_key)
        except Exception as exc:
            raise ProviderUnavailable(str(exc)) from exc
        return payment.id, STATUSES.get(payment.status, "pending")

    def verify_callback(self, request):
        # Behind our proxies the sender is the client address they report, not REMOTE_ADDR.
        if not SecurityHelper().is_ip_trusted(client_ip(request) or "0.0.0.0"):  # noqa: S104
            raise CallbackInvalid("Notification from an address YooKassa does not use.")
        try:
            payload = json.loads(request.body)
            notification = WebhookNotificationFactory().create(payload)
        except Exception as exc:  # malformed JSON or an unknown event type
            raise CallbackInvalid(str(exc)) from exc
        event_id, obj = f"{notification.event}:{notification.object.id}", notification.object
        if notification.event.startswith("payment."):
            return Callback(event_id=event_id, kind="payment", payload=payload, payment=obj.id)
        if notification.event.startswith("refund."):
            return Callback(event_id=event_id, kind="refund", payload=payload, payment=obj.payment_id, refund=obj.id)
        return Callback(event_id=event_id, kind="", payload=payload)

    def fetch_payment(self, reference):
        payment = _ask(Payment.find_one, reference)
        status = STATUSES.get(payment.status, "pending")
        return PaymentStatus(status, quantize(Decimal(str(payment.amount.value))), payment.amount.currency)

    def refund_create(self, donation, refund):
        params = {
            "payment_id": donation.provider_reference,
            "amount": {"value": f"{quantize(refund.amount)}", "currency": refund.currency},
            "description": (refund.reason or self.description(donation))[:250],
            "metadata": {"kindred_refund": refund.idempotency_key},
        }
        return _refund_status(_ask(Refund.create, params, f"kindred-refund-{refund.idempotency_key}"))

    def fetch_refund(self, reference):
        return _refund_status(_ask(Refund.find_one, reference))

    def fetch_refunds(self, payment_reference):
        answer = _ask(Refund.list, {"payment_id": payment_reference, "limit": 100})
        return [_refund_status(item) for item in answer.items or []]


def _refund_status(refund):
    metadata = getattr(refund, "metadata", None) or {}
    return RefundStatus(
        reference=refund.id,
        amount=quantize(Decimal(str(refund.amount.value))),
        currency=refund.amount.currency,
        state=REFUND_STATES.get(refund.status, "pending"),
        reason=getattr(refund, "description", None) or "",
        kindred_refund=metadata.get("kindred_refund", "") if isinstance(metadata, dict) else "",
    )
