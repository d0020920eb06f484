"""The outbound message ledger: every e-mail Kindred sends, once per key, in the person's language."""

import logging
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members.models import CommunityPreference, OutboundMessage, User
from members.services.accounts import user_update_profile
from members.services.erasure import MemberError

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
    # Templates wrap subjects over lines; keep the no-break spaces money formatting relies on.
    return re.sub(r"[ \t\r\n]+", " ", subject).strip(), body_text, body_html


def recipient_language(*, user=None, language=None):
    """The language a message to this person is written in."""
    if user is not None and user.language:
        return user.language
    return language or translation.get_language() or settings.LANGUAGE_CODE


def message_send(
    *,
    key,
    template,
    context,
    to_email=None,
    user=None,
    language=None,
    headers=None,
    category=OutboundMessage.Category.TRANSACTIONAL,
    community=None,
    attachments=None,
):
    """Queue one e-mail to a person, once per `key`.

    Renders it in the recipient's language, records it in the ledger and hands it to a worker
    after the surrounding transaction commits. A second call with the same key sends nothing and
    returns the existing row. A message of a category the person opted out of is recorded as
    skipped and not sent; every non-transactional message to an account carries a one-click
    unsubscribe link (also as the List-Unsubscribe header).
    """
    existing = OutboundMessage.objects.filter(key=key).first()
    if existing is not None:
        return existing
    language = recipient_language(user=user, language=language)
    headers = dict(headers or {})
    context = dict(context)
    if user is not None and category != OutboundMessage.Category.TRANSACTIONAL:
        unsubscribe = unsubscribe_url(user=user, category=category)
        context["unsubscribe_url"] = unsubscribe
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    subject, body_text, body_html = message_render(template=template, context=context, language=language)
    if "unsubscribe_url" in context:
        with translation.override(language):
            body_text += "\n\n" + _("Unsubscribe from these e-mails: %(url)s") % {"url": context["unsubscribe_url"]}
    return message_queue(
        key=key,
        to_email=to_email or user.email,
        user=user,
        language=language,
        template=template,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers,
        category=category,
        community=community,
        # Community preferences and later changes of mind are checked when the message is delivered.
        skip=user is not None and not consents_allow(user=user, category=category),
        attachments=attachments,
    )


# Which consent lets a message of each category through.
CATEGORY_CONSENTS = {
    OutboundMessage.Category.NEWS: "consent_news",
    OutboundMessage.Category.REMINDERS: "consent_reminders",
    OutboundMessage.Category.REPORTS: "consent_reports",
}


def consents_allow(*, user, category, community=None):
    """Whether a message of `category` may go to `user`: their own consent for it (as loaded), and, when
    `community` (an id) is given, no "no" for that community's messages of it (CommunityPreference).
    Transactional messages always may."""
    field = CATEGORY_CONSENTS.get(category)
    if field is None:
        return True
    if not getattr(user, field):
        return False
    muted = CommunityPreference.objects.filter(user=user, community_id=community, category=category, allowed=False)
    return community is None or not muted.exists()


def unsubscribe_url(*, user, category):
    """A signed link that only turns off this one category for this one person."""
    token = signing.dumps({"u": user.pk, "c": str(category)}, salt=UNSUBSCRIBE_SALT, compress=True)
    return settings.SITE_URL + reverse("members:unsubscribe", kwargs={"token": token})


UNSUBSCRIBE_SALT = "members.unsubscribe"


def unsubscribe_read(token):
    """(user, category) for a valid unsubscribe token; raises MemberError for a forged or stale one."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=data["u"])
        category = OutboundMessage.Category(data["c"])
    except (signing.BadSignature, User.DoesNotExist, KeyError, ValueError, TypeError) as exc:
        raise MemberError(_("This unsubscribe link is not valid.")) from exc
    if category not in CATEGORY_CONSENTS:
        raise MemberError(_("This unsubscribe link is not valid."))
    return user, category


def unsubscribe_apply(*, token, now=None):
    """Withdraw the one consent the link names, recording it like any other consent change."""
    user, category = unsubscribe_read(token)
    user_update_profile(user=user, changes={CATEGORY_CONSENTS[category]: False}, source="unsubscribe link", now=now)
    return user, category


def message_queue(
    *,
    key,
    to_email,
    subject,
    body_text,
    body_html="",
    user=None,
    language="",
    template="",
    headers=None,
    category=OutboundMessage.Category.TRANSACTIONAL,
    community=None,
    skip=False,
    attachments=None,
):
    """Record an already rendered message under `key` and queue its delivery on commit.

    With `skip`, the row is recorded as not sent (the person opted out) and nothing is queued.
    """
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
                category=category,
                community=community,
                status=OutboundMessage.Status.SKIPPED if skip else OutboundMessage.Status.QUEUED,
                attachments=attachments or [],
            )
    except IntegrityError:
        # Someone queued the same key a moment earlier: theirs is the message.
        return OutboundMessage.objects.get(key=key)
    if not skip:
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
    for attachment in message.attachments:
        email.attach(attachment["filename"], attachment["content"], attachment.get("mimetype", "text/plain"))
    return email


def message_deliver(*, message_id, now=None):
    """Send a queued message unless it was sent already. Raises MessageDeliveryFailed on error.

    The row is locked while sending, so two workers holding the same task send it once.
    """
    error = ""
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status in (OutboundMessage.Status.SENT, OutboundMessage.Status.SKIPPED):
            return message
        if not _still_wanted(message):
            # The person withdrew the consent after the message was queued: it is not sent.
            message.status = OutboundMessage.Status.SKIPPED
            message.save(update_fields=["status", "updated_at"])
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


def _still_wanted(message):
    if message.user_id is None or message.category == OutboundMessage.Category.TRANSACTIONAL:
        return True
    # message.user is read now, with the consents as they are at delivery time.
    return consents_allow(user=message.user, category=message.category, community=message.community_id)


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


def messages_resend(*, ids):
    """Queue failed messages again (a manager's or admin's resend). Sent ones are left alone."""
    failed = OutboundMessage.objects.filter(pk__in=ids, status=OutboundMessage.Status.FAILED)
    to_resend = list(failed.values_list("pk", flat=True))
    failed.update(status=OutboundMessage.Status.QUEUED, updated_at=timezone.now())
    for message_id in to_resend:
        _deliver_on_commit(message_id)
    return len(to_resend)
