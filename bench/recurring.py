"""Charge N due monthly gifts through the sandbox in one beat run; print the time and the peak memory.

    createdb kindred_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kindred_bench .venv/bin/python manage.py migrate
    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/kindred_bench .venv/bin/python bench/recurring.py

BENCH_SUBSCRIPTIONS (default 50000) active gifts with saved test cards are made due, then
`subscriptions_charge_due` runs as the beat would: it opens every month and charges it (a claim,
a sandbox charge under its idempotency key, the donation's status with the campaign's totals, the
receipt written to the message ledger). The ledger's delivery tasks are not queued (sending mail is
the workers' job, not the charging run's). Run again and it finds nothing left to charge.
The database must hold nothing but what this script made (it refuses otherwise); each run starts
afresh. Ledger rows of earlier runs stay (their keys name donations that no longer exist).

While it charges it prints a line every BENCH_PROGRESS charges (default 1000) with the rate so far
and how long the rest will take, so a run of 50,000 on a slow or busy machine says early how long it
needs. Peak memory is the process's peak RSS; BENCH_TRACEMALLOC=1 also traces Python's allocations
(exact, but it slows the run by about a third).
"""

import os
import resource
import sys
import time
import tracemalloc
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from communities.models import Community  # noqa: E402
from fundraising.models import (  # noqa: E402
    Campaign,
    Donation,
    SandboxCard,
    SandboxPayment,
    Subscription,
    SubscriptionCharge,
)
from fundraising.services import subscriptions as subs  # noqa: E402
from members.services import messages  # noqa: E402

COUNT = int(os.environ.get("BENCH_SUBSCRIPTIONS", "50000"))
PROGRESS = int(os.environ.get("BENCH_PROGRESS", "1000"))
TRACE = os.environ.get("BENCH_TRACEMALLOC") == "1"
SLUG = "bench-recurring"


def refuse_foreign_data():
    foreign = Campaign.objects.exclude(slug=SLUG).exists() or Community.objects.exclude(slug=SLUG).exists()
    if foreign:
        sys.exit("This database holds data the benchmark did not make; use an empty one (see the docstring).")


def seed(now):
    """A fresh campaign with COUNT active gifts due a minute ago (what an earlier run made is removed)."""
    _forget_earlier_runs()
    community, _ = Community.objects.get_or_create(slug=SLUG, defaults={"name": "Bench"})
    campaign = Campaign.objects.create(
        community=community, slug=SLUG, title="Bench", goal=Decimal("1e9"), status="active"
    )
    cards = SandboxCard.objects.bulk_create(
        (SandboxCard(token=f"sbxcard_bench_{i}", expires_on=date(2099, 1, 1)) for i in range(COUNT)),
        batch_size=5000,
    )
    Subscription.objects.bulk_create((_subscription(campaign, card, i, now) for i, card in enumerate(cards)), 5000)
    return campaign


def _forget_earlier_runs():
    SubscriptionCharge.objects.filter(subscription__campaign__slug=SLUG).delete()
    Donation.objects.filter(campaign__slug=SLUG).delete()
    Subscription.objects.filter(campaign__slug=SLUG).delete()
    Campaign.objects.filter(slug=SLUG).delete()
    SandboxPayment.objects.filter(reference__startswith="sbx_kindred-sub-").delete()
    SandboxCard.objects.filter(token__startswith="sbxcard_bench_").delete()


def _subscription(campaign, card, i, now):
    return Subscription(
        campaign=campaign,
        amount=Decimal("500"),
        currency="RUB",
        day=1,
        donor_name=f"Donor {i}",
        donor_email=f"donor{i}@bench.example.org",
        donor_key=f"donor{i}@bench.example.org",
        provider="sandbox",
        payment_method_id=card.token,
        status=Subscription.Status.ACTIVE,
        started_at=now,
        # Every gift due a minute ago, in the current month, as on a busy first of the month.
        next_period=subs.period_of(now),
        next_charge_at=now - timedelta(minutes=1),
    )


def report_progress(start):
    """Wrap the per-charge service so every PROGRESS charges a line tells the rate and what is left."""
    attempt = subs.subscription_charge_attempt
    done = [0]

    def counted(**kwargs):
        outcome = attempt(**kwargs)
        done[0] += 1
        if done[0] % PROGRESS == 0:
            elapsed = time.perf_counter() - start
            rate = done[0] / elapsed
            left = (COUNT - done[0]) / rate
            print(
                f"  {done[0]:>6} charged in {elapsed:7.1f} s ({rate:6.1f}/s); the rest needs about {left / 60:.1f} min",
                file=sys.stderr,
                flush=True,
            )
        return outcome

    subs.subscription_charge_attempt = counted


def main():
    refuse_foreign_data()
    now = timezone.now()
    seeded = time.perf_counter()
    campaign = seed(now)
    print(f"seeded {COUNT} due monthly gifts in {time.perf_counter() - seeded:.1f} s", file=sys.stderr, flush=True)
    messages._deliver_on_commit = lambda message_id: None
    donations_before = Donation.objects.filter(campaign=campaign, status="succeeded").count()
    if TRACE:
        tracemalloc.start()
    start = time.perf_counter()
    report_progress(start)
    outcome = subs.subscriptions_charge_due(now=now)
    elapsed = time.perf_counter() - start
    if TRACE:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    charged = Donation.objects.filter(campaign=campaign, status="succeeded").count() - donations_before
    again = subs.subscriptions_charge_due(now=now)
    print(f"subscriptions due:       {COUNT}")
    print(f"charged in one run:      {charged} ({outcome})")
    print(f"time:                    {elapsed:.1f} s ({elapsed / max(charged, 1) * 1000:.2f} ms a charge)")
    if TRACE:
        print(f"peak Python memory:      {peak / 2**20:.1f} MiB (tracemalloc)")
    print(f"peak process RSS:        {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MiB")
    print(f"load average (1 min):    {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"a second run:            {again}")
    print(f"database:                {connection.settings_dict['NAME']}")


if __name__ == "__main__":
    main()
