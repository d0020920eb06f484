"""The outbound message ledger: every e-mail Kindred sends, once per key, in the person's language."""

import logging
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.sanitize import one_line
from members.links import SALTS, LinkExpired, LinkInvalid, link_read, link_token
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
    return re.sub(r"[ \t\r\n]+", " ", one_line(subject)).strip(), body_text, body_html


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
    token = link_token({"u": user.pk, "c": str(category)}, kind="unsubscribe")
    return settings.SITE_URL + reverse("members:unsubscribe", kwargs={"token": token})


UNSUBSCRIBE_SALT = SALTS["unsubscribe"]


def unsubscribe_read(token):
    """(user, category) for a valid unsubscribe token; raises MemberError for a forged or stale one."""
    try:
        data = link_read(token, kind="unsubscribe")
        user = User.objects.get(pk=data["u"])
        category = OutboundMessage.Category(data["c"])
    except LinkExpired as exc:
        raise MemberError(_("This unsubscribe link has expired.")) from exc
    except (LinkInvalid, User.DoesNotExist, KeyError, ValueError, TypeError) as exc:
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
    # Whatever text reached the row, no header can carry a line break or a control character.
    headers = {name: one_line(value) for name, value in message.headers.items()}
    headers["Message-ID"] = message.message_id
    email = EmailMultiAlternatives(
        subject=one_line(message.subject),
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers=headers,
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments:
        email.attach(attachment["filename"], attachment["content"], attachment.get("mimetype", "text/plain"))
    return email


def message_claim(*, message_id, now=None):
    """Take a message for sending: queued or failed (or "sending" with an expired lease) → "sending".

    A conditional UPDATE committed on its own, so the claim survives whatever happens next; returns the
    claimed row, or None when it is sent, skipped, or held by another worker's live lease.
    """
    now = now or timezone.now()
    claimable = Q(status__in=[OutboundMessage.Status.QUEUED, OutboundMessage.Status.FAILED]) | Q(
        status=OutboundMessage.Status.SENDING, lease_until__lt=now
    )
    with transaction.atomic():
        claimed = OutboundMessage.objects.filter(claimable, pk=message_id).update(
            status=OutboundMessage.Status.SENDING,
            lease_until=now + timedelta(seconds=settings.MESSAGE_LEASE_SECONDS),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    return OutboundMessage.objects.get(pk=message_id) if claimed else None


def message_mark_sent(*, message, now=None):
    """Record a claimed message as sent (its own transaction, after the mail server took it)."""
    now = now or timezone.now()
    with transaction.atomic():
        OutboundMessage.objects.filter(pk=message.pk, status=OutboundMessage.Status.SENDING).update(
            status=OutboundMessage.Status.SENT, sent_at=now, lease_until=None, updated_at=now
        )
    message.status, message.sent_at, message.lease_until = OutboundMessage.Status.SENT, now, None
    return message


def message_mark_skipped(*, message, now=None):
    """Record a claimed message as skipped: the person withdrew the consent after it was queued."""
    now = now or timezone.now()
    with transaction.atomic():
        OutboundMessage.objects.filter(pk=message.pk, status=OutboundMessage.Status.SENDING).update(
            status=OutboundMessage.Status.SKIPPED, lease_until=None, updated_at=now
        )
    message.status, message.lease_until = OutboundMessage.Status.SKIPPED, None
    return message


def message_mark_failed(*, message, error, now=None):
    """Record a claimed message's failure; it may be claimed again at once by a retry."""
    now = now or timezone.now()
    with transaction.atomic():
        OutboundMessage.objects.filter(pk=message.pk, status=OutboundMessage.Status.SENDING).update(
            status=OutboundMessage.Status.FAILED, last_error=error, lease_until=None, updated_at=now
        )
    message.status, message.last_error = OutboundMessage.Status.FAILED, error
    return message


def _still_wanted(message):
    if message.user_id is None or message.category == OutboundMessage.Category.TRANSACTIONAL:
        return True
    # message.user is read now, with the consents as they are at delivery time.
    return consents_allow(user=message.user, category=message.category, community=message.community_id)


def message_deliver(*, message_id, now=None):
    """Send one ledger row at most once per claim. Raises MessageDeliveryFailed on a mail error.

    Three steps, each committed on its own (README, "Exactly once"): claim (queued → sending, with a
    lease), hand to the mail server, mark sent. Two workers holding the same task: one claims, the other
    returns. A worker killed between the send and the mark leaves the row "sending"; once its lease has
    expired the sweep sends it again with the same Message-ID: the one duplicate that remains possible.
    Returns the row (None when it does not exist).
    """
    message = message_claim(message_id=message_id, now=now)
    if message is None:
        return OutboundMessage.objects.filter(pk=message_id).first()
    if not _still_wanted(message):
        return message_mark_skipped(message=message, now=now)
    try:
        _as_email(message).send()
    except Exception as exc:  # any backend failure is recorded, then retried
        error = f"{type(exc).__name__}: {exc}"[:2000]
        logger.warning("message %s failed: %s", message.pk, error)
        message_mark_failed(message=message, error=error, now=now)
        raise MessageDeliveryFailed(error) from exc
    return message_mark_sent(message=message, now=now)


def messages_requeue_stale(*, now=None):
    """Queue again messages whose task was lost (a broker restart, a crash before commit or mid-send).

    Queued rows older than a lease, "sending" rows whose lease expired (their worker died), and failed
    rows whose retry chain was lost. Returns how many were queued. Safe to run often: the claim in
    `message_deliver` lets one worker send each.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.MESSAGE_LEASE_SECONDS)
    lost = Q(status=OutboundMessage.Status.QUEUED, updated_at__lt=cutoff)
    expired = Q(status=OutboundMessage.Status.SENDING, lease_until__lt=now)
    abandoned = Q(
        status=OutboundMessage.Status.FAILED,
        attempts__lt=settings.MESSAGE_MAX_ATTEMPTS,
        updated_at__lt=now - timedelta(hours=2),
    )
    stale = OutboundMessage.objects.filter(lost | expired | abandoned)
    ids = list(stale.values_list("pk", flat=True)[:1000])
    for message_id in ids:
        _deliver_on_commit(message_id)
    return len(ids)


def _communities_managed_by(user):
    from communities.models import Membership

    if not user.is_authenticated:
        return []
    return Membership.objects.filter(user=user, role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE).values(
        "community_id"
    )


def messages_resend(*, ids, actor):
    """Queue failed messages again: staff resend any, a community's managers only their community's
    (others' ids resend nothing). Sent ones are left alone."""
    failed = OutboundMessage.objects.filter(pk__in=ids, status=OutboundMessage.Status.FAILED)
    if not (actor.is_authenticated and actor.is_staff):
        failed = failed.filter(community__in=_communities_managed_by(actor))
    to_resend = list(failed.values_list("pk", flat=True))
    failed.update(status=OutboundMessage.Status.QUEUED, updated_at=timezone.now())
    for message_id in to_resend:
        _deliver_on_commit(message_id)
    return len(to_resend)
