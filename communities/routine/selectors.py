"""Reads of the check-in queue and the message centre, scoped to one community a manager manages."""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from communities.models import Membership
from communities.routine.models import CheckinEntry
from communities.routine.services.checkins import community_today
from members.models import OutboundMessage


def queue_of(community, *, assigned_to=None, now=None):
    """Open entries that are not snoozed, oldest first, with the person and the assignee."""
    today = community_today(community.timezone, now or timezone.now())
    entries = CheckinEntry.objects.filter(community=community, done_at__isnull=True).filter(
        Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today)
    )
    if assigned_to is not None:
        entries = entries.filter(assigned_to=assigned_to)
    return entries.select_related("membership__user", "assigned_to").order_by("due_on", "pk")


def snoozed_count(community, *, now=None):
    today = community_today(community.timezone, now or timezone.now())
    return CheckinEntry.objects.filter(community=community, done_at__isnull=True, snoozed_until__gt=today).count()


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


def messages_of(community, *, status="", q=""):
    messages = OutboundMessage.objects.filter(community=community).select_related("user")
    if status:
        messages = messages.filter(status=status)
    if q:
        messages = messages.filter(Q(to_email__icontains=q) | Q(user__name__icontains=q))
    return messages.order_by("-created_at", "-pk").defer("body_text", "body_html", "headers")
