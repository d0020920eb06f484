"""Reads for the donors view: one row per donor (donor_key: the lower-cased e-mail) and currency."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.aggregates import StringAgg
from django.utils import timezone

from fundraising.models import COUNTED_STATUSES, Donation, Subscription

PAGE_SIZE = 50
SORTS = {"last": "-last_gift", "total": "-total", "gifts": "-gifts", "first": "first_gift", "name": "name"}
RECURRING_FILTERS = ("active", "past_due", "paused", "cancelled", "any", "none")
SS = Subscription.Status
# Which of a donor's monthly gifts speaks for them: an active one first, a stopped one last.
STATUS_RANK = {SS.ACTIVE: 0, SS.PAST_DUE: 1, SS.PAUSED: 2, SS.CANCELLED: 3}


@dataclass(frozen=True)
class DonorFilters:
    q: str = ""
    recurring: str = ""
    sort: str = "last"


def donor_filters_parse(params) -> DonorFilters:
    """Filters from a query string; unknown values fall back to the defaults (never an error)."""
    recurring = params.get("recurring", "")
    sort = params.get("sort", "last")
    return DonorFilters(
        q=params.get("q", "").strip()[:100],
        recurring=recurring if recurring in RECURRING_FILTERS else "",
        sort=sort if sort in SORTS else "last",
    )


def _counted(community):
    donations = Donation.objects.filter(status__in=COUNTED_STATUSES)
    return donations.filter(campaign__community=community) if community is not None else donations


def _subscriptions(community):
    live = Subscription.objects.exclude(status=SS.PENDING)
    return live.filter(campaign__community=community) if community is not None else live


def donors(*, community=None, filters: DonorFilters = DonorFilters()) -> QuerySet:
    """Donor rows (dicts) of a community, or of every community when None: donor_key, currency, name,
    email, first_gift, last_gift, total (less refunds), gifts, fundraisers (titles, ", "-joined),
    user_id, recurring (the status of their most current monthly gift, or None). One query."""
    rows = (
        _counted(community)
        .values("donor_key", "currency")
        .annotate(
            name=Max("donor_name"),
            email=Max("donor_email"),
            first_gift=Min("created_at"),
            last_gift=Max("created_at"),
            total=Sum(F("amount") - F("refunded_amount")),
            gifts=Count("pk"),
            user_id=Max("user_id"),
            fundraisers=StringAgg("fundraiser__title", delimiter=Value(", "), distinct=True, default=""),
            recurring=Subquery(_recurring_status(community)),
        )
    )
    return _filtered(rows, filters).order_by(SORTS[filters.sort], "donor_key")


def _recurring_status(community):
    rank = Case(*(When(status=s, then=Value(r)) for s, r in STATUS_RANK.items()), output_field=IntegerField())
    return (
        _subscriptions(community)
        .filter(donor_key=OuterRef("donor_key"))
        .annotate(rank=rank)
        .order_by("rank", "-created_at")
        .values("status")[:1]
    )


def _filtered(rows, filters):
    if filters.q:
        rows = rows.filter(Q(donor_name__icontains=filters.q) | Q(donor_key__icontains=filters.q.lower()))
    if filters.recurring == "any":
        rows = rows.filter(recurring__isnull=False)
    elif filters.recurring == "none":
        rows = rows.filter(recurring__isnull=True)
    elif filters.recurring:
        rows = rows.filter(recurring=filters.recurring)
    return rows


def donor_history(*, community, donor_key: str) -> QuerySet:
    """Every gift (any status but abandoned) of one donor in a community (or everywhere), newest first."""
    gifts = Donation.objects.filter(donor_key=donor_key).exclude(status__in=[Donation.Status.PENDING])
    if community is not None:
        gifts = gifts.filter(campaign__community=community)
    return gifts.select_related("campaign", "fundraiser", "team").order_by("-created_at")


def donor_subscriptions(*, community, donor_key: str) -> QuerySet:
    return _subscriptions(community).filter(donor_key=donor_key).select_related("campaign", "fundraiser")


@dataclass(frozen=True)
class RecurringFigures:
    """Monthly giving at a glance, per currency for the money: MRR is what active gifts bring a month."""

    mrr: dict[str, Decimal]
    active_donors: int
    new_donors: int
    churned: int
    churn_percent: Decimal
    failed: int
    recovered: int


def recurring_figures(*, community=None, now: datetime | None = None) -> RecurringFigures:
    """This calendar month's figures (from the 1st, in the organisation's time zone). Three queries:
    MRR by currency; donors active and new, gifts stopped (churn: of those live on the 1st) and
    recovered from past due; failed monthly charge attempts."""
    now = now or timezone.now()
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    subscriptions = _subscriptions(community)
    mrr = {
        row["currency"]: row["total"]
        for row in subscriptions.filter(status=SS.ACTIVE).values("currency").annotate(total=Sum("amount"))
    }
    counts = subscriptions.aggregate(
        active=Count("donor_key", filter=Q(status=SS.ACTIVE), distinct=True),
        new=Count("donor_key", filter=Q(started_at__gte=month_start), distinct=True),
        churned=Count("pk", filter=Q(status=SS.CANCELLED, cancelled_at__gte=month_start)),
        live_at_start=Count("pk", filter=Q(started_at__lt=month_start) & _live_at(month_start)),
        recovered=Count("pk", filter=Q(recovered_at__gte=month_start)),
    )
    failed = _failed_charges(community).filter(created_at__gte=month_start).count()
    base = counts["live_at_start"] or 0
    churn = Decimal(counts["churned"] * 100 / base).quantize(Decimal("0.1")) if base else Decimal(0)
    return RecurringFigures(
        mrr=mrr,
        active_donors=counts["active"],
        new_donors=counts["new"],
        churned=counts["churned"],
        churn_percent=churn,
        failed=failed,
        recovered=counts["recovered"],
    )


def _live_at(moment):
    return Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=moment)


def _failed_charges(community):
    failed = Donation.objects.filter(subscription__isnull=False, status=Donation.Status.FAILED)
    return failed.filter(campaign__community=community) if community is not None else failed
