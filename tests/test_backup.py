"""README's backup and restore, done for real: pg_dump the database, pg_restore it into a new one."""

import subprocess
from decimal import Decimal

import psycopg
import pytest
from django.db import connection

from fundraising.models import Donation
from fundraising.services import donation_transition
from tests.factories import CommunityFactory
from tests.fundraising.conftest import make_campaign
from tests.fundraising.helpers import make_donation

TOTALS = "SELECT slug, raised_amount, donor_count FROM fundraising_campaign ORDER BY slug"


def _dsn(name):
    db = connection.settings_dict
    return {"host": db["HOST"] or "127.0.0.1", "port": str(db["PORT"] or 5432), "user": db["USER"], "dbname": name}


def _pg(*args, dbname):
    d = _dsn(dbname)
    return ["-h", d["host"], "-p", d["port"], "-U", d["user"], *args]


def _totals(name):
    with psycopg.connect(**_dsn(name)) as conn:
        return conn.execute(TOTALS).fetchall()


@pytest.mark.django_db(transaction=True)  # committed rows, so pg_dump (another connection) sees them
def test_a_dump_restored_into_a_new_database_has_the_same_totals(tmp_path):
    campaign = make_campaign(CommunityFactory())
    for n, amount in enumerate(["1500", "250.50", "4000"]):
        donation = make_donation(campaign, amount=amount, email=f"d{n}@example.org")
        donation_transition(donation_id=donation.pk, to=Donation.Status.SUCCEEDED)
    source = connection.settings_dict["NAME"]
    restored = f"{source}_restore"
    dump = tmp_path / "kindred.dump"

    # The commands README "Deploying" gives, with the connection spelled out.
    subprocess.run(["pg_dump", *_pg("--format=custom", "--file", str(dump), dbname=source), source], check=True)
    subprocess.run(["dropdb", "--if-exists", *_pg(dbname=restored), restored], check=True)
    subprocess.run(["createdb", *_pg(dbname=restored), restored], check=True)
    try:
        subprocess.run(
            ["pg_restore", "--no-owner", "--exit-on-error", *_pg("--dbname", restored, dbname=restored), str(dump)],
            check=True,
        )
        assert _totals(restored) == _totals(source)
        assert (campaign.slug, Decimal("5750.50"), 3) in _totals(restored)
    finally:
        subprocess.run(["dropdb", "--if-exists", *_pg(dbname=restored), restored], check=True)
