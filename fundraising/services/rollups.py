"""Daily rollups of donations for the dashboard (communities/dashboard.py).

Every change to a donation's counted amount (success, late success, refund, offline gift) rewrites the
rollup rows of that donation's day in the same transaction (donation_day_update), whatever the day's
age. rollups_check compares every row with a fresh aggregate and repairs drift (nightly, and
`manage.py rollups_check`); donation_days_rebuild builds everything at once (seeding, imports).
"""

import logging
import zoneinfo
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Sum, Value
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone

from communities.models import Community
from fundraising.models import COUNTED_STATUSES, Campaign, CampaignDay, Donation, DonationDay

logger = logging.getLogger(__name__)
REFRESH_DAYS = 3  # donation_days_refresh's default window, for bulk writes of recent days
BATCH = 5000
COUNTED = {"status__in": COUNTED_STATUSES, "refunded_amount__lt": F("amount")}


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _days_of_zone(zone_name, since, refreshed_at):
    """The rollup rows from `since` (a local date) on, for the communities in one time zone."""
    zone = _zone(zone_name)
    first_moment = timezone.datetime.combine(since, timezone.datetime.min.time(), tzinfo=zone)
    rows = (
        Donation.objects.filter(
            campaign__community__timezone=zone_name,
            status__in=COUNTED_STATUSES,
            refunded_amount__lt=F("amount"),
            created_at__gte=first_moment,
        )
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day", "campaign__community_id", "campaign_id", "fundraiser_id", "team_id", "currency")
        .annotate(raised=Sum(F("amount") - F("refunded_amount")), count=Count("pk"), last=Max("created_at"))
        .order_by()
    )
    for row in rows.iterator(chunk_size=BATCH):
        yield DonationDay(
            day=row["day"],
            community_id=row["campaign__community_id"],
            campaign_id=row["campaign_id"],
            fundraiser_id=row["fundraiser_id"],
            team_id=row["team_id"],
            currency=row["currency"],
            amount=row["raised"],
            donations=row["count"],
            last_donation_at=row["last"],
            refreshed_at=refreshed_at,
        )


def donation_days_refresh(*, days=REFRESH_DAYS, since=None, now=None):
    """Recompute the last `days` days (or every day from the date `since`); returns the rows written."""
    now = now or timezone.now()
    # The earliest local date any zone can be at: a day before UTC's date covers every zone.
    since = since or (now - timedelta(days=days)).date()
    written = 0
    with transaction.atomic():
        # Refreshes never interleave: the second waits for the first and then rewrites the same days.
        list(Community.objects.select_for_update().order_by("pk").values_list("pk", flat=True)[:1])
        DonationDay.objects.filter(day__gte=since).delete()
        zones = Community.objects.values_list("timezone", flat=True).distinct().order_by()
        for zone_name in zones:
            batch = []
            for row in _days_of_zone(zone_name, since, now):
                batch.append(row)
                if len(batch) == BATCH:
                    written += len(DonationDay.objects.bulk_create(batch))
                    batch = []
            written += len(DonationDay.objects.bulk_create(batch))
        _campaign_days(since)
    return written


def _campaign_days(since):
    """CampaignDay from DonationDay for the same days: one read, one batched write."""
    CampaignDay.objects.filter(day__gte=since).delete()
    rows = (
        DonationDay.objects.filter(day__gte=since)
        .values("day", "community_id", "campaign_id", "currency")
        .annotate(total=Sum("amount"), count=Sum("donations"))
        .order_by()
    )
    CampaignDay.objects.bulk_create(
        (
            CampaignDay(
                day=row["day"],
                community_id=row["community_id"],
                campaign_id=row["campaign_id"],
                currency=row["currency"],
                amount=row["total"],
                donations=row["count"],
            )
            for row in rows.iterator(chunk_size=BATCH)
        ),
        batch_size=BATCH,
    )


def donation_days_rebuild(*, now=None):
    """Every day since the first donation: after an import, or to start the rollup on existing data."""
    first = Donation.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        DonationDay.objects.all().delete()
        CampaignDay.objects.all().delete()
        return 0
    return donation_days_refresh(since=(first - timedelta(days=1)).date(), now=now)


def donation_day_update(donation):
    """Rewrite the rollup rows of the donation's day (in its community's time zone): its DonationDay row
    (campaign, fundraiser, team, currency) from the donations, then the day's CampaignDay row.

    Called inside the transaction that changed the donation, with its campaign row locked, so no other
    change of the same rows runs at the same time. Five queries.
    """
    zone_name, community_id = (
        Campaign.objects.filter(pk=donation.campaign_id).values_list("community__timezone", "community_id").get()
    )
    zone = _zone(zone_name)
    day = timezone.localtime(donation.created_at, zone).date()
    start = datetime.combine(day, time.min, tzinfo=zone)
    scope = {
        "campaign_id": donation.campaign_id,
        "fundraiser_id": donation.fundraiser_id,
        "team_id": donation.team_id,
        "currency": donation.currency,
    }
    fresh = Donation.objects.filter(
        **scope,
        **COUNTED,
        created_at__gte=start,
        created_at__lt=datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone),
    ).aggregate(raised=Sum(F("amount") - F("refunded_amount")), count=Count("pk"), last=Max("created_at"))
    rows = DonationDay.objects.filter(day=day, **scope)
    if not fresh["count"]:
        rows.delete()
    elif not rows.update(amount=fresh["raised"], donations=fresh["count"], last_donation_at=fresh["last"]):
        DonationDay.objects.create(
            day=day,
            community_id=community_id,
            amount=fresh["raised"],
            donations=fresh["count"],
            last_donation_at=fresh["last"],
            **scope,
        )
    _campaign_day_update(day, community_id, donation.campaign_id, donation.currency)


def donation_day_add(donation, *, amount):
    """One more counted gift on the donation's day (a payment that succeeded, or a refund reversed):
    its DonationDay and CampaignDay rows move by `amount` and one gift, without reading the day's
    donations again. The same rows donation_day_update would write (when they were right before), in
    a constant time: on a busy 1st of the month thousands of monthly charges land on one day of one
    campaign, and rewriting the day from its donations for each would read the day over and over.

    Called as donation_day_update is: inside the donation's transaction, its campaign row locked.
    """
    zone_name, community_id = (
        Campaign.objects.filter(pk=donation.campaign_id).values_list("community__timezone", "community_id").get()
    )
    day = timezone.localtime(donation.created_at, _zone(zone_name)).date()
    scope = {
        "campaign_id": donation.campaign_id,
        "fundraiser_id": donation.fundraiser_id,
        "team_id": donation.team_id,
        "currency": donation.currency,
    }
    moved = DonationDay.objects.filter(day=day, **scope).update(
        amount=F("amount") + amount,
        donations=F("donations") + 1,
        last_donation_at=Greatest("last_donation_at", Value(donation.created_at)),
    )
    if not moved:
        DonationDay.objects.create(
            day=day,
            community_id=community_id,
            amount=amount,
            donations=1,
            last_donation_at=donation.created_at,
            **scope,
        )
    campaign_day = {"day": day, "campaign_id": donation.campaign_id, "currency": donation.currency}
    if not CampaignDay.objects.filter(**campaign_day).update(amount=F("amount") + amount, donations=F("donations") + 1):
        CampaignDay.objects.create(community_id=community_id, **campaign_day, amount=amount, donations=1)


def _campaign_day_update(day, community_id, campaign_id, currency):
    scope = {"day": day, "campaign_id": campaign_id, "currency": currency}
    total = DonationDay.objects.filter(**scope).aggregate(amount=Sum("amount"), donations=Sum("donations"))
    if not total["donations"]:
        CampaignDay.objects.filter(**scope).delete()
    elif not CampaignDay.objects.filter(**scope).update(amount=total["amount"], donations=total["donations"]):
        CampaignDay.objects.create(community_id=community_id, **scope, **total)


def _fresh_rows(campaign_ids):
    """{(day, campaign, fundraiser, team, currency): (amount, donations, last)} from the donations."""
    fresh = {}
    campaigns = Campaign.objects.filter(pk__in=campaign_ids)
    for zone_name in campaigns.values_list("community__timezone", flat=True).distinct().order_by():
        rows = (
            Donation.objects.filter(campaign__in=campaigns, campaign__community__timezone=zone_name, **COUNTED)
            .annotate(day=TruncDate("created_at", tzinfo=_zone(zone_name)))
            .values_list("day", "campaign_id", "fundraiser_id", "team_id", "currency")
            .annotate(raised=Sum(F("amount") - F("refunded_amount")), count=Count("pk"), last=Max("created_at"))
            .order_by()
        )
        for day, campaign, fundraiser, team, currency, raised, count, last in rows.iterator(chunk_size=BATCH):
            fresh[(day, campaign, fundraiser, team, currency)] = (raised, count, last)
    return fresh


def _stored_rows(campaign_ids):
    rows = DonationDay.objects.filter(campaign_id__in=campaign_ids).values_list(
        "day", "campaign_id", "fundraiser_id", "team_id", "currency", "amount", "donations", "last_donation_at"
    )
    return {row[:5]: row[5:] for row in rows.iterator(chunk_size=BATCH)}


def _campaign_days_drift(campaign_ids):
    """Campaigns whose CampaignDay rows are not the sums of their DonationDay rows."""
    sums = defaultdict(lambda: (0, 0))
    for day, campaign, currency, amount, count in (
        DonationDay.objects.filter(campaign_id__in=campaign_ids)
        .values_list("day", "campaign_id", "currency")
        .annotate(amount=Sum("amount"), count=Sum("donations"))
        .order_by()
    ):
        sums[(day, campaign, currency)] = (amount, count)
    stored = {
        row[:3]: row[3:]
        for row in CampaignDay.objects.filter(campaign_id__in=campaign_ids).values_list(
            "day", "campaign_id", "currency", "amount", "donations"
        )
    }
    return {key[1] for key in set(sums) | set(stored) if sums.get(key) != stored.get(key)}


def rollups_check(*, repair=True, batch=200):
    """Compare every rollup row with a fresh aggregate of the donations; repair drifted campaigns.

    Returns {campaign_id: number of differing rows}. A drifted campaign's rows are rewritten with its
    campaign row locked, so no payment of it interleaves. Run nightly and by `manage.py rollups_check`.
    """
    drift = {}
    ids = list(Campaign.objects.order_by("pk").values_list("pk", flat=True))
    for first in range(0, len(ids), batch):
        chunk = ids[first : first + batch]
        fresh, stored = _fresh_rows(chunk), _stored_rows(chunk)
        for key in set(fresh) | set(stored):
            if fresh.get(key) != stored.get(key):
                drift[key[1]] = drift.get(key[1], 0) + 1
        for campaign_id in _campaign_days_drift(chunk):
            drift.setdefault(campaign_id, 1)
    if repair:
        for campaign_id in drift:
            campaign_rollups_rebuild(campaign_id=campaign_id)
    return drift


def campaign_rollups_rebuild(*, campaign_id):
    """Rewrite one campaign's rollup rows from its donations, with the campaign row locked."""
    with transaction.atomic():
        list(Campaign.objects.select_for_update().filter(pk=campaign_id).values_list("pk", flat=True))
        community_id = Campaign.objects.values_list("community_id", flat=True).get(pk=campaign_id)
        DonationDay.objects.filter(campaign_id=campaign_id).delete()
        CampaignDay.objects.filter(campaign_id=campaign_id).delete()
        rows = [
            DonationDay(
                day=day,
                community_id=community_id,
                campaign_id=campaign,
                fundraiser_id=fundraiser,
                team_id=team,
                currency=currency,
                amount=raised,
                donations=count,
                last_donation_at=last,
            )
            for (day, campaign, fundraiser, team, currency), (raised, count, last) in _fresh_rows([campaign_id]).items()
        ]
        DonationDay.objects.bulk_create(rows, batch_size=BATCH)
        for day, currency in {(row.day, row.currency) for row in rows}:
            _campaign_day_update(day, community_id, campaign_id, currency)
