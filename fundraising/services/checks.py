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

from fundraising.models import Campaign, Donation, DonationChange, Fundraiser, Team
from fundraising.money import money_format
from fundraising.providers import get_provider
from fundraising.services import rollups
from fundraising.services.errors import PaymentMismatch, ProviderUnavailable
from fundraising.services.payments import counted_aggregates, payment_apply, totals_recompute_model
from fundraising.services.refunds import refunds_pending_check
from members.jobs import job_note_record

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
    for donation in pending + list(final.order_by("?")[:sample]):
        messages += _reconcile_one(donation, now, task)
    for refund in refunds_pending_check(now=now):
        messages.append(
            _note(
                task,
                f"Refund {refund.pk} of donation {refund.donation_id} confirmed by {refund.provider}.",
                refund.donation_id,
            )
        )
    return messages


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
        return [
            _note(
                task,
                f"Donation {donation.pk}: {exc} Nothing was changed; check it at {donation.provider}.",
                donation.pk,
            )
        ]
    if not changes:
        return []
    amount = money_format(donation.amount, donation.currency, language="en")
    changed = ", ".join(changes)
    text = f"Donation {donation.pk} ({amount}, “{donation.campaign.title}”): {changed}, as {donation.provider} reports."
    return [_note(task, text, donation.pk)]


def _note(task, message, donation_id):
    logger.warning("%s: %s", task, message)
    job_note_record(task=task, message=message, data={"donation": donation_id})
    return message


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
    verb = "repaired" if repair else "found (not repaired)"
    text = f"Totals of campaign {campaign_id} “{campaign.title}” drifted and were {verb}: {_describe(diff)}."
    logger.error(text)
    job_note_record(task=task, message=text, data={"campaign": campaign_id, "diff": diff})
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


def _describe(diff):
    parts = [f"{key}: raised {v[0]}→{v[3]}, donations {v[1]}→{v[4]}, donors {v[2]}→{v[5]}" for key, v in diff.items()]
    return "; ".join(parts[:10])


def rollups_check(*, repair=True, task=ROLLUPS_TASK):
    """The dashboard's rollups against fresh aggregates; each drifted campaign is noted. Returns the notes."""
    messages = []
    for campaign_id, rows in sorted(rollups.rollups_check(repair=repair).items()):
        verb = "rewritten" if repair else "not rewritten"
        text = f"Daily money rollups of campaign {campaign_id} differed from its donations in {rows} rows; {verb}."
        logger.error(text)
        job_note_record(task=task, message=text, data={"campaign": campaign_id, "rows": rows})
        messages.append(text)
    return messages
