"""People's accounts: profile, consents, API tokens, personal data export and deletion."""

import uuid

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from members.models import Activity, ConsentRecord, OutboundMessage, User


def user_find_by_email(email):
    return User.objects.filter(email__iexact=email).first()


def user_api_token_rotate(*, user):
    """Replace the person's API token with a new one (the old one stops working at once)."""
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def user_api_token_revoke(*, user):
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


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
        user=None, to_email="", body_text="", body_html="", headers={}, attachments=[], last_error=""
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
    from communities.crm.models import ContactLog
    from communities.models import Membership

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
