"""The manager dashboard's figures, for one community or for the whole organisation, over a period.

Every figure comes from a fixed number of aggregate queries (conditional COUNT/SUM with FILTER,
date_trunc group-bys in the community's time zone, top-N lists with LIMIT): the number of queries
never grows with the data. `dashboard_build` is the one entry point for pages, CSV and the API.

Periods are calendar periods up to today (this week, month, quarter, year) or custom dates; each is
compared with the same number of days at the start of the previous one (Monday to Wednesday of this
week against Monday to Wednesday of last week), and a custom range with as many days right before it.
"""

import json
import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DateField, DecimalField, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Trunc
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Community, Membership
from communities.routine.models import CheckinEntry
from communities.routine.selectors import queue_open
from events.models import Event, Registration
from fundraising.donors.selectors import recurring_figures
from fundraising.models import Campaign, CampaignDay, DonationDay, Fundraiser, Team
from fundraising.money import money_format
from fundraising.selectors import money_awaiting
from members.models import Activity
from members.services import ENGAGING_ACTIVITIES

PERIOD_CHOICES = [
    ("week", _("This week")),
    ("month", _("This month")),
    ("quarter", _("This quarter")),
    ("year", _("This year")),
    ("custom", _("Custom dates")),
]
DEFAULT_PERIOD = "month"
MAX_DAYS = 3 * 366  # a custom range longer than three years is refused by the form
ACTIVE_WINDOW = timedelta(days=30)
TOP = 10
FEED_SIZE = 20
UPCOMING_SIZE = 8
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date  # inclusive
    prev_start: date
    prev_end: date
    zone: zoneinfo.ZoneInfo

    @property
    def days(self):
        return (self.end - self.start).days + 1

    @property
    def bucket(self):
        """The chart step: days for up to a month and a bit, weeks up to half a year, then months."""
        if self.days <= 35:
            return "day"
        return "week" if self.days <= 190 else "month"

    def _aware(self, day):
        return datetime.combine(day, time.min, tzinfo=self.zone)

    @property
    def bounds(self):
        return self._aware(self.start), self._aware(self.end + timedelta(days=1))

    @property
    def prev_bounds(self):
        return self._aware(self.prev_start), self._aware(self.prev_end + timedelta(days=1))

    def buckets(self):
        """Every step's first day in the period, so a chart shows the quiet days as zero."""
        first = _bucket_start(self.start, self.bucket)
        steps, day = [], first
        while day <= self.end:
            steps.append(day)
            day = _bucket_next(day, self.bucket)
        return steps


def _bucket_start(day, bucket):
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def _bucket_next(day, bucket):
    if bucket == "day":
        return day + timedelta(days=1)
    if bucket == "week":
        return day + timedelta(days=7)
    return _months_back(day, -1)


def _months_back(day, months):
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _unit_start(today, key):
    if key == "week":
        return today - timedelta(days=today.weekday())
    if key == "month":
        return today.replace(day=1)
    if key == "quarter":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return date(today.year, 1, 1)


def _previous_unit_start(start, key):
    if key == "week":
        return start - timedelta(days=7)
    return _months_back(start, {"month": 1, "quarter": 3, "year": 12}[key])


def period_for(*, key, zone, now=None, date_from=None, date_to=None):
    """The period the dashboard shows; an unknown key or an incomplete custom range gives this month."""
    today = timezone.localtime(now or timezone.now(), zone).date()
    if key == "custom" and date_from and date_to and date_from <= date_to:
        length = (date_to - date_from).days
        prev_end = date_from - timedelta(days=1)
        return Period("custom", date_from, date_to, prev_end - timedelta(days=length), prev_end, zone)
    if key not in {"week", "month", "quarter", "year"}:
        key = DEFAULT_PERIOD
    start = _unit_start(today, key)
    prev_start = _previous_unit_start(start, key)
    prev_end = min(prev_start + (today - start), start - timedelta(days=1))
    return Period(key, start, today, prev_start, prev_end, zone)


def scope_zone(community):
    try:
        return zoneinfo.ZoneInfo(community.timezone if community else settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


@dataclass
class Card:
    key: str
    label: str
    value: object
    previous: object = None
    kind: str = "count"  # count, money or percent
    currency: str = ""
    trend: list = field(default_factory=list)
    note: str = ""

    @property
    def change(self):
        """Percent change against the previous period, or None when there is nothing to compare with."""
        if self.previous is None or not self.previous or self.value is None:
            return None
        return round((Decimal(self.value) - Decimal(self.previous)) * 100 / Decimal(self.previous))

    @property
    def direction(self):
        change = self.change
        if change is None or change == 0:
            return "flat"
        return "up" if change > 0 else "down"

    @property
    def trend_json(self):
        return json.dumps([_plain(v) for v in self.trend])

    def as_dict(self):
        return {
            "key": self.key,
            "label": str(self.label),
            "value": _plain(self.value),
            "previous": _plain(self.previous),
            "change_percent": self.change,
            "kind": self.kind,
            "currency": self.currency,
            "trend": [_plain(v) for v in self.trend],
        }


@dataclass
class Table:
    key: str
    title: str
    columns: list
    rows: list
    chart: str = ""  # line, bar or funnel: how static/js/dashboard.js draws it; "" for a plain table
    chart_column: int = 1  # the column the chart plots; column 0 holds the labels

    def chart_data(self):
        return {
            "type": self.chart,
            "title": str(self.title),
            "labels": [str(_plain(row[0])) for row in self.rows],
            "label": str(self.columns[self.chart_column]),
            "values": [_plain(row[self.chart_column]) for row in self.rows],
        }

    def as_dict(self):
        return {
            "key": self.key,
            "title": str(self.title),
            "columns": [str(c) for c in self.columns],
            "rows": [[_plain(v) for v in row] for row in self.rows],
        }


def _plain(value):
    """A JSON- and CSV-friendly value: Decimal as a string with its cents, dates in ISO form."""
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None:
        return ""
    return value if isinstance(value, int | float) else str(value)


@dataclass
class Dashboard:
    community: object  # None for the organisation
    period: Period
    currency: str
    other_currencies: dict
    cards: list
    tables: dict
    upcoming: list
    feed: list
    fundraisers: list = field(default_factory=list)
    recurring: object = None  # fundraising.donors.selectors.RecurringFigures, this calendar month

    def as_dict(self):
        return {
            "community": self.community.pk if self.community else None,
            "period": {
                "key": self.period.key,
                "start": self.period.start.isoformat(),
                "end": self.period.end.isoformat(),
                "previous_start": self.period.prev_start.isoformat(),
                "previous_end": self.period.prev_end.isoformat(),
                "step": self.period.bucket,
            },
            "currency": self.currency,
            "other_currencies": {code: _plain(amount) for code, amount in self.other_currencies.items()},
            "cards": [card.as_dict() for card in self.cards],
            "tables": {key: table.as_dict() for key, table in self.tables.items()},
            "recurring": _recurring_dict(self.recurring),
        }


def _recurring_dict(figures):
    if figures is None:
        return None
    return {
        "mrr": {code: _plain(amount) for code, amount in figures.mrr.items()},
        "active_donors": figures.active_donors,
        "new_donors": figures.new_donors,
        "churned": figures.churned,
        "churn_percent": str(figures.churn_percent),
        "failed": figures.failed,
        "recovered": figures.recovered,
    }


def _scoped(queryset, community, path):
    return queryset if community is None else queryset.filter(**{path: community})


def _in(bounds, field_name):
    return Q(**{f"{field_name}__gte": bounds[0], f"{field_name}__lt": bounds[1]})


# Members ------------------------------------------------------------------------------------------


def _member_counts(community, period, now):
    """One query: members, newcomers, the funnel, engagement levels and lapsed people (for the
    organisation, also per community)."""
    zone = period.zone
    today = timezone.localtime(now, zone).date()
    week = (period._aware(_unit_start(today, "week")), now)
    month = (period._aware(_unit_start(today, "month")), now)
    active = Q(status=Membership.Status.ACTIVE)
    joined = ~Q(status=Membership.Status.PENDING) & Q(joined_at__isnull=False)
    new = joined & _in(period.bounds, "joined_at")
    began = Q(joined_at__isnull=True) | Q(joined_at__lt=period.bounds[1])
    began_prev = Q(joined_at__isnull=True) | Q(joined_at__lt=period.prev_bounds[1])
    figures = {
        "members": Count("pk", filter=active & began),
        "members_prev": Count("pk", filter=active & began_prev),
        "new": Count("pk", filter=new),
        "new_prev": Count("pk", filter=joined & _in(period.prev_bounds, "joined_at")),
        "new_week": Count("pk", filter=joined & _in(week, "joined_at")),
        "new_month": Count("pk", filter=joined & _in(month, "joined_at")),
        "lapsed": Count("pk", filter=active & Q(stage=Membership.Stage.LAPSED)),
        "active_members": Count("pk", filter=active),
        "funnel_contacted": Count("pk", filter=new & ~Q(stage=Membership.Stage.NEW)),
        "funnel_active": Count("pk", filter=new & Q(stage=Membership.Stage.ACTIVE)),
        "not_contacted": Count("pk", filter=active & Q(stage=Membership.Stage.NEW)),
    }
    for level in Membership.Level:
        figures[f"level_{level}"] = Count("pk", filter=active & Q(engagement_level=level))
    if community is not None:
        return Membership.objects.filter(community=community).aggregate(**figures), {}
    # The organisation's: per community in the same scan, added up here (every figure is a count).
    rows = list(Membership.objects.values("community_id").annotate(**figures).order_by())
    return {key: sum(row[key] for row in rows) for key in figures}, {row["community_id"]: row for row in rows}


def _member_growth(community, period):
    """One query: newcomers per step of the period."""
    rows = (
        _scoped(Membership.objects, community, "community")
        .filter(_in(period.bounds, "joined_at"), ~Q(status=Membership.Status.PENDING))
        .annotate(step=Trunc("joined_at", period.bucket, tzinfo=period.zone))
        .values("step")
        .annotate(n=Count("pk"))
        .values_list("step", "n")
    )
    return _by_step(rows, period)


def _by_step(rows, period):
    found = {}
    for step, value in rows:
        key = step.astimezone(period.zone).date() if isinstance(step, datetime) else step
        found[key] = found.get(key, 0) + value
    return [(step, found.get(step, 0)) for step in period.buckets()]


def _active_people(community, period):
    """One query: people who did something themselves in the 30 days up to the period's end, and before
    the previous period's end, counted from the activity log."""
    end, prev_end = period.bounds[1], period.prev_bounds[1]
    cur = Q(occurred_at__gte=end - ACTIVE_WINDOW, occurred_at__lt=end)
    prev = Q(occurred_at__gte=prev_end - ACTIVE_WINDOW, occurred_at__lt=prev_end)
    return (
        _scoped(Activity.objects, community, "community")
        .filter(community__isnull=False, kind__in=ENGAGING_ACTIVITIES)
        .filter(cur | prev)
        .aggregate(
            active=Count("user", filter=cur, distinct=True),
            active_prev=Count("user", filter=prev, distinct=True),
        )
    )


def _queue_size(community, now, zone):
    """People in the check-in queue, counted as its page counts them (each person once)."""
    today = timezone.localtime(now, zone).date()
    open_entries = queue_open(_scoped(CheckinEntry.objects, community, "community"), today)
    return open_entries.values("membership_id").distinct().count()


# Events -------------------------------------------------------------------------------------------

SEATED = Q(registrations__status__in=Registration.SEATED)
LISTED_EVENTS = [Event.Status.PUBLISHED, Event.Status.COMPLETED]


def _upcoming_events(community, now):
    """One query: the next events with their registrations, places and waitlist."""
    return list(
        _scoped(Event.objects, community, "community")
        .filter(status=Event.Status.PUBLISHED, ends_at__gt=now)
        .select_related("community")
        .annotate(
            registered=Count("registrations", filter=SEATED),
            waitlisted=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITLISTED)),
        )
        .order_by("starts_at", "pk")[:UPCOMING_SIZE]
    )


def _attendance(community, period, now):
    """One query: of the places taken at events that ended in the period, how many people came."""
    registrations = _scoped(Registration.objects, community, "event__community").filter(
        event__status__in=LISTED_EVENTS, event__ends_at__lte=now
    )
    cur, prev = _in(period.bounds, "event__starts_at"), _in(period.prev_bounds, "event__starts_at")
    came = Q(status=Registration.Status.ATTENDED)
    counted = Q(status__in=[*Registration.SEATED, Registration.Status.NO_SHOW])
    return registrations.filter(cur | prev).aggregate(
        attended=Count("pk", filter=cur & came),
        expected=Count("pk", filter=cur & counted),
        attended_prev=Count("pk", filter=prev & came),
        expected_prev=Count("pk", filter=prev & counted),
        events=Count("event", filter=cur, distinct=True),
    )


def _past_events(community, period, now):
    """One query: the events that ended in the period, latest first, with their attendance. The latest
    are picked first (by index) and only their registrations are counted."""
    latest = (
        _scoped(Event.objects, community, "community")
        .filter(_in(period.bounds, "starts_at"), status__in=LISTED_EVENTS, ends_at__lte=now)
        .order_by("-starts_at", "-pk")
        .values("pk")[:TOP]
    )
    return list(
        Event.objects.filter(pk__in=Subquery(latest))
        .annotate(
            expected=Count(
                "registrations",
                filter=Q(registrations__status__in=[*Registration.SEATED, Registration.Status.NO_SHOW]),
            ),
            attended=Count("registrations", filter=Q(registrations__status=Registration.Status.ATTENDED)),
        )
        .order_by("-starts_at", "-pk")
    )


def _by_community(period, per_community):
    """Two queries, for the organisation: the communities, and their money in the period; their members
    and newcomers come from the members' query."""
    money = dict(
        CampaignDay.objects.filter(_days_in(period.start, period.end), currency=settings.DEFAULT_CURRENCY)
        .values("community_id")
        .annotate(total=Sum("amount"))
        .values_list("community_id", "total")
        .order_by()
    )
    rows = []
    for community in Community.objects.order_by("name"):
        counts = per_community.get(community.pk, {})
        rows.append([community.name, counts.get("members", 0), counts.get("new", 0), money.get(community.pk, ZERO)])
    return sorted(rows, key=lambda row: -row[1])


def _rate(part, whole):
    return round(part * 100 / whole) if whole else None


# Money --------------------------------------------------------------------------------------------
# Read from fundraising.DonationDay, the daily rollup rewritten with every counted change of a donation
# (fundraising.services.rollups): a year of a million donations is a few thousand rows.

RAISED = Coalesce(Sum("amount"), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2))
COUNT = Coalesce(Sum("donations"), 0)


def _days_in(start, end):
    return Q(day__gte=start, day__lte=end)


def _money_days(community, start, end, model=DonationDay):
    return _scoped(model.objects, community, "community").filter(_days_in(start, end))


def _money_totals(community, period):
    """One query: raised money and donations, this period and the previous, per currency."""
    cur, prev = _days_in(period.start, period.end), _days_in(period.prev_start, period.prev_end)
    rows = (
        _money_days(community, period.prev_start, period.end, CampaignDay)
        .values("currency")
        .annotate(
            raised=Coalesce(Sum("amount", filter=cur), Value(ZERO)),
            raised_prev=Coalesce(Sum("amount", filter=prev), Value(ZERO)),
            count=Coalesce(Sum("donations", filter=cur), 0),
            count_prev=Coalesce(Sum("donations", filter=prev), 0),
        )
        .order_by()
    )
    return {row["currency"]: row for row in rows}


def _money_series(community, period, currency):
    """One query: money raised per step, in the main currency."""
    step = F("day") if period.bucket == "day" else Trunc("day", period.bucket, output_field=DateField())
    rows = (
        _money_days(community, period.start, period.end, CampaignDay)
        .filter(currency=currency)
        .annotate(step=step)
        .values("step")
        .annotate(raised=RAISED)
        .values_list("step", "raised")
        .order_by()
    )
    found = dict(rows)
    return [(step, found.get(step, ZERO)) for step in period.buckets()]


def _by_campaign(community, period):
    """One query: the campaigns that raised most in the period."""
    return list(
        _money_days(community, period.start, period.end, CampaignDay)
        .values("campaign_id", "campaign__title", "currency")
        .annotate(raised=RAISED, count=COUNT)
        .order_by("-raised", "campaign_id")[:TOP]
    )


def _by_fundraiser(community, period):
    """Two queries: the fundraisers that raised most (grouped by id alone, which keeps a year of a large
    organisation fast), then their titles, owners and the owner's engagement in the community."""
    top = list(
        _money_days(community, period.start, period.end)
        .filter(fundraiser__isnull=False)
        .values("fundraiser_id", "currency")
        .annotate(raised=RAISED, count=COUNT, last=Max("last_donation_at"))
        .order_by("-raised", "fundraiser_id")[:TOP]
    )
    level = Membership.objects.filter(
        community_id=OuterRef("campaign__community_id"), user_id=OuterRef("owner_id")
    ).values("engagement_level")[:1]
    pages = Fundraiser.objects.filter(pk__in=[row["fundraiser_id"] for row in top]).select_related("owner")
    found = {page.pk: page for page in pages.annotate(level=Subquery(level))}
    return [
        {**row, "page": found[row["fundraiser_id"]], "level": _level_label(found[row["fundraiser_id"]].level)}
        for row in top
        if row["fundraiser_id"] in found
    ]


def _level_label(level):
    return Membership.Level(level).label if level in Membership.Level.values else ""


def _by_team(community, period):
    """Two queries: the teams that raised most (grouped by id alone), then their names and campaigns."""
    top = list(
        _money_days(community, period.start, period.end)
        .filter(team__isnull=False)
        .values("team_id", "currency")
        .annotate(raised=RAISED, count=COUNT)
        .order_by("-raised", "team_id")[:TOP]
    )
    found = Team.objects.filter(pk__in=[row["team_id"] for row in top]).select_related("campaign").in_bulk()
    return [{**row, "team": found[row["team_id"]]} for row in top if row["team_id"] in found]


# The feed -----------------------------------------------------------------------------------------


def _feed(community):
    """One query: the last things that happened, with who and where. The newest rows are picked first
    and only those are joined to people and communities."""
    newest = (
        _scoped(Activity.objects, community, "community")
        .filter(community__isnull=False)
        .order_by("-occurred_at", "-pk")
        .values("pk")[:FEED_SIZE]
    )
    return list(
        Activity.objects.filter(pk__in=Subquery(newest))
        .select_related("user", "actor", "community")
        .order_by("-occurred_at", "-pk")
    )


# Putting it together --------------------------------------------------------------------------------


def _main_currency(totals, community):
    if not totals:
        return settings.DEFAULT_CURRENCY
    return max(totals, key=lambda code: (totals[code]["count"], code == settings.DEFAULT_CURRENCY))


def dashboard_build(*, community=None, period, now=None):
    """Every figure of the dashboard for a community (or the organisation when None) over the period.

    Queries, whatever the size of the data: members (1), growth (1), active people (1), check-in
    queue (1), upcoming events (1), attendance (1), past events (1), money totals (1), money over
    time (1), by campaign (1), by fundraiser (2), by team (2), recent activity (1), monthly giving
    this calendar month (3); for the organisation, the communities side by side (2).
    """
    now = now or timezone.now()
    counts, per_community = _member_counts(community, period, now)
    growth = _member_growth(community, period)
    active = _active_people(community, period)
    queue = _queue_size(community, now, period.zone)
    upcoming = _upcoming_events(community, now)
    attendance = _attendance(community, period, now)
    past = _past_events(community, period, now)
    totals = _money_totals(community, period)
    currency = _main_currency(totals, community)
    money = _money_series(community, period, currency)
    # Not yet confirmed, now: shown beside the confirmed figures, never added to them.
    awaiting = money_awaiting(_scoped(Campaign.objects.all(), community, "community"))
    figures = Figures(counts, growth, active, queue, attendance, totals, currency, money, awaiting)
    fundraisers = _by_fundraiser(community, period)
    campaigns = _by_campaign(community, period)
    for row in campaigns:
        row["pending"] = awaiting["by_campaign"].get(row["campaign_id"], {}).get("pending", ZERO)
    tables = {
        **_member_tables(figures),
        **_event_tables(upcoming, past),
        **_money_tables(money, campaigns, fundraisers, _by_team(community, period), period),
    }
    feed = _feed(community)
    tables["activity"] = _feed_table(feed)
    if community is None:
        tables["communities"] = _communities_table(_by_community(period, per_community))
    other = {code: row["raised"] for code, row in totals.items() if code != currency}
    recurring = recurring_figures(community=community, now=now)
    return Dashboard(
        community, period, currency, other, _cards(figures), tables, upcoming, feed, fundraisers, recurring
    )


@dataclass
class Figures:
    counts: dict
    growth: list
    active: dict
    queue: int
    attendance: dict
    totals: dict
    currency: str
    money: list
    awaiting: dict = field(default_factory=dict)

    @property
    def main_totals(self):
        return self.totals.get(self.currency, {"raised": ZERO, "raised_prev": ZERO, "count": 0, "count_prev": 0})


def _cumulative(growth, start):
    total, points = start, []
    for _step, n in growth:
        total += n
        points.append(total)
    return points


def _cards(f):
    c, money = f.counts, f.main_totals
    members_start = c["members"] - sum(n for _step, n in f.growth)
    a = f.attendance
    return [
        Card("members", _("Members"), c["members"], c["members_prev"], trend=_cumulative(f.growth, members_start)),
        Card(
            "new",
            _("New members"),
            c["new"],
            c["new_prev"],
            trend=[n for _step, n in f.growth],
            note=_("this week: %(week)s · this month: %(month)s") % {"week": c["new_week"], "month": c["new_month"]},
        ),
        Card(
            "raised",
            _("Money raised"),
            money["raised"],
            money["raised_prev"],
            kind="money",
            currency=f.currency,
            trend=[v for _step, v in f.money],
            note=_awaiting_note(f),
        ),
        Card("donations", _("Donations"), money["count"], money["count_prev"]),
        Card("active", _("Active in the last 30 days"), f.active["active"], f.active["active_prev"]),
        Card("lapsed", _("Lapsed"), c["lapsed"], None, note=_("now, of %(n)s members") % {"n": c["active_members"]}),
        Card("queue", _("Check-in queue"), f.queue, None, note=_("people to call now")),
        Card(
            "attendance",
            _("Attendance at past events"),
            _rate(a["attended"], a["expected"]),
            _rate(a["attended_prev"], a["expected_prev"]),
            kind="percent",
            note=_("%(came)s of %(expected)s came · events: %(events)s")
            % {"came": a["attended"], "expected": a["expected"], "events": a["events"]},
        ),
    ]


def _awaiting_note(f):
    """Confirmed money is the card's figure; what is not yet confirmed, now, is said beside it."""
    awaiting = f.awaiting.get("by_currency", {}).get(f.currency)
    if not awaiting:
        return _("confirmed by the payment service")
    return _("confirmed; not yet: %(pending)s awaiting payment, −%(refunds)s refunds") % {
        "pending": money_format(awaiting["pending"], f.currency),
        "refunds": money_format(awaiting["refunds_pending"], f.currency),
    }


def _member_tables(f):
    c = f.counts
    members_start = c["members"] - sum(n for _step, n in f.growth)
    totals = _cumulative(f.growth, members_start)
    growth_rows = [[step, n, total] for (step, n), total in zip(f.growth, totals, strict=True)]
    return {
        "growth": Table(
            "growth", _("Member growth"), [_("From"), _("New members"), _("Members")], growth_rows, "line", 2
        ),
        "funnel": Table(
            "funnel",
            _("Onboarding of the period's newcomers"),
            [_("Stage"), _("People")],
            [
                [_("Newcomers"), c["new"]],
                [_("Contacted"), c["funnel_contacted"]],
                [_("Active now"), c["funnel_active"]],
            ],
            "funnel",
        ),
        "engagement": Table(
            "engagement",
            _("Engagement levels"),
            [_("Level"), _("Members")],
            [[level.label, c[f"level_{level}"]] for level in Membership.Level],
            "bar",
        ),
    }


def _event_tables(upcoming, past):
    upcoming_rows = [
        [e.title, e.starts_at, e.registered, e.capacity if e.capacity is not None else "", e.waitlisted]
        for e in upcoming
    ]
    past_rows = [[e.title, e.starts_at, e.expected, e.attended, _rate(e.attended, e.expected)] for e in past]
    return {
        "upcoming": Table(
            "upcoming",
            _("Upcoming events"),
            [_("Event"), _("Starts"), _("Registered"), _("Places"), _("Waitlist")],
            upcoming_rows,
        ),
        "attendance": Table(
            "attendance",
            _("Attendance at the period's events"),
            [_("Event"), _("Started"), _("Expected"), _("Came"), _("Attendance, %")],
            past_rows,
            "bar",
            4,
        ),
    }


def _money_tables(money, campaigns, fundraisers, teams, period):
    return {
        "money": Table(
            "money", _("Money raised over time"), [_("From"), _("Raised")], [list(p) for p in money], "line"
        ),
        "campaigns": Table(
            "campaigns",
            _("Money by campaign"),
            [_("Campaign"), _("Raised"), _("Currency"), _("Donations"), _("Awaiting payment now")],
            [[r["campaign__title"], r["raised"], r["currency"], r["count"], r["pending"]] for r in campaigns],
            "bar",
        ),
        "fundraisers": Table(
            "fundraisers",
            _("Top fundraisers"),
            [
                _("Fundraiser"),
                _("Raised"),
                _("Currency"),
                _("Donations"),
                _("Last donation"),
                _("Owner"),
                _("Owner's engagement"),
            ],
            [
                [
                    r["page"].title,
                    r["raised"],
                    r["currency"],
                    r["count"],
                    timezone.localtime(r["last"], period.zone).date(),
                    (r["page"].owner.name or r["page"].owner.email) if r["page"].owner else str(r["page"].owner_label),
                    r["level"],
                ]
                for r in fundraisers
            ],
            "bar",
        ),
        "teams": Table(
            "teams",
            _("Top teams"),
            [_("Team"), _("Raised"), _("Currency"), _("Donations"), _("Campaign")],
            [[r["team"].name, r["raised"], r["currency"], r["count"], r["team"].campaign.title] for r in teams],
            "bar",
        ),
    }


def _communities_table(communities):
    return Table(
        "communities",
        _("Communities"),
        [_("Community"), _("Members"), _("New members"), _("Raised"), _("Currency")],
        [[*row, settings.DEFAULT_CURRENCY] for row in communities],
    )


def _feed_table(feed):
    return Table(
        "activity",
        _("Recent activity"),
        [_("When"), _("Who"), _("What"), _("Details"), _("By"), _("Community")],
        [
            [
                a.occurred_at,
                a.user.name or a.user.email,
                a.get_kind_display(),
                a.summary,
                (a.actor.name or a.actor.email) if a.actor else "",
                a.community.name,
            ]
            for a in feed
        ],
    )
