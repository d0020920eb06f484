"""Periodic scans for events (see the beat schedule in config/celery.py). Each is safe to run twice."""

from celery import shared_task

from events import services


@shared_task
def event_reminders_send():
    """Queue the reminders that are due; the ledger key sends each one once."""
    return services.event_reminders_send()


@shared_task
def events_complete_due():
    """Complete events that ended: no-shows recorded, attendees thanked."""
    return services.events_complete_due()
