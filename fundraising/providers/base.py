"""What every payment provider does for Kindred. Amounts cross this edge in minor units or strings."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.urls import reverse


@dataclass(frozen=True)
class SavedMethod:
    """A payment method the provider keeps for later charges: its id (and customer, where the provider
    has them), a label to show the donor ("Visa •••• 4242") and when the card expires."""

    id: str
    label: str = ""
    expires_on: date | None = None
    customer: str = ""


class PaymentProvider:
    """A provider creates a payment, verifies its callbacks and answers what happened to a payment.

    - create_payment(donation) -> (reference, checkout_url): idempotent per donation.
    - verify_callback(request) -> (event_id, reference or None, payload): raises CallbackInvalid
      for anything not signed by the provider; reference None means "an event we do not act on".
    - fetch_payment(reference) -> (status, amount, currency), status one of pending, succeeded,
      failed, cancelled: the provider's own answer, which is what Kindred acts on.

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

    def fetch_payment(self, reference):
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
