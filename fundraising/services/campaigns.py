"""Campaigns and their updates, written by the community's managers."""

from django.db import transaction
from django.db.models import Max, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.slugs import save_with_free_slug
from fundraising.models import COUNTED_STATUSES, Campaign, CampaignUpdate, Donation
from fundraising.money import AmountError, amount_parse
from fundraising.services import notifications, subscriptions
from fundraising.services.donations import require_manager
from fundraising.services.errors import FundraisingError

CAMPAIGN_FIELDS = (
    "title",
    "summary",
    "story",
    "cover",
    "goal",
    "currency",
    "starts_on",
    "ends_on",
    "status",
    "suggested_amounts",
    "allow_fundraisers",
)


def suggested_amounts_parse(values, currency):
    """A list of amounts kept as strings ("500.00"), sorted, without duplicates."""
    try:
        language = translation.get_language() or "en"
        amounts = sorted(
            {
                amount_parse(v, minimum="0.01", maximum="9999999999.99", language=language)
                for v in values
                if str(v).strip()
            }
        )
    except AmountError as exc:
        raise FundraisingError(_("Suggested amounts: %(error)s") % {"error": exc}) from exc
    return [str(a) for a in amounts][:6]


@transaction.atomic
def campaign_create(*, community, actor, data, now=None):
    require_manager(actor, community)
    campaign = Campaign(community=community, created_by=actor, created_at=now or timezone.now())
    return _campaign_save(campaign, data)


@transaction.atomic
def campaign_edit(*, campaign, actor, data):
    require_manager(actor, campaign.community)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.donation_count and data.get("currency", campaign.currency) != campaign.currency:
        raise FundraisingError(_("The currency cannot change once donations have arrived."))
    return _campaign_save(campaign, data)


def _campaign_save(campaign, data):
    if data.get("status") == Campaign.Status.ENDED and campaign.status != Campaign.Status.ENDED:
        raise FundraisingError(_("End a campaign with its End campaign button, so its donors are told."))
    for field in CAMPAIGN_FIELDS:
        if field in data and not (field == "cover" and not data[field]):
            setattr(campaign, field, data[field])
    campaign.story = (campaign.story or "").strip()
    campaign.suggested_amounts = suggested_amounts_parse(campaign.suggested_amounts or [], campaign.currency)
    if campaign.ends_on and campaign.starts_on and campaign.ends_on < campaign.starts_on:
        raise FundraisingError(_("The campaign cannot end before it starts."))
    campaign.full_clean(exclude=["community", "created_by", "slug"])
    if campaign.slug:
        campaign.save()
        return campaign
    return save_with_free_slug(campaign, source=campaign.title, queryset=Campaign.objects.all(), max_length=80)


def campaign_update_post(*, campaign, actor, title, body, now=None):
    require_manager(actor, campaign.community)
    return CampaignUpdate.objects.create(
        campaign=campaign,
        author=actor,
        title=title.strip(),
        body=body.strip(),
        published_at=now or timezone.now(),
    )


def campaign_end(*, campaign_id, now=None):
    """End an active campaign and write to its donors (each e-mail once). Running it again does nothing new."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("community").get(pk=campaign_id)
        if campaign.status == Campaign.Status.ACTIVE:
            campaign.status, campaign.ended_at = Campaign.Status.ENDED, now
            campaign.save(update_fields=["status", "ended_at"])
        if campaign.status != Campaign.Status.ENDED:
            return campaign
        counted = Donation.objects.filter(campaign=campaign, status__in=COUNTED_STATUSES).exclude(donor_email="")
        # Each donor's latest gift, so every person gets one note (a subquery, not DISTINCT ON: SQLite too).
        latest = counted.values("donor_key").annotate(last=Max("pk")).values("last")
        donations = Donation.objects.filter(pk__in=Subquery(latest)).select_related("user").order_by("pk")
        notifications.campaign_ended(campaign=campaign, donations=donations)
        subscriptions.subscriptions_campaign_ended(campaign=campaign, now=now)
    return campaign


def campaigns_due_to_end(*, now=None):
    """Ids of active campaigns whose last day has passed (in the organisation's time zone)."""
    today = timezone.localdate(now or timezone.now())
    return list(Campaign.objects.filter(status=Campaign.Status.ACTIVE, ends_on__lt=today).values_list("pk", flat=True))


def campaign_end_by_manager(*, campaign, actor, now=None):
    require_manager(actor, campaign.community)
    if campaign.status != Campaign.Status.ACTIVE:
        raise FundraisingError(_("Only an active campaign can be ended."))
    return campaign_end(campaign_id=campaign.pk, now=now)
