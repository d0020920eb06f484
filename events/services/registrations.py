"""Registrations with a waitlist, cancellation, check-in and walk-ins.

Every change that touches seats runs in a transaction holding the event row (select_for_update),
so counting seats and taking one cannot interleave with another registration or cancellation.
"""

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from communities.models import Membership
from events.models import Event, Registration, RegistrationQuestion
from events.services.errors import AlreadyRegistered, EventError
from events.services.notices import _notify
from members.models import Activity, User
from members.services import activity_record

# ---------------------------------------------------------------- registrations


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


def registration_create(
    *, event, user=None, guest_name="", guest_email="", answers=None, language="", guest_reminders=False, now=None
):
    """Register a member (one click) or a guest (name and e-mail; `guest_reminders`: they ticked
    "remind me before the event", without which a guest gets no reminder).

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
        email_key = email_key_of(user, guest_email)
        _check_not_registered(event, user, email_key)
        registration = Registration(
            event=event,
            user=user,
            guest_name=guest_name.strip()[:150] if user is None else "",
            guest_email=guest_email.strip().lower() if user is None else "",
            email_key=email_key,
            answers=answers,
            guest_reminders=bool(guest_reminders) and user is None,
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


def email_key_of(user, guest_email=""):
    """The e-mail a registration holds its place with: the member's, or the guest's, in lower case."""
    return ((user.email if user is not None else guest_email) or "").strip().lower()


def registration_active_for(event, *, user=None, email_key=""):
    """The person's active registration for the event, by account or by e-mail (any letter case), or None."""
    active = event.registrations.exclude(status=Registration.Status.CANCELLED).select_related("user")
    match = Q(email_key=email_key) if email_key else Q(pk__in=[])
    if user is not None:
        match |= Q(user=user)
    return active.filter(match).order_by("pk").first()


def _check_not_registered(event, user, email_key):
    existing = registration_active_for(event, user=user, email_key=email_key)
    if existing is None:
        return
    if user is not None:
        raise AlreadyRegistered(_("You are already registered for this event."), registration=existing)
    raise AlreadyRegistered(
        _("This e-mail is already registered for this event; the confirmation sent to it has the link."),
        registration=existing,
    )


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
        _notify(registration, key=f"event-registered:{registration.pk}", template="event_registered", attach_ics=True)
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
        _notify(registration, key=f"event-promoted:{registration.pk}", template="event_promoted", attach_ics=True)
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
        existing = registration_active_for(event, user=user, email_key=email)
        if existing is not None:
            return registration_check_in(registration=existing, by=by, now=now)
        registration = Registration.objects.create(
            event=event,
            user=user,
            guest_name="" if user else name[:150],
            guest_email="" if user else email,
            email_key=email_key_of(user, email),
            status=Registration.Status.ATTENDED,
            checked_in_at=now,
            created_at=now,
            is_walk_in=True,
        )
        _record_attended(event, registration, by=by, now=now)
    return registration
