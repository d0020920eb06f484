from decimal import Decimal

from fundraising.models import Donation, SandboxPayment
from fundraising.providers.sandbox import SandboxProvider
from fundraising.services import donation_transition
from fundraising.services.donations import donor_key_for


def make_donation(
    campaign,
    *,
    fundraiser=None,
    amount="1000",
    status=Donation.Status.PENDING,
    email="d@example.org",
    provider="sandbox",
    reference="",
    **kwargs,
):
    """A donation row as donation_start leaves it (pending), for tests of what happens next."""
    return Donation.objects.create(
        campaign=campaign,
        fundraiser=fundraiser,
        team_id=fundraiser.team_id if fundraiser else None,
        amount=Decimal(amount),
        currency=campaign.currency,
        donor_name=kwargs.pop("donor_name", "Donor"),
        donor_email=email,
        donor_key=donor_key_for(email),
        status=status,
        provider=provider,
        provider_reference=reference,
        **kwargs,
    )


def make_paid(campaign, *, fundraiser=None, amount="1000", email="d@example.org", **kwargs):
    """A gift paid through the sandbox: its donation succeeded and the sandbox's own payment record, so
    refunds go through the provider as they would in production."""
    donation = make_donation(campaign, fundraiser=fundraiser, amount=amount, email=email, **kwargs)
    reference, _url = SandboxProvider().create_payment(donation)
    Donation.objects.filter(pk=donation.pk).update(provider_reference=reference)
    SandboxPayment.objects.filter(reference=reference).update(status=SandboxPayment.Status.SUCCEEDED)
    donation, _ = donation_transition(donation_id=donation.pk, to=Donation.Status.SUCCEEDED)
    return donation
