"""Fundraising reads, scoped by who asks. Views and the API get objects through these."""

from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from communities.models import Community, Membership
from communities.selectors import communities_managed_by, is_manager
from fundraising.models import (
    COUNTED_STATUSES,
    Campaign,
    Donation,
    DonationChange,
    Fundraiser,
    Refund,
    Subscription,
    Team,
)

S = Donation.Status


def public_body_key(kind, pk, language):
    """Where the public page body of a campaign, fundraiser or team is cached for anonymous visitors."""
    return f"fundraising:body:{kind}:{pk}:{language}"


def public_bodies_forget(donation):
    """Drop the cached pages a donation shows on, so a new total appears at once."""
    from django.conf import settings
    from django.core.cache import cache

    targets = [("campaign", donation.campaign_id), ("fundraiser", donation.fundraiser_id), ("team", donation.team_id)]
    keys = [public_body_key(k, pk, lang) for k, pk in targets if pk for lang, _ in settings.LANGUAGES]
    cache.delete_many(keys)


def campaigns_public():
    """Campaigns anyone may see: active or ended, of public communities."""
    return Campaign.objects.filter(
        status__in=[Campaign.Status.ACTIVE, Campaign.Status.ENDED],
        community__visibility=Community.Visibility.PUBLIC,
    ).select_related("community")


def campaigns_visible_to(user):
    """Started campaigns of public communities and of the person's own; managers also see drafts."""
    if user.is_authenticated and user.is_staff:
        return Campaign.objects.select_related("community")
    communities = Q(community__visibility=Community.Visibility.PUBLIC)
    if user.is_authenticated:
        member_of = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("community_id")
        communities |= Q(community__in=member_of)
    visible = Q(status__in=[Campaign.Status.ACTIVE, Campaign.Status.ENDED]) & communities
    if user.is_authenticated:
        visible |= Q(community__in=communities_managed_by(user).values("pk"))
    return Campaign.objects.filter(visible).select_related("community")


def campaign_for_viewer(user, slug):
    campaign = campaigns_visible_to(user).filter(slug=slug).first()
    if campaign is None:
        raise Http404("No such campaign.")
    return campaign


def campaign_for_manager(user, slug):
    campaign = Campaign.objects.select_related("community").filter(slug=slug).first()
    if campaign is None or not is_manager(user, campaign.community):
        raise Http404("No such campaign.")
    return campaign


def campaigns_managed_by(user):
    if user.is_authenticated and user.is_staff:
        return Campaign.objects.select_related("community")
    return Campaign.objects.filter(community__in=communities_managed_by(user)).select_related("community")


def fundraisers_visible_to(user):
    """Active fundraisers of visible campaigns; owners and the campaign's managers also see hidden ones."""
    campaigns = campaigns_visible_to(user).values("pk")
    visible = Q(campaign__in=campaigns, status__in=[Fundraiser.Status.ACTIVE, Fundraiser.Status.ENDED])
    if user.is_authenticated:
        visible |= Q(owner=user) | Q(campaign__in=campaigns_managed_by(user).values("pk"))
    return Fundraiser.objects.filter(visible).select_related("campaign__community", "owner", "team__campaign", "event")


def fundraiser_for_viewer(user, slug):
    fundraiser = fundraisers_visible_to(user).filter(slug=slug).first()
    if fundraiser is None:
        raise Http404("No such fundraiser.")
    return fundraiser


def fundraiser_for_owner(user, slug):
    fundraiser = fundraiser_for_viewer(user, slug)
    if fundraiser.owner_id != user.pk:
        raise Http404("No such fundraiser.")
    return fundraiser


def can_see_private(user, fundraiser=None, campaign=None):
    """Donor e-mails, private messages and anonymous donors' names: the community's managers only.

    A peer fundraiser's owner is not one of them: they see Donation.owner_name, owner_email and
    public_message (what the donor chose to share with them).
    """
    if not user.is_authenticated:
        return False
    return is_manager(user, (campaign or fundraiser.campaign).community)


def team_for_viewer(user, campaign_slug, team_slug):
    campaign = campaign_for_viewer(user, campaign_slug)
    team = Team.objects.filter(campaign=campaign, slug=team_slug).select_related("captain").first()
    if team is None:
        raise Http404("No such team.")
    team.campaign = campaign
    return team


def leaderboard_fundraisers(campaign, limit=10):
    return (
        Fundraiser.objects.filter(campaign=campaign, status=Fundraiser.Status.ACTIVE)
        .select_related("owner", "team")
        .order_by("-raised_amount", "created_at")[:limit]
    )


def leaderboard_teams(campaign, limit=10):
    return Team.objects.filter(campaign=campaign).select_related("campaign").order_by("-raised_amount", "name")[:limit]


def donations_recent_public(limit=8, **scope):
    """Recent counted gifts for a public page; anonymous donors' names are blanked by the template.

    Gifts to a hidden fundraiser are left out of campaign and team pages (they still count in totals).
    """
    donations = Donation.objects.filter(status=S.SUCCEEDED, **scope)
    if "fundraiser" not in scope:
        donations = donations.exclude(fundraiser__status=Fundraiser.Status.HIDDEN)
    return donations.only(
        "donor_name",
        "anonymous",
        "amount",
        "currency",
        "message",
        "message_private",
        "succeeded_at",
        "dedication_kind",
        "dedication_name",
    ).order_by("-succeeded_at")[:limit]


def donation_to_retry(key, campaign, fundraiser=None):
    """The unpaid donation behind a "Try again" link (key: its idempotency key), or None.

    Only a gift that did not go through, to the same page, is offered back; the key is known only to
    the donor who was sent to the provider with it.
    """
    if not key:
        return None
    return Donation.objects.filter(
        idempotency_key=key,
        campaign=campaign,
        fundraiser=fundraiser,
        status__in=(S.PENDING, S.FAILED, S.CANCELLED),
        offline=False,
    ).first()


def donations_for_campaign_manager(campaign):
    return Donation.objects.filter(campaign=campaign).select_related("fundraiser", "team", "recorded_by")


def donations_visible_to(user):
    """Donations the person may list in any status: of campaigns they manage, of their fundraisers, their own.

    Which fields of them they may read is decided per donation (see api.DonationSerializer).
    """
    if not user.is_authenticated:
        return Donation.objects.none()
    if user.is_staff:
        return Donation.objects.all()
    return Donation.objects.filter(
        Q(campaign__in=campaigns_managed_by(user).values("pk")) | Q(fundraiser__owner=user) | Q(user=user)
    )


def donations_listed_for(user):
    """Gifts the person may list: counted gifts, and every gift they may read (donations_visible_to),
    in both cases only under a campaign and a fundraiser the person may see: a hidden fundraiser, a
    draft campaign or a private community hides its gifts whatever the filter."""
    parents = Q(campaign__in=campaigns_visible_to(user).values("pk")) & (
        Q(fundraiser__isnull=True) | Q(fundraiser__in=fundraisers_visible_to(user).values("pk"))
    )
    readable = Q(status=S.SUCCEEDED) | Q(pk__in=donations_visible_to(user).values("pk"))
    return Donation.objects.filter(parents & readable)


def my_fundraisers(user):
    return Fundraiser.objects.filter(owner=user).select_related("campaign", "team").order_by("-created_at")


def my_donations(user):
    return (
        Donation.objects.filter(Q(user=user) | Q(donor_email__iexact=user.email))
        .exclude(status=S.PENDING)
        .select_related("campaign", "fundraiser")
        .order_by("-created_at")
    )


def donation_refunds(donation):
    return list(Refund.objects.filter(donation=donation).select_related("actor").order_by("created_at", "pk"))


def campaign_refunds(campaign):
    """Every refund of a campaign's gifts with its donation, fundraiser and actor, oldest first (one query)."""
    return (
        Refund.objects.filter(donation__campaign=campaign)
        .select_related("donation", "donation__fundraiser", "actor")
        .order_by("created_at", "pk")
    )


def donation_history(donation):
    return list(DonationChange.objects.filter(donation=donation).select_related("actor", "refund").order_by("at", "pk"))


def campaign_end_reach(campaign):
    """(donors to be told, live monthly gifts) if the campaign ended now, as fundraising.services.campaign_end
    counts them: each donor with an e-mail once, every monthly gift that is not stopped."""
    counted = Donation.objects.filter(campaign=campaign, status__in=COUNTED_STATUSES).exclude(donor_email="")
    donors = counted.values("donor_key").distinct().count()
    live = (
        Subscription.Status.ACTIVE,
        Subscription.Status.PAST_DUE,
        Subscription.Status.PAUSED,
        Subscription.Status.PENDING,
    )
    return donors, Subscription.objects.filter(campaign=campaign, status__in=live).count()


def campaigns_with_money(campaigns):
    """The campaigns annotated with the money their managers see apart from the confirmed total
    (`raised_amount`): `pending` (gifts awaiting payment, or an owner's offline gift awaiting a manager),
    `pending_count`, and `refunds_pending` (refunds asked of the provider and not yet confirmed). One query."""
    zero = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))
    pending = (
        Donation.objects.filter(campaign=OuterRef("pk"), status=S.PENDING)
        .values("campaign")
        .annotate(total=Sum("amount"), count=Count("pk"))
    )
    refunds = (
        Refund.objects.filter(donation__campaign=OuterRef("pk"), state=Refund.State.PENDING)
        .values("donation__campaign")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return campaigns.annotate(
        pending=Coalesce(Subquery(pending.values("total")), zero),
        pending_count=Coalesce(Subquery(pending.values("count")), 0),
        refunds_pending=Coalesce(Subquery(refunds), zero),
    )


def campaign_money(campaign):
    """Confirmed and pending money of a campaign for its managers: one query.

    {"confirmed": raised less refunds, "pending": gifts awaiting payment, "pending_count",
    "refunds_pending": refunds asked of the provider and not yet confirmed}.
    """
    row = (
        campaigns_with_money(Campaign.objects.filter(pk=campaign.pk))
        .values("raised_amount", "pending", "pending_count", "refunds_pending")
        .get()
    )
    return {"confirmed": row.pop("raised_amount"), **row}


def money_awaiting(campaigns):
    """Money not yet confirmed, now, of some campaigns (a queryset), by currency and by campaign: two queries.

    {"by_currency": {code: {"pending", "pending_count", "refunds_pending"}}, "by_campaign": {id: same}}.
    """
    empty = {"pending": Decimal(0), "pending_count": 0, "refunds_pending": Decimal(0)}
    result = {"by_currency": {}, "by_campaign": {}}
    gifts = (
        Donation.objects.filter(campaign__in=campaigns, status=S.PENDING)
        .values_list("campaign_id", "currency")
        .annotate(total=Sum("amount"), count=Count("pk"))
        .order_by()
    )
    refunds = (
        Refund.objects.filter(donation__campaign__in=campaigns, state=Refund.State.PENDING)
        .values_list("donation__campaign_id", "currency")
        .annotate(total=Sum("amount"), count=Count("pk"))
        .order_by()
    )
    for rows, total_key, count_key in ((gifts, "pending", "pending_count"), (refunds, "refunds_pending", None)):
        for campaign_id, currency, total, count in rows:
            for bucket in (
                result["by_campaign"].setdefault(campaign_id, dict(empty)),
                result["by_currency"].setdefault(currency, dict(empty)),
            ):
                bucket[total_key] += total
                if count_key:
                    bucket[count_key] += count
    return result


def donor_gifts(email):
    """Every online or offline gift made under this e-mail (any status but abandoned), newest first."""
    return (
        Donation.objects.filter(donor_key=email.strip().lower())
        .exclude(status__in=[S.PENDING, S.CANCELLED])
        .select_related("campaign", "fundraiser", "subscription")
        .order_by("-created_at")
    )


def donor_subscriptions(email):
    """The donor's monthly gifts that were ever started (not the ones still waiting for a first payment)."""
    return (
        Subscription.objects.filter(donor_key=email.strip().lower())
        .exclude(status=Subscription.Status.PENDING)
        .select_related("campaign", "fundraiser")
        .order_by("status", "-created_at")
    )
