"""What every payment provider does for Kindred. Amounts cross this edge as Decimals already rounded to
kopecks/cents (minor units are converted inside each provider), currencies as upper-case ISO codes.

One base class; each provider implements payments (create, status), refunds (create, status, the list
of a payment's refunds) and reads its callbacks. Monthly giving builds on the same methods.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.urls import reverse


class PaymentStatus(NamedTuple):
    """The provider's own answer about a payment. `status`: pending, succeeded, failed or cancelled.
    A tuple too: `status, amount, currency = provider.fetch_payment(reference)`."""

    status: str
    amount: Decimal
    currency: str


@dataclass(frozen=True)
class RefundStatus:
    """The provider's own answer about a refund (or a chargeback, kind "chargeback").

    `state`: pending, succeeded or failed. `kindred_refund`: the idempotency key of the Kindred refund
    that asked for it, when the provider carries it back (metadata), else "".
    """

    reference: str
    amount: Decimal
    currency: str
    state: str
    kind: str = "refund"
    reason: str = ""
    kindred_refund: str = ""


@dataclass(frozen=True)
class Callback:
    """A verified callback. `kind`: payment, refund (refunds and chargebacks alike) or "" (not acted on).

    `payment` is the reference Kindred stored for the payment, when the callback names it; `lookup` is the
    provider's own id to resolve it by (Stripe's payment intent), for callbacks that do not.
    `refund` is the refund's or dispute's id for refund callbacks.
    """

    event_id: str
    kind: str
    payload: dict = field(default_factory=dict)
    payment: str | None = None
    lookup: str | None = None
    refund: str | None = None


@dataclass(frozen=True)
class SavedMethod:
    """A payment method the provider keeps for later charges: its id (and customer, where the provider
    has them), a label to show the donor ("Visa •••• 4242") and when the card expires."""

    id: str
    label: str = ""
    expires_on: date | None = None
    customer: str = ""


class PaymentProvider:
    """A payment provider. Every method that talks to the provider raises ProviderUnavailable when the
    provider cannot be reached or refuses; callback reading raises CallbackInvalid.

    - create_payment(donation) -> (reference, checkout_url): idempotent per donation.
    - verify_callback(request) -> Callback.
    - payment_reference(callback) -> the payment's reference as Kindred stored it, or None.
    - fetch_payment(reference) -> PaymentStatus (status, amount, currency).
    - refund_create(donation, refund) -> RefundStatus: idempotent per Refund (its idempotency_key).
    - fetch_refund(reference) -> RefundStatus.
    - fetch_refunds(payment_reference) -> list[RefundStatus]: every refund and chargeback of a payment.

    Monthly gifts (fundraising.services.subscriptions) add three:
    - create_recurring_payment(donation) -> (reference, checkout_url): like create_payment, and the
      provider saves the payment method for later charges without the donor.
    - saved_method(reference) -> SavedMethod or None: the method a succeeded first payment saved.
    - charge_saved(donation, method, idempotency_key) -> (reference, status): charge a saved method
      off-session; the same key never charges twice. Status as in fetch_payment; ProviderUnavailable
      when the provider cannot be asked (the charge is then tried again with the same key).
    """

    name = ""
    is_test = False

    def create_payment(self, donation):
        raise NotImplementedError

    def verify_callback(self, request):
        raise NotImplementedError

    def payment_reference(self, callback):
        return callback.payment

    def fetch_payment(self, reference):
        raise NotImplementedError

    def refund_create(self, donation, refund):
        raise NotImplementedError

    def fetch_refund(self, reference):
        raise NotImplementedError

    def fetch_refunds(self, payment_reference):
        raise NotImplementedError

    def create_recurring_payment(self, donation):
        raise NotImplementedError

    def saved_method(self, reference):
        raise NotImplementedError

    def charge_saved(self, *, donation, method, idempotency_key):
        raise NotImplementedError

    @staticmethod
    def return_path(donation):
        return reverse("fundraising:thanks", kwargs={"key": donation.idempotency_key})

    def return_url(self, donation):
        return settings.SITE_URL + self.return_path(donation)

    @staticmethod
    def retry_path(donation):
        """The give form, filled in as the donor left it: where "Try again" and a cancelled checkout lead."""
        if donation.fundraiser_id:
            path = reverse("fundraising:give", kwargs={"kind": "fundraiser", "slug": donation.fundraiser.slug})
        else:
            path = reverse("fundraising:give", kwargs={"kind": "campaign", "slug": donation.campaign.slug})
        return f"{path}?again={donation.idempotency_key}"

    def retry_url(self, donation):
        return settings.SITE_URL + self.retry_path(donation)

    @staticmethod
    def description(donation):
        return str(donation.fundraiser or donation.campaign)[:120]
