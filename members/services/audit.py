"""The audit log: services record who did what (an export, a role change, a refund, a deletion...)."""

from django.db.models import Q
from django.utils import timezone

from members.models import AuditEntry


def audit_record(*, actor, action, community=None, person=None, target=None, summary="", now=None):
    """Add one AuditEntry. `actor` may be None (the system, or a signed-out visitor); `target` is any model
    instance (stored as "app_label.Model:pk"); `summary` must name no person (they are linked by `person`)."""
    label = f"{target._meta.label}:{target.pk}" if target is not None else ""
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        community=community,
        person=person,
        target=label[:80],
        summary=summary[:300],
        occurred_at=now or timezone.now(),
    )


def audit_entries(*, action="", actor="", community=None, since=None, until=None):
    """Entries for the staff page and its CSV, newest first, filtered.

    `actor`: part of the actor's e-mail or name; `since`/`until`: dates (inclusive), in UTC.
    """
    entries = AuditEntry.objects.select_related("actor", "community", "person")
    if action:
        entries = entries.filter(action=action)
    if actor:
        entries = entries.filter(Q(actor__email__icontains=actor) | Q(actor__name__icontains=actor))
    if community is not None:
        entries = entries.filter(community=community)
    if since:
        entries = entries.filter(occurred_at__date__gte=since)
    if until:
        entries = entries.filter(occurred_at__date__lte=until)
    return entries.order_by("-occurred_at", "-pk")
