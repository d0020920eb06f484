"""Monthly reports on the 1st: to each fundraiser owner about their fundraiser's month, and to each
donor who agreed to reports about the campaigns they gave to.

- Owners: scanned per community, on the 1st from 09:00 in the community's time zone. The report is
  about the person's own page, a statement of the service they use, so it is TRANSACTIONAL.
  Key `report:owner:<fundraiser id>:<YYYY-MM>` (the month reported on).
- Donors: scanned once for everybody on the 1st from 10:00 in the organisation's time zone (a donor
  gives across communities, and gets one report). Category REPORTS, to every donor who agreed:
  people with an account by its consent (consent_reports), key `report:donor:<user id>:<YYYY-MM>`;
  donors without one by the consent they gave under their e-mail (fundraising.DonorConsent, asked on
  the give page and their donor page), about their gifts made without an account, with a link to
  their donor page to stop it, key `report:donor:guest:<DonorConsent id>:<YYYY-MM>`. An e-mail that
  belongs to an account follows the account's consent only.

Both run in batches of ids; every e-mail's key makes a second run (or a retried task) send nothing.
"""

import zoneinfo
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.utils import timezone

from communities.routine.services.checkins import communities_in_batches
from members.models import OutboundMessage, User
from members.services import message_send

BATCH_SIZE = 1000
OWNER_HOUR = 9
DONOR_HOUR = 10


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def reported_month(local):
    """(label 'YYYY-MM', start, end) of the month before `local`'s, as aware datetimes in its zone."""
    this_month = datetime.combine(local.date().replace(day=1), time(0), tzinfo=local.tzinfo)
    start = (this_month - timedelta(days=1)).replace(day=1)
    return start.strftime("%Y-%m"), start, this_month


def reports_send(*, now=None):
    """Hourly: on the 1st, the owners' reports community by community, then the donors' reports."""
    if not apps.is_installed("fundraising"):
        return 0
    now = now or timezone.now()
    sent = 0
    for community_id, zone, _lapsed in communities_in_batches():
        local = timezone.localtime(now, _zone(zone))
        if local.day == 1 and local.hour >= OWNER_HOUR:
            sent += owner_reports_send(community_id=community_id, month=reported_month(local))
    local = timezone.localtime(now, _zone(settings.TIME_ZONE))
    if local.day == 1 and local.hour >= DONOR_HOUR:
        sent += donor_reports_send(month=reported_month(local))
    return sent


def _month_totals(donations, start, end, group):
    """{group value: (net raised in the month, donors in the month)} for counted donations."""
    from fundraising.models import COUNTED_STATUSES

    rows = (
        donations.filter(status__in=COUNTED_STATUSES, succeeded_at__gte=start, succeeded_at__lt=end)
        .values(group)
        .annotate(raised=Sum(F("amount") - F("refunded_amount")), donors=Count("donor_key", distinct=True))
    )
    return {row[group]: (row["raised"] or Decimal(0), row["donors"]) for row in rows}


def owner_reports_send(*, community_id, month):
    from fundraising.models import Donation, Fundraiser

    label, start, end = month
    # Open fundraisers, and those that ended but still had donations in the month; hidden ones never.
    in_month = Q(donations__succeeded_at__gte=start, donations__succeeded_at__lt=end)
    fundraisers = (
        Fundraiser.objects.filter(campaign__community_id=community_id, created_at__lt=end)
        .filter(Q(status=Fundraiser.Status.ACTIVE) | Q(in_month, status=Fundraiser.Status.ENDED))
        .distinct()
    )
    sent, last = 0, 0
    while ids := list(fundraisers.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH_SIZE]):
        last = ids[-1]
        keys = {pk: f"report:owner:{pk}:{label}" for pk in ids}
        done = set(OutboundMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True))
        todo = [pk for pk in ids if keys[pk] not in done]
        totals = _month_totals(Donation.objects.filter(fundraiser_id__in=todo), start, end, "fundraiser_id")
        batch = Fundraiser.objects.filter(pk__in=todo, owner__is_active=True).select_related(
            "owner", "campaign__community"
        )
        for fundraiser in batch:
            raised, donors = totals.get(fundraiser.pk, (Decimal(0), 0))
            context = {"fundraiser": fundraiser, "campaign": fundraiser.campaign, "month_start": start}
            message_send(
                key=keys[fundraiser.pk],
                template="report_owner",
                context={**context, "month_raised": raised, "month_donors": donors},
                user=fundraiser.owner,
                community=fundraiser.campaign.community,
            )
            sent += 1
    return sent


def donor_reports_send(*, month):
    from fundraising.models import COUNTED_STATUSES, Donation

    label, start, end = month
    given = Donation.objects.filter(
        status__in=COUNTED_STATUSES, user__isnull=False, user__is_active=True, user__consent_reports=True
    ).filter(Q(campaign__ended_at__isnull=True) | Q(campaign__ended_at__gte=start))
    donor_ids = given.values_list("user_id", flat=True).distinct()
    sent, last = 0, 0
    while ids := list(donor_ids.filter(user_id__gt=last).order_by("user_id")[:BATCH_SIZE]):
        last = ids[-1]
        sent += _donor_batch(user_ids=ids, given=given, label=label, start=start, end=end)
    return sent + _guest_donor_reports_send(label=label, start=start, end=end)


def _guest_donor_reports_send(*, label, start, end):
    """Donors without an account who agreed under their e-mail: one report each about those gifts."""
    from fundraising.models import COUNTED_STATUSES, Donation, DonorConsent

    given = Donation.objects.filter(status__in=COUNTED_STATUSES, user__isnull=True).filter(
        Q(campaign__ended_at__isnull=True) | Q(campaign__ended_at__gte=start)
    )
    accounts = User.objects.filter(email__iexact=OuterRef("donor_key"))
    agreed = (
        DonorConsent.objects.filter(reports=True)
        .filter(Exists(given.filter(donor_key=OuterRef("donor_key"))))
        .exclude(Exists(accounts))
    )
    sent, last = 0, 0
    while batch := list(agreed.filter(pk__gt=last).order_by("pk")[:BATCH_SIZE]):
        last = batch[-1].pk
        sent += _guest_batch(consents=batch, given=given, label=label, start=start, end=end)
    return sent


def _guest_batch(*, consents, given, label, start, end):
    from fundraising.models import Campaign, Donation
    from fundraising.services.donor_links import donor_page_url

    keys = {c.pk: f"report:donor:guest:{c.pk}:{label}" for c in consents}
    done = set(OutboundMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    todo = [c for c in consents if keys[c.pk] not in done]
    campaigns_of = defaultdict(set)
    donor_keys = [c.donor_key for c in todo]
    for donor_key, campaign_id in given.filter(donor_key__in=donor_keys).values_list("donor_key", "campaign_id"):
        campaigns_of[donor_key].add(campaign_id)
    campaign_ids = set().union(*campaigns_of.values()) if campaigns_of else set()
    campaigns = Campaign.objects.filter(pk__in=campaign_ids).select_related("community").in_bulk()
    totals = _month_totals(Donation.objects.filter(campaign_id__in=campaign_ids), start, end, "campaign_id")
    updates = _latest_updates(campaign_ids)
    for consent in todo:
        rows = [
            {
                "campaign": campaigns[cid],
                "month_raised": totals.get(cid, (Decimal(0), 0))[0],
                "update": updates.get(cid),
            }
            for cid in sorted(campaigns_of[consent.donor_key])
        ]
        message_send(
            key=keys[consent.pk],
            template="report_donor",
            context={"rows": rows, "month_start": start, "manage_url": donor_page_url(consent.email) + "#consents"},
            to_email=consent.email,
            language=consent.language,
            category=OutboundMessage.Category.REPORTS,
        )
    return len(todo)


def _donor_batch(*, user_ids, given, label, start, end):
    from fundraising.models import Campaign, Donation

    keys = {pk: f"report:donor:{pk}:{label}" for pk in user_ids}
    done = set(OutboundMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    todo = [pk for pk in user_ids if keys[pk] not in done]
    campaigns_of = defaultdict(set)
    for user_id, campaign_id in given.filter(user_id__in=todo).values_list("user_id", "campaign_id").distinct():
        campaigns_of[user_id].add(campaign_id)
    campaign_ids = set().union(*campaigns_of.values()) if campaigns_of else set()
    campaigns = Campaign.objects.filter(pk__in=campaign_ids).select_related("community").in_bulk()
    totals = _month_totals(Donation.objects.filter(campaign_id__in=campaign_ids), start, end, "campaign_id")
    updates = _latest_updates(campaign_ids)
    for user in User.objects.filter(pk__in=todo):
        rows = [
            {
                "campaign": campaigns[cid],
                "month_raised": totals.get(cid, (Decimal(0), 0))[0],
                "update": updates.get(cid),
            }
            for cid in sorted(campaigns_of[user.pk])
        ]
        message_send(
            key=keys[user.pk],
            template="report_donor",
            context={"rows": rows, "month_start": start},
            user=user,
            category=OutboundMessage.Category.REPORTS,
        )
    return len(todo)


def _latest_updates(campaign_ids):
    """{campaign id: its latest CampaignUpdate}, two queries whatever the number of campaigns."""
    from fundraising.models import CampaignUpdate

    latest = (
        CampaignUpdate.objects.filter(campaign_id__in=campaign_ids)
        .values("campaign_id")
        .annotate(last=Max("published_at"))
        .values_list("campaign_id", "last")
    )
    wanted = Q()
    for campaign_id, last in latest:
        wanted |= Q(campaign_id=campaign_id, published_at=last)
    if not wanted:
        return {}
    return {u.campaign_id: u for u in CampaignUpdate.objects.filter(wanted).order_by("pk")}
