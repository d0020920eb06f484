from decimal import Decimal

from fundraising.models import Donation
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
