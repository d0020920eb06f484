"""Demo events for trying Kindred: safe to run again, it never duplicates anything.

For every community that exists (communities.demo makes them), a few past events with attendance
and no-shows, and upcoming ones: one filling up, one full with a waitlist, one online, and a host's
proposal waiting for approval. Rows are written with bulk_create and no e-mail is sent.
"""

import random
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from communities.demo import demo_communities
from communities.models import Membership
from events.models import Event, Registration, RegistrationQuestion
from members.demo import demo_people
from members.models import Activity

# slug, title, days from today, hour, capacity, format, status, share of members registering
EVENTS = [
    ("osennyaya-yarmarka", "Осенняя благотворительная ярмарка", -40, 12, 60, "offline", "completed", 0.25),
    ("vstrecha-novichkov-oktyabr", "Встреча новичков: знакомство с фондом", -12, 19, 25, "offline", "completed", 0.12),
    ("vstrecha-novichkov", "Встреча новичков: первые шаги волонтёра", 3, 19, 25, "offline", "published", 0.08),
    ("zabeg-v-parke", "Благотворительный забег в парке", 9, 10, 40, "offline", "published", 0.3),
    ("onlain-lektsiya", "Online talk: how fundraising works", 6, 18, None, "online", "published", 0.1),
    ("novogodnii-prazdnik", "Новогодний праздник для подопечных", 27, 15, 30, "offline", "pending", 0.0),
]
PLACES = [
    ("Кафе «Добро»", "Москва, ул. Покровка, 12"),
    ("Парк Горького, главный вход", "Москва, Крымский Вал, 9"),
    ("Офис фонда", "Москва, Малый Каретный пер., 7"),
]


def seed(stdout):
    communities = list(demo_communities().order_by("pk"))
    for index, community in enumerate(communities):
        created = _seed_community(community, random.Random(index), timezone.now())
        stdout.write(f"  events     {community.name}: {created} new (/c/{community.slug}/events/)")


@transaction.atomic
def _seed_community(community, rng, now):
    memberships = list(
        Membership.objects.filter(community=community, status=Membership.Status.ACTIVE, user__in=demo_people())
        .select_related("user")
        .order_by("pk")
    )
    if not memberships:
        return 0
    runners = [m.user for m in memberships if m.role in (Membership.Role.MANAGER, Membership.Role.HOST)]
    runners = runners or [memberships[0].user]
    existing = set(Event.objects.filter(community=community).values_list("slug", flat=True))
    created = 0
    for n, spec in enumerate(EVENTS):
        if spec[0] in existing:
            continue
        event = _event(community, spec, n, now, host=runners[n % len(runners)])
        _registrations(event, spec, memberships, rng, now)
        created += 1
    return created


def _event(community, spec, n, now, *, host):
    slug, title, days, hour, capacity, fmt, status, _share = spec
    zone = Event(timezone=community.timezone).zone
    day = (now.astimezone(zone) + timedelta(days=days)).date()
    starts_at = datetime.combine(day, time(hour), tzinfo=zone)
    place, address = PLACES[n % len(PLACES)]
    event = Event.objects.create(
        community=community,
        slug=slug,
        title=title,
        description=(
            "<p>Приходите сами и зовите друзей: расскажем о работе фонда, познакомимся и вместе "
            "сделаем доброе дело.</p><p><strong>Что взять:</strong> хорошее настроение и удобную обувь.</p>"
        ),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        timezone=community.timezone,
        format=fmt,
        place="" if fmt == "online" else place,
        address="" if fmt == "online" else address,
        online_url="https://meet.example.org/kindred-demo" if fmt == "online" else "",
        capacity=capacity,
        status=status,
        visibility=Event.Visibility.PUBLIC if n % 3 else Event.Visibility.MEMBERS,
        created_by=host,
        created_at=now - timedelta(days=60),
        completed_at=starts_at + timedelta(hours=4) if status == "completed" else None,
    )
    event.hosts.add(host)
    if n == 3:
        RegistrationQuestion.objects.create(
            event=event, label="Размер футболки", kind="choice", choices=["S", "M", "L", "XL"], required=False
        )
    return event


def _registrations(event, spec, memberships, rng, now):
    share = spec[7]
    people = rng.sample(memberships, k=min(len(memberships), round(len(memberships) * share)))
    past = event.status == Event.Status.COMPLETED
    capacity = event.capacity if event.capacity is not None else len(people) + 10
    # The race in the park is made full on purpose, so the waitlist shows.
    if event.slug == "zabeg-v-parke":
        capacity = event.capacity = min(event.capacity, max(len(people) - 4, 1))
        Event.objects.filter(pk=event.pk).update(capacity=capacity)
    rows, activities = [], []
    for i, membership in enumerate(people):
        created_at = event.starts_at - timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 12))
        status, position = _status(i, capacity, past, rng)
        rows.append(
            Registration(
                event=event,
                user=membership.user,
                email_key=membership.user.email.lower(),
                status=status,
                position=position,
                created_at=created_at,
                checked_in_at=event.starts_at + timedelta(minutes=rng.randint(0, 20)) if status == "attended" else None,
                answers={"Размер футболки": rng.choice(["S", "M", "L"])} if event.questions.exists() else {},
            )
        )
        activities += _activities(event, membership.user, status, created_at)
    guests = 3 if event.status == Event.Status.PUBLISHED else 0
    for g in range(guests):
        status, position = _status(len(rows), capacity, past, rng)
        rows.append(
            Registration(
                event=event,
                guest_name=f"Гость {g + 1}",
                guest_email=f"guest{g + 1}.{event.pk}@example.org",
                email_key=f"guest{g + 1}.{event.pk}@example.org",
                status=status,
                position=position,
                created_at=now - timedelta(days=1, hours=g),
                language="ru",
            )
        )
    Registration.objects.bulk_create(rows)
    Activity.objects.bulk_create(activities)


def _status(index, capacity, past, rng):
    if index >= capacity:
        return ("no_show", None) if past else ("waitlisted", index - capacity + 1)
    if past:
        return ("attended", None) if rng.random() < 0.8 else ("no_show", None)
    return "confirmed", None


def _activities(event, user, status, created_at):
    found = [
        Activity(
            user=user,
            community=event.community,
            kind=Activity.Kind.REGISTERED,
            summary=event.title,
            data={"event": event.pk, "demo": True},
            occurred_at=created_at,
        )
    ]
    if status in ("attended", "no_show"):
        kind = Activity.Kind.ATTENDED if status == "attended" else Activity.Kind.NO_SHOW
        found.append(
            Activity(
                user=user,
                community=event.community,
                kind=kind,
                summary=event.title,
                data={"event": event.pk, "demo": True},
                occurred_at=event.starts_at,
            )
        )
    return found
