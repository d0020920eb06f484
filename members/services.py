"""Writes about people: accounts and the outbound message ledger."""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone, translation

from members.models import Activity, OutboundMessage, User

logger = logging.getLogger(__name__)


class MessageDeliveryFailed(Exception):
    """The mail backend refused or failed; the ledger row keeps the error."""


def message_render(*, template, context, language):
    """Render `emails/<template>` (subject, text and optional HTML) in `language`."""
    with translation.override(language):
        ctx = {"SITE_URL": settings.SITE_URL, "language": language, **context}
        subject = render_to_string(f"emails/{template}_subject.txt", ctx)
        body_text = render_to_string(f"emails/{template}.txt", ctx)
        try:
            body_html = render_to_string(f"emails/{template}.html", ctx)
        except TemplateDoesNotExist:
            body_html = ""
    return " ".join(subject.split()), body_text, body_html


def recipient_language(*, user=None, language=None):
    """The language a message to this person is written in."""
    if user is not None and user.language:
        return user.language
    return language or translation.get_language() or settings.LANGUAGE_CODE


def message_send(*, key, template, context, to_email=None, user=None, language=None, headers=None):
    """Queue one e-mail to a person, once per `key`.

    Renders it in the recipient's language, records it in the ledger and hands it to a worker
    after the surrounding transaction commits. A second call with the same key sends nothing and
    returns the existing row.
    """
    existing = OutboundMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    language = recipient_language(user=user, language=language)
    subject, body_text, body_html = message_render(template=template, context=context, language=language)
    return message_queue(
        key=key,
        to_email=to_email or user.email,
        user=user,
        language=language,
        template=template,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers or {},
    )


def message_queue(
    *, key, to_email, subject, body_text, body_html="", user=None, language="", template="", headers=None
):
    """Record an already rendered message under `key` and queue its delivery on commit."""
    try:
        with transaction.atomic():
            message = OutboundMessage.objects.create(
                key=key,
                to_email=to_email,
                user=user,
                language=language or settings.LANGUAGE_CODE,
                template=template,
                subject=subject[:250],
                body_text=body_text,
                body_html=body_html,
                headers=headers or {},
            )
    except IntegrityError:
        # Someone queued the same key a moment earlier: theirs is the message.
        return OutboundMessage.objects.get(key=key)
    _deliver_on_commit(message.pk)
    return message


def unique_key(prefix):
    """A key for a message that must go out every time it is asked for (a new reset link, say)."""
    return f"{prefix}:{uuid.uuid4().hex}"


def _deliver_on_commit(message_id):
    from members.tasks import message_deliver_task

    message_deliver_task.delay_on_commit(message_id)


def _as_email(message):
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers=message.headers,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    return email


def message_deliver(*, message_id, now=None):
    """Send a queued message unless it was sent already. Raises MessageDeliveryFailed on error.

    The row is locked while sending, so two workers holding the same task send it once.
    """
    error = ""
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status == OutboundMessage.Status.SENT:
            return message
        message.attempts += 1
        try:
            _as_email(message).send()
        except Exception as exc:  # any backend failure is recorded, then retried
            error = f"{type(exc).__name__}: {exc}"[:2000]
            logger.warning("message %s failed: %s", message.pk, error)
            message.status, message.last_error = OutboundMessage.Status.FAILED, error
        else:
            message.status, message.sent_at = OutboundMessage.Status.SENT, now or timezone.now()
        message.save(update_fields=["attempts", "status", "last_error", "sent_at", "updated_at"])
    if error:
        raise MessageDeliveryFailed(error)
    return message


def messages_requeue_stale(*, now=None):
    """Queue again messages whose task was lost (a broker restart, a crash before commit).

    Returns how many were queued. Safe to run often: delivery is idempotent.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.MESSAGE_REQUEUE_AFTER_MINUTES)
    lost = Q(status=OutboundMessage.Status.QUEUED, updated_at__lt=cutoff)
    # A failed message whose retry chain was lost with its worker.
    abandoned = Q(
        status=OutboundMessage.Status.FAILED,
        attempts__lt=settings.MESSAGE_MAX_ATTEMPTS,
        updated_at__lt=now - timedelta(hours=2),
    )
    stale = OutboundMessage.objects.filter(lost | abandoned)
    ids = list(stale.values_list("pk", flat=True)[:1000])
    for message_id in ids:
        _deliver_on_commit(message_id)
    return len(ids)


def user_update_preferences(*, user, name, language, timezone_name):
    user.name, user.language, user.timezone = name, language, timezone_name
    user.full_clean(exclude=["password"])
    user.save(update_fields=["name", "language", "timezone"])
    return user


def user_find_by_email(email):
    return User.objects.filter(email__iexact=email).first()


def messages_resend(*, ids):
    """Queue failed messages again (a manager's or admin's resend). Sent ones are left alone."""
    failed = OutboundMessage.objects.filter(pk__in=ids, status=OutboundMessage.Status.FAILED)
    to_resend = list(failed.values_list("pk", flat=True))
    failed.update(status=OutboundMessage.Status.QUEUED, updated_at=timezone.now())
    for message_id in to_resend:
        _deliver_on_commit(message_id)
    return len(to_resend)


def user_api_token_rotate(*, user):
    """Replace the person's API token with a new one (the old one stops working at once)."""
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def user_api_token_revoke(*, user):
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


def activity_record(*, user, kind, community=None, actor=None, summary="", data=None, occurred_at=None):
    """Log one thing a person did in a community; every app calls this, never Activity.objects.create.

    Also moves the person's last activity in that community forward (one UPDATE, no read).
    """
    from communities.models import Membership

    occurred_at = occurred_at or timezone.now()
    activity = Activity.objects.create(
        user=user,
        community=community,
        kind=kind,
        actor=actor,
        summary=summary[:300],
        data=data or {},
        occurred_at=occurred_at,
    )
    if community is not None and kind in ENGAGING_ACTIVITIES:
        Membership.objects.filter(community=community, user=user).filter(
            Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=occurred_at)
        ).update(last_activity_at=occurred_at)
    return activity


# What the person did themselves (as opposed to what was done to them) counts as activity.
ENGAGING_ACTIVITIES = {
    Activity.Kind.JOINED,
    Activity.Kind.REGISTERED,
    Activity.Kind.ATTENDED,
    Activity.Kind.HOSTED,
    Activity.Kind.DONATED,
    Activity.Kind.FUNDRAISER_OPENED,
    Activity.Kind.REPLIED,
}
