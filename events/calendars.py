"""iCalendar files: one per event and a feed per community, with the events' own time zones."""

from datetime import date

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils.html import strip_tags

from config.sanitize import clean_multi_line, one_line
from events.models import Event

PRODID = "-//Kindred//Events//EN"


def _uid(event):
    # Stable across edits and exports: calendar apps update the same entry instead of adding one.
    host = settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"event-{event.pk}@{host}"


def _location(event, *, show_online_url):
    if event.is_online:
        return one_line(event.online_url) if show_online_url else ""
    return one_line(", ".join(part for part in (event.place, event.address) if part))


def event_component(event, *, show_online_url=False):
    vevent = icalendar.Event()
    zone = event.zone
    vevent.add("uid", _uid(event))
    # Whatever text reaches the file is escaped here: a stray control character never breaks it.
    vevent.add("summary", one_line(event.title))
    vevent.add("dtstart", event.starts_at.astimezone(zone))
    vevent.add("dtend", event.ends_at.astimezone(zone))
    vevent.add("dtstamp", event.updated_at)
    vevent.add("last-modified", event.updated_at)
    vevent.add("sequence", int(event.updated_at.timestamp()) // 60 % 2_000_000_000)
    url = settings.SITE_URL + reverse("events:detail", kwargs={"pk": event.pk})
    vevent.add("url", url)
    description = clean_multi_line(strip_tags(event.description)).strip()
    vevent.add("description", f"{description}\n\n{url}".strip())
    location = _location(event, show_online_url=show_online_url)
    if location:
        vevent.add("location", location)
    if event.status == Event.Status.CANCELLED:
        vevent.add("status", "CANCELLED")
    else:
        vevent.add("status", "CONFIRMED")
    return vevent


def _calendar(name):
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", icalendar.vText(one_line(name)))
    return calendar


def _finish(calendar, events):
    if events:
        first = min(e.starts_at for e in events).date()
        last = max(e.ends_at for e in events).date()
        # VTIMEZONE blocks for every zone used, covering the events' years (DST rules included).
        calendar.add_missing_timezones(first_date=date(first.year, 1, 1), last_date=date(last.year + 1, 1, 1))
    return calendar.to_ical()


def event_ics(event, *, show_online_url=False):
    calendar = _calendar(event.title)
    calendar.add_component(event_component(event, show_online_url=show_online_url))
    return _finish(calendar, [event])


def community_ics(community, events):
    calendar = _calendar(community.name)
    events = list(events)
    for event in events:
        calendar.add_component(event_component(event))
    return _finish(calendar, events)
