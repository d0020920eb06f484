"""Signed action links in e-mails (unsubscribe, a guest's registration, a check-in reply, a call to action).

One way to make and read them: each kind has its own salt, so a token of one kind never opens
another, and its own lifetime in days (`settings.ACTION_LINK_DAYS`, from the environment). A link
only ever shows a page; what it does happens when the person presses the page's one button (POST).
Invitations and shareable invite links are random tokens stored with their own expiry instead.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing

SALTS = {
    "unsubscribe": "members.unsubscribe",
    "registration": "events.registration",
    "checkin_reply": "communities.checkin.reply",
    "call_to_action": "communities.call-to-action",
}


class LinkInvalid(Exception):
    """The token is forged, damaged or of another kind."""


class LinkExpired(LinkInvalid):
    """The token was genuine but is older than its kind's lifetime."""


def link_max_age(kind):
    """How long a link of `kind` acts (a timedelta)."""
    return timedelta(days=settings.ACTION_LINK_DAYS[kind])


def link_token(payload, *, kind):
    """A URL-safe signed token carrying `payload` (JSON-serialisable) and the time it was made."""
    return signing.dumps(payload, salt=SALTS[kind], compress=True)


def link_read(token, *, kind):
    """The payload of a valid token of `kind`. Raises LinkExpired (too old) or LinkInvalid."""
    try:
        return signing.loads(token, salt=SALTS[kind], max_age=link_max_age(kind))
    except signing.SignatureExpired as exc:
        raise LinkExpired(kind) from exc
    except (signing.BadSignature, ValueError, TypeError, UnicodeError) as exc:
        raise LinkInvalid(kind) from exc
