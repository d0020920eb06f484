"""Periodic checks that keep Kindred's money equal to the provider's and to its own donations.

- payments_reconcile asks each provider about every gift not yet final and a sample of recent final
  ones, and repairs what differs through the state machine (late successes, failures, refunds made at
  the provider); it also asks about refunds still pending at the provider.
- totals_check compares the stored totals of campaigns, teams and fundraisers with fresh aggregates.
- rollups_check (fundraising.services.rollups) does the same for the dashboard's daily rollups.
Each difference found is logged and written to the jobs page (members.jobs.job_note_record).
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from fundraising import job_notes
from fundraising.models import Campaign, Donation, DonationChange, Fundraiser, Refund, Team
from fundraising.providers import get_provider
from fundraising.services import rollups
from fundraising.services.errors import PaymentMismatch, ProviderUnavailable
from fundraising.services.payments import counted_aggregates, payment_apply, totals_recompute_model
from fundraising.services.refunds import refunds_pending_check
from members.jobs import job_note_record, job_note_text

logger = logging.getLogger(__name__)
S = Donation.Status
RECONCILE_TASK = "fundraising.tasks.payments_reconcile"
TOTALS_TASK = "fundraising.tasks.totals_check"
ROLLUPS_TASK = "fundraising.tasks.rollups_check"


def payments_reconcile(*, now=None, sample=50, recent_days=30, limit=2000, task=RECONCILE_TASK):
    """Ask the providers about every pending online gift and `sample` random final ones of the last
    `recent_days` days; repair each difference and note it for staff. Returns the notes' messages.

    A provider that does not answer is skipped for this run (it is logged), never guessed.
    """
    now = now or timezone.now()
    online = Donation.objects.filter(offline=False).exclude(provider_reference="").select_related("campaign")
    pending = list(online.filter(status=S.PENDING).order_by("created_at")[:limit])
    final = online.exclude(status=S.PENDING).filter(created_at__gte=now - timedelta(days=recent_days))
    messages = []
    for donation in pending + list(final.order_by("?")[:sample]) + _refunded_recently(online, now, recent_days):
        messages += _reconcile_one(donation, now, task)
    for refund in refunds_pending_check(now=now):
        data = {"refund": refund.pk, "donation": refund.donation_id, "provider": refund.provider}
        messages.append(_note(task, job_notes.REFUND_CONFIRMED, data | _money(refund)))
    return messages


def _refunded_recently(online, now, recent_days, limit=500):
    # A refund can still fail days after it succeeded (Stripe): every gift with a refund confirmed
    # in these days is asked, not only a sample.
    since = now - timedelta(days=recent_days)
    donations = online.filter(refunds__confirmed_at__gte=since, refunds__state=Refund.State.SUCCEEDED).distinct()
    return list(donations.order_by("pk")[:limit])


def _money(obj):
    return {"amount": str(obj.amount), "currency": obj.currency}


def _reconcile_one(donation, now, task):
    try:
        provider = get_provider(donation.provider)
        payment = provider.fetch_payment(donation.provider_reference)
        refunds = provider.fetch_refunds(donation.provider_reference) if payment.status == "succeeded" else None
        changes = payment_apply(
            donation=donation, payment=payment, refunds=refunds, source=DonationChange.Source.RECONCILIATION, now=now
        )
    except (ProviderUnavailable, KeyError) as exc:
        logger.warning("reconcile: %s did not answer about donation %s: %s", donation.provider, donation.pk, exc)
        return []
    except PaymentMismatch as exc:
        data = {"donation": donation.pk, "provider": donation.provider, "code": exc.code}
        return [_note(task, job_notes.DONATION_MISMATCH, data)]
    if not changes:
        return []
    data = {"donation": donation.pk, "title": donation.campaign.title, "provider": donation.provider}
    return [_note(task, job_notes.DONATION_REPAIRED, data | _money(donation) | {"changes": changes})]


def _note(task, kind, data):
    note = job_note_record(task=task, kind=kind, data=data)
    text = job_note_text(note)
    logger.warning("%s: %s", task, text)
    return text


def totals_check(*, repair=True, task=TOTALS_TASK):
    """Compare the stored totals of every campaign, team and fundraiser with fresh aggregates.

    Drifted campaigns are checked again with their row locked (a payment may have moved the totals
    meanwhile) and repaired; each repair is noted for staff. Returns the notes' messages.
    """
    messages = []
    for campaign_id in sorted(_drifted_campaigns()):
        if message := _campaign_repair(campaign_id, repair, task):
            messages.append(message)
    return messages


def _drifted_campaigns():
    drifted = set()
    for model, field in ((Campaign, "campaign"), (Team, "team"), (Fundraiser, "fundraiser")):
        fresh = {
            row[field]: (row["raised"], row["donations"], row["donors"])
            for row in Donation.objects.filter(**{f"{field}__isnull": False})
            .values(field)
            .annotate(**counted_aggregates())
        }
        key = "pk" if model is Campaign else "campaign_id"
        for pk, campaign_id, *stored in model.objects.values_list(
            "pk", key, "raised_amount", "donation_count", "donor_count"
        ):
            if tuple(stored) != fresh.get(pk, (0, 0, 0)):
                drifted.add(campaign_id)
    return drifted


def _campaign_repair(campaign_id, repair, task):
    fields = ("raised_amount", "donation_count", "donor_count")
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        before = _snapshot(campaign_id, fields)
        for model, field in ((Campaign, "campaign"), (Team, "team"), (Fundraiser, "fundraiser")):
            totals_recompute_model(model, field, [campaign_id])
        after = _snapshot(campaign_id, fields)
        if before == after:
            return None
        if not repair:
            transaction.set_rollback(True)
    diff = {
        key: [str(v) for v in before[key]] + [str(v) for v in after.get(key, ())]
        for key in before
        if before[key] != after.get(key)
    }
    data = {"campaign": campaign_id, "title": campaign.title, "repaired": repair, "diff": diff}
    note = job_note_record(task=task, kind=job_notes.TOTALS_DRIFTED, data=data)
    text = job_note_text(note)
    logger.error(text)
    return text


def _snapshot(campaign_id, fields):
    rows = {f"campaign {campaign_id}": Campaign.objects.filter(pk=campaign_id).values_list(*fields).get()}
    rows |= {
        f"team {pk}": rest for pk, *rest in Team.objects.filter(campaign_id=campaign_id).values_list("pk", *fields)
    }
    rows |= {
        f"fundraiser {pk}": rest
        for pk, *rest in Fundraiser.objects.filter(campaign_id=campaign_id).values_list("pk", *fields)
    }
    return {key: tuple(value) for key, value in rows.items()}


def rollups_check(*, repair=True, task=ROLLUPS_TASK):
    """The dashboard's rollups against fresh aggregates; each drifted campaign is noted. Returns the notes."""
    messages = []
    for campaign_id, rows in sorted(rollups.rollups_check(repair=repair).items()):
        data = {"campaign": campaign_id, "rows": rows, "repaired": repair}
        note = job_note_record(task=task, kind=job_notes.ROLLUPS_DRIFTED, data=data)
        text = job_note_text(note)
        logger.error(text)
        messages.append(text)
    return messages
