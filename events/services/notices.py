"""Links, signed tokens and the e-mails about events, all through the message ledger."""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from events.calendars import event_ics
from events.models import Event, Registration
from members.links import LinkInvalid, link_read, link_token
from members.models import OutboundMessage
from members.services import message_send

# ---------------------------------------------------------------- links and tokens


def registration_token(registration):
    return link_token(registration.pk, kind="registration")


def registration_from_token(token):
    """The registration a signed link points to, or None for a tampered, expired or unknown link."""
    try:
        pk = link_read(token, kind="registration")
    except LinkInvalid:
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
    fundraisers = event.fundraisers.all()
    hidden = getattr(getattr(fundraisers.model, "Status", None), "HIDDEN", None)
    if hidden is not None:  # a fundraiser the campaign's managers hid is not advertised
        fundraisers = fundraisers.exclude(status=hidden)
    return list(fundraisers)


# Reminders follow the person's consent (and carry an unsubscribe link); notices about a change to
# their registration or the event are service messages and always go.
MESSAGE_CATEGORIES = {"event_reminder": OutboundMessage.Category.REMINDERS}


def _notify(registration, *, key, template, attach_ics=False, **extra):
    """E-mail one registered person about their event, with times in their own time zone.

    With `attach_ics`, the event's calendar file travels with the e-mail (online link included only
    for people holding a place).
    """
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
            category=MESSAGE_CATEGORIES.get(template, OutboundMessage.Category.TRANSACTIONAL),
            community=event.community,
            attachments=[_ics_attachment(registration)] if attach_ics else None,
        )


def _ics_attachment(registration):
    content = event_ics(registration.event, show_online_url=registration.is_active)
    return {"filename": "event.ics", "content": content.decode(), "mimetype": "text/calendar"}


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
        return message_send(key=key, template=template, context=context, user=user, community=event.community)


def _notify_all_registered(event, *, key_prefix, template, **extra):
    registered = event.registrations.filter(
        status__in=[Registration.Status.CONFIRMED, Registration.Status.WAITLISTED]
    ).select_related("user", "event", "event__community")
    for registration in registered:
        _notify(registration, key=f"{key_prefix}:{registration.pk}", template=template, **extra)
