"""The weekly run of the manager's routine at scale: 100,000 members in 500 communities.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/kindred_bench .venv/bin/python bench/weekly_checkins.py

Works only on a database whose name contains "bench" (created when missing, emptied first). Generates
the people with bulk_create, then times, one after the other, what beat runs in a week: the check-in
queue refresh, Monday's digests for every manager and Tuesday's check-in e-mails, and prints the
elapsed time of each, the ledger rows written, the peak Python memory (tracemalloc) and the process's
peak resident size. E-mails are written to the ledger as in production; handing them to the SMTP
server is the workers' job and is left out (it is bounded by the mail server, not by Kindred).
"""

import os
import random
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

COMMUNITIES = int(os.environ.get("BENCH_COMMUNITIES", "500"))
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "100000"))
MANAGERS_PER_COMMUNITY = 3
MONDAY = datetime(2026, 11, 23, 5, 30, tzinfo=UTC)  # 08:30 in Moscow
TUESDAY = MONDAY + timedelta(days=1, hours=5)  # 11:30 in Moscow


def ensure_database():
    url = urlparse(os.environ.get("DATABASE_URL", ""))
    name = url.path.lstrip("/")
    if "bench" not in name:
        sys.exit("Set DATABASE_URL to a throwaway database whose name contains 'bench', e.g. kindred_bench.")
    import psycopg

    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)


def generate():
    from communities.models import Community, Membership
    from members.models import User

    rng = random.Random(6)
    Community.objects.bulk_create(
        Community(name=f"Bench community {n}", slug=f"bench-{n}", timezone="Europe/Moscow") for n in range(COMMUNITIES)
    )
    community_ids = list(Community.objects.order_by("pk").values_list("pk", flat=True))
    people = MEMBERS + COMMUNITIES * MANAGERS_PER_COMMUNITY
    for start in range(0, people, 5000):
        User.objects.bulk_create(
            User(
                email=f"bench{n}@example.org",
                name=f"Person {n}",
                password="!",
                language="ru" if n % 3 else "en",
                consent_news=n % 2 == 0,
                consent_reports=n % 3 == 0,
            )
            for n in range(start, min(start + 5000, people))
        )
    user_ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    rows = []
    for n, user_id in enumerate(user_ids):
        community_id = community_ids[n % COMMUNITIES]
        manager = n < COMMUNITIES * MANAGERS_PER_COMMUNITY
        days = rng.randint(1, 365)
        joined = MONDAY - timedelta(days=days, hours=rng.randint(0, 23))
        stage = Membership.Stage.NEW if days < 30 else rng.choice(list(Membership.Stage))
        last = joined + timedelta(days=rng.randint(0, days)) if stage != Membership.Stage.NEW else None
        rows.append(
            Membership(
                community_id=community_id,
                user_id=user_id,
                role=Membership.Role.MANAGER if manager else Membership.Role.MEMBER,
                stage=stage,
                joined_at=joined,
                requested_at=joined,
                last_activity_at=last,
            )
        )
        if len(rows) == 5000:
            Membership.objects.bulk_create(rows)
            rows = []
    Membership.objects.bulk_create(rows)


def timed(label, call, results):
    from members.models import OutboundMessage

    before = OutboundMessage.objects.count()
    tracemalloc.reset_peak()
    start = time.perf_counter()
    value = call()
    elapsed = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    written = OutboundMessage.objects.count() - before
    results.append((label, elapsed, written, peak))
    print(f"{label:<32} {elapsed:8.1f} s   {written:>7} e-mails   result {value!s:>8}   peak {peak / 2**20:6.1f} MiB")


def main():
    ensure_database()
    import django

    django.setup()
    from communities.routine.services import checkin_messages, checkins, digest
    from members.services import messages as member_services

    # Delivery is the workers' job: the bench measures the scans and the ledger writes.
    member_services._deliver_on_commit = lambda message_id: None

    prepare()
    start = time.perf_counter()
    generate()
    print(f"generated {MEMBERS:,} members in {COMMUNITIES} communities in {time.perf_counter() - start:.1f} s")

    tracemalloc.start()
    results = []
    total = time.perf_counter()
    timed("check-in queue refresh", lambda: checkins.checkins_refresh(now=MONDAY), results)
    timed("check-in queue refresh again", lambda: checkins.checkins_refresh(now=MONDAY), results)
    timed("Monday digests", lambda: digest.digests_send(now=MONDAY), results)
    timed("Monday digests again", lambda: digest.digests_send(now=MONDAY), results)
    timed("Tuesday check-in e-mails", lambda: checkin_messages.checkin_messages_send(now=TUESDAY), results)
    timed("Tuesday check-in e-mails again", lambda: checkin_messages.checkin_messages_send(now=TUESDAY), results)
    elapsed = time.perf_counter() - total
    peak = max(r[3] for r in results)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"weekly run in total: {elapsed:.1f} s; peak Python memory {peak / 2**20:.1f} MiB; peak RSS {rss:.0f} MiB")


if __name__ == "__main__":
    main()
