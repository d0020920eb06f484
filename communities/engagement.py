"""Engagement: a score per membership from weighted, decaying activity, its level and the lapsed stage.

score = sum over the person's activity in the community in the last 180 days of
        weight(kind) * 0.5 ** (age in days / 30)

Computed in the database, a batch of memberships per query, then written back with bulk_update;
stages move with a few set-based UPDATEs. Nothing here runs one query per member.
"""

import operator
from datetime import timedelta
from functools import reduce

from django.db.models import Case, F, FloatField, Func, Max, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Power
from django.utils import timezone

from communities.models import Community, Membership
from members.models import Activity

WINDOW_DAYS = 180
HALF_LIFE_DAYS = 30
BATCH_SIZE = 2000

# What a person did themselves weighs; what managers did about them (contacts, notes) does not.
WEIGHTS = {
    Activity.Kind.ATTENDED: 5,
    Activity.Kind.HOSTED: 8,
    Activity.Kind.DONATED: 6,
    Activity.Kind.FUNDRAISER_OPENED: 8,
    Activity.Kind.REGISTERED: 2,
    Activity.Kind.REPLIED: 2,
    Activity.Kind.JOINED: 1,
}

# Lowest score of each level, highest first.
LEVELS = [
    (20, Membership.Level.CORE),
    (8, Membership.Level.CONTRIBUTOR),
    (2, Membership.Level.PARTICIPANT),
]
ENGAGED_LEVELS = [Membership.Level.CORE, Membership.Level.CONTRIBUTOR, Membership.Level.PARTICIPANT]


def level_for(score):
    for lowest, level in LEVELS:
        if score >= lowest:
            return level
    return Membership.Level.OBSERVER


class Epoch(Func):
    """Seconds since 1970 of a timestamp, in SQL (PostgreSQL; SQLite for `make run`)."""

    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM %(expressions)s)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)")


def _score_subquery(now):
    weight = Case(*[When(kind=kind, then=Value(float(w))) for kind, w in WEIGHTS.items()], default=Value(0.0))
    age_days = (Value(now.timestamp()) - Epoch("occurred_at")) / Value(86400.0)
    decay = Power(Value(0.5), age_days / Value(float(HALF_LIFE_DAYS)))
    recent = Activity.objects.filter(
        user_id=OuterRef("user_id"),
        community_id=OuterRef("community_id"),
        kind__in=list(WEIGHTS),
        occurred_at__gt=now - timedelta(days=WINDOW_DAYS),
        occurred_at__lte=now,
    )
    return Subquery(
        recent.values("user_id").annotate(score=Sum(weight * decay, output_field=FloatField())).values("score")[:1],
        output_field=FloatField(),
    )


def _last_activity_subquery():
    from members.services import ENGAGING_ACTIVITIES

    engaging = Activity.objects.filter(
        user_id=OuterRef("user_id"), community_id=OuterRef("community_id"), kind__in=list(ENGAGING_ACTIVITIES)
    )
    return Subquery(engaging.values("user_id").annotate(last=Max("occurred_at")).values("last")[:1])


def scores_refresh(*, now, batch_size=BATCH_SIZE):
    """Recompute score, level and last activity of every active membership; returns how many changed."""
    changed, after = 0, 0
    while True:
        rows = list(
            Membership.objects.filter(status=Membership.Status.ACTIVE, pk__gt=after)
            .order_by("pk")
            .annotate(new_score=Coalesce(_score_subquery(now), Value(0.0)), new_last=_last_activity_subquery())
            .values_list("pk", "engagement_score", "engagement_level", "last_activity_at", "new_score", "new_last")[
                :batch_size
            ]
        )
        if not rows:
            return changed
        after = rows[-1][0]
        updates = [_membership_if_changed(*row) for row in rows]
        updates = [membership for membership in updates if membership is not None]
        if updates:
            Membership.objects.bulk_update(updates, ["engagement_score", "engagement_level", "last_activity_at"])
            changed += len(updates)


def _membership_if_changed(pk, old_score, old_level, old_last, score, last):
    score = round(score, 2)
    level = level_for(score)
    if (old_score, old_level, old_last) == (score, level, last):
        return None
    return Membership(pk=pk, engagement_score=score, engagement_level=level, last_activity_at=last)


def _per_community_cutoff(field, lookup, now):
    """Q: `field` compared with each community's own lapsed cutoff (one OR per distinct setting)."""
    days = Community.objects.order_by().values_list("lapsed_after_days", flat=True).distinct()
    conditions = [
        Q(community__lapsed_after_days=d, **{f"{field}__{lookup}": now - timedelta(days=d)}) for d in set(days)
    ]
    return reduce(operator.or_, conditions, Q(pk__in=[]))


def stages_refresh(*, now):
    """Move onboarding stages from activity. Returns (reactivated, activated, lapsed) counts."""
    active = Membership.objects.filter(status=Membership.Status.ACTIVE)
    # Lapsed people who did something since: back to active.
    reactivated = (
        active.filter(stage=Membership.Stage.LAPSED)
        .filter(_per_community_cutoff("last_activity_at", "gte", now))
        .update(stage=Membership.Stage.ACTIVE)
    )
    # New or contacted people who take part now count as active.
    activated = active.filter(
        stage__in=[Membership.Stage.NEW, Membership.Stage.CONTACTED], engagement_level__in=ENGAGED_LEVELS
    ).update(stage=Membership.Stage.ACTIVE)
    # Nobody heard of since the community's lapse period (or since joining, with no activity).
    lapsed = (
        active.exclude(stage=Membership.Stage.LAPSED)
        .alias(seen=Coalesce(F("last_activity_at"), F("joined_at"), F("requested_at")))
        .filter(_per_community_cutoff("seen", "lt", now))
        .update(stage=Membership.Stage.LAPSED)
    )
    return reactivated, activated, lapsed


def engagement_refresh(*, now=None, batch_size=BATCH_SIZE):
    now = now or timezone.now()
    changed = scores_refresh(now=now, batch_size=batch_size)
    reactivated, activated, lapsed = stages_refresh(now=now)
    return {"scores_changed": changed, "reactivated": reactivated, "activated": activated, "lapsed": lapsed}
