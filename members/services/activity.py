"""The activity log every app writes to, and the engagement it feeds."""

from django.db.models import Q
from django.utils import timezone

from members.models import Activity


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


def engagement_refresh(*, now=None):
    """Scores, levels, last activity and lapsed stages of every active membership (see engagement.py)."""
    from communities import engagement

    return engagement.engagement_refresh(now=now)


# ---------------------------------------------------------------------------------------------------
# Personal data: export, account deletion, anonymisation
