"""Demo communities for trying Kindred: safe to run again, it never duplicates anything.

`seed(stdout)` expects the demo people of members/management/commands/seed_demo.py to exist.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from communities.models import Announcement, Community, Invitation, InviteLink, Membership
from members.models import User

Role, Status, Stage = Membership.Role, Membership.Status, Membership.Stage

COMMUNITIES = [
    {
        "slug": "teplyi-dom-volunteers",
        "name": "Волонтёры фонда «Тёплый дом»",
        "kind": Community.Kind.VOLUNTEERS,
        "visibility": Community.Visibility.PUBLIC,
        "join_policy": Community.JoinPolicy.OPEN,
        "description": (
            "<p>Мы помогаем хосписам и семьям подопечных: возим продукты, гуляем с детьми, "
            "устраиваем праздники и благотворительные ярмарки.</p>"
            "<p>Присоединяйтесь: <strong>первая встреча новичков — каждый четверг</strong>.</p>"
        ),
        "members": 220,
        "announcements": [
            ("Отчёт за октябрь", "<p>За месяц волонтёры провели 46 выездов и собрали 312 000 ₽ на сборах.</p>"),
            ("Нужны водители на выходные", "<p>Ищем 5 водителей, чтобы развезти продуктовые наборы в субботу.</p>"),
        ],
    },
    {
        "slug": "semi-podopechnykh",
        "name": "Сообщество семей подопечных",
        "kind": Community.Kind.PATIENTS,
        "visibility": Community.Visibility.PRIVATE,
        "join_policy": Community.JoinPolicy.APPROVAL,
        "description": "<p>Закрытое сообщество родителей: поддержка, обмен опытом, встречи с врачами.</p>",
        "members": 60,
        "announcements": [("Встреча с психологом", "<p>В среду в 19:00 — онлайн-встреча с психологом фонда.</p>")],
    },
    {
        "slug": "druzya-fonda",
        "name": "Клуб друзей фонда",
        "kind": Community.Kind.DONORS,
        "visibility": Community.Visibility.PUBLIC,
        "join_policy": Community.JoinPolicy.APPROVAL,
        "description": "<p>Те, кто поддерживает фонд ежемесячно. Рассказываем, на что пошли пожертвования.</p>",
        "members": 90,
        "announcements": [
            (
                "Ежемесячный отчёт",
                "<p>В ноябре вы собрали 1 240 000 ₽: этого хватит на полгода работы выездной службы.</p>",
            )
        ],
    },
    {
        "slug": "charity-runners",
        "name": "Charity Runners",
        "kind": Community.Kind.TEAM,
        "visibility": Community.Visibility.PUBLIC,
        "join_policy": Community.JoinPolicy.INVITATION,
        "description": "<p>We run marathons for the foundation: every kilometre is someone's donation.</p>",
        "members": 40,
        "announcements": [("Spring half-marathon", "<p>Registration for the April half-marathon is open.</p>")],
    },
]

FIRST_NAMES = ["Анна", "Мария", "Елена", "Ольга", "Дарья", "Иван", "Алексей", "Дмитрий", "Сергей", "Никита", "Ксения",
               "Татьяна", "Павел", "Михаил", "Юлия", "Наталья", "Артём", "Екатерина", "Виктория", "Андрей"]  # fmt: skip
LAST_NAMES = ["Иванова", "Смирнова", "Кузнецова", "Попова", "Соколова", "Лебедева", "Козлова", "Новикова",
              "Морозова", "Волкова", "Орлова", "Зайцева", "Павлова", "Семёнова", "Голубева"]  # fmt: skip
EN_NAMES = ["Emma Brown", "Oliver Smith", "Sophie Taylor", "James Wilson", "Grace Hall", "Henry Clark"]
REQUEST_MESSAGES = ["Хочу помогать по выходным.", "Я врач, могу консультировать.", "", "Узнала о вас от подруги."]


def _name(n):
    first = FIRST_NAMES[n % len(FIRST_NAMES)]
    last = LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
    if first[-1] not in "аяь" or first == "Никита":  # men's names take the masculine surname
        last = last[:-1]
    return f"{first} {last}"


def demo_communities():
    """The demo's communities, found by their slugs; the demo adds only its own people to them."""
    return Community.objects.filter(slug__in=[spec["slug"] for spec in COMMUNITIES])


def _people(count):
    """`count` generated people (demo-member-N@kindred.test), created once with bulk_create."""
    emails = [f"demo-member-{n}@kindred.test" for n in range(count)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    rng = random.Random(7)
    new = []
    for n, email in enumerate(emails):
        if email in existing:
            continue
        english = n % 9 == 0
        user = User(
            email=email,
            name=EN_NAMES[n % len(EN_NAMES)] if english else _name(n),
            language="en" if english else "ru",
            consent_news=rng.random() < 0.6,
            date_joined=timezone.now() - timedelta(days=rng.randint(1, 400)),
        )
        user.set_unusable_password()
        new.append(user)
    User.objects.bulk_create(new, batch_size=500)
    return list(User.objects.filter(email__in=emails).order_by("email"))


def _community(spec, now):
    fields = {k: spec[k] for k in ("name", "kind", "visibility", "join_policy", "description")}
    community, _created = Community.objects.get_or_create(
        slug=spec["slug"], defaults={**fields, "created_at": now - timedelta(days=420)}
    )
    return community


def _memberships(community, people, rng, now):
    rows = []
    for person in people:
        days = rng.randint(0, 400)
        stage = Stage.NEW if days < 21 else rng.choice([Stage.CONTACTED, Stage.ACTIVE, Stage.ACTIVE, Stage.LAPSED])
        joined = now - timedelta(days=days)
        rows.append(
            Membership(
                community=community,
                user=person,
                role=Role.MEMBER,
                status=Status.ACTIVE,
                source=rng.choice([Membership.Source.SIGNUP, Membership.Source.INVITATION, Membership.Source.EVENT]),
                stage=stage,
                joined_at=joined,
                requested_at=joined,
            )
        )
    Membership.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)


def _requests(community, people, now):
    rows = [
        Membership(
            community=community,
            user=person,
            status=Status.PENDING,
            joined_at=None,
            requested_at=now - timedelta(hours=5 * (n + 1)),
            message=REQUEST_MESSAGES[n % len(REQUEST_MESSAGES)],
        )
        for n, person in enumerate(people)
    ]
    Membership.objects.bulk_create(rows, ignore_conflicts=True)


def _staff_roles(community, demo, now):
    roles = [("manager@kindred.test", Role.MANAGER), ("volunteer@kindred.test", Role.HOST)]
    if community.kind in (Community.Kind.VOLUNTEERS, Community.Kind.DONORS):
        roles.append(("maria@kindred.test", Role.MEMBER))
    if community.kind == Community.Kind.TEAM:
        roles.append(("tom@kindred.test", Role.MEMBER))
    for email, role in roles:
        if email in demo:
            Membership.objects.update_or_create(
                community=community,
                user=demo[email],
                defaults={"role": role, "status": Status.ACTIVE, "stage": Stage.ACTIVE},
                create_defaults={"role": role, "status": Status.ACTIVE, "joined_at": now - timedelta(days=400)},
            )


def _announcements(community, spec, author, now):
    opted_in = community.memberships.filter(status=Status.ACTIVE, user__consent_news=True).count()
    for n, (title, body) in enumerate(spec["announcements"]):
        Announcement.objects.get_or_create(
            community=community,
            title=title,
            defaults={
                "author": author,
                "body": body,
                "published_at": now - timedelta(days=3 + 12 * n),
                "recipients": opted_in,
            },
        )


def _invitations(community, manager, now):
    for n, email in enumerate(["sasha.runner@example.org", "lena.k@example.org", "max.p@example.org"]):
        if not Invitation.objects.filter(community=community, email=email).exists():
            sent = now - timedelta(days=4 * n)
            Invitation.objects.create(
                community=community,
                email=email,
                invited_by=manager,
                created_at=sent,
                expires_at=sent + timedelta(days=14),
            )
    if not community.invite_links.exists():
        InviteLink.objects.create(community=community, created_by=manager, uses=7, expires_at=now + timedelta(days=25))


@transaction.atomic
def seed(stdout):
    """Create the demo communities with their people, requests, invitations and news."""
    now = timezone.now()
    emails = ["manager@kindred.test", "volunteer@kindred.test", "maria@kindred.test", "tom@kindred.test"]
    demo = {u.email: u for u in User.objects.filter(email__in=emails)}
    people = _people(320)
    rng = random.Random(42)
    for index, spec in enumerate(COMMUNITIES):
        community = _community(spec, now)
        _staff_roles(community, demo, now)
        start = (index * 70) % len(people)
        members = (people[start:] + people[:start])[: spec["members"]]
        _memberships(community, members, rng, now)
        if community.join_policy == Community.JoinPolicy.APPROVAL:
            chosen = {p.pk for p in members}
            outside = [p for p in people if p.pk not in chosen][:6]
            _requests(community, outside, now)
        _announcements(community, spec, demo.get("manager@kindred.test"), now)
        _invitations(community, demo.get("manager@kindred.test"), now)
        count = community.memberships.filter(status=Status.ACTIVE).count()
        stdout.write(f"  community  {community.name}: {count} members (/c/{community.slug}/)")
