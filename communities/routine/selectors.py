"""Reads of the check-in queue and the message centre, scoped to one community a manager manages."""

import zoneinfo
from dataclasses import dataclass

from django.db.models import Count, Min, Q, Value
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from communities.models import Membership
from communities.routine.models import CheckinEntry
from communities.routine.services.checkins import community_today
from members.models import OutboundMessage
from members.search import Fold, people_search


def queue_open(entries, today):
    """The queue's one rule, for its page, the API, the dashboard and the digest: entries still open, due
    by `today` and not snoozed past it, about people who are not the community's managers (a manager is
    never asked to call themselves or a fellow manager)."""
    return (
        entries.filter(done_at__isnull=True, due_on__lte=today)
        .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today))
        .exclude(membership__role=Membership.Role.MANAGER)
    )


def queue_of(community, *, assigned_to=None, q="", now=None):
    """Open entries that are not snoozed, oldest first, with the person and the assignee; `q` finds
    people by name, e-mail or phone as members.search.people_search does."""
    today = community_today(community.timezone, now or timezone.now())
    entries = queue_open(CheckinEntry.objects.filter(community=community), today)
    if assigned_to is not None:
        entries = entries.filter(assigned_to=assigned_to)
    if q:
        entries = people_search(entries, q, prefix="membership__user__")
    return entries.select_related("membership__user", "assigned_to").order_by("due_on", "pk")


def queue_people(community, *, assigned_to=None, q="", now=None):
    """One row per person in the queue ({"membership_id", "first_due"}), who is due first first.

    Page over this and count it: the count is of people, whatever their number of reasons.
    """
    entries = queue_of(community, assigned_to=assigned_to, q=q, now=now)
    people = entries.values("membership_id").annotate(first_due=Min("due_on"), first=Min("pk"))
    return people.order_by("first_due", "first")


@dataclass
class QueueRow:
    """A person in the queue: `entry` is the first of their reasons (actions go to it), `entries` all of them."""

    entry: CheckinEntry
    entries: list


def queue_rows(community, people, *, now=None):
    """The people of a page of queue_people, each with every open reason. One query."""
    ids = [person["membership_id"] for person in people]
    grouped = {}
    for entry in queue_of(community, now=now).filter(membership_id__in=ids):
        grouped.setdefault(entry.membership_id, []).append(entry)
    return [QueueRow(entry=grouped[pk][0], entries=grouped[pk]) for pk in ids if pk in grouped]


def snoozed_count(community, *, now=None):
    """People whose every open entry is snoozed for now."""
    today = community_today(community.timezone, now or timezone.now())
    snoozed = CheckinEntry.objects.filter(community=community, done_at__isnull=True, snoozed_until__gt=today)
    snoozed = snoozed.exclude(membership__role=Membership.Role.MANAGER)
    return snoozed.values("membership_id").distinct().count()


def entry_in(community, pk):
    entry = (
        CheckinEntry.objects.filter(community=community, pk=pk)
        .select_related("membership__user", "assigned_to", "community")
        .first()
    )
    if entry is None:
        raise Http404("No such entry.")
    return entry


def managers_of(community):
    return [
        m.user
        for m in Membership.objects.filter(
            community=community, role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE
        )
        .select_related("user")
        .order_by("user__name", "user__email")
    ]


def community_zone(community):
    """The community's time zone, or the site's when its name is not a known zone."""
    try:
        return zoneinfo.ZoneInfo(community.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def sendings_of(community, *, zone):
    """The community's e-mails grouped by sending: one row per template, subject and day (in `zone`),
    newest first, with how many were sent, failed, skipped (turned off) or still queued."""
    Status = OutboundMessage.Status
    return (
        OutboundMessage.objects.filter(community=community)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("template", "subject", "day")
        .annotate(
            first=Min("created_at"),
            total=Count("pk"),
            sent=Count("pk", filter=Q(status=Status.SENT)),
            failed=Count("pk", filter=Q(status=Status.FAILED)),
            skipped=Count("pk", filter=Q(status=Status.SKIPPED)),
            queued=Count("pk", filter=Q(status=Status.QUEUED)),
        )
        .order_by("-first", "subject")
    )


def messages_of(community, *, status="", q="", sending=None, zone=None):
    """The community's e-mails one by one, newest first; `sending` ({"template", "subject", "day"})
    narrows them to one row of sendings_of."""
    messages = OutboundMessage.objects.filter(community=community).select_related("user")
    if sending:
        messages = messages.annotate(day=TruncDate("created_at", tzinfo=zone)).filter(**sending)
    if status:
        messages = messages.filter(status=status)
    if q:
        fold = Fold(Value(q))
        messages = messages.alias(_to=Fold("to_email"), _name=Fold("user__name"))
        messages = messages.filter(Q(_to__contains=fold) | Q(_name__contains=fold))
    return messages.order_by("-created_at", "-pk").defer("body_text", "body_html", "headers")
