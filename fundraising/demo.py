"""Demo campaigns for trying Kindred: safe to run again, it never duplicates anything.

`seed(stdout)` builds on the communities and people that communities.demo created; with no
communities it does nothing. Donations are bulk-created as succeeded, then every total is set from
fresh aggregates in one pass (totals_recompute), so leaderboards look alive at once.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from communities.demo import demo_communities
from communities.models import Community, Membership
from fundraising.models import Campaign, CampaignUpdate, Donation, Fundraiser, FundraiserUpdate, Team
from fundraising.services import totals_recompute
from members.demo import DEMO_DOMAIN, demo_people
from members.models import User

CAMPAIGNS = [
    {
        "slug": "teplaya-zima",
        "title": "Тёплая зима для 100 семей",
        "summary": "Одеяла, обогреватели и дрова для семей подопечных в отдалённых сёлах.",
        "story": "Каждую зиму фонд привозит тепло семьям, которые живут далеко от помощи. "
        "В этом году мы хотим поддержать **100 семей**.\n\n"
        "- 1 000 ₽ — это тёплое одеяло;\n- 5 000 ₽ — обогреватель на всю зиму.\n\n"
        "Отчёты о поездках — на сайте фонда: https://example.org/reports",
        "goal": Decimal("1500000"),
        "suggested": ["500.00", "1000.00", "3000.00", "5000.00"],
        "donations": 1800,
    },
    {
        "slug": "marafon-dobra",
        "title": "Марафон добра 2026",
        "summary": "Бежим за тех, кто не может: каждый километр — шаг к новой выездной службе.",
        "story": "Участники марафона открывают личные и командные сборы и зовут друзей поддержать забег.",
        "goal": Decimal("800000"),
        "suggested": ["300.00", "700.00", "1500.00"],
        "donations": 1400,
    },
    {
        "slug": "den-rozhdeniya-fonda",
        "title": "День рождения фонда",
        "summary": "Фонду 10 лет: подарите ему месяц работы патронажной службы.",
        "story": "Вместо подарков — пожертвования. Откройте сбор в свой день рождения!",
        "goal": Decimal("300000"),
        "suggested": ["500.00", "1000.00", "2000.00"],
        "donations": 700,
    },
]
TEAMS = ["Офис на Лесной", "Бегуны с Таганки", "Студенты МГУ"]
MESSAGES = ["Держитесь!", "Спасибо за вашу работу", "С днём рождения, фонд!", "Бегите, мы с вами!", "", "", ""]
FIRST = ["Анна", "Иван", "Мария", "Пётр", "Елена", "Сергей", "Ольга", "Дмитрий", "Наталья", "Алексей", "Tom", "Emma"]
LAST = ["Иванова", "Смирнов", "Кузнецова", "Попов", "Соколова", "Лебедев", "Новикова", "Morozov", "Walker"]
AMOUNTS = [300, 500, 500, 700, 1000, 1000, 1000, 1500, 2000, 3000, 5000, 10000]


def seed(stdout):
    communities = list(demo_communities().filter(visibility=Community.Visibility.PUBLIC).order_by("pk")[:2])
    if not communities or Campaign.objects.filter(slug=CAMPAIGNS[0]["slug"]).exists():
        return
    rng = random.Random(2026)  # the same demo every time
    with transaction.atomic():
        campaigns = [_campaign(rng, communities[i % len(communities)], spec) for i, spec in enumerate(CAMPAIGNS)]
        totals_recompute(campaign_ids=[c.pk for c in campaigns])
    count = Donation.objects.filter(campaign__in=campaigns).count()
    stdout.write(f"Fundraising: {len(campaigns)} campaigns, {count} donations.")


def _campaign(rng, community, spec):
    today = timezone.localdate()
    manager = _member(community, Membership.Role.MANAGER)
    campaign = Campaign.objects.create(
        community=community,
        slug=spec["slug"],
        title=spec["title"],
        summary=spec["summary"],
        story=spec["story"],
        goal=spec["goal"],
        currency="RUB",
        status=Campaign.Status.ACTIVE,
        suggested_amounts=spec["suggested"],
        starts_on=today - timedelta(days=40),
        ends_on=today + timedelta(days=50),
        created_by=manager,
    )
    CampaignUpdate.objects.create(
        campaign=campaign,
        author=manager,
        title="Первые итоги",
        body="Спасибо всем, кто уже поддержал сбор! Мы закупили первую партию помощи.",
        published_at=timezone.now() - timedelta(days=7),
    )
    fundraisers = _fundraisers(rng, campaign)
    _donations(rng, campaign, fundraisers, spec["donations"])
    return campaign


def _member(community, role=None):
    memberships = Membership.objects.filter(
        community=community, status=Membership.Status.ACTIVE, user__in=demo_people()
    )
    if role:
        memberships = memberships.filter(role=role)
    membership = memberships.select_related("user").order_by("pk").first()
    return membership.user if membership else None


def _fundraisers(rng, campaign):
    owners = list(
        demo_people()
        .filter(memberships__community=campaign.community, memberships__status=Membership.Status.ACTIVE)
        .order_by("pk")[:12]
    )
    volunteer = User.objects.filter(email="volunteer@kindred.test").first()
    if volunteer and volunteer not in owners:
        owners.insert(0, volunteer)
    teams = [
        Team.objects.create(campaign=campaign, name=name, slug=f"team-{n + 1}", captain=owners[n] if owners else None)
        for n, name in enumerate(TEAMS)
    ]
    fundraisers = []
    for n, owner in enumerate(owners[:10]):
        name = owner.name or owner.email.split("@")[0]
        fundraiser = Fundraiser.objects.create(
            campaign=campaign,
            owner=owner,
            team=teams[n % 3] if n % 4 else None,
            title=f"{name}: {rng.choice(['мой день рождения', 'бегу 10 км', 'концерт друзей', 'вместо подарков'])}",
            slug=f"{campaign.slug}-{n + 1}",
            goal=Decimal(rng.choice([10000, 20000, 30000, 50000])),
            story=f"Я поддерживаю «{campaign.title}» и прошу друзей присоединиться.",
        )
        fundraisers.append(fundraiser)
    if fundraisers:
        FundraiserUpdate.objects.create(
            fundraiser=fundraisers[0], title="Половина пути!", body="Спасибо, друзья, мы уже на полпути к цели."
        )
    return fundraisers


def _donations(rng, campaign, fundraisers, count):
    now = timezone.now()
    rows = []
    for _ in range(count):
        fundraiser = rng.choice(fundraisers) if fundraisers and rng.random() < 0.6 else None
        donor = rng.randrange(count // 2 + 1)  # some people give more than once
        when = now - timedelta(minutes=rng.randrange(60 * 24 * 40))
        email = f"donor{donor}@donors.{DEMO_DOMAIN}"
        rows.append(
            Donation(
                campaign=campaign,
                fundraiser=fundraiser,
                team_id=fundraiser.team_id if fundraiser else None,
                amount=Decimal(rng.choice(AMOUNTS)),
                currency="RUB",
                donor_email=email,
                donor_key=email,
                donor_name=f"{FIRST[donor % len(FIRST)]} {LAST[donor % len(LAST)]}",
                anonymous=rng.random() < 0.2,
                message=rng.choice(MESSAGES),
                language="ru",
                status=Donation.Status.SUCCEEDED,
                provider="sandbox",
                created_at=when,
                succeeded_at=when,
            )
        )
    Donation.objects.bulk_create(rows, batch_size=1000)
