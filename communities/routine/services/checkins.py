"""The check-in queue: who a manager should contact, and why.

`checkins_refresh` runs hourly (cheap and idempotent): for each community, a batch of communities at
a time, a few set-based queries find the people with a reason to be called and write one
CheckinEntry per occurrence with bulk_create(ignore_conflicts=True). Nothing runs a query per member.
The manager's actions (log a call, snooze, assign) change the stored entries, so they persist.
"""

import zoneinfo
from datetime import timedelta

from django.apps import apps
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.crm.models import ContactLog
from communities.crm.services.contacts import contact_log_create
from communities.models import Community, Membership
from communities.routine.models import CheckinEntry
from communities.services import CommunityError
from communities.services.membership import require_manager

Reason = CheckinEntry.Reason
BATCH_SIZE = 1000
NEW_MEMBER_DAYS = 21
LAPSED_RECENT_DAYS = 14
HOST_AHEAD_DAYS = 14
STALLED_DAYS = 14
GOAL_RECENT_DAYS = 14
FOLLOW_UP_LOOKBACK_DAYS = 60


def community_zone(community_timezone):
    """The community's IANA time zone, or the site's when it names none Python knows."""
    try:
        return zoneinfo.ZoneInfo(community_timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def community_today(community_timezone, now):
    return timezone.localtime(now, community_zone(community_timezone)).date()


def communities_in_batches(batch_size=BATCH_SIZE):
    """(id, time zone, lapsed_after_days) of every community, a batch of rows at a time."""
    last_id = 0
    while True:
        batch = list(
            Community.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "timezone", "lapsed_after_days")[:batch_size]
        )
        if not batch:
            return
        yield from batch
        last_id = batch[-1][0]


def checkins_refresh(*, now=None):
    """Add what is new to every community's queue and close what no longer applies; returns the reasons found."""
    now = now or timezone.now()
    found = 0
    for community_id, zone, lapsed_after in communities_in_batches():
        found += community_checkins_refresh(
            community_id=community_id,
            today=community_today(zone, now),
            lapsed_after=lapsed_after,
            now=now,
            zone=community_zone(zone),
        )
    return found


def community_checkins_refresh(*, community_id, today, lapsed_after, now, zone=None):
    """Refresh one community's queue. Due dates are days in the community's time zone ``zone``
    (a tzinfo; the site's by default), as ``today`` is, so "3 days before the event" is the same
    day for the manager whatever the hour in UTC."""
    zone = zone or timezone.get_default_timezone()

    def local(moment):
        return timezone.localtime(moment, zone).date()

    active = Membership.objects.filter(community_id=community_id, status=Membership.Status.ACTIVE)
    rows = [
        *_new_members(active, now, local),
        *_lapsed(active, now, lapsed_after, local),
        *_hosts(community_id, active, now, local),
        *_fundraiser_owners(community_id, active, now, local),
        *_follow_ups(community_id, today),
    ]
    _close_stale(community_id, now)
    return _write(community_id, rows, today)


def _new_members(active, now, local):
    recent = active.filter(stage=Membership.Stage.NEW, joined_at__gte=now - timedelta(days=NEW_MEMBER_DAYS))
    recent = recent.exclude(role=Membership.Role.MANAGER)
    for pk, joined_at in recent.values_list("pk", "joined_at").iterator(chunk_size=BATCH_SIZE):
        yield pk, Reason.NEW_MEMBER, f"joined:{joined_at.date().isoformat()}", {}, local(joined_at)


def _lapsed(active, now, lapsed_after, local):
    threshold = now - timedelta(days=lapsed_after)
    lapsed = active.filter(
        stage=Membership.Stage.LAPSED,
        last_activity_at__lte=threshold,
        last_activity_at__gt=threshold - timedelta(days=LAPSED_RECENT_DAYS),
    )
    for pk, last in lapsed.values_list("pk", "last_activity_at").iterator(chunk_size=BATCH_SIZE):
        lapsed_on = local(last + timedelta(days=lapsed_after))
        yield pk, Reason.LAPSED, f"lapsed:{last.date().isoformat()}", {"last_activity": last.isoformat()}, lapsed_on


def _membership_ids(active, user_ids):
    return dict(active.filter(user_id__in=set(user_ids)).values_list("user_id", "pk"))


def _hosts(community_id, active, now, local):
    if not apps.is_installed("events"):
        return
    from events.models import Event

    Hosts = Event.hosts.through
    upcoming = Hosts.objects.filter(
        event__community_id=community_id,
        event__status=Event.Status.PUBLISHED,
        event__starts_at__gte=now,
        event__starts_at__lt=now + timedelta(days=HOST_AHEAD_DAYS),
    ).values_list("user_id", "event_id", "event__title", "event__starts_at")
    rows = list(upcoming[:BATCH_SIZE])
    members = _membership_ids(active, [row[0] for row in rows])
    for user_id, event_id, title, starts_at in rows:
        if user_id in members:
            details = {"event": event_id, "title": title, "starts_at": starts_at.isoformat()}
            yield members[user_id], Reason.HOST, f"event:{event_id}", details, local(starts_at) - timedelta(days=3)


def _fundraiser_owners(community_id, active, now, local):
    if not apps.is_installed("fundraising"):
        return
    from fundraising.models import COUNTED_STATUSES, Fundraiser

    counted = Q(donations__status__in=COUNTED_STATUSES)
    fundraisers = (
        Fundraiser.objects.filter(campaign__community_id=community_id, status=Fundraiser.Status.ACTIVE)
        .annotate(last_gift=Max("donations__succeeded_at", filter=counted))
        .values_list("pk", "owner_id", "title", "goal", "raised_amount", "created_at", "last_gift")
    )
    rows = list(fundraisers[:BATCH_SIZE])
    members = _membership_ids(active, [row[1] for row in rows])
    for pk, owner_id, title, goal, raised, created_at, last_gift in rows:
        if owner_id not in members:
            continue
        details = {"fundraiser": pk, "title": title}
        since = last_gift or created_at
        if raised >= goal and last_gift and last_gift >= now - timedelta(days=GOAL_RECENT_DAYS):
            yield members[owner_id], Reason.FUNDRAISER_GOAL, f"goal:{pk}", details, local(last_gift)
        elif raised < goal and since < now - timedelta(days=STALLED_DAYS):
            ref = f"stalled:{pk}:{since.date().isoformat()}"
            yield members[owner_id], Reason.FUNDRAISER_STALLED, ref, details, local(since + timedelta(STALLED_DAYS))


def _follow_ups(community_id, today):
    due = ContactLog.objects.filter(
        membership__community_id=community_id,
        membership__status=Membership.Status.ACTIVE,
        follow_up_on__lte=today,
        follow_up_on__gt=today - timedelta(days=FOLLOW_UP_LOOKBACK_DAYS),
    ).values_list("pk", "membership_id", "follow_up_on", "note")
    for pk, membership_id, follow_up_on, note in due.iterator(chunk_size=BATCH_SIZE):
        yield membership_id, Reason.FOLLOW_UP, f"contact:{pk}", {"contact": pk, "note": note[:200]}, follow_up_on


def _write(community_id, rows, today):
    for start in range(0, len(rows), BATCH_SIZE):
        entries = [
            CheckinEntry(
                community_id=community_id, membership_id=m, reason=reason, ref=ref, details=details, due_on=due_on
            )
            for m, reason, ref, details, due_on in rows[start : start + BATCH_SIZE]
        ]
        # An occurrence already in the queue (open or done) is left as it is.
        CheckinEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return len(rows)


def _close_stale(community_id, now):
    """People who left, and new members someone already called, leave the queue by themselves."""
    open_entries = CheckinEntry.objects.filter(community_id=community_id, done_at__isnull=True)
    gone = ~Q(membership__status=Membership.Status.ACTIVE)
    called = Q(reason=Reason.NEW_MEMBER) & ~Q(membership__stage=Membership.Stage.NEW)
    stale = open_entries.filter(gone | called).values_list("pk", flat=True)
    while ids := list(stale[:BATCH_SIZE]):
        CheckinEntry.objects.filter(pk__in=ids).update(done_at=now)


def checkin_entry_add_reply(*, membership, answer, ref, now=None):
    """A member answered the weekly check-in: bring them to the managers' queue (once per answer)."""
    now = now or timezone.now()
    today = community_today(membership.community.timezone, now)
    CheckinEntry.objects.bulk_create(
        [
            CheckinEntry(
                community_id=membership.community_id,
                membership=membership,
                reason=Reason.REPLIED,
                ref=ref,
                details={"answer": answer},
                due_on=today,
            )
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def checkin_entry_log_call(*, entry, actor, outcome, note="", follow_up_on=None, now=None):
    """Log the call through the contact log; every open entry about this person is done with it."""
    now = now or timezone.now()
    entry = _open(entry)
    contact = contact_log_create(
        membership=entry.membership,
        actor=actor,
        kind=ContactLog.Kind.CALL,
        outcome=outcome,
        note=note,
        follow_up_on=follow_up_on,
        now=now,
    )
    CheckinEntry.objects.filter(membership=entry.membership, done_at__isnull=True).update(done_at=now)
    return contact


@transaction.atomic
def checkin_entry_snooze(*, entry, until, actor, now=None):
    require_manager(actor=actor, community=entry.community)
    entry = _open(entry)
    today = community_today(entry.community.timezone, now or timezone.now())
    if until is None or until <= today:
        raise CommunityError(_("Choose a day after today."))
    if until > today + timedelta(days=90):
        raise CommunityError(_("Snooze for at most 90 days."))
    # The queue shows a person once, so snoozing them snoozes every reason they are in it for.
    CheckinEntry.objects.filter(membership=entry.membership, done_at__isnull=True).update(snoozed_until=until)
    entry.snoozed_until = until
    return entry


@transaction.atomic
def checkin_entry_assign(*, entry, manager_id, actor):
    require_manager(actor=actor, community=entry.community)
    entry = _open(entry)
    manager = None
    if manager_id:
        manager = (
            Membership.objects.filter(
                community_id=entry.community_id,
                user_id=manager_id,
                role=Membership.Role.MANAGER,
                status=Membership.Status.ACTIVE,
            )
            .select_related("user")
            .first()
        )
        if manager is None:
            raise CommunityError(_("Choose one of the community's managers."))
    entry.assigned_to = manager.user if manager else None
    # One person, one assignee: every open reason they are in the queue for goes with them.
    CheckinEntry.objects.filter(membership=entry.membership, done_at__isnull=True).update(assigned_to=entry.assigned_to)
    return entry


def _open(entry):
    locked = CheckinEntry.objects.select_for_update().select_related("membership__user", "community").get(pk=entry.pk)
    if locked.done_at is not None:
        raise CommunityError(_("Someone has already dealt with this entry."))
    return locked
