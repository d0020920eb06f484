"""Reminders before events: a periodic scan for what is due, each sent once by its ledger key."""

from django.conf import settings
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from events.models import Event, Registration
from events.services.notices import _notify
from members.models import OutboundMessage

# ---------------------------------------------------------------- reminders


def offset_label(offset):
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"


def reminders_due(offset, *, now):
    """Confirmed registrations whose reminder for this offset is due and not yet in the ledger.

    Due from `offset` before the start until half-way to the start, and only for people who had
    registered by then: a reminder whose moment passed is not sent late.
    """
    key = Concat(Value(f"event-reminder:{offset_label(offset)}:"), Cast(OuterRef("pk"), CharField()))
    already = OutboundMessage.objects.filter(key=key)
    return (
        Registration.objects.filter(
            status=Registration.Status.CONFIRMED,
            event__status=Event.Status.PUBLISHED,
            event__reminders_enabled=True,
            event__starts_at__gt=now + offset / 2,
            event__starts_at__lte=now + offset,
            created_at__lte=F("event__starts_at") - offset,
        )
        .filter(Q(user__isnull=True, guest_reminders=True) | Q(user__consent_reminders=True, user__is_active=True))
        .exclude(Exists(already))
        .select_related("event", "event__community", "user")
        .order_by("pk")
    )


def event_reminders_send(*, now=None):
    """Queue every due reminder once. The ledger key makes a repeated or overlapping run a no-op."""
    now = now or timezone.now()
    queued = 0
    for offset in settings.EVENT_REMINDER_OFFSETS:
        for registration in reminders_due(offset, now=now).iterator(chunk_size=200):
            key = f"event-reminder:{offset_label(offset)}:{registration.pk}"
            _notify(registration, key=key, template="event_reminder", hours=int(offset.total_seconds() // 3600))
            queued += 1
    return queued
