"""What every payment provider does for Kindred. Amounts cross this edge in minor units or strings."""

from django.conf import settings
from django.urls import reverse


class PaymentProvider:
    """A provider creates a payment, verifies its callbacks and answers what happened to a payment.

    - create_payment(donation) -> (reference, checkout_url): idempotent per donation.
    - verify_callback(request) -> (event_id, reference or None, payload): raises CallbackInvalid
      for anything not signed by the provider; reference None means "an event we do not act on".
    - fetch_payment(reference) -> (status, amount, currency), status one of pending, succeeded,
      failed, cancelled: the provider's own answer, which is what Kindred acts on.
    """

    name = ""
    is_test = False

    def create_payment(self, donation):
        raise NotImplementedError

    def verify_callback(self, request):
        raise NotImplementedError

    def fetch_payment(self, reference):
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
