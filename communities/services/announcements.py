"""Announcements: a manager's update, shown on the community page and e-mailed to members who opted in."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Announcement, Membership
from communities.services import CommunityError
from communities.services.community import rich_text
from communities.services.membership import require_manager
from members.models import AuditEntry, OutboundMessage
from members.services import audit_record, message_send, unique_key

EMAIL_BATCH_SIZE = 500


@transaction.atomic
def announcement_publish(*, community, actor, title, body, now=None):
    """Publish an update; e-mails go out from a worker in batches, after this transaction commits."""
    from communities.tasks import announcement_email_task

    require_manager(actor=actor, community=community)
    body = rich_text(body)
    if not title.strip() or not body:
        raise CommunityError(_("An announcement needs a title and some text."))
    announcement = Announcement.objects.create(
        community=community, author=actor, title=title.strip(), body=body, published_at=now or timezone.now()
    )
    announcement_email_task.delay_on_commit(announcement.pk)
    audit_record(actor=actor, action=AuditEntry.Action.BULK_MESSAGE, community=community, target=announcement, now=now)
    return announcement


def announcement_reach(*, community):
    """(recipients, opted_out): active members an announcement would e-mail, and those who turned off news."""
    active = Membership.objects.filter(community=community, status=Membership.Status.ACTIVE, user__is_active=True)
    return active.filter(user__consent_news=True).count(), active.filter(user__consent_news=False).count()


def announcement_send_test(*, community, actor, title, body):
    """E-mail an announcement not yet published to the manager writing it alone, as members would get it."""
    require_manager(actor=actor, community=community)
    body = rich_text(body)
    if not title.strip() or not body:
        raise CommunityError(_("An announcement needs a title and some text."))
    draft = Announcement(community=community, author=actor, title=title.strip(), body=body)
    return message_send(
        key=unique_key(f"announcement-test:{community.pk}"),
        template="community_announcement",
        context={"announcement": draft, "community": community},
        user=actor,
        community=community,
    )


def _recipients(announcement):
    """Active members who agreed to receive news, in a stable order for batching."""
    return (
        Membership.objects.filter(
            community_id=announcement.community_id,
            status=Membership.Status.ACTIVE,
            user__is_active=True,
            user__consent_news=True,
        )
        .select_related("user")
        .order_by("user_id")
    )


def announcement_email_batch(*, announcement_id, after_user_id=0, batch_size=None):
    """E-mail the next batch of recipients; returns the last user id handled, or None when done.

    Each message has the key announcement:<id>:<user id>, so running a batch again sends nothing twice.
    """
    batch_size = batch_size or EMAIL_BATCH_SIZE
    announcement = Announcement.objects.select_related("community").filter(pk=announcement_id).first()
    if announcement is None:
        return None
    batch = list(_recipients(announcement).filter(user_id__gt=after_user_id)[:batch_size])
    for membership in batch:
        message_send(
            key=f"announcement:{announcement.pk}:{membership.user_id}",
            template="community_announcement",
            context={"announcement": announcement, "community": announcement.community},
            user=membership.user,
            category=OutboundMessage.Category.NEWS,
            community=announcement.community,
        )
    announcement.recipients = OutboundMessage.objects.filter(key__startswith=f"announcement:{announcement.pk}:").count()
    announcement.save(update_fields=["recipients"])
    if len(batch) < batch_size:
        return None
    return batch[-1].user_id
