"""People's accounts: profile, consents, API tokens, personal data export and deletion."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags

from config.images import card_name
from members.models import Activity, AuditEntry, CommunityPreference, ConsentRecord, OutboundMessage, User
from members.services.audit import audit_record


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


# The message categories a person may choose, with the consent that lets each through.
CHOSEN_CATEGORIES = {"news": "consent_news", "reminders": "consent_reminders", "reports": "consent_reports"}


def consents_given(*, user, choices, source, now=None):
    """Record the person's answers where they were asked (sign-up, joining, giving): one ConsentRecord
    per question asked, ticked or not, and their current consents set to match.

    `choices` maps "news", "reminders", "reports" to True/False; `source` says where they were asked.
    """
    changes = {CHOSEN_CATEGORIES[category]: bool(granted) for category, granted in choices.items()}
    now = now or timezone.now()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(**changes)
        for name, value in changes.items():
            setattr(user, name, value)
        ConsentRecord.objects.bulk_create(
            ConsentRecord(user=user, kind=category, granted=bool(granted), source=source, recorded_at=now)
            for category, granted in choices.items()
        )


def community_preference_set(*, user, community, category, allowed, source, now=None):
    """Whether `community`'s messages of `category` ("news", "reminders", "reports") may reach the person.

    Saying yes also gives the person's own consent for the category when they had not (they were
    asked, and ticked the box); saying no stops only this community's messages. Recorded with time
    and source.
    """
    assert category in CHOSEN_CATEGORIES, category
    now = now or timezone.now()
    with transaction.atomic():
        CommunityPreference.objects.update_or_create(
            user=user, community=community, category=category, defaults={"allowed": allowed, "recorded_at": now}
        )
        ConsentRecord.objects.create(
            user=user, community=community, kind=category, granted=allowed, source=source, recorded_at=now
        )
        if allowed and not getattr(user, CHOSEN_CATEGORIES[category]):
            consents_given(user=user, choices={category: True}, source=source, now=now)


def community_preferences_of(*, user, community):
    """{category: allowed} for the three chosen categories in one community (True when never said)."""
    said = dict(CommunityPreference.objects.filter(user=user, community=community).values_list("category", "allowed"))
    return {
        category: said.get(category, True) and getattr(user, field) for category, field in CHOSEN_CATEGORIES.items()
    }


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
        user.avatar.storage.delete(card_name(old_name))
    user.avatar = ""
    if avatar is not None:
        # Checked, re-encoded without metadata and stored under a random name (config.images).
        user.avatar.save(avatar.name, avatar, save=False)


def consents_current(*, user):
    """{kind: latest ConsentRecord} for the person, one query."""
    latest = {}
    for record in ConsentRecord.objects.filter(user=user).order_by("recorded_at", "pk"):
        latest[record.kind] = record
    return latest


def user_mfa_require(*, user, now=None):
    """Two-factor sign-in becomes required for the person (made staff or a manager): due after the grace
    period, unless it already is due or on. Returns the due time (or None when it is on)."""
    if user.mfa_enabled or user.mfa_due_at is not None:
        return user.mfa_due_at
    user.mfa_due_at = (now or timezone.now()) + timedelta(days=settings.MFA_GRACE_DAYS)
    User.objects.filter(pk=user.pk, mfa_due_at__isnull=True).update(mfa_due_at=user.mfa_due_at)
    return user.mfa_due_at


def user_mfa_changed(*, user):
    """Keep User.mfa_enabled in step with the person's second factors, an authenticator app or a security
    key (called on allauth.mfa's signals); recovery codes alone do not count."""
    from allauth.mfa.models import Authenticator

    second_factors = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
    enabled = Authenticator.objects.filter(user=user, type__in=second_factors).exists()
    User.objects.filter(pk=user.pk).update(mfa_enabled=enabled)
    user.mfa_enabled = enabled


# ---------------------------------------------------------------------------------------------------
# Engagement


EXPORT_SECTIONS = {}


def personal_data_section(name):
    """Register `func(*, user, emails) -> list[dict]` as section `name` of the personal data download.

    `emails` are the person's verified addresses (lower-cased): what they did as a guest under one of
    them (a gift, a registration) is theirs too. Apps register in `<app>/personal_data.py`.
    """

    def register(func):
        EXPORT_SECTIONS[name] = func
        return func

    return register


def verified_emails(user):
    from allauth.account.models import EmailAddress

    return sorted(
        {e.lower() for e in EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)}
    )


def user_data_export(*, user, now=None):
    """Everything Kindred keeps about the person, as JSON-ready data (the structure is in README,
    "Personal data download"): profile, consents, community_preferences, memberships, activity,
    contacts, messages, and the sections other apps register (donations, fundraisers, registrations).

    Managers' notes about them are not theirs to read: of contacts only the kind and date are given,
    and notes are left out.
    """
    from communities.crm.models import ContactLog
    from communities.models import Membership

    audit_record(actor=user, action=AuditEntry.Action.DATA_EXPORTED, person=user, now=now)
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
        "community_preferences": [
            {"community": p.community.name, "messages": p.category, "allowed": p.allowed}
            for p in CommunityPreference.objects.filter(user=user).select_related("community").order_by("pk")
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
        **_sections(user),
    }


def _sections(user):
    emails = verified_emails(user)
    return {name: section(user=user, emails=emails) for name, section in EXPORT_SECTIONS.items()}


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
