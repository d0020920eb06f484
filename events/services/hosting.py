"""Creating, proposing, approving, changing, cancelling and completing events; their questions."""

import hashlib

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Membership
from config.sanitize import sanitize_html
from config.slugs import save_with_free_slug
from events.models import Event, Registration, RegistrationQuestion
from events.services.errors import EventError
from events.services.notices import _notify, _notify_all_registered, _notify_user, fundraisers_of
from events.services.registrations import _promote_waitlist
from members.models import Activity, User
from members.services import activity_record, unique_key

# Fields whose change the registered people are told about.
NOTICE_FIELDS = ("starts_at", "ends_at", "timezone", "format", "place", "address", "online_url")
EDITABLE_FIELDS = (
    "title",
    "description",
    "cover",
    "starts_at",
    "ends_at",
    "timezone",
    "format",
    "place",
    "address",
    "online_url",
    "capacity",
    "registration_deadline",
    "visibility",
    "reminders_enabled",
)


# ---------------------------------------------------------------- hosting


def _validate_times(event):
    if event.ends_at <= event.starts_at:
        raise EventError(_("The event must end after it starts."))
    if event.registration_deadline and event.registration_deadline > event.ends_at:
        raise EventError(_("Registration must close before the event ends."))
    if event.is_online and not event.online_url:
        raise EventError(_("An online event needs its link."))


def _build_event(*, community, by, fields, status):
    fields, hosts = _split_hosts(fields)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise EventError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    fields = {"timezone": community.timezone, **fields}
    event = Event(community=community, created_by=by, status=status, **fields)
    event.description = sanitize_html(event.description)
    _validate_times(event)
    save_with_free_slug(event, source=event.title, queryset=community.events.all(), max_length=80, fallback="event")
    _set_hosts(event, hosts or [by], by=by)
    return event


def _split_hosts(fields):
    fields = dict(fields)
    return fields, list(fields.pop("hosts", None) or [])


def _set_hosts(event, hosts, *, by):
    """Hosts are the community's active hosts and managers; only a manager picks others than themselves."""
    from communities.selectors import is_manager

    if {h.pk for h in hosts} - {by.pk} and not is_manager(by, event.community):
        raise EventError(_("Only the community's managers choose the hosts."))
    allowed = Membership.objects.filter(
        community=event.community,
        user__in=hosts,
        status=Membership.Status.ACTIVE,
        role__in=[Membership.Role.HOST, Membership.Role.MANAGER],
    ).values_list("user_id", flat=True)
    if {h.pk for h in hosts} - set(allowed) - {by.pk}:
        raise EventError(_("Hosts must be the community's hosts or managers."))
    event.hosts.set(hosts)


def event_create(*, community, by, fields, publish=False, questions=()):
    """A manager creates an event in their community, as a draft or published at once."""
    from communities.selectors import is_manager

    if not is_manager(by, community):
        raise EventError(_("Only the community's managers create events."))
    status = Event.Status.PUBLISHED if publish else Event.Status.DRAFT
    with transaction.atomic():
        event = _build_event(community=community, by=by, fields=fields, status=status)
        questions_set(event=event, questions=questions)
    return event


def event_propose(*, community, by, fields, questions=()):
    """A member with the host role proposes an event; the managers are told and approve it."""
    from events.selectors import can_propose

    if not can_propose(by, community):
        raise EventError(_("Only hosts and managers propose events."))
    with transaction.atomic():
        event = _build_event(community=community, by=by, fields=fields, status=Event.Status.PENDING)
        questions_set(event=event, questions=questions)
        managers = User.objects.filter(
            memberships__community=community,
            memberships__role=Membership.Role.MANAGER,
            memberships__status=Membership.Status.ACTIVE,
        )
        for manager in managers:
            _notify_user(
                manager, event, key=f"event-proposed:{event.pk}:{manager.pk}", template="event_proposed", host=by
            )
    return event


def event_update(*, event, by, fields, now=None):
    """Change an event. People registered are told when its time or place changes."""
    _require_runs(event, by)
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status in (Event.Status.CANCELLED, Event.Status.COMPLETED):
            raise EventError(_("A cancelled or completed event cannot be changed."))
        before = {name: getattr(event, name) for name in NOTICE_FIELDS}
        fields, hosts = _split_hosts(fields)
        if hosts:
            _set_hosts(event, hosts, by=by)
        for name, value in fields.items():
            if name not in EDITABLE_FIELDS:
                raise EventError(_("Unknown fields: %(fields)s") % {"fields": name})
            setattr(event, name, value)
        event.description = sanitize_html(event.description)
        _validate_times(event)
        event.save()
        changed = [name for name in NOTICE_FIELDS if getattr(event, name) != before[name]]
        if changed and event.status == Event.Status.PUBLISHED:
            _notify_all_registered(
                event, key_prefix=f"event-changed:{_change_digest(event)}", template="event_changed", before=before
            )
        if "capacity" in fields:
            _promote_waitlist(event, now=now)
    return event


def _change_digest(event):
    """The same change noticed twice is one message; a later change is another."""
    raw = "|".join(str(getattr(event, name)) for name in NOTICE_FIELDS)
    return hashlib.sha256(raw.encode()).hexdigest()[:12]


def _require_status(event, *allowed):
    if event.status not in allowed:
        raise EventError(_("This event is %(status)s.") % {"status": event.get_status_display()})


def event_approve(*, event, by):
    """A manager approves a host's proposal: it is published and the host is told."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        _require_status(event, Event.Status.PENDING)
        event.status, event.decline_reason = Event.Status.PUBLISHED, ""
        event.save(update_fields=["status", "decline_reason", "updated_at"])
        for host in event.hosts.all():
            _notify_user(host, event, key=f"event-approved:{event.pk}:{host.pk}", template="event_approved")
    return event


def event_decline(*, event, by, reason):
    """A manager declines a proposal with a reason that is e-mailed to the hosts; it goes back to draft."""
    reason = (reason or "").strip()
    if not reason:
        raise EventError(_("Tell the host why, so they can change the proposal."))
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        _require_status(event, Event.Status.PENDING)
        event.status, event.decline_reason = Event.Status.DRAFT, reason
        event.save(update_fields=["status", "decline_reason", "updated_at"])
        for host in event.hosts.all():
            key = unique_key(f"event-declined:{event.pk}:{host.pk}")
            _notify_user(host, event, key=key, template="event_declined", reason=reason)
    return event


def event_submit(*, event, by):
    """A host sends a draft (a declined proposal they changed) to the managers again."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        _require_status(event, Event.Status.DRAFT)
        event.status = Event.Status.PENDING
        event.save(update_fields=["status", "updated_at"])
    return event


def event_publish(*, event, by):
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        _require_status(event, Event.Status.DRAFT, Event.Status.PENDING)
        event.status = Event.Status.PUBLISHED
        event.save(update_fields=["status", "updated_at"])
    return event


def event_cancel(*, event, by, reason=""):
    """Cancel an event; everyone registered or waiting is told."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        _require_status(event, Event.Status.DRAFT, Event.Status.PENDING, Event.Status.PUBLISHED)
        was_published = event.status == Event.Status.PUBLISHED
        event.status, event.cancel_reason = Event.Status.CANCELLED, (reason or "").strip()
        event.save(update_fields=["status", "cancel_reason", "updated_at"])
        if was_published:
            _notify_all_registered(event, key_prefix="event-cancelled", template="event_cancelled")
    return event


def event_complete(*, event, by=None, now=None):
    """Close an event after it happened: who did not come is a no-show, attendees are thanked.

    Safe to run twice: a completed event is left as it is.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("community").get(pk=event.pk)
        if event.status == Event.Status.COMPLETED:
            return event
        _require_status(event, Event.Status.PUBLISHED)
        if event.starts_at > now:
            raise EventError(_("The event has not started yet."))
        _record_no_shows(event, now=now)
        event.status, event.completed_at = Event.Status.COMPLETED, now
        event.save(update_fields=["status", "completed_at", "updated_at"])
        for host in event.hosts.all():
            activity_record(
                user=host,
                kind=Activity.Kind.HOSTED,
                community=event.community,
                summary=event.title,
                data={"event": event.pk},
                occurred_at=now,
            )
        fundraisers = fundraisers_of(event)
        for registration in event.registrations.filter(status=Registration.Status.ATTENDED).select_related("user"):
            registration.event = event
            _notify(
                registration, key=f"event-thanks:{registration.pk}", template="event_thanks", fundraisers=fundraisers
            )
    return event


def _record_no_shows(event, *, now):
    missing = list(event.registrations.filter(status=Registration.Status.CONFIRMED).select_related("user"))
    Registration.objects.filter(pk__in=[r.pk for r in missing]).update(
        status=Registration.Status.NO_SHOW, updated_at=now
    )
    for registration in missing:
        if registration.user_id:
            activity_record(
                user=registration.user,
                kind=Activity.Kind.NO_SHOW,
                community=event.community,
                summary=event.title,
                data={"event": event.pk},
                occurred_at=now,
            )


def events_complete_due(*, now=None):
    """Complete published events that ended a while ago (the periodic task). Returns how many."""
    now = now or timezone.now()
    due = Event.objects.filter(status=Event.Status.PUBLISHED, ends_at__lte=now - settings.EVENT_COMPLETE_AFTER)
    count = 0
    for event_id in due.values_list("pk", flat=True)[:200]:
        event_complete(event=Event(pk=event_id), now=now)
        count += 1
    return count


# ---------------------------------------------------------------- questions


def questions_set(*, event, questions):
    """Replace the event's custom questions: dicts with label, kind, choices, required."""
    event.questions.all().delete()
    rows = []
    for index, question in enumerate(questions):
        kind = question.get("kind", RegistrationQuestion.Kind.TEXT)
        choices = [c.strip() for c in question.get("choices", []) if c and c.strip()]
        if kind == RegistrationQuestion.Kind.CHOICE and len(choices) < 2:
            raise EventError(_("A choice question needs at least two options."))
        rows.append(
            RegistrationQuestion(
                event=event,
                label=question["label"].strip()[:200],
                kind=kind,
                choices=choices,
                required=bool(question.get("required")),
                position=index,
            )
        )
    RegistrationQuestion.objects.bulk_create(rows)


def _require_runs(event, by):
    from events.selectors import can_manage

    if by is None or not can_manage(by, event):
        raise EventError(_("Only the event's hosts and the community's managers can change it."))


def question_add(*, event, by, label, kind, choices=(), required=False):
    _require_runs(event, by)
    label = (label or "").strip()
    if not label:
        raise EventError(_("Write the question."))
    choices = [c.strip() for c in choices if c and c.strip()]
    if kind == RegistrationQuestion.Kind.CHOICE and len(choices) < 2:
        raise EventError(_("A choice question needs at least two options."))
    position = (event.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    return RegistrationQuestion.objects.create(
        event=event, label=label[:200], kind=kind, choices=choices, required=required, position=position
    )


def question_delete(*, event, by, question_id):
    _require_runs(event, by)
    event.questions.filter(pk=question_id).delete()
