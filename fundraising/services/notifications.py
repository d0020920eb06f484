"""Messages and activity that follow what happens to money. Each e-mail has a key, so it goes once."""

from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from communities.models import Membership
from fundraising.models import Campaign, Fundraiser
from fundraising.services.donor_links import donor_page_url
from members.models import Activity
from members.services import activity_record, message_send

MILESTONES = (50, 100)


def milestone_crossed(*, before, after, goal):
    """The highest milestone (a percentage) that raising from `before` to `after` of `goal` crossed, or None.

    A threshold already passed before the gift (a fundraiser credited far past its goal, a goal lowered
    below what was raised) is not crossed again.
    """
    if not goal:
        return None
    crossed = [p for p in MILESTONES if before * 100 < goal * Decimal(p) <= after * 100]
    return max(crossed, default=None)


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
    _campaign_milestone(donation)
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
    fundraiser = Fundraiser.objects.select_related("owner").get(pk=donation.fundraiser_id)
    message_send(
        key=f"fundraiser-donation:{donation.pk}",
        template="fundraiser_donation",
        context=_context(donation, fundraiser=fundraiser),
        user=fundraiser.owner,
    )
    before = fundraiser.raised_amount - donation.net_amount
    percent = milestone_crossed(before=before, after=fundraiser.raised_amount, goal=fundraiser.goal)
    if percent is not None:
        message_send(
            key=f"milestone:{fundraiser.pk}:{percent}",
            template="fundraiser_milestone",
            context=_context(donation, fundraiser=fundraiser, percent=percent),
            user=fundraiser.owner,
        )


def _campaign_milestone(donation):
    """The campaign's managers hear once when a gift takes the campaign past half-way or its goal."""
    campaign = Campaign.objects.select_related("community").get(pk=donation.campaign_id)
    before = campaign.raised_amount - donation.net_amount
    percent = milestone_crossed(before=before, after=campaign.raised_amount, goal=campaign.goal)
    if percent is None:
        return
    managers = Membership.objects.filter(
        community_id=campaign.community_id, role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
    ).select_related("user")
    for manager in (m.user for m in managers):
        message_send(
            key=f"campaign-milestone:{campaign.pk}:{percent}:{manager.pk}",
            template="campaign_milestone",
            context=_context(donation, campaign=campaign, percent=percent),
            user=manager,
        )


def donation_refunded(*, donation, refund):
    """The donor hears about each refund, in their language (once per refund)."""
    if not donation.donor_email:
        return
    message_send(
        key=f"donation-refund:{refund.pk}",
        template="donation_refunded",
        context=_context(donation, refund=refund, remaining=donation.amount - donation.refunded_amount),
        to_email=donation.donor_email,
        user=donation.user,
        language=donation.language,
    )


def refund_failed(*, donation, refund):
    """The campaign's managers hear (once per refund) that a refund failed at the provider: after it was
    made (it counts in the totals again), or while the provider was still making it (nothing changed).
    Either way the donor did not get the money back."""
    campaign = Campaign.objects.select_related("community").get(pk=donation.campaign_id)
    managers = Membership.objects.filter(
        community_id=campaign.community_id, role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
    ).select_related("user")
    path = reverse("fundraising:refund", args=[campaign.slug, donation.pk])
    for manager in (m.user for m in managers):
        message_send(
            key=f"refund-failed:{refund.pk}:{manager.pk}",
            template="refund_reversed",
            context=_context(donation, campaign=campaign, refund=refund, donation_url=settings.SITE_URL + path),
            user=manager,
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
