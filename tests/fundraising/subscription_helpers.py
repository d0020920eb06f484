"""Monthly gifts started the way a donor starts them: the give service, the sandbox's page, its callback."""

from django.test import TestCase

from fundraising import services
from fundraising.models import Donation, SandboxPayment, Subscription

CALLBACK_URL = "http://testserver/give/callback/sandbox/"


def start_monthly(campaign, *, fundraiser=None, amount="500", day=15, email="mia@example.org", card_fails=False, **kw):
    """A monthly gift whose first payment the donor paid on the sandbox's page (callback applied).

    Needs the provider_http fixture: the sandbox's callback reaches Django through it."""
    subscription, _url = services.subscription_start(
        campaign=campaign,
        fundraiser=fundraiser,
        amount=amount,
        day=day,
        donor={"name": kw.pop("name", "Mia"), "email": email},
        language=kw.pop("language", "en"),
        **kw,
    )
    first = Donation.objects.get(subscription=subscription)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.sandbox_payment_complete(
            reference=first.provider_reference, succeed=True, callback_url=CALLBACK_URL, card_fails=card_fails
        )
    return Subscription.objects.get(pk=subscription.pk)


def card_of(subscription):
    return SandboxPayment.objects.get(card__token=subscription.payment_method_id, save_card=True).card
