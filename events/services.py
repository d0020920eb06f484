"""Writes about events: hosting, registrations with a waitlist, check-in, notices and reminders.

Every change that touches seats runs in a transaction holding the event row (select_for_update),
so counting seats and taking one cannot interleave with another registration or cancellation.
"""

import hashlib

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, F, Max, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from communities.models import Membership
from config.sanitize import sanitize_html
from events.models import Event, Registration, RegistrationQuestion
from members.models import Activity, OutboundMessage, User
from members.services import activity_record, message_send, unique_key

TOKEN_SALT = "events.registration"
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


class EventError(Exception):
    """A rule of events refused the change; the message is shown to the person."""


# ---------------------------------------------------------------- links and tokens


def registration_token(registration):
    return signing.dumps(registration.pk, salt=TOKEN_SALT)


def registration_from_token(token):
    """The registration a signed link points to, or None for a tampered or unknown link."""
    try:
        pk = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    return Registration.objects.select_related("event", "event__community", "user").filter(pk=pk).first()


def absolute(path):
    return settings.SITE_URL + path


def registration_links(registration):
    token = registration_token(registration)
    event_path = reverse("events:detail", kwargs={"pk": registration.event_id})
    ics_path = reverse("events:ics", kwargs={"pk": registration.event_id})
    return {
        "event_url": absolute(event_path),
        "manage_url": absolute(reverse("events:registration", kwargs={"token": token})),
        "ics_url": absolute(f"{ics_path}?t={token}"),
    }


# ---------------------------------------------------------------- messages


def _zone_for(user, event):
    if user is not None and user.timezone:
        try:
            import zoneinfo

            return zoneinfo.ZoneInfo(user.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return event.zone


def fundraisers_of(event):
    """The fundraisers this event supports, when the fundraising app links them (Fundraiser.event)."""
    if not hasattr(Event, "fundraisers"):
        return []
    return list(event.fundraisers.all())


def _notify(registration, *, key, template, **extra):
    """E-mail one registered person about their event, with times in their own time zone."""
    event = registration.event
    zone = _zone_for(registration.user, event)
    context = {
        "event": event,
        "registration": registration,
        "name": registration.display_name,
        "zone_name": str(zone),
        "show_online_url": event.is_online and registration.is_active,
        **registration_links(registration),
        **extra,
    }
    with timezone.override(zone):
        return message_send(
            key=key,
            template=template,
            context=context,
            user=registration.user,
            to_email=registration.email,
            language=registration.language or None,
        )


def _notify_user(user, event, *, key, template, **extra):
    zone = _zone_for(user, event)
    context = {
        "event": event,
        "name": user.get_short_name(),
        "zone_name": str(zone),
        "event_url": absolute(reverse("events:detail", kwargs={"pk": event.pk})),
        "manage_url": absolute(reverse("events:manage", kwargs={"pk": event.pk})),
        **extra,
    }
    with timezone.override(zone):
        return message_send(key=key, template=template, context=context, user=user)


def _notify_all_registered(event, *, key_prefix, template, **extra):
    registered = event.registrations.filter(
        status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]
    ).select_related("user", "event", "event__community")
    for registration in registered:
        _notify(registration, key=f"{key_prefix}:{registration.pk}", template=template, **extra)


# ---------------------------------------------------------------- hosting


def _unique_slug(community, title, exclude_pk=None):
    base = slugify(title, allow_unicode=False)[:70] or "event"
    taken = set(
        Event.objects.filter(community=community, slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _validate_times(event):
    if event.ends_at <= event.starts_at:
        raise EventError(_("The event must end after it starts."))
    if event.registration_deadline and event.registration_deadline > event.ends_at:
        raise EventError(_("Registration must close before the event ends."))
    if event.is_online and not event.online_url:
        raise EventError(_("An online event needs its link."))


def _build_event(*, community, by, fields, status):
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise EventError(_("Unknown fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    fields = {"timezone": community.timezone, **fields}
    event = Event(community=community, created_by=by, status=status, **fields)
    event.description = sanitize_html(event.description)
    _validate_times(event)
    event.slug = _unique_slug(community, event.title)
    event.save()
    event.hosts.add(by)
    return event


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
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        if event.status in (Event.Status.CANCELLED, Event.Status.COMPLETED):
            raise EventError(_("A cancelled or completed event cannot be changed."))
        before = {name: getattr(event, name) for name in NOTICE_FIELDS}
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


def question_add(*, event, label, kind, choices=(), required=False):
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


def question_delete(*, event, question_id):
    event.questions.filter(pk=question_id).delete()


def answers_clean(event, answers, questions=None):
    """Check answers against the event's questions; returns {question label: answer}."""
    answers = answers or {}
    cleaned, errors = {}, []
    for question in questions if questions is not None else event.questions.all():
        value = answers.get(str(question.pk), answers.get(question.pk, ""))
        value = value.strip() if isinstance(value, str) else value
        if question.kind == RegistrationQuestion.Kind.YES_NO and value not in ("", None):
            value = {"yes": True, "no": False, True: True, False: False}.get(value, "invalid")
        if value in ("", None):
            if question.required:
                errors.append(_("Please answer: %(question)s") % {"question": question.label})
            continue
        if question.kind == RegistrationQuestion.Kind.CHOICE and value not in question.choices:
            errors.append(_("Choose one of the options for: %(question)s") % {"question": question.label})
        elif value == "invalid":
            errors.append(_("Answer yes or no to: %(question)s") % {"question": question.label})
        elif isinstance(value, str) and len(value) > 500:
            errors.append(_("Keep the answer short: %(question)s") % {"question": question.label})
        else:
            cleaned[question.label] = value
    if errors:
        raise EventError(" ".join(errors))
    return cleaned


# ---------------------------------------------------------------- registrations


def registration_closed_reason(event, now):
    if event.status != Event.Status.PUBLISHED:
        return _("Registration is not open for this event.")
    deadline = event.registration_deadline or event.starts_at
    if now >= deadline:
        return _("Registration for this event has closed.")
    return ""


def _check_may_register(event, user, now):
    reason = registration_closed_reason(event, now)
    if reason:
        raise EventError(reason)
    if event.visibility == Event.Visibility.MEMBERS:
        is_member = (
            user is not None
            and Membership.objects.filter(
                community=event.community, user=user, status=Membership.Status.ACTIVE
            ).exists()
        )
        if not is_member:
            raise EventError(_("This event is for the community's members."))


def registration_create(*, event, user=None, guest_name="", guest_email="", answers=None, language="", now=None):
    """Register a member (one click) or a guest (name and e-mail).

    Holds the event row while counting seats, so capacity is never exceeded; a full event puts the
    person on the waitlist at the end of the queue.
    """
    now = now or timezone.now()
    if user is None and not (guest_name.strip() and guest_email.strip()):
        raise EventError(_("Give your name and e-mail to register."))
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("community").get(pk=event.pk)
        _check_may_register(event, user, now)
        answers = answers_clean(event, answers)
        _check_not_registered(event, user, guest_email)
        registration = Registration(
            event=event,
            user=user,
            guest_name=guest_name.strip()[:150] if user is None else "",
            guest_email=guest_email.strip().lower() if user is None else "",
            answers=answers,
            created_at=now,
            language=language or translation.get_language() or "",
        )
        _seat_or_queue(event, registration)
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError as exc:
            raise EventError(_("You are already registered for this event.")) from exc
        _after_registration(event, registration, now=now)
    return registration


def _check_not_registered(event, user, guest_email):
    active = event.registrations.exclude(status=Registration.Status.CANCELLED)
    if user is not None and active.filter(user=user).exists():
        raise EventError(_("You are already registered for this event."))
    if user is None and active.filter(user__isnull=True, guest_email__iexact=guest_email.strip()).exists():
        raise EventError(_("This e-mail is already registered for this event."))


def _seat_or_queue(event, registration):
    """Confirm when a seat is free; otherwise the next waitlist position. The event row is locked."""
    taken = event.registrations.filter(status__in=Registration.SEATED).count()
    if event.capacity is None or taken < event.capacity:
        registration.status, registration.position = Registration.Status.CONFIRMED, None
        return
    last = event.registrations.aggregate(m=Max("position"))["m"] or 0
    registration.status, registration.position = Registration.Status.WAITLISTED, last + 1


def _after_registration(event, registration, *, now):
    if registration.user_id:
        activity_record(
            user=registration.user,
            kind=Activity.Kind.REGISTERED,
            community=event.community,
            summary=event.title,
            data={"event": event.pk, "status": registration.status},
            occurred_at=now,
        )
    if registration.status == Registration.Status.CONFIRMED:
        _notify(registration, key=f"event-registered:{registration.pk}", template="event_registered")
    else:
        _notify(registration, key=f"event-waitlisted:{registration.pk}", template="event_waitlisted")


def registration_cancel(*, registration, by=None, now=None):
    """Cancel a registration (by the person, their signed link, or a host).

    A freed seat goes to the first person on the waitlist in the same transaction; they are told.
    Cancelling an already cancelled registration changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("community").get(pk=registration.event_id)
        registration = Registration.objects.select_related("user").get(pk=registration.pk)
        if registration.status == Registration.Status.CANCELLED:
            return registration
        if registration.status in (Registration.Status.ATTENDED, Registration.Status.NO_SHOW):
            raise EventError(_("This registration is closed: the event took place."))
        registration.status, registration.cancelled_at, registration.position = (
            Registration.Status.CANCELLED,
            now,
            None,
        )
        registration.save(update_fields=["status", "cancelled_at", "position", "updated_at"])
        registration.event = event
        by_host = by is not None and by != registration.user
        if by_host:
            _notify(
                registration,
                key=f"event-registration-cancelled:{registration.pk}",
                template="event_registration_cancelled",
            )
        _promote_waitlist(event, now=now)
    return registration


def _promote_waitlist(event, *, now=None):
    """Give free seats to the waitlist in order. The caller holds the event row."""
    now = now or timezone.now()
    if event.status != Event.Status.PUBLISHED or event.starts_at <= now:
        return []
    waiting = event.registrations.filter(status=Registration.Status.WAITLISTED).order_by("position", "pk")
    if event.capacity is not None:
        taken = event.registrations.filter(status__in=Registration.SEATED).count()
        waiting = waiting[: max(event.capacity - taken, 0)]
    promoted = list(waiting.select_related("user"))
    for registration in promoted:
        registration.status, registration.position = Registration.Status.CONFIRMED, None
        registration.save(update_fields=["status", "position", "updated_at"])
        registration.event = event
        _notify(registration, key=f"event-promoted:{registration.pk}", template="event_promoted")
    return promoted


def registration_check_in(*, registration, by, now=None):
    """Mark a person present (one tap). Checking in twice changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("community").get(pk=registration.event_id)
        registration = Registration.objects.select_related("user").get(pk=registration.pk)
        if registration.status == Registration.Status.ATTENDED:
            return registration
        if event.status not in (Event.Status.PUBLISHED, Event.Status.COMPLETED):
            raise EventError(_("Check-in is open for published events only."))
        if registration.status == Registration.Status.CANCELLED:
            raise EventError(_("This registration was cancelled."))
        registration.status, registration.checked_in_at, registration.position = Registration.Status.ATTENDED, now, None
        registration.save(update_fields=["status", "checked_in_at", "position", "updated_at"])
        _record_attended(event, registration, by=by, now=now)
    return registration


def registration_check_in_undo(*, registration, by, now=None):
    """Undo a mistaken tap: the person is back to confirmed."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=registration.event_id)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.status != Registration.Status.ATTENDED or event.status != Event.Status.PUBLISHED:
            return registration
        registration.status, registration.checked_in_at = Registration.Status.CONFIRMED, None
        registration.save(update_fields=["status", "checked_in_at", "updated_at"])
        if registration.user_id:
            Activity.objects.filter(
                user_id=registration.user_id, kind=Activity.Kind.ATTENDED, data__event=event.pk
            ).delete()
    return registration


def _record_attended(event, registration, *, by, now):
    if registration.user_id:
        activity_record(
            user=registration.user,
            kind=Activity.Kind.ATTENDED,
            community=event.community,
            actor=by,
            summary=event.title,
            data={"event": event.pk},
            occurred_at=now,
        )


def registration_walk_in(*, event, by, name, email="", now=None):
    """Someone came without registering: add them as present. A known person is checked in instead."""
    now = now or timezone.now()
    name, email = (name or "").strip(), (email or "").strip().lower()
    if not name:
        raise EventError(_("Write the person's name."))
    user = User.objects.filter(email__iexact=email).first() if email else None
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("community").get(pk=event.pk)
        if event.status not in (Event.Status.PUBLISHED, Event.Status.COMPLETED):
            raise EventError(_("Check-in is open for published events only."))
        active = event.registrations.exclude(status=Registration.Status.CANCELLED)
        existing = active.filter(user=user).first() if user else None
        if existing is None and email and not user:
            existing = active.filter(user__isnull=True, guest_email__iexact=email).first()
        if existing is not None:
            return registration_check_in(registration=existing, by=by, now=now)
        registration = Registration.objects.create(
            event=event,
            user=user,
            guest_name="" if user else name[:150],
            guest_email="" if user else email,
            status=Registration.Status.ATTENDED,
            checked_in_at=now,
            created_at=now,
            is_walk_in=True,
        )
        _record_attended(event, registration, by=by, now=now)
    return registration


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
        .filter(Q(user__isnull=True) | Q(user__consent_reminders=True, user__is_active=True))
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
