"""Daily rollups of donations for the dashboard (communities/dashboard.py).

A refresh recomputes whole days from the donations: the rows of those days are deleted and written
again in one transaction, so running it twice, or after a late refund, gives the same rows.
"""

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from communities.models import Community
from fundraising.models import COUNTED_STATUSES, CampaignDay, Donation, DonationDay

REFRESH_DAYS = 3  # today and the two days before: late payments and refunds land within them
BATCH = 5000


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


def donation_days_keep_fresh(*, now=None):
    """The periodic refresh: the last days, or every day when the rollup has never been built."""
    if not DonationDay.objects.exists() and Donation.objects.exists():
        return donation_days_rebuild(now=now)
    return donation_days_refresh(now=now)
