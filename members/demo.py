"""Demo data for people: profiles and six months of activity, so the directory shows every level.

`seed(stdout)` runs after the communities' demo data: it gives the demo people of active memberships
a phone and a city when they have none, writes a believable history for each of their memberships
that has no demo history yet (so running it again adds nothing), then refreshes engagement.

Demo people are marked by their address: every one is at DEMO_DOMAIN (a reserved top-level domain no
real person's mail can use), and no demo module writes to anyone else.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from communities.models import Membership
from members import services
from members.models import Activity, User

CITIES = ["Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Нижний Новгород", "Самара", "Тверь"]
EVENTS = [
    "Субботник в парке",
    "Благотворительный забег",
    "Встреча волонтёров",
    "Мастер-класс для подопечных",
    "Ярмарка в поддержку фонда",
    "Онлайн-встреча: итоги месяца",
    "Концерт в хосписе",
]
FUNDRAISERS = ["Сбор на день рождения", "Марафон добра", "Командный сбор к Новому году"]
DEMO_DOMAIN = "kindred.test"


def demo_people():
    """The people the demo created (and the only ones it may change)."""
    return User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}")


# Share of memberships in each kind of history; the order is the order of assignment.
PERSONAS = [("core", 0.12), ("contributor", 0.2), ("participant", 0.25), ("observer", 0.23), ("lapsed", 0.2)]


def seed(stdout=None, *, now=None):
    now = now or timezone.now()
    with transaction.atomic():
        people = _profiles_fill()
        memberships = list(_memberships_without_history().select_related("community").order_by("pk"))
        activities, joined, contacted = _histories(memberships, now=now)
        Activity.objects.bulk_create(activities, batch_size=2000)
        Membership.objects.bulk_update(joined, ["joined_at"], batch_size=2000)
        Membership.objects.filter(pk__in=contacted, stage=Membership.Stage.NEW).update(stage=Membership.Stage.CONTACTED)
    result = services.engagement_refresh(now=now)
    if stdout is not None:
        stdout.write(
            f"Demo people: {people} profiles filled, {len(activities)} activities for {len(memberships)} memberships; "
            f"{result['lapsed']} lapsed."
        )
    return {"profiles": people, "activities": len(activities), "memberships": len(memberships), **result}


def _profiles_fill():
    rng = random.Random(11)
    blank = list(demo_people().filter(phone="", city="", memberships__isnull=False).distinct().order_by("pk"))
    for person in blank:
        person.phone = f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}"
        person.city = rng.choice(CITIES)
    User.objects.bulk_update(blank, ["phone", "city"], batch_size=1000)
    return len(blank)


def _memberships_without_history():
    demo = Activity.objects.filter(user=OuterRef("user"), community=OuterRef("community"), data__demo=True)
    return Membership.objects.filter(status=Membership.Status.ACTIVE, user__in=demo_people()).exclude(Exists(demo))


def _persona(index, total):
    position, start = index / max(total, 1), 0.0
    for name, share in PERSONAS:
        start += share
        if position < start:
            return name
    return PERSONAS[-1][0]


def _histories(memberships, *, now):
    activities, joined, contacted = [], [], []
    for index, membership in enumerate(memberships):
        rng = random.Random(membership.pk)
        persona = "core" if membership.role == Membership.Role.MANAGER else _persona(index, len(memberships))
        history = _history(persona, rng, lapsed_after=membership.community.lapsed_after_days)
        # Joining comes first, before any registration for an event.
        joined_days = max(days for _kind, days, _summary in history) + 1
        history[0] = (Activity.Kind.JOINED, joined_days, "")
        membership.joined_at = now - timedelta(days=joined_days, hours=rng.randint(0, 23))
        joined.append(membership)
        if persona == "observer" and index % 2:
            contacted.append(membership.pk)
        activities += [
            Activity(
                user_id=membership.user_id,
                community=membership.community,
                kind=kind,
                summary=summary,
                data={"demo": True},
                occurred_at=membership.joined_at if kind == Activity.Kind.JOINED else _moment(now, days, rng),
            )
            for kind, days, summary in history
        ]
    return activities, joined, contacted


def _moment(now, days, rng):
    return now - timedelta(days=days, hours=rng.randint(0, 12))


def _history(persona, rng, *, lapsed_after):
    """(kind, days ago, summary) of one person's life in a community, the first being their joining."""
    kinds = Activity.Kind
    if persona == "observer":
        return [(kinds.JOINED, rng.randint(3, max(3, min(40, lapsed_after - 5))), "")]
    if persona == "lapsed":
        newest = lapsed_after + 10
        start = newest + rng.randint(20, 60)
        return [(kinds.JOINED, start, ""), *_events(rng, count=rng.randint(1, 3), newest=newest, oldest=start - 1)]
    if persona == "participant":
        start = rng.randint(40, 178)
        recent = max(2, min(start - 1, 45, lapsed_after - 7))
        return [(kinds.JOINED, start, ""), *_events(rng, count=1, newest=2, oldest=recent)]
    count = 3 if persona == "contributor" else rng.randint(7, 10)
    start = rng.randint(120, 178)
    history = [(kinds.JOINED, start, ""), *_events(rng, count=count, newest=1, oldest=min(start - 1, 70))]
    # However long ago the rest, something recent: these people are around.
    history.append((kinds.ATTENDED, rng.randint(1, max(1, min(20, lapsed_after - 2))), rng.choice(EVENTS)))
    history.append((kinds.DONATED, rng.randint(3, 40), "Пожертвование фонду"))
    if persona == "core":
        history.append((kinds.HOSTED, rng.randint(5, 30), rng.choice(EVENTS)))
        history.append((kinds.FUNDRAISER_OPENED, rng.randint(10, 60), rng.choice(FUNDRAISERS)))
        history.append((kinds.REPLIED, rng.randint(1, 20), "Ответил(а) на созвон"))
    return history


def _events(rng, *, count, newest, oldest):
    """A registration a few days before each attended event."""
    result = []
    for _ in range(count):
        days = rng.randint(newest, max(newest, oldest))
        title = rng.choice(EVENTS)
        result.append((Activity.Kind.REGISTERED, days + rng.randint(2, 6), title))
        result.append((Activity.Kind.ATTENDED, days, title))
    return result
