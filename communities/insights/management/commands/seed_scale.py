"""Generate an organisation at scale for benchmarks and for trying Kindred with real volumes.

    DATABASE_URL=postgres://.../kindred_scale manage.py seed_scale            # 100,000 members, 1,000,000 donations
    manage.py seed_scale --members 10000 --donations 100000 --events 1000     # smaller

PostgreSQL only: rows go in with COPY in batches, a few minutes on two cores. It refuses to run on a
database that holds anything it did not make itself (use --force to add to it anyway).
"""

import json
import random
import secrets
import time
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from communities.models import Community, Membership
from events.models import Event, Registration
from fundraising.models import Campaign, Donation, Fundraiser, Team
from fundraising.services.rollups import donation_days_rebuild
from members.models import Activity, User

DOMAIN = "scale.kindred.test"
COMMUNITIES = 20
FIRST = ["Anna", "Boris", "Vera", "Gleb", "Dina", "Egor", "Zoya", "Ivan", "Kira", "Lev", "Maria", "Nikita", "Olga"]
LAST = ["Petrova", "Smirnov", "Kuznetsova", "Ivanov", "Sokolova", "Popov", "Lebedeva", "Kozlov", "Novikova"]
AMOUNTS = [Decimal(a) for a in (100, 200, 300, 500, 500, 1000, 1000, 1500, 2000, 3000, 5000, 10000)]
DAYS = 730  # two years of history


class Command(BaseCommand):
    help = "Generate members, events and donations at scale (PostgreSQL, COPY) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=100_000)
        parser.add_argument("--donations", type=int, default=1_000_000)
        parser.add_argument("--events", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--force", action="store_true", help="add to a database that holds other data")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL (it loads rows with COPY).")
        if not options["force"] and self._has_other_data():
            raise CommandError("This database holds data seed_scale did not make; use an empty one, or --force.")
        self.random = random.Random(options["seed"])
        self.now = timezone.now()
        self.started = time.monotonic()
        with transaction.atomic():
            communities = self._communities()
            members = self._members(communities, options["members"])
            events = self._events(communities, members, options["events"])
            self._donations(communities, members, options["donations"])
            self._activity(members, events)
            self._totals()
            self._say(f"{donation_days_rebuild():,} rows of donations by day (the dashboard's rollup)")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self._say("done")

    def _has_other_data(self):
        return (
            User.objects.exclude(email__endswith="@" + DOMAIN).exists()
            or Community.objects.exclude(slug__startswith="scale-").exists()
        )

    def _say(self, what):
        self.stdout.write(f"{time.monotonic() - self.started:7.1f}s  {what}")

    def _when(self, days=DAYS, future=0):
        """A moment in the last `days` (more of them recent: organisations grow), or up to `future` ahead."""
        back = days * (1 - self.random.random() ** 0.6)
        return self.now - timedelta(days=back - future * self.random.random(), seconds=self.random.randrange(86400))

    # Rows ---------------------------------------------------------------------------------------------

    def _communities(self):
        tag = secrets.token_hex(3)  # a new batch never collides with an earlier one
        communities = [
            Community(name=f"Scale community {n + 1}", slug=f"scale-{tag}-{n + 1}", timezone="Europe/Moscow")
            for n in range(COMMUNITIES)
        ]
        Community.objects.bulk_create(communities)
        self._say(f"{len(communities)} communities")
        return list(Community.objects.filter(slug__startswith=f"scale-{tag}-").order_by("pk"))

    def _community_index(self):
        # The first community is the biggest (a third of everyone); the rest share the others.
        return 0 if self.random.random() < 0.33 else self.random.randrange(1, COMMUNITIES)

    def _members(self, communities, count):
        tag = secrets.token_hex(3)  # a new batch never collides with an earlier one
        users = []
        for i in range(count):
            name = f"{self.random.choice(FIRST)} {self.random.choice(LAST)}"
            users.append((f"p{tag}-{i}@{DOMAIN}", name, "!", self._when(3 * 365)))
        copy_rows(User, ["email", "name", "password", "date_joined"], users)
        ids = list(User.objects.filter(email__startswith=f"p{tag}-").order_by("pk").values_list("pk", "date_joined"))
        self._say(f"{len(ids)} people")
        rows, members = [], [[] for _ in communities]
        for n, (user_id, joined) in enumerate(ids):
            index = self._community_index()
            role = "manager" if len(members[index]) < 3 else ("host" if n % 40 == 0 else "member")
            status = self.random.choices(["active", "left", "pending", "removed"], [90, 5, 3, 2])[0]
            stage = self.random.choices(["new", "contacted", "active", "lapsed"], [10, 20, 50, 20])[0]
            level = self.random.choices(["core", "contributor", "participant", "observer"], [5, 15, 35, 45])[0]
            last = joined + (self.now - joined) * self.random.random() if stage != "new" else None
            joined_at = None if status == "pending" else joined
            rows.append((communities[index].pk, user_id, role, status, stage, joined_at, joined, level, last))
            members[index].append(user_id)
        columns = ["community_id", "user_id", "role", "status", "stage", "joined_at", "requested_at"]
        copy_rows(Membership, [*columns, "engagement_level", "last_activity_at"], rows)
        self._say(f"{len(rows)} memberships")
        return {"by_community": members, "communities": communities}

    def _events(self, communities, members, count):
        tag = secrets.token_hex(3)  # a new batch never collides with an earlier one
        rows = []
        for i in range(count):
            index = self._community_index()
            starts = self._when(DAYS, future=120)
            status = "completed" if starts < self.now else "published"
            if self.random.random() < 0.03:
                status = "cancelled"
            capacity = self.random.choice([None, 20, 30, 50, 100])
            rows.append(
                (
                    communities[index].pk,
                    f"Meet-up {i + 1}",
                    f"e{tag}-{i}",
                    starts,
                    starts + timedelta(hours=2),
                    status,
                    capacity,
                    "Europe/Moscow",
                )
            )
        columns = ["community_id", "title", "slug", "starts_at", "ends_at", "status", "capacity", "timezone"]
        copy_rows(Event, columns, rows)
        events = list(
            Event.objects.filter(slug__startswith=f"e{tag}-").values_list("pk", "community_id", "starts_at", "status")
        )
        self._say(f"{len(events)} events")
        index_of = {c.pk: n for n, c in enumerate(communities)}
        registrations = []
        for event_id, community_id, starts, _status in events:
            people = members["by_community"][index_of[community_id]]
            for user_id in self.random.sample(people, min(len(people), self.random.randrange(0, 21))):
                if starts < self.now:
                    state = self.random.choices(["attended", "no_show", "cancelled"], [75, 15, 10])[0]
                else:
                    state = self.random.choices(["confirmed", "waitlisted", "cancelled"], [90, 5, 5])[0]
                registrations.append((event_id, user_id, state, starts - timedelta(days=self.random.randrange(1, 30))))
        copy_rows(Registration, ["event_id", "user_id", "status", "created_at"], registrations)
        self._say(f"{len(registrations)} registrations")
        return registrations

    def _fundraising(self, communities, members):
        tag = secrets.token_hex(3)  # a new batch never collides with an earlier one
        campaigns = [
            Campaign(
                community=community,
                title=f"{community.name}: appeal {n + 1}",
                slug=f"c{tag}-{community.pk}-{n}",
                goal=Decimal(self.random.choice([100_000, 500_000, 1_000_000])),
                currency="RUB",
                status="active",
            )
            for community in communities
            for n in range(10)
        ]
        Campaign.objects.bulk_create(campaigns)
        teams = [
            Team(campaign=campaign, name=f"Team {n + 1}", slug=f"team-{n + 1}")
            for campaign in campaigns
            for n in range(3)
        ]
        Team.objects.bulk_create(teams)
        index_of = {c.pk: n for n, c in enumerate(communities)}
        teams_of = {}
        for team in teams:
            teams_of.setdefault(team.campaign_id, []).append(team)
        fundraisers = []
        for n in range(5000):
            campaign = self.random.choice(campaigns)
            people = members["by_community"][index_of[campaign.community_id]]
            if not people:
                continue  # a tiny run leaves some communities empty
            owner = self.random.choice(people)
            team = self.random.choice(teams_of[campaign.pk]) if n % 2 else None
            fundraisers.append(
                Fundraiser(
                    campaign=campaign,
                    owner_id=owner,
                    team=team,
                    title=f"Fundraiser {n + 1}",
                    slug=f"f{tag}-{n}",
                    goal=Decimal(50_000),
                )
            )
        Fundraiser.objects.bulk_create(fundraisers, batch_size=2000)
        self._say(f"{len(campaigns)} campaigns, {len(teams)} teams, {len(fundraisers)} fundraisers")
        return campaigns, fundraisers

    def _donations(self, communities, members, count):
        campaigns, fundraisers = self._fundraising(communities, members)
        by_community = {}
        for campaign in campaigns:
            by_community.setdefault(campaign.community_id, []).append(campaign)
        own = {}
        for fundraiser in fundraisers:
            own.setdefault(fundraiser.campaign_id, []).append(fundraiser)
        tag = secrets.token_hex(3)  # a new batch never collides with an earlier one
        rows = []
        for i in range(count):
            campaign = self.random.choice(by_community[communities[self._community_index()].pk])
            fundraiser = self.random.choice(own[campaign.pk]) if campaign.pk in own and i % 5 < 2 else None
            amount = self.random.choice(AMOUNTS)
            status = self.random.choices(["succeeded", "failed", "pending", "refunded"], [93, 3, 2, 2])[0]
            created = self._when()
            rows.append(
                (
                    campaign.pk,
                    fundraiser.pk if fundraiser else None,
                    fundraiser.team_id if fundraiser else None,
                    amount,
                    "RUB",
                    f"donor{self.random.randrange(300_000)}@example.org",
                    status,
                    "sandbox",
                    f"s{tag}-{i}",
                    amount if status == "refunded" else Decimal(0),
                    created,
                    created if status in ("succeeded", "refunded") else None,
                    "Donor",
                )
            )
            if len(rows) == 100_000:
                self._copy_donations(rows)
                rows = []
        self._copy_donations(rows)
        self._say(f"{count} donations")

    def _copy_donations(self, rows):
        columns = [
            "campaign_id",
            "fundraiser_id",
            "team_id",
            "amount",
            "currency",
            "donor_key",
            "status",
            "provider",
            "idempotency_key",
            "refunded_amount",
            "created_at",
            "succeeded_at",
            "donor_name",
        ]
        copy_rows(Donation, columns, rows)

    def _activity(self, members, registrations):
        memberships = Membership.objects.filter(
            community__in=members["communities"], joined_at__isnull=False
        ).values_list("user_id", "community_id", "joined_at")
        rows = [(user_id, community_id, "joined", joined) for user_id, community_id, joined in memberships.iterator()]
        community_of = dict(
            Event.objects.filter(community__in=members["communities"]).values_list("pk", "community_id")
        )
        for event_id, user_id, status, created in registrations:
            rows.append((user_id, community_of[event_id], "registered", created))
            if status == "attended":
                rows.append((user_id, community_of[event_id], "attended", created + timedelta(days=1)))
        rows = [row for row in rows if row[3] <= self.now]
        copy_rows(Activity, ["user_id", "community_id", "kind", "occurred_at"], rows)
        self._say(f"{len(rows)} activities")

    def _totals(self):
        """The denormalised totals the fundraising pages show, set once in SQL from the donations."""
        with connection.cursor() as cursor:
            for table, key in (
                ("fundraising_campaign", "campaign_id"),
                ("fundraising_fundraiser", "fundraiser_id"),
                ("fundraising_team", "team_id"),
            ):
                cursor.execute(
                    f"""UPDATE {table} t SET raised_amount = s.raised, donation_count = s.n, donor_count = s.donors
                        FROM (SELECT {key} AS id, SUM(amount - refunded_amount) AS raised, COUNT(*) AS n,
                                     COUNT(DISTINCT donor_key) AS donors
                              FROM fundraising_donation
                              WHERE status IN ('succeeded', 'refunded') AND refunded_amount < amount
                                AND {key} IS NOT NULL GROUP BY {key}) s
                        WHERE t.id = s.id"""  # noqa: S608 (table and column names are constants above)
                )
        self._say("totals")


def _constant(field, now):
    """What a column left out of the COPY gets: the field's default, or now for auto timestamps."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    value = field.get_default()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def copy_rows(model, columns, rows):
    """COPY rows into the model's table; every other column gets its default (one value for all rows)."""
    if not rows:
        return
    now = timezone.now()
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    rest = [name for name in fields if name not in columns]
    extra = tuple(_constant(fields[name], now) for name in rest)
    names = ", ".join(fields[name].column for name in [*columns, *rest])
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row + extra)
