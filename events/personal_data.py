"""What events forget when a person deletes their account (registered in EventsConfig.ready())."""

from django.db.models import Q
from django.utils import timezone

from events.models import Event, Registration
from events.services.registrations import registration_cancel
from members.services import personal_data_section, personal_text, user_anonymiser


@user_anonymiser(covers=["events.Registration", "events.Event"])
def registrations_anonymise(*, departing):
    """Upcoming places are given up (the waitlist moves); past registrations keep their status, not the person.

    Registrations made as a guest under the person's e-mail count as theirs. Events they host or
    created stay, without them.
    """
    theirs = Registration.objects.filter(
        Q(user=departing.user) | Q(guest_email__iexact=departing.email) | Q(email_key=departing.email.lower())
    )
    upcoming = theirs.filter(
        event__starts_at__gt=timezone.now(),
        status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
    )
    for registration in upcoming:
        # As if they cancelled it themselves: nobody is told, the waitlist moves up.
        registration_cancel(registration=registration)
    theirs.update(user=None, guest_name="", guest_email="", email_key="", answers={})
    departing.user.hosted_events.clear()
    Event.objects.filter(created_by=departing.user).update(created_by=None)


personal_text("events.Event", "title", "description")
personal_text("events.Registration", "guest_name", "answers")


@personal_data_section("registrations")
def registrations_export(*, user, emails):
    """Registrations made signed in, or as a guest under one of the person's verified addresses."""
    theirs = Registration.objects.filter(Q(user=user) | Q(guest_email__in=emails)).select_related("event")
    return [
        {
            "event": r.event.title,
            "starts_at": r.event.starts_at.isoformat(),
            "status": r.status,
            "as_guest": r.user_id is None,
            "name": r.guest_name,
            "email": r.guest_email,
            "answers": r.answers,
            "reminders": r.guest_reminders if r.user_id is None else None,
            "registered_at": r.created_at.isoformat(),
            "checked_in_at": r.checked_in_at.isoformat() if r.checked_in_at else None,
        }
        for r in theirs.order_by("created_at", "pk")
    ]
