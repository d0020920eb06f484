"""Retention: the daily job clears message texts, raw import files and never-paid gifts' donor details
after their periods, keeps what is younger, and a second run changes nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from communities.crm.models import MemberImport
from config.celery import app
from fundraising.models import Campaign, Donation
from members import services, tasks
from members.models import OutboundMessage
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()
OLD = NOW - timedelta(days=200)


def message(key, *, status, created_at):
    return OutboundMessage.objects.create(
        key=key,
        to_email="a@example.org",
        language="en",
        template="hello",
        subject="Hello",
        body_text="Dear Anna",
        body_html="<p>Dear Anna</p>",
        status=status,
        created_at=created_at,
    )


def gift(campaign, *, status, created_at, succeeded_at=None):
    return Donation.objects.create(
        campaign=campaign,
        amount=Decimal("300"),
        currency="RUB",
        donor_name="Anna Guest",
        donor_email="anna@example.org",
        donor_key="anna@example.org",
        message="For the kids",
        provider="sandbox",
        status=status,
        created_at=created_at,
        succeeded_at=succeeded_at,
    )


@pytest.fixture
def kept_and_expired():
    community = CommunityFactory()
    campaign = Campaign.objects.create(community=community, title="C", slug="c", goal=1000, status="active")
    manager = UserFactory()
    rows = {
        "old_sent": message("m1", status="sent", created_at=OLD),
        "new_sent": message("m2", status="sent", created_at=NOW),
        "old_queued": message("m3", status="queued", created_at=OLD),
        "old_import": MemberImport.objects.create(
            community=community, uploaded_by=manager, file_name="a.csv", content="email\nanna@example.org\n",
            status="done", created_at=OLD, errors=[{"row": 2, "email": "x@y", "errors": []}],
        ),
        "new_import": MemberImport.objects.create(
            community=community, uploaded_by=manager, file_name="b.csv", content="email\nb@example.org\n",
            status="done", created_at=NOW,
        ),
        "old_expired": gift(campaign, status="cancelled", created_at=OLD),
        "new_expired": gift(campaign, status="cancelled", created_at=NOW),
        "old_paid": gift(campaign, status="succeeded", created_at=OLD, succeeded_at=OLD),
    }  # fmt: skip
    return rows


def test_the_daily_job_clears_what_is_past_its_period_and_keeps_the_rest(kept_and_expired):
    rows = kept_and_expired

    counts = services.personal_data_retention(now=NOW)
    again = tasks.personal_data_retention()

    assert counts == {"message_bodies": 1, "import_files": 1, "expired_gifts": 1}
    assert again == {"message_bodies": 0, "import_files": 0, "expired_gifts": 0}
    for row in rows.values():
        row.refresh_from_db()
    assert (rows["old_sent"].body_text, rows["old_sent"].body_html, rows["old_sent"].subject) == ("", "", "Hello")
    assert rows["new_sent"].body_text == rows["old_queued"].body_text == "Dear Anna"
    assert (rows["old_import"].content, rows["old_import"].errors) == ("", [])
    assert rows["old_import"].file_name == "a.csv"
    assert rows["new_import"].content == "email\nb@example.org\n"
    expired = rows["old_expired"]
    assert (expired.donor_name, expired.donor_email, expired.message, expired.amount) == ("", "", "", Decimal("300"))
    assert expired.donor_key == f"expired:{expired.pk}"
    assert rows["new_expired"].donor_email == rows["old_paid"].donor_email == "anna@example.org"


def test_the_job_is_on_the_beat_schedule():
    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert "members.tasks.personal_data_retention" in tasks_scheduled
