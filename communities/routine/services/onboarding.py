"""Onboarding for new members: e-mails in week 1, 2 and 4 after joining (category NEWS).

An hourly scan finds memberships whose week has come (within a week's window, so a stopped worker
catches up but people who joined long ago get nothing), a batch of ids at a time. Each e-mail's key
`onboarding:<membership id>:<week>` makes it go once; people who left are not active and get
nothing; people without consent to news are recorded as skipped by the ledger.
"""

from collections import defaultdict
from datetime import timedelta

from django.apps import apps
from django.db import transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.models import Membership
from communities.routine.models import OnboardingStep
from communities.services import CommunityError
from communities.services.membership import require_manager
from config.sanitize import sanitize_html
from members.models import OutboundMessage
from members.services import message_send

BATCH_SIZE = 1000
WEEKS = (1, 2, 4)

DEFAULTS = {
    1: (
        gettext_lazy("Welcome to %(community)s: how to take part"),
        gettext_lazy(
            "<p>You joined a week ago, and we are glad you are here.</p>"
            "<p>The easiest way to take part is to come to one of our events: meet the people, see the work "
            "and find what suits you. You can also tell a manager what you would like to do; we will call you.</p>"
        ),
    ),
    2: (
        gettext_lazy("%(community)s: open your own fundraiser"),
        gettext_lazy(
            "<p>Anyone in the community can raise money for our cause with their own fundraiser: "
            "for a birthday, a run, or just because.</p>"
            "<p>Open a campaign on the community page, press “Start a fundraiser”, set a goal and share "
            "the link with friends. Every donation shows on your page at once.</p>"
        ),
    ),
    4: (
        gettext_lazy("%(community)s: what is coming up"),
        gettext_lazy(
            "<p>You have been with us for a month. Thank you!</p>"
            "<p>Here is what is coming up. Register for an event, bring a friend, and tell us how we can help "
            "you take part more.</p>"
        ),
    ),
}


def step_content(*, step, week, community, language):
    """(subject, body HTML) in `language`: the community's own text, or the default."""
    if step is not None:
        ru = language.startswith("ru")
        subject = (step.subject_ru if ru else step.subject_en) or step.subject_en
        body = (step.body_ru if ru else step.body_en) or step.body_en
        return subject, body
    subject, body = DEFAULTS[week]
    with translation.override(language):
        return str(subject) % {"community": community.name}, str(body)


def onboarding_send(*, now=None, batch_size=BATCH_SIZE):
    """Send every onboarding e-mail that is due. Returns how many were written to the ledger."""
    now = now or timezone.now()
    sent = 0
    for week in WEEKS:
        due = Membership.objects.filter(
            status=Membership.Status.ACTIVE,
            joined_at__lte=now - timedelta(days=7 * week),
            joined_at__gt=now - timedelta(days=7 * week + 7),
        ).exclude(role=Membership.Role.MANAGER)
        for ids in id_batches(due, batch_size):
            sent += _onboarding_batch(membership_ids=ids, week=week, now=now)
    return sent


def id_batches(queryset, batch_size):
    """Lists of primary keys of `queryset`, at most `batch_size` at a time (keyset pagination)."""
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _onboarding_batch(*, membership_ids, week, now):
    keys = {pk: f"onboarding:{pk}:{week}" for pk in membership_ids}
    done = set(OutboundMessage.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    todo = [pk for pk in membership_ids if keys[pk] not in done]
    memberships = list(Membership.objects.filter(pk__in=todo, user__is_active=True).select_related("user", "community"))
    community_ids = {m.community_id for m in memberships}
    steps = {s.community_id: s for s in OnboardingStep.objects.filter(community_id__in=community_ids, week=week)}
    events = upcoming_events(community_ids=community_ids, now=now)
    sent = 0
    for membership in memberships:
        step = steps.get(membership.community_id)
        if step is not None and not step.enabled:
            continue
        with transaction.atomic():
            _send_one(
                membership,
                week=week,
                step=step,
                events=events.get(membership.community_id, []),
                key=keys[membership.pk],
            )
        sent += 1
    return sent


def _send_one(membership, *, week, step, events, key):
    from members.services import recipient_language

    community = membership.community
    subject, body = step_content(
        step=step, week=week, community=community, language=recipient_language(user=membership.user)
    )
    message_send(
        key=key,
        template="onboarding_step",
        context={"community": community, "subject": subject, "body": body, "events": events, "week": week},
        user=membership.user,
        category=OutboundMessage.Category.NEWS,
        community=community,
    )


def upcoming_events(*, community_ids, now, per_community=3):
    """{community id: [the next few published events]}, one query for the whole batch."""
    if not apps.is_installed("events") or not community_ids:
        return {}
    from events.models import Event

    # The first few of each community, ranked in the database: one query for the whole batch.
    rank = Window(RowNumber(), partition_by=F("community_id"), order_by=F("starts_at").asc())
    rows = (
        Event.objects.filter(
            community_id__in=community_ids,
            status=Event.Status.PUBLISHED,
            starts_at__gte=now,
            starts_at__lt=now + timedelta(days=45),
        )
        .annotate(rank=rank)
        .filter(rank__lte=per_community)
        .order_by("community_id", "starts_at")
    )
    grouped = defaultdict(list)
    for event in rows:
        grouped[event.community_id].append(event)
    return grouped


def onboarding_step_save(*, community, week, subject_en, subject_ru, body_en, body_ru, enabled, actor):
    """A manager's own text for one onboarding e-mail; rich text is sanitised before it is kept."""
    require_manager(actor=actor, community=community)
    if week not in WEEKS:
        raise CommunityError(_("There is no onboarding e-mail for this week."))
    step, _created = OnboardingStep.objects.update_or_create(
        community=community,
        week=week,
        defaults={
            "subject_en": " ".join(subject_en.split()),
            "subject_ru": " ".join(subject_ru.split()),
            "body_en": sanitize_html(body_en),
            "body_ru": sanitize_html(body_ru),
            "enabled": enabled,
        },
    )
    return step


def onboarding_step_reset(*, community, week, actor):
    """Go back to the default text."""
    require_manager(actor=actor, community=community)
    OnboardingStep.objects.filter(community=community, week=week).delete()


def onboarding_steps_for(community):
    """[(week, step or None, default subject, default body)] for the manager's page."""
    steps = {s.week: s for s in OnboardingStep.objects.filter(community=community)}
    return [(week, steps.get(week)) for week in WEEKS]
