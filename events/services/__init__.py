"""Writes about events, split by area: hosting.py (events and their questions), registrations.py
(seats, waitlist, check-in), notices.py (links and e-mails through the ledger), reminders.py.

Callers use `from events import services` and the names re-exported here.
"""

from events.services.errors import AlreadyRegistered, EventError
from events.services.hosting import (
    EDITABLE_FIELDS,
    NOTICE_FIELDS,
    event_approve,
    event_cancel,
    event_complete,
    event_create,
    event_decline,
    event_propose,
    event_publish,
    event_submit,
    event_update,
    events_complete_due,
    question_add,
    question_delete,
    questions_set,
)
from events.services.notices import (
    TOKEN_SALT,
    fundraisers_of,
    registration_from_token,
    registration_links,
    registration_token,
)
from events.services.registrations import (
    answers_clean,
    registration_cancel,
    registration_check_in,
    registration_check_in_undo,
    registration_closed_reason,
    registration_create,
    registration_walk_in,
)
from events.services.reminders import event_reminders_send, offset_label, reminders_due

__all__ = [
    "EDITABLE_FIELDS",
    "NOTICE_FIELDS",
    "TOKEN_SALT",
    "AlreadyRegistered",
    "EventError",
    "answers_clean",
    "event_approve",
    "event_cancel",
    "event_complete",
    "event_create",
    "event_decline",
    "event_propose",
    "event_publish",
    "event_reminders_send",
    "event_submit",
    "event_update",
    "events_complete_due",
    "fundraisers_of",
    "offset_label",
    "question_add",
    "question_delete",
    "questions_set",
    "registration_cancel",
    "registration_check_in",
    "registration_check_in_undo",
    "registration_closed_reason",
    "registration_create",
    "registration_from_token",
    "registration_links",
    "registration_token",
    "registration_walk_in",
    "reminders_due",
]
