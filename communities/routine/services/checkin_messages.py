"""The weekly check-in e-mail to recent members ("how is it going?") and their one-click replies.

Sent on Tuesday from 10:00 in the community's time zone (an hourly scan; the key
`checkin:<membership id>:<ISO year-week>` makes it weekly) to active members who joined in the last
8 weeks and agreed to reports and check-ins (category REPORTS). Each reply button is a signed link
naming the membership, the week and the answer; following it records Activity REPLIED (once per
answer) and brings the person to the managers' check-in queue.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Membership
from communities.routine.models import CheckinEntry
from communities.routine.services.checkins import checkin_entry_add_reply, communities_in_batches
from communities.routine.services.digest import _zone, week_key
from communities.routine.services.onboarding import id_batches
from communities.services import CommunityError
from members.models import Activity, OutboundMessage
from members.services import activity_record, message_send

BATCH_SIZE = 1000
SEND_WEEKDAY = 2  # Tuesday
SEND_HOUR = 10
RECENT_WEEKS = 8
REPLY_SALT = "communities.checkin.reply"
ANSWERS = {
    "good": gettext_lazy("All good"),
    "question": gettext_lazy("I have a question"),
    "help": gettext_lazy("I'd like to help more"),
}


def checkin_messages_send(*, now=None, batch_size=BATCH_SIZE):
    """Hourly: this week's check-in e-mail in every community where it is Tuesday 10:00 or later."""
    now = now or timezone.now()
    sent = 0
    for community_id, zone, _lapsed in communities_in_batches():
        local = timezone.localtime(now, _zone(zone))
        if local.isoweekday() == SEND_WEEKDAY and local.hour >= SEND_HOUR:
            sent += community_checkin_messages_send(
                community_id=community_id, week=week_key(local.date()), now=now, batch_size=batch_size
            )
    return sent


def community_checkin_messages_send(*, community_id, week, now, batch_size=BATCH_SIZE):
    recent = Membership.objects.filter(
        community_id=community_id,
        status=Membership.Status.ACTIVE,
        joined_at__gte=now - timedelta(weeks=RECENT_WEEKS),
        joined_at__lte=now - timedelta(days=3),
        user__is_active=True,
        user__consent_reports=True,
    ).exclude(role=Membership.Role.MANAGER)
    sent = 0
    for ids in id_batches(recent, batch_size):
        sent += _checkin_batch(membership_ids=ids, week=week)
    return sent


def _checkin_batch(*, membership_ids, week):
    keys = {pk: f"checkin:{pk}:{week}" for pk in membership_ids}
    done = set(OutboundMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    todo = [pk for pk in membership_ids if keys[pk] not in done]
    for membership in Membership.objects.filter(pk__in=todo).select_related("user", "community").order_by("pk"):
        context = {"community": membership.community, "replies": reply_links(membership=membership, week=week)}
        message_send(
            key=keys[membership.pk],
            template="checkin_weekly",
            context=context,
            user=membership.user,
            category=OutboundMessage.Category.REPORTS,
            community=membership.community,
        )
    return len(todo)


def reply_token(*, membership, week):
    return signing.dumps({"m": membership.pk, "w": week}, salt=REPLY_SALT, compress=True)


def reply_links(*, membership, week):
    """[(answer, label, absolute url)] for the e-mail's buttons."""
    token = reply_token(membership=membership, week=week)
    return [
        (answer, label, settings.SITE_URL + reverse("communities:checkin_reply", args=[token, answer]))
        for answer, label in ANSWERS.items()
    ]


def reply_read(token):
    """(membership, week) of a valid reply token; raises CommunityError for a forged or old one."""
    try:
        data = signing.loads(token, salt=REPLY_SALT, max_age=timedelta(days=60))
        membership = Membership.objects.select_related("user", "community").get(pk=data["m"])
        week = str(data["w"])
    except (signing.BadSignature, Membership.DoesNotExist, KeyError, TypeError, ValueError) as exc:
        raise CommunityError(_("This reply link is not valid any more.")) from exc
    return membership, week


@transaction.atomic
def checkin_reply_record(*, token, answer, now=None):
    """Record a one-click answer on the member's timeline and in the queue; a second click changes nothing."""
    membership, week = reply_read(token)
    if answer not in ANSWERS:
        raise CommunityError(_("This reply link is not valid any more."))
    ref = f"reply:{week}:{answer}"
    replied = Activity.objects.filter(
        user=membership.user, community=membership.community, kind=Activity.Kind.REPLIED, data__ref=ref
    ).first()
    if replied is None:
        replied = activity_record(
            user=membership.user,
            community=membership.community,
            kind=Activity.Kind.REPLIED,
            summary=str(ANSWERS[answer]),
            data={"ref": ref, "answer": answer, "week": week},
            occurred_at=now,
        )
    checkin_entry_add_reply(membership=membership, answer=answer, ref=ref, now=now)
    return membership, replied


@transaction.atomic
def checkin_reply_note(*, token, answer, note):
    """The member's own words after a one-click answer, for the managers."""
    membership, replied = checkin_reply_record(token=token, answer=answer)
    note = " ".join((note or "").replace("\x00", "").split())
    if not note:
        raise CommunityError(_("Write a few words, or just close this page."))
    note = note[:1000]
    replied.data = {**replied.data, "note": note}
    replied.summary = f"{ANSWERS[answer]}: {note}"[:300]
    replied.save(update_fields=["data", "summary"])
    entries = CheckinEntry.objects.filter(
        membership=membership, reason=CheckinEntry.Reason.REPLIED, ref=replied.data["ref"]
    )
    for entry in entries.select_for_update():
        entry.details = {**entry.details, "note": note}
        entry.save(update_fields=["details"])
    return membership
