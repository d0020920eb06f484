"""Money the provider took is never lost: late successes, expiry that asks first, the reconciliation job,
and the checks of totals and rollups that repair drift and tell staff on the jobs page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from fundraising import services, tasks
from fundraising.models import Campaign, Donation, DonationChange, DonationDay, Fundraiser, Refund, SandboxPayment
from fundraising.providers.sandbox import SIGNATURE_HEADER, SandboxProvider, callback_body, sandbox_refund_add, sign
from fundraising.services import checks
from members.jobs import job_note_text
from members.models import JobNote
from tests.fundraising.helpers import make_donation, make_paid

pytestmark = pytest.mark.django_db
S = Donation.Status


def _sandbox_pending(campaign, fundraiser=None, amount="1500", **kwargs):
    """A gift whose donor is at the sandbox's checkout: pending here and at the sandbox."""
    donation = make_donation(campaign, fundraiser=fundraiser, amount=amount, **kwargs)
    reference, _url = SandboxProvider().create_payment(donation)
    Donation.objects.filter(pk=donation.pk).update(provider_reference=reference)
    donation.refresh_from_db()
    return donation


def _pay_at_sandbox(donation):
    SandboxPayment.objects.filter(reference=donation.provider_reference).update(status=SandboxPayment.Status.SUCCEEDED)


def _totals(obj):
    obj.refresh_from_db()
    return obj.raised_amount, obj.donor_count, obj.donation_count


def _callback(client, donation):
    body = callback_body(reference=donation.provider_reference, event="payment.succeeded")
    return client.post(
        reverse("fundraising:callback", kwargs={"provider": "sandbox"}),
        body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: sign(body)},
    )


@pytest.mark.parametrize("local", [S.CANCELLED, S.FAILED])
def test_a_late_payment_makes_a_cancelled_or_failed_gift_succeed_and_count(client, campaign, fundraiser, local):
    donation = _sandbox_pending(campaign, fundraiser)
    services.donation_transition(donation_id=donation.pk, to=local, source=DonationChange.Source.EXPIRY)
    _pay_at_sandbox(donation)

    assert _callback(client, donation).json() == {"outcome": "succeeded"}

    donation.refresh_from_db()
    assert donation.status == S.SUCCEEDED
    assert _totals(fundraiser) == (Decimal("1500"), 1, 1)
    history = list(DonationChange.objects.filter(donation=donation).values_list("from_status", "to_status", "source"))
    assert history == [("pending", local, "expiry"), (local, "succeeded", "callback")]
    assert DonationDay.objects.get(campaign=campaign, fundraiser=fundraiser).amount == Decimal("1500")


def test_expiry_asks_the_provider_first_and_counts_a_paid_gift(campaign):
    now = timezone.now()
    paid = _sandbox_pending(campaign, created_at=now - timedelta(days=4))
    unpaid = _sandbox_pending(campaign, email="u@example.org", created_at=now - timedelta(days=4))
    _pay_at_sandbox(paid)

    assert services.donations_expire_pending(now=now) == 1
    assert services.donations_expire_pending(now=now) == 0

    paid.refresh_from_db()
    unpaid.refresh_from_db()
    assert (paid.status, unpaid.status) == (S.SUCCEEDED, S.CANCELLED)
    assert DonationChange.objects.get(donation=paid).source == "expiry"
    assert _totals(campaign) == (Decimal("1500"), 1, 1)


def test_expiry_leaves_a_gift_pending_when_the_provider_does_not_answer(campaign, settings, provider_http):
    settings.STRIPE_SECRET_KEY = "sk_test_kindred"
    now = timezone.now()
    donation = make_donation(campaign, provider="stripe", reference="cs_1", created_at=now - timedelta(days=4))
    provider_http.on(
        "GET",
        "https://api.stripe.com/v1/checkout/sessions/cs_1",
        lambda r: (500, {"error": {"message": "down", "type": "api_error"}}),
    )

    assert services.donations_expire_pending(now=now) == 0

    donation.refresh_from_db()
    assert donation.status == S.PENDING


def test_reconciliation_repairs_what_the_callbacks_missed_and_tells_staff(client, campaign, fundraiser, admin_client):
    now = timezone.now()
    never_called = _sandbox_pending(campaign, fundraiser, created_at=now - timedelta(hours=1))
    expired = _sandbox_pending(campaign, email="late@example.org", amount="700", created_at=now - timedelta(days=5))
    services.donation_transition(donation_id=expired.pk, to=S.CANCELLED, source=DonationChange.Source.EXPIRY)
    refunded_there = make_paid(campaign, email="r@example.org", amount="1000")
    for donation in (never_called, expired):
        _pay_at_sandbox(donation)
    sandbox_refund_add(
        payment=SandboxPayment.objects.get(reference=refunded_there.provider_reference), amount=Decimal("400")
    )

    messages = checks.payments_reconcile(now=now)
    again = checks.payments_reconcile(now=now)

    assert len(messages) == 3
    assert again == []
    assert _totals(campaign) == (Decimal("2800"), 3, 3)
    assert Refund.objects.get().origin == Refund.Origin.PROVIDER
    assert set(DonationChange.objects.filter(source="reconciliation").values_list("donation_id", flat=True)) == {
        never_called.pk,
        expired.pk,
        refunded_there.pk,
    }
    page = admin_client.get(reverse("staff_jobs")).content.decode()
    assert "What the checks found and repaired" in page
    assert f"Donation {expired.pk} (RUB\u00a0700" in page
    assert JobNote.objects.filter(task="fundraising.tasks.payments_reconcile").count() == 3


def test_the_reconciliation_task_and_command_run_twice_without_repeating(campaign, capsys):
    donation = _sandbox_pending(campaign)
    _pay_at_sandbox(donation)

    assert tasks.payments_reconcile.apply().get() == 1
    assert tasks.payments_reconcile.apply().get() == 0
    call_command("reconcile_payments")

    assert "0 repairs." in capsys.readouterr().out
    assert _totals(campaign) == (Decimal("1500"), 1, 1)


def test_a_provider_amount_that_differs_is_reported_not_applied(campaign):
    donation = _sandbox_pending(campaign)
    SandboxPayment.objects.update(status=SandboxPayment.Status.SUCCEEDED, amount_minor=1)

    messages = checks.payments_reconcile()

    assert "differs" in messages[0]
    donation.refresh_from_db()
    assert donation.status == S.PENDING


def test_the_totals_check_repairs_drift_and_notes_it(campaign, fundraiser, capsys):
    make_paid(campaign, fundraiser=fundraiser, amount="1000")
    Fundraiser.objects.filter(pk=fundraiser.pk).update(raised_amount=Decimal("1"), donor_count=5)
    Campaign.objects.filter(pk=campaign.pk).update(raised_amount=Decimal("999"))

    call_command("check_totals", "--dry-run")
    assert _totals(fundraiser)[0] == Decimal("1")
    assert tasks.totals_check.apply().get() == 1
    assert tasks.totals_check.apply().get() == 0

    assert _totals(fundraiser) == (Decimal("1000"), 1, 1)
    assert _totals(campaign) == (Decimal("1000"), 1, 1)
    note = JobNote.objects.get(task="fundraising.tasks.totals_check")
    with translation.override("en"):
        assert f"fundraiser {fundraiser.pk}: raised 1.00→1000.00" in job_note_text(note)
    with translation.override("ru"):
        assert f"личный сбор {fundraiser.pk}: собрано 1.00→1000.00" in job_note_text(note)


def test_the_rollups_check_repairs_drift_on_any_day(campaign, fundraiser):
    make_paid(campaign, fundraiser=fundraiser, amount="1000", created_at=timezone.now() - timedelta(days=200))
    DonationDay.objects.update(amount=Decimal("3"))

    assert tasks.rollups_check.apply().get() == 1
    assert tasks.rollups_check.apply().get() == 0

    assert DonationDay.objects.get().amount == Decimal("1000")
    assert JobNote.objects.filter(task="fundraising.tasks.rollups_check").count() == 1


def test_a_refund_of_an_old_gift_reaches_its_own_days_rollup_at_once(campaign, manager):
    long_ago = timezone.now() - timedelta(days=90)
    donation = make_paid(campaign, amount="1000", created_at=long_ago)

    services.refund_request(donation=donation, by=manager, amount="250")

    row = DonationDay.objects.get()
    assert (row.amount, row.donations) == (Decimal("750"), 1)
    assert checks.rollups_check(repair=False) == []


def test_the_schedule_runs_the_checks(settings):
    from config.celery import app

    tasks_scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "fundraising.tasks.payments_reconcile",
        "fundraising.tasks.totals_check",
        "fundraising.tasks.rollups_check",
    } <= tasks_scheduled
    assert "fundraising.tasks.donation_days_refresh" not in tasks_scheduled


def test_staff_read_the_checks_notes_in_their_own_language(admin_client, admin_user, campaign):
    # Written by a night job in no one's language; read in each reader's.
    paid = _sandbox_pending(campaign, amount="1500")
    _pay_at_sandbox(paid)
    mismatch = _sandbox_pending(campaign, email="m@example.org")
    SandboxPayment.objects.filter(reference=mismatch.provider_reference).update(
        status=SandboxPayment.Status.SUCCEEDED, amount_minor=1
    )
    Campaign.objects.filter(pk=campaign.pk).update(raised_amount=Decimal("7"))

    checks.payments_reconcile()
    DonationDay.objects.update(amount=Decimal("3"))
    checks.totals_check()
    checks.rollups_check()

    assert set(JobNote.objects.values_list("message", flat=True)) == {""}  # no sentence is stored
    english = admin_client.get(reverse("staff_jobs")).content.decode()
    admin_user.language = "ru"
    admin_user.save(update_fields=["language"])
    russian = admin_client.get(reverse("staff_jobs")).content.decode()

    assert f"Donation {paid.pk} (RUB\u00a01,500, “Warm winter”): now succeeded, as sandbox reports." in english
    assert f"Donation {mismatch.pk}: the amount or currency sandbox reports differs" in english
    assert f"Totals of campaign {campaign.pk} “Warm winter” drifted and were repaired" in english
    assert f"Пожертвование {paid.pk} (1\u00a0500\u00a0₽, «Warm winter»): теперь получено" in russian
    assert f"Пожертвование {mismatch.pk}: сумма или валюта" in russian
    assert f"Итоги кампании {campaign.pk} «Warm winter» расходились с пожертвованиями и исправлены" in russian
    assert "Цифры дашборда кампании" in russian
    assert "Сверка платежей с платёжными сервисами" in russian  # the job that wrote it, by its title
    assert "Check payments with the payment providers" in english
