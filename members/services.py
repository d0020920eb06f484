"""Writes about people: accounts and the outbound message ledger."""

import logging
import re
import uuid
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from members.models import Activity, ConsentRecord, OutboundMessage, User

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
        skip=user is not None and not consents_allow(user=user, category=category),
    )


# Which consent lets a message of each category through.
CATEGORY_CONSENTS = {
    OutboundMessage.Category.NEWS: "consent_news",
    OutboundMessage.Category.REMINDERS: "consent_reminders",
    OutboundMessage.Category.REPORTS: "consent_reports",
}


def consents_allow(*, user, category):
    field = CATEGORY_CONSENTS.get(category)
    return field is None or getattr(user, field)


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


def activity_record_many(activities):
    """Log many things at once (an import); for kinds that do not move last activity forward."""
    assert not any(a.kind in ENGAGING_ACTIVITIES for a in activities), "use activity_record for engaging kinds"
    return Activity.objects.bulk_create(activities, batch_size=1000)


class MemberError(Exception):
    """A rule about people refused the change; the message is shown to the person."""


# ---------------------------------------------------------------------------------------------------
# Profile and consents

PROFILE_FIELDS = ("name", "phone", "city", "bio", "language", "timezone")
CONSENT_FIELDS = {
    "consent_news": ConsentRecord.Kind.NEWS,
    "consent_reminders": ConsentRecord.Kind.REMINDERS,
    "consent_reports": ConsentRecord.Kind.REPORTS,
}


def bio_clean(value):
    """A bio is plain text: tags are dropped, the text kept (the page escapes it when shown)."""
    return strip_tags(value or "").strip()


def consent_record(*, user, kind, granted, source, now=None):
    return ConsentRecord.objects.create(
        user=user, kind=kind, granted=granted, source=source, recorded_at=now or timezone.now()
    )


def user_update_profile(*, user, changes, avatar=None, avatar_remove=False, source="profile", now=None):
    """Change a person's profile and consents; every consent that changes is recorded with its time.

    `changes` holds any of PROFILE_FIELDS and CONSENT_FIELDS. The current consents are read from the
    database (a form may already have changed the instance in memory).
    """
    now = now or timezone.now()
    unknown = set(changes) - set(PROFILE_FIELDS) - set(CONSENT_FIELDS)
    assert not unknown, f"not profile fields: {unknown}"
    with transaction.atomic():
        current = User.objects.select_for_update().filter(pk=user.pk).values(*CONSENT_FIELDS).get()
        for name, value in changes.items():
            setattr(user, name, bio_clean(value) if name == "bio" else value)
        user.full_clean(exclude=["password", "avatar"])
        fields = list(changes)
        if avatar_remove or avatar is not None:
            _avatar_replace(user=user, avatar=avatar)
            fields.append("avatar")
        user.save(update_fields=fields)
        ConsentRecord.objects.bulk_create(
            ConsentRecord(user=user, kind=kind, granted=changes[name], source=source, recorded_at=now)
            for name, kind in CONSENT_FIELDS.items()
            if name in changes and changes[name] != current[name]
        )
    return user


def _avatar_replace(*, user, avatar):
    old_name = User.objects.filter(pk=user.pk).values_list("avatar", flat=True).get()
    if old_name:
        user.avatar.storage.delete(old_name)
    user.avatar = ""
    if avatar is not None:
        extension = (avatar.name.rsplit(".", 1)[-1] if "." in avatar.name else "jpg").lower()[:5]
        user.avatar.save(f"{user.pk}-{uuid.uuid4().hex[:12]}.{extension}", avatar, save=False)


def consents_current(*, user):
    """{kind: latest ConsentRecord} for the person, one query."""
    latest = {}
    for record in ConsentRecord.objects.filter(user=user).order_by("recorded_at", "pk"):
        latest[record.kind] = record
    return latest


# ---------------------------------------------------------------------------------------------------
# Engagement


def engagement_refresh(*, now=None):
    """Scores, levels, last activity and lapsed stages of every active membership (see engagement.py)."""
    from members import engagement

    return engagement.engagement_refresh(now=now)


# ---------------------------------------------------------------------------------------------------
# Personal data: export, account deletion, anonymisation

ANONYMISERS = []


def user_anonymiser(func):
    """Register `func(user=...)`, called before an account is deleted, to anonymise rows that must stay.

    Other apps (donations, say) register theirs in their AppConfig.ready(); each runs in the same
    transaction as the deletion.
    """
    ANONYMISERS.append(func)
    return func


@user_anonymiser
def _messages_anonymise(*, user):
    # The ledger row stays (what was sent, when), without the address or the text.
    OutboundMessage.objects.filter(Q(user=user) | Q(to_email__iexact=user.email)).update(
        user=None, to_email="", body_text="", body_html="", headers={}, last_error=""
    )


def user_anonymise(*, user):
    """Anonymise everything about the person that outlives their account."""
    for anonymise in ANONYMISERS:
        anonymise(user=user)


def communities_only_managed_by(user):
    """Names of communities in which this person is the only active manager."""
    from communities.models import Membership

    manager = Q(role=Membership.Role.MANAGER, status=Membership.Status.ACTIVE)
    others = Membership.objects.filter(manager, community=OuterRef("community")).exclude(user=user)
    return list(
        Membership.objects.filter(manager, user=user)
        .exclude(Exists(others))
        .order_by("community__name")
        .values_list("community__name", flat=True)
    )


def user_delete(*, user, password):
    """Delete the person's account after checking their password; keep only anonymised traces."""
    if not user.check_password(password):
        raise MemberError(_("The password is not correct."))
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        sole = communities_only_managed_by(user)
        if sole:
            raise MemberError(
                _("You are the only manager of %(names)s. Make someone else a manager first, then delete your account.")
                % {"names": ", ".join(sole)}
            )
        user_anonymise(user=user)
        avatar = user.avatar.name
        # Memberships, contacts about them, activity, consents, tokens and addresses go with the row.
        user.delete()
    if avatar:
        transaction.on_commit(lambda: default_storage.delete(avatar))


def user_data_export(*, user, now=None):
    """Everything Kindred keeps about the person, as JSON-ready data.

    Managers' notes about them are not theirs to read: of contacts only the kind and date are given,
    and notes are left out.
    """
    from communities.models import ContactLog, Membership

    memberships = Membership.objects.filter(user=user).select_related("community").prefetch_related("tags")
    contacts = ContactLog.objects.filter(membership__user=user).exclude(kind=ContactLog.Kind.NOTE)
    activity = Activity.objects.filter(user=user).exclude(kind=Activity.Kind.NOTE).select_related("community")
    messages = OutboundMessage.objects.filter(Q(user=user) | Q(to_email__iexact=user.email))
    return {
        "exported_at": (now or timezone.now()).isoformat(),
        "profile": _profile_data(user),
        "consents": [
            {"kind": c.kind, "granted": c.granted, "recorded_at": c.recorded_at.isoformat(), "source": c.source}
            for c in ConsentRecord.objects.filter(user=user).order_by("recorded_at", "pk")
        ],
        "memberships": [_membership_data(m) for m in memberships.order_by("pk")],
        "activity": [_activity_data(a) for a in activity.order_by("occurred_at", "pk")],
        "contacts": [
            {"community": c.membership.community.name, "kind": c.kind, "date": c.created_at.isoformat()}
            for c in contacts.select_related("membership__community").order_by("created_at", "pk")
        ],
        "messages": [
            {"subject": m.subject, "date": (m.sent_at or m.created_at).isoformat(), "status": m.status}
            for m in messages.order_by("created_at", "pk")
        ],
    }


def _profile_data(user):
    fields = ("email", "name", "phone", "city", "bio", "language", "timezone", *CONSENT_FIELDS)
    return {
        **{name: getattr(user, name) for name in fields},
        "avatar": user.avatar.url if user.avatar else None,
        "date_joined": user.date_joined.isoformat(),
    }


def _membership_data(membership):
    return {
        "community": membership.community.name,
        "slug": membership.community.slug,
        "role": membership.role,
        "status": membership.status,
        "source": membership.source,
        "stage": membership.stage,
        "engagement_level": membership.engagement_level,
        "joined_at": membership.joined_at.isoformat() if membership.joined_at else None,
        "last_activity_at": membership.last_activity_at.isoformat() if membership.last_activity_at else None,
        "tags": sorted(tag.name for tag in membership.tags.all()),
    }


def _activity_data(activity):
    # What a manager wrote about a contact stays with the manager.
    private = activity.kind == Activity.Kind.CONTACTED
    return {
        "community": activity.community.name if activity.community else None,
        "kind": activity.kind,
        "summary": "" if private else activity.summary,
        "occurred_at": activity.occurred_at.isoformat(),
    }


# ---------------------------------------------------------------------------------------------------
# CSV import of members into a community

IMPORT_BATCH_SIZE = 500


def member_import_create(*, community, uploaded_by, file_name, raw):
    """Keep an uploaded CSV for its preview. Raises MemberError when the file cannot be used at all."""
    from communities.models import MemberImport
    from members import imports

    if len(raw) > imports.MAX_BYTES:
        raise MemberError(_("The file is larger than 5 MB. Split it into smaller files and import them one by one."))
    try:
        content = imports.decode(raw)
        parsed = imports.parse(content)
    except imports.ImportFileError as exc:
        raise MemberError(str(exc)) from exc
    if not parsed.rows:
        raise MemberError(_("The file has a header line but no people in it."))
    return MemberImport.objects.create(
        community=community,
        uploaded_by=uploaded_by,
        file_name=(file_name or "members.csv")[:200],
        content=content,
        total_rows=len(parsed.rows),
    )


def member_import_confirm(*, member_import):
    """The manager saw the preview and wants it done: queue the worker once."""
    from communities.models import MemberImport

    with transaction.atomic():
        claimed = MemberImport.objects.filter(pk=member_import.pk, status=MemberImport.Status.PREVIEW).update(
            status=MemberImport.Status.QUEUED
        )
        if not claimed:
            raise MemberError(_("This import has already been started."))
        _import_run_on_commit(member_import.pk)
    member_import.refresh_from_db()
    return member_import


def member_import_cancel(*, member_import):
    from communities.models import MemberImport

    deleted, _rows = MemberImport.objects.filter(pk=member_import.pk, status=MemberImport.Status.PREVIEW).delete()
    if not deleted:
        raise MemberError(_("This import has already been started and cannot be cancelled."))


def _import_run_on_commit(import_id):
    from members.tasks import member_import_run

    member_import_run.delay_on_commit(import_id)


def member_import_run(*, import_id, now=None, batch_size=IMPORT_BATCH_SIZE):
    """Import the rows of a confirmed CSV, a batch per transaction, resuming where the last one stopped.

    Each batch locks the import row and moves its counters with the rows it did, so running this
    twice (or in two workers) does every row once.
    """
    from communities.models import MemberImport
    from members import imports

    member_import = MemberImport.objects.filter(pk=import_id).first()
    if member_import is None or member_import.status not in (MemberImport.Status.QUEUED, MemberImport.Status.RUNNING):
        return member_import
    rows = imports.parse(member_import.content).rows
    MemberImport.objects.filter(pk=import_id, status=MemberImport.Status.QUEUED).update(
        status=MemberImport.Status.RUNNING
    )
    while True:
        with transaction.atomic():
            member_import = MemberImport.objects.select_for_update().select_related("community").get(pk=import_id)
            if member_import.status != MemberImport.Status.RUNNING:
                return member_import
            batch = rows[member_import.processed_rows : member_import.processed_rows + batch_size]
            if not batch:
                member_import.status, member_import.finished_at = MemberImport.Status.DONE, now or timezone.now()
                member_import.save(update_fields=["status", "finished_at"])
                return member_import
            _import_batch(member_import=member_import, rows=batch, now=now or timezone.now())


def _import_batch(*, member_import, rows, now):
    from members import imports

    classified = imports.rows_classify(rows=rows, community=member_import.community)
    by_outcome = {outcome: [c for c in classified if c.outcome == outcome] for outcome in imports.Classified.OUTCOMES}
    user_ids = _import_users(member_import=member_import, classified=classified, now=now)
    _import_memberships(member_import=member_import, classified=classified, user_ids=user_ids, now=now)
    member_import.processed_rows += len(rows)
    member_import.created_count += len(by_outcome[imports.CREATE])
    member_import.updated_count += len(by_outcome[imports.ADD]) + len(by_outcome[imports.UPDATE])
    member_import.skipped_count += len(by_outcome[imports.SKIP])
    member_import.errors = member_import.errors + [
        {"row": c.row.number, "email": c.row.email[:254], "errors": c.row.errors} for c in by_outcome[imports.SKIP]
    ]
    member_import.save(update_fields=["processed_rows", "created_count", "updated_count", "skipped_count", "errors"])


def _import_users(*, member_import, classified, now):
    """Create the people who are new (no password: they set one through "forgot password"); {email: id}."""
    from members import imports

    language = member_import.uploaded_by.language if member_import.uploaded_by else settings.LANGUAGE_CODE
    new_people = []
    for item in classified:
        if item.outcome == imports.CREATE:
            row = item.row
            person = User(email=row.email, name=row.name, phone=row.phone, city=row.city, date_joined=now)
            person.language, person.timezone = language, member_import.community.timezone
            person.set_unusable_password()
            new_people.append(person)
    # A sign-up between the preview and now is not an error: that person is simply added.
    User.objects.bulk_create(new_people, ignore_conflicts=True)
    emails = [item.row.email for item in classified if item.outcome != imports.SKIP]
    people = User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    return dict(people.values_list("email_lower", "pk"))


def _import_memberships(*, member_import, classified, user_ids, now):
    from communities.models import Membership
    from members import imports

    community = member_import.community
    rows = [item.row for item in classified if item.outcome != imports.SKIP]
    joining = [item.row for item in classified if item.outcome in (imports.CREATE, imports.ADD)]
    Membership.objects.bulk_create(
        [
            Membership(
                community=community,
                user_id=user_ids[row.email],
                role=row.role,
                source=Membership.Source.IMPORT,
                joined_at=now,
                requested_at=now,
            )
            for row in joining
        ],
        ignore_conflicts=True,
    )
    # A pending join request from someone the manager imports is as good as approved.
    Membership.objects.filter(
        community=community, user_id__in=[user_ids[r.email] for r in joining], status=Membership.Status.PENDING
    ).update(status=Membership.Status.ACTIVE, joined_at=now)
    _import_tags(community=community, rows=rows, user_ids=user_ids)
    activity_record_many(
        [
            Activity(
                user_id=user_ids[row.email],
                community=community,
                kind=Activity.Kind.IMPORTED,
                actor_id=member_import.uploaded_by_id,
                summary=member_import.file_name[:300],
                data={"import": member_import.pk},
                occurred_at=now,
            )
            for row in joining
        ]
    )


def _import_tags(*, community, rows, user_ids):
    """Add each row's tags to its membership, creating the community's tags that are new."""
    from communities.models import Membership, Tag

    people = Membership.objects.filter(community=community, user_id__in=[user_ids[r.email] for r in rows])
    memberships = dict(people.values_list("user_id", "pk"))
    names = {tag for row in rows for tag in row.tags}
    Tag.objects.bulk_create([Tag(community=community, name=name) for name in names], ignore_conflicts=True)
    tag_ids = dict(Tag.objects.filter(community=community, name__in=names).values_list("name", "pk"))
    Membership.tags.through.objects.bulk_create(
        [
            Membership.tags.through(membership_id=memberships[user_ids[row.email]], tag_id=tag_ids[name])
            for row in rows
            for name in row.tags
        ],
        ignore_conflicts=True,
    )


def member_imports_resume(*, now=None):
    """Queue again imports whose worker was lost; a second run of a live one does nothing twice."""
    from communities.models import MemberImport

    cutoff = (now or timezone.now()) - timedelta(minutes=10)
    stuck = MemberImport.objects.filter(
        status__in=[MemberImport.Status.QUEUED, MemberImport.Status.RUNNING], created_at__lt=cutoff
    )
    ids = list(stuck.values_list("pk", flat=True)[:100])
    for import_id in ids:
        _import_run_on_commit(import_id)
    return len(ids)


def member_import_fail(*, import_id, now=None):
    from communities.models import MemberImport

    MemberImport.objects.filter(
        pk=import_id, status__in=[MemberImport.Status.QUEUED, MemberImport.Status.RUNNING]
    ).update(status=MemberImport.Status.FAILED, finished_at=now or timezone.now())
