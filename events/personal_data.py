"""What events forget when a person deletes their account (registered in EventsConfig.ready())."""

from django.db.models import Q
from django.utils import timezone

from events.models import Event, Registration
from events.services.registrations import registration_cancel
from members.services import personal_text, user_anonymiser


@user_anonymiser(covers=["events.Registration", "events.Event"])
def registrations_anonymise(*, departing):
    """Upcoming places are given up (the waitlist moves); past registrations keep their status, not the person.

    Registrations made as a guest under the person's e-mail count as theirs. Events they host or
    created stay, without them.
    """
    theirs = Registration.objects.filter(Q(user=departing.user) | Q(guest_email__iexact=departing.email))
    upcoming = theirs.filter(
        event__starts_at__gt=timezone.now(),
        status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED],
    )
    for registration in upcoming:
        # As if they cancelled it themselves: nobody is told, the waitlist moves up.
        registration_cancel(registration=registration)
    theirs.update(user=None, guest_name="", guest_email="", answers={})
    departing.user.hosted_events.clear()
    Event.objects.filter(created_by=departing.user).update(created_by=None)


personal_text("events.Event", "title", "description")
personal_text("events.Registration", "guest_name", "answers")
