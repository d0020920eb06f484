"""Deleting a person: every table that holds personal data registers how to forget them.

Two registries, filled by each app in its AppConfig.ready() (members registers its own below):
- `user_anonymiser(covers=[...])`: a function `f(*, departing)` that removes or blanks the rows about
  the person in the models it names ("app_label.Model"), keeping amounts, dates and totals.
- `personal_text(label, *fields)`: free-text columns in which *other* people may have written the
  person's name, e-mail or phone (a note, an e-mail to a host, a fundraiser's title); every mention
  is replaced with "a former supporter".
`user_delete` runs them all in one transaction, then deletes the account; what cascades with the
account (memberships, contacts, activity, consents, addresses, tokens) goes with it.
"""

import json
import re
import secrets
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext as _

from members.models import AuditEntry, OutboundMessage, User
from members.services.audit import audit_record

# Names shorter than this are left in other people's texts: "Al" would mangle every "Also".
NAME_MIN_LENGTH = 3


class MemberError(Exception):
    """A rule about people refused the change; the message is shown to the person."""


@dataclass(frozen=True)
class Departing:
    """The person being deleted, as the anonymisers need them.

    `token` is a random pseudonym, the same for all of the person's rows that must stay apart from
    other people's (a donor counts once in a campaign's donors after their gifts lose the e-mail).
    """

    user: User
    email: str
    name: str
    phone: str
    token: str

    @classmethod
    def of(cls, user):
        return cls(
            user=user, email=user.email, name=user.name.strip(), phone=user.phone.strip(), token=secrets.token_hex(8)
        )

    @property
    def needles(self) -> list[str]:
        """The strings that identify the person in text: e-mail, full name, phone (as typed and as digits)."""
        found = [self.email]
        if len(self.name) >= NAME_MIN_LENGTH:
            found.append(self.name)
        digits = re.sub(r"\D", "", self.phone)
        if len(digits) >= 6:
            found += [self.phone, digits]
        return list(dict.fromkeys(found))

    @property
    def pattern(self) -> re.Pattern:
        """Matches any mention: whole words for the name, any spacing between the phone's digits."""
        parts = [re.escape(self.email)]
        if len(self.name) >= NAME_MIN_LENGTH:
            parts.append(r"(?<!\w)" + r"\s+".join(re.escape(word) for word in self.name.split()) + r"(?!\w)")
        digits = re.sub(r"\D", "", self.phone)
        if len(digits) >= 6:
            parts.append(r"\+?" + r"[\s\-().]*".join(digits))
        return re.compile("|".join(parts), re.IGNORECASE)

    def scrub(self, text: str) -> str:
        """`text` with every mention of the person replaced by "a former supporter"."""
        if not text:
            return text
        return self.pattern.sub(former_supporter(), text)

    def mentioned_in(self, *fields: str) -> Q:
        """Rows whose `fields` may mention the person (a superset; `scrub` decides)."""
        query = Q()
        for field in fields:
            for needle in self.needles:
                query |= Q(**{f"{field}__icontains": needle})
        return query


def former_supporter():
    with translation.override(settings.LANGUAGE_CODE):
        return _("a former supporter")


@dataclass(frozen=True)
class Anonymiser:
    func: object
    covers: tuple[str, ...]
    last: bool = False


ANONYMISERS: list[Anonymiser] = []
PERSONAL_TEXTS: dict[str, tuple[str, ...]] = {}


def user_anonymiser(*, covers, last=False):
    """Register `func(*, departing)` for the models labelled in `covers` ("app_label.Model").

    Runs inside the deletion's transaction, before the account row goes; `last` ones run after the
    others (the message ledger, so that nothing another anonymiser queued keeps the address).
    """

    def register(func):
        ANONYMISERS.append(Anonymiser(func=func, covers=tuple(covers), last=last))
        return func

    return register


def personal_text(label, *fields):
    """Declare free-text columns of model `label` where others may mention a person by name, e-mail or phone."""
    PERSONAL_TEXTS[label] = tuple(dict.fromkeys(PERSONAL_TEXTS.get(label, ()) + fields))


def personal_data_covered():
    """Labels of every model some registered anonymiser or text scrub looks after."""
    return {label for a in ANONYMISERS for label in a.covers} | set(PERSONAL_TEXTS)


def user_anonymise(*, user):
    """Run every registered anonymiser, then scrub mentions of the person from others' texts."""
    departing = Departing.of(user)
    for anonymiser in sorted(ANONYMISERS, key=lambda a: a.last):
        anonymiser.func(departing=departing)
    for label, fields in PERSONAL_TEXTS.items():
        _texts_scrub(apps.get_model(label), fields, departing)


def _texts_scrub(model, fields, departing):
    rows = list(model.objects.filter(departing.mentioned_in(*fields)).only("pk", *fields))
    for row in rows:
        for field in fields:
            setattr(row, field, _value_scrub(getattr(row, field), departing))
    if rows:
        model.objects.bulk_update(rows, fields, batch_size=500)


def _value_scrub(value, departing):
    # JSON columns (answers, details, headers) are scrubbed in their serialised form, keeping their shape.
    if isinstance(value, str):
        return departing.scrub(value)
    if value in (None, {}, []):
        return value
    return json.loads(departing.scrub(json.dumps(value, ensure_ascii=False)))


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
    """Delete the person's account after checking their password; keep only anonymised traces.

    Raises MemberError (shown to the person) for a wrong password or when they are the last manager
    of a community: they are told to make someone else a manager first.
    """
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
        # The entry stays; its links to the person are set to null with the account.
        audit_record(actor=user, action=AuditEntry.Action.ACCOUNT_DELETED, target=user, summary="by themselves")
        avatar = user.avatar.name
        user.delete()
    if avatar:
        transaction.on_commit(lambda: default_storage.delete(avatar))


# ---------------------------------------------------------------------------------------------------
# What members itself and the libraries it uses keep about a person


@user_anonymiser(covers=["members.OutboundMessage"], last=True)
def _messages_anonymise(*, departing):
    # The ledger row stays (that something was sent, when, its template), without address or text.
    OutboundMessage.objects.filter(Q(user=departing.user) | Q(to_email__iexact=departing.email)).update(
        user=None,
        to_email="",
        subject="",
        body_text="",
        body_html="",
        headers={},
        attachments=[],
        last_error="",
    )


@user_anonymiser(covers=["axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"])
def _lockouts_forget(*, departing):
    for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        apps.get_model("axes", name).objects.filter(username__iexact=departing.email).delete()


@user_anonymiser(covers=["admin.LogEntry"])
def _admin_log_forget(*, departing):
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    about = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(departing.user.pk))
    LogEntry.objects.filter(about | departing.mentioned_in("object_repr", "change_message")).delete()


personal_text("members.OutboundMessage", "subject", "body_text", "body_html", "headers", "last_error")
personal_text("members.Activity", "summary", "data")
personal_text("members.JobRun", "result", "error")
personal_text("members.AuditEntry", "summary")
personal_text("members.JobNote", "message", "data")
