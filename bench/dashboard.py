"""Time the dashboards on a database made by `manage.py seed_scale`, and print median and p95.

    DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/kindred_scale .venv/bin/python bench/dashboard.py

Each page is fetched through Django's test client as a signed-in staff member (the whole request:
middleware, queries, template), after a warm-up; then the same with the figures alone.
"""

import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from communities.insights.selectors import dashboard_build, period_for, scope_zone  # noqa: E402
from communities.models import Community  # noqa: E402
from fundraising.models import Donation  # noqa: E402
from members.models import User  # noqa: E402

WARM_UP = 3
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
PERIODS = os.environ.get("BENCH_PERIODS", "month,year").split(",")


def timed(call):
    for _ in range(WARM_UP):
        call()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[math.ceil(len(times) * 0.95) - 1]


class QueryCounter(list):
    def __call__(self, execute, sql, params, many, context):
        self.append(sql)
        return execute(sql, params, many, context)


def page(client, url):
    def call():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return call


def main():
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DEBUG = False  # no query log kept in memory while timing
    staff, _ = User.objects.get_or_create(email="bench-staff@scale.kindred.test", defaults={"is_staff": True})
    client = Client()
    client.force_login(staff)
    biggest = Community.objects.annotate(n=Count("memberships")).order_by("-n").first()
    print(
        f"data: {User.objects.count():,} people, {Donation.objects.count():,} donations, "
        f"biggest community {biggest.name!r} with {biggest.n:,} members"
    )
    print(f"{'what':48} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for key in PERIODS:
        for label, community, url in (
            ("community page", biggest, f"/c/{biggest.slug}/manage/dashboard/?period={key}"),
            ("organisation page", None, f"/staff/dashboard/?period={key}"),
        ):
            queries = QueryCounter()
            with connection.execute_wrapper(queries):
                assert client.get(url).status_code == 200
            median, p95 = timed(page(client, url))
            print(f"{label + ', ' + key:48} {median:10.1f} {p95:8.1f} {len(queries):8d}")
            period = period_for(key=key, zone=scope_zone(community))
            median, p95 = timed(lambda c=community, p=period: dashboard_build(community=c, period=p))
            print(f"{'  figures alone':48} {median:10.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
