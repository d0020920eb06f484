"""Messages and activity that follow what happens to money. Each e-mail has a key, so it goes once."""

from decimal import Decimal

from django.conf import settings

from fundraising.services.donor_links import donor_page_url
from members.models import Activity
from members.services import activity_record, message_send

MILESTONES = (50, 100)


def _context(donation, **extra):
    campaign = donation.campaign
    return {
        "manage_url": donor_page_url(donation.donor_email) if donation.donor_email else "",
        "donation": donation,
        "campaign": campaign,
        "fundraiser": donation.fundraiser,
        "organisation": settings.ORGANISATION_NAME,
        "page_url": settings.SITE_URL + (donation.fundraiser or campaign).get_absolute_url(),
        **extra,
    }


def donation_succeeded(*, donation, now):
    """Receipt to the donor, a note to the fundraiser's owner, milestones, and the donor's activity."""
    if donation.donor_email:
        message_send(
            key=f"donation-receipt:{donation.pk}",
            template="donation_receipt",
            context=_context(donation),
            to_email=donation.donor_email,
            user=donation.user,
            language=donation.language,
        )
    if donation.fundraiser_id and donation.fundraiser.owner_id:
        _fundraiser_notes(donation)
    if donation.user_id:
        activity_record(
            user=donation.user,
            community=donation.campaign.community,
            kind=Activity.Kind.DONATED,
            summary=str(donation.fundraiser or donation.campaign)[:200],
            data={"donation": donation.pk, "amount": str(donation.amount), "currency": donation.currency},
            occurred_at=now,
        )


def _fundraiser_notes(donation):
    from fundraising.models import Fundraiser

    fundraiser = Fundraiser.objects.select_related("owner").get(pk=donation.fundraiser_id)
    message_send(
        key=f"fundraiser-donation:{donation.pk}",
        template="fundraiser_donation",
        context=_context(donation, fundraiser=fundraiser),
        user=fundraiser.owner,
    )
    for percent in MILESTONES:
        if fundraiser.raised_amount * 100 >= fundraiser.goal * Decimal(percent):
            message_send(
                key=f"milestone:{fundraiser.pk}:{percent}",
                template="fundraiser_milestone",
                context=_context(donation, fundraiser=fundraiser, percent=percent),
                user=fundraiser.owner,
            )


def fundraiser_opened(*, fundraiser):
    activity_record(
        user=fundraiser.owner,
        community=fundraiser.campaign.community,
        kind=Activity.Kind.FUNDRAISER_OPENED,
        summary=fundraiser.title[:200],
        data={"fundraiser": fundraiser.pk, "campaign": fundraiser.campaign_id},
    )


def fundraiser_hidden(*, fundraiser, actor):
    if fundraiser.owner_id is None:  # the owner deleted their account
        return
    message_send(
        key=f"fundraiser-hidden:{fundraiser.pk}:{int(fundraiser.hidden_at.timestamp())}",
        template="fundraiser_hidden",
        context={"fundraiser": fundraiser, "campaign": fundraiser.campaign, "reason": fundraiser.hidden_reason},
        user=fundraiser.owner,
    )


def donation_thank(*, donation, note):
    message_send(
        key=f"donation-thanks:{donation.pk}",
        template="donation_thanks",
        context=_context(donation, note=note),
        to_email=donation.donor_email,
        user=donation.user,
        language=donation.language,
    )


def campaign_ended(*, campaign, donations):
    """One note per donor (by e-mail) when the campaign ends: what was raised together."""
    for donation in donations:
        message_send(
            key=f"campaign-ended:{campaign.pk}:{donation.donor_key}",
            template="campaign_ended",
            context={
                "campaign": campaign,
                "donation": donation,
                "organisation": settings.ORGANISATION_NAME,
                "page_url": settings.SITE_URL + campaign.get_absolute_url(),
            },
            to_email=donation.donor_email,
            user=donation.user,
            language=donation.language,
        )


def _subscription_context(subscription, **extra):
    return {
        "subscription": subscription,
        "campaign": subscription.campaign,
        "fundraiser": subscription.fundraiser,
        "organisation": settings.ORGANISATION_NAME,
        "page_url": settings.SITE_URL + (subscription.fundraiser or subscription.campaign).get_absolute_url(),
        "manage_url": donor_page_url(subscription.donor_email),
        **extra,
    }


def _to_donor(subscription, *, key, template, **extra):
    message_send(
        key=key,
        template=template,
        context=_subscription_context(subscription, **extra),
        to_email=subscription.donor_email,
        user=subscription.user,
        language=subscription.language,
    )


def subscription_started(*, subscription):
    """ "Your monthly gift has started": the day, the amount and the link to change or stop it."""
    _to_donor(subscription, key=f"subscription-started:{subscription.pk}", template="subscription_started")


def subscription_past_due(*, subscription, charge):
    """The month could not be charged after every retry: a link to pay it with another card."""
    _to_donor(
        subscription,
        key=f"subscription-past-due:{subscription.pk}:{charge.period:%Y-%m}",
        template="subscription_past_due",
        charge=charge,
    )


def subscription_cancelled(*, subscription):
    _to_donor(
        subscription,
        key=f"subscription-cancelled:{subscription.pk}:{int(subscription.cancelled_at.timestamp())}",
        template="subscription_cancelled",
    )


def subscription_moved(*, subscription, old_campaign):
    """The campaign ended; the monthly gift goes on to the organisation's general fund."""
    _to_donor(
        subscription,
        key=f"subscription-moved:{subscription.pk}:{old_campaign.pk}",
        template="subscription_moved",
        old_campaign=old_campaign,
    )


def subscription_campaign_ended_ask(*, subscription, fund):
    """The campaign ended and the gift is paused: resume it (for the general fund) or stop it."""
    _to_donor(
        subscription,
        key=f"subscription-campaign-ended:{subscription.pk}:{subscription.campaign_id}",
        template="subscription_campaign_ended",
        fund=fund,
    )


def subscription_card_expiring(*, subscription):
    _to_donor(
        subscription,
        key=f"subscription-card-expiring:{subscription.pk}:{subscription.payment_method_id}",
        template="subscription_card_expiring",
    )
