"""The manager's CRM: tags, the contact log and bulk actions on the member directory."""

import uuid
import zoneinfo

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.crm.models import ContactLog
from communities.models import Community, Membership, Tag
from communities.services import CommunityError
from communities.services.membership import require_manager
from members.models import Activity, AuditEntry, OutboundMessage, User
from members.services import activity_record, audit_record, message_send, unique_key

MESSAGE_BATCH_SIZE = 200
CONTACT_KINDS = {ContactLog.Kind.CALL, ContactLog.Kind.MEETING, ContactLog.Kind.MESSAGE}
# A conversation in person or by phone is what takes a new member through their first contact.
STAGE_MOVING_KINDS = {ContactLog.Kind.CALL, ContactLog.Kind.MEETING}


class CrmInputError(CommunityError):
    """Input a manager must correct; `errors` maps each field to its message."""

    def __init__(self, errors):
        self.errors = errors
        super().__init__(" ".join(str(message) for message in errors.values()))


def tag_name_clean(name):
    """A tag name as stored (spaces collapsed); raises CrmInputError when empty or too long."""
    name = " ".join((name or "").replace("\x00", "").split())
    if not name:
        raise CrmInputError({"name": _("Give the tag a name.")})
    if len(name) > Tag._meta.get_field("name").max_length:
        raise CrmInputError({"name": _("A tag name is at most 40 characters long.")})
    return name


def tag_get_or_create(*, community, name):
    """The community's tag with this name (letter case ignored), created when new."""
    name = tag_name_clean(name)
    existing = Tag.objects.annotate(lower=Lower("name")).filter(community=community, lower=Lower(Value(name)))
    tag = existing.first()
    if tag is not None:
        return tag
    try:
        with transaction.atomic():
            return Tag.objects.create(community=community, name=name)
    except IntegrityError:  # someone created it (in any letter case) a moment ago
        return existing.get()


@transaction.atomic
def membership_tag_add(*, membership, name, actor, now=None):
    """Put a tag on one person; records TAGGED on their timeline when the tag is new to them."""
    require_manager(actor=actor, community=membership.community)
    tag = tag_get_or_create(community=membership.community, name=name)
    if not membership.tags.filter(pk=tag.pk).exists():
        membership.tags.add(tag)
        activity_record(
            user=membership.user,
            community=membership.community,
            kind=Activity.Kind.TAGGED,
            actor=actor,
            summary=tag.name,
            data={"tag": tag.pk},
            occurred_at=now,
        )
    return tag


@transaction.atomic
def membership_tag_remove(*, membership, tag_id, actor):
    require_manager(actor=actor, community=membership.community)
    tag = Tag.objects.filter(community_id=membership.community_id, pk=tag_id).first()
    if tag is None:
        raise CommunityError(_("This tag does not exist any more."))
    membership.tags.remove(tag)
    return tag


@transaction.atomic
def memberships_tag_bulk_add(*, community, memberships, name, actor, now=None):
    """Tag every membership in a queryset (a directory selection). Returns the tag and how many got it.

    Three writes whatever the selection's size: the tag, the links, the timeline entries.
    """
    require_manager(actor=actor, community=community)
    now = now or timezone.now()
    tag = tag_get_or_create(community=community, name=name)
    through = Membership.tags.through
    selected = memberships.filter(community=community).exclude(tags=tag).values_list("pk", "user_id")
    rows = list(selected.order_by())
    if not rows:
        return tag, 0
    through.objects.bulk_create([through(membership_id=pk, tag=tag) for pk, _user in rows], ignore_conflicts=True)
    # TAGGED is not engaging (it moves no last-activity date), so one bulk insert records what
    # activity_record would record row by row.
    Activity.objects.bulk_create(
        Activity(
            user_id=user_id,
            community=community,
            kind=Activity.Kind.TAGGED,
            actor=actor,
            summary=tag.name,
            data={"tag": tag.pk},
            occurred_at=now,
        )
        for _pk, user_id in rows
    )
    return tag, len(rows)


def _clean_message(subject, body):
    subject, body = " ".join((subject or "").split()), (body or "").strip()
    errors = {}
    if not subject:
        errors["subject"] = _("Write a subject.")
    elif len(subject) > 200:
        errors["subject"] = _("A subject is at most 200 characters long.")
    if not body:
        errors["body"] = _("Write the message.")
    elif len(body) > 10000:
        errors["body"] = _("A message is at most 10,000 characters long.")
    if errors:
        raise CrmInputError(errors)
    return subject, body


def directory_message_send(*, community, actor, memberships, subject, body):
    """Queue a message from a manager to the active members of a selection, in batches on a worker.

    Returns the message's id and how many people it goes to. Each e-mail's ledger key is
    `direct:<message id>:<user id>`, so a repeated batch sends nobody anything twice.
    """
    from communities.crm.tasks import directory_message_batch_task

    require_manager(actor=actor, community=community)
    subject, body = _clean_message(subject, body)
    recipients = list(
        memberships.filter(community=community, status=Membership.Status.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not recipients:
        raise CommunityError(_("Nobody in the selection is an active member, so there is no one to write to."))
    message_id = str(uuid.uuid4())
    for start in range(0, len(recipients), MESSAGE_BATCH_SIZE):
        directory_message_batch_task.delay_on_commit(
            community_id=community.pk,
            sender_id=actor.pk,
            message_id=message_id,
            membership_ids=recipients[start : start + MESSAGE_BATCH_SIZE],
            subject=subject,
            body=body,
        )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.BULK_MESSAGE,
        community=community,
        summary=f"directory message to {len(recipients)}",
    )
    return message_id, len(recipients)


def directory_message_reach(*, community, memberships):
    """(recipients, opted_out) of a selection: active members it would e-mail, and those who turned off news."""
    active = memberships.filter(community=community, status=Membership.Status.ACTIVE, user__is_active=True)
    return active.filter(user__consent_news=True).count(), active.filter(user__consent_news=False).count()


def directory_message_test(*, community, actor, subject, body):
    """Send a directory message to the manager writing it alone, as a member would read it."""
    require_manager(actor=actor, community=community)
    subject, body = _clean_message(subject, body)
    context = {"community": community, "subject": subject, "body": body, "sender": actor, "user": actor}
    return message_send(
        key=unique_key(f"direct-test:{community.pk}"),
        template="directory_message",
        context=context,
        user=actor,
        community=community,
    )


def directory_message_batch_send(*, community_id, sender_id, message_id, membership_ids, subject, body, now=None):
    """Send one batch of a directory message; run by a worker. Returns how many e-mails it queued.

    People already in the ledger for this message are skipped (a retried batch), and so is anyone
    who stopped being an active member after the message was written.
    """
    community = Community.objects.filter(pk=community_id).first()
    if community is None:  # deleted since: nobody left to write to
        return 0
    sender = User.objects.filter(pk=sender_id).first()
    memberships = Membership.objects.filter(
        community=community, pk__in=membership_ids, status=Membership.Status.ACTIVE
    ).select_related("user", "community")
    keys = {m.user_id: f"direct:{message_id}:{m.user_id}" for m in memberships}
    done = set(OutboundMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    sent = 0
    for membership in memberships:
        key = keys[membership.user_id]
        if key in done or not membership.user.is_active:
            continue
        with transaction.atomic():
            _message_one(membership, key=key, sender=sender, subject=subject, body=body, message_id=message_id, now=now)
        sent += 1
    return sent


def _message_one(membership, *, key, sender, subject, body, message_id, now):
    context = {
        "community": membership.community,
        "subject": subject,
        "body": body,
        "sender": sender,
        "user": membership.user,
    }
    message_send(
        key=key,
        template="directory_message",
        context=context,
        user=membership.user,
        category=OutboundMessage.Category.NEWS,
        community=membership.community,
    )
    activity_record(
        user=membership.user,
        community=membership.community,
        kind=Activity.Kind.MESSAGED,
        actor=sender,
        summary=subject,
        data={"message": message_id},
        occurred_at=now,
    )


def _clean_contact(*, kind, outcome, note, follow_up_on, today):
    errors = {}
    if kind not in ContactLog.Kind.values:
        errors["kind"] = _("Choose what kind of contact it was.")
    if outcome and outcome not in ContactLog.Outcome.values:
        errors["outcome"] = _("Choose an outcome from the list.")
    if kind == ContactLog.Kind.NOTE and outcome:
        errors["outcome"] = _("A note has no outcome; choose a call, meeting or message instead.")
    if kind == ContactLog.Kind.NOTE and not note.strip():
        errors["note"] = _("Write the note.")
    if follow_up_on is not None and follow_up_on < today:
        errors["follow_up_on"] = _("The follow-up date is in the past.")
    if errors:
        raise CrmInputError(errors)


@transaction.atomic
def contact_log_create(*, membership, actor, kind, outcome="", note="", follow_up_on=None, now=None):
    """Log a call, meeting, message or note about a member.

    A call or meeting takes a new member to 'contacted'. The timeline gets CONTACTED (or NOTE) with
    the manager as actor; the note's text stays in the contact log, which only managers read.
    """
    require_manager(actor=actor, community=membership.community)
    now = now or timezone.now()
    note = (note or "").strip()
    _clean_contact(kind=kind, outcome=outcome, note=note, follow_up_on=follow_up_on, today=_today(membership, now))
    contact = ContactLog.objects.create(
        membership=membership,
        author=actor,
        kind=kind,
        outcome=outcome,
        note=note,
        follow_up_on=follow_up_on,
        created_at=now,
    )
    if kind in STAGE_MOVING_KINDS:
        moved = Membership.objects.filter(pk=membership.pk, stage=Membership.Stage.NEW).update(
            stage=Membership.Stage.CONTACTED, updated_at=now
        )
        if moved:
            membership.stage = Membership.Stage.CONTACTED
    activity_record(
        user=membership.user,
        community=membership.community,
        kind=Activity.Kind.NOTE if kind == ContactLog.Kind.NOTE else Activity.Kind.CONTACTED,
        actor=actor,
        summary=kind if not outcome else f"{kind}: {outcome}",
        data={"contact": contact.pk, "kind": kind, "outcome": outcome},
        occurred_at=now,
    )
    return contact


def _today(membership, now):
    """Today where the community is, so a follow-up 'today' is never refused as past."""
    try:
        zone = zoneinfo.ZoneInfo(membership.community.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_default_timezone()
    return timezone.localtime(now, zone).date()
