"""The weekly digest: on Monday morning in the community's time zone, one e-mail to each manager.

It is the manager's work tool (who to call, what happened), so it goes out as a TRANSACTIONAL
message: a manager cannot "unsubscribe" from their own to-do list by a news opt-out. The e-mail says
so and links to the account page; stepping down as manager is how to stop it.

The key `digest:<community id>:<manager user id>:<ISO year-week>` makes a second run in the same
week (or a retried task) send nothing.
"""

from datetime import timedelta
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from communities.models import Community, Membership
from communities.routine.selectors import queue_people, queue_rows
from communities.routine.services.checkins import communities_in_batches, community_today
from members.models import OutboundMessage, User
from members.services import message_send

DIGEST_WEEKDAY = 1  # Monday
DIGEST_HOUR = 8
LIST_LIMIT = 10


def week_key(day):
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def digests_send(*, now=None):
    """Hourly: send this week's digest in every community where it is Monday 08:00 or later."""
    now = now or timezone.now()
    sent = 0
    for community_id, zone, _lapsed in communities_in_batches():
        local = timezone.localtime(now, _zone(zone))
        if local.isoweekday() == DIGEST_WEEKDAY and local.hour >= DIGEST_HOUR:
            sent += community_digest_send(community_id=community_id, now=now)
    return sent


def _zone(name):
    import zoneinfo

    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def community_digest_send(*, community_id, now):
    community = Community.objects.get(pk=community_id)
    week = week_key(community_today(community.timezone, now))
    managers = list(
        User.objects.filter(
            is_active=True,
            memberships__community=community,
            memberships__role=Membership.Role.MANAGER,
            memberships__status=Membership.Status.ACTIVE,
        )
    )
    keys = {m.pk: f"digest:{community.pk}:{m.pk}:{week}" for m in managers}
    done = set(OutboundMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    todo = [m for m in managers if keys[m.pk] not in done]
    if not todo:
        return 0
    context = {"community": community, "week": week, **digest_data(community=community, now=now)}
    for manager in todo:
        message_send(
            key=keys[manager.pk],
            template="digest_weekly",
            context={**context, "manager": manager},
            user=manager,
            community=community,
        )
    return len(todo)


def digest_data(*, community, now):
    """What the digest shows: the queue, who joined and lapsed, events ahead, fundraising this week."""
    week_ago = now - timedelta(days=7)
    active = Membership.objects.filter(community=community, status=Membership.Status.ACTIVE)
    lapsed_from = now - timedelta(days=community.lapsed_after_days)
    # The queue as its page shows it: each person once, with every reason they are in it for.
    people = queue_people(community, now=now)
    return {
        "queue_count": people.count(),
        "queue": queue_rows(community, list(people[:LIST_LIMIT]), now=now),
        "new_count": active.filter(joined_at__gte=week_ago).count(),
        "new_members": list(active.filter(joined_at__gte=week_ago).select_related("user")[:LIST_LIMIT]),
        "lapsed_members": list(
            active.filter(
                stage=Membership.Stage.LAPSED,
                last_activity_at__lte=lapsed_from,
                last_activity_at__gt=lapsed_from - timedelta(days=7),
            ).select_related("user")[:LIST_LIMIT]
        ),
        **_events(community, now),
        **_fundraising(community, now),
    }


def _events(community, now):
    if not apps.is_installed("events"):
        return {}
    from events.models import Event, Registration

    seated = Q(registrations__status__in=Registration.SEATED)
    upcoming = (
        Event.objects.filter(
            community=community,
            status=Event.Status.PUBLISHED,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=14),
        )
        .annotate(registered=Count("registrations", filter=seated))
        .order_by("starts_at")[:LIST_LIMIT]
    )
    return {"events": list(upcoming)}


def _fundraising(community, now):
    if not apps.is_installed("fundraising"):
        return {}
    from fundraising.models import COUNTED_STATUSES, Campaign, Donation, Fundraiser

    week_ago, two_weeks_ago = now - timedelta(days=7), now - timedelta(days=14)
    fundraisers = Fundraiser.objects.filter(campaign__community=community).select_related("owner", "campaign")
    return {
        "has_fundraising": True,
        "fundraisers_started": list(fundraisers.filter(created_at__gte=week_ago)[:LIST_LIMIT]),
        "fundraisers_reached": list(
            fundraisers.filter(raised_amount__gte=F("goal"), donations__succeeded_at__gte=week_ago).distinct()[
                :LIST_LIMIT
            ]
        ),
        "campaigns_ended": list(Campaign.objects.filter(community=community, ended_at__gte=week_ago)[:LIST_LIMIT]),
        "money": _money_by_currency(
            Donation.objects.filter(campaign__community=community, status__in=COUNTED_STATUSES),
            this_week_from=week_ago,
            last_week_from=two_weeks_ago,
            until=now,
        ),
    }


def _money_by_currency(donations, *, this_week_from, last_week_from, until):
    """[{currency, this_week, last_week}] of net money raised (less refunds), as Decimals."""
    net = F("amount") - F("refunded_amount")
    rows = (
        donations.filter(succeeded_at__gte=last_week_from, succeeded_at__lt=until)
        .values("currency")
        .annotate(
            this_week=Sum(net, filter=Q(succeeded_at__gte=this_week_from)),
            last_week=Sum(net, filter=Q(succeeded_at__lt=this_week_from)),
        )
        .order_by("currency")
    )
    return [
        {
            "currency": r["currency"],
            "this_week": r["this_week"] or Decimal(0),
            "last_week": r["last_week"] or Decimal(0),
        }
        for r in rows
    ]
