"""Fundraising's background work: each task takes ids and calls a service; all are idempotent."""

import requests
from celery import shared_task
from django.conf import settings

from fundraising import services
from fundraising.providers.sandbox import SIGNATURE_HEADER, callback_body, sign
from fundraising.services import checks, statements


@shared_task(bind=True, max_retries=5)
def sandbox_callback_send(self, reference, event, callback_url, refund=None):
    """Post the sandbox's signed callback to Kindred, as a real provider's webhook would arrive."""
    body = callback_body(reference=reference, event=event, refund=refund)
    try:
        response = requests.post(
            callback_url,
            data=body.encode(),
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(body)},
            timeout=10,
        )
        response.raise_for_status()
    except requests.RequestException as exc:
        countdown = min(30 * 2**self.request.retries, settings.TASK_RETRY_MAX_SECONDS)  # under a lease
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task
def donations_expire_pending():
    return services.donations_expire_pending()


@shared_task
def campaigns_end_due():
    """Daily: end campaigns past their last day; each one's donor notes go in its own task."""
    ids = services.campaigns_due_to_end()
    for campaign_id in ids:
        campaign_end.delay(campaign_id)
    return len(ids)


@shared_task
def campaign_end(campaign_id):
    services.campaign_end(campaign_id=campaign_id)


@shared_task
def payments_reconcile():
    """Hourly: ask the providers about gifts not yet final and a sample of recent ones; repair differences."""
    return len(checks.payments_reconcile())


@shared_task
def totals_check():
    """Nightly: stored totals of campaigns, teams and fundraisers against fresh aggregates."""
    return len(checks.totals_check())


@shared_task
def rollups_check():
    """Nightly: the dashboard's daily money rollups against fresh aggregates."""
    return len(checks.rollups_check())


@shared_task
def subscriptions_charge_due():
    """Every ten minutes: open the monthly gifts' months that are due and charge them (once each)."""
    return services.subscriptions_charge_due()


@shared_task
def subscriptions_card_expiring():
    """Daily: tell donors whose saved card is about to expire (once per card)."""
    return services.subscriptions_card_expiring()


@shared_task
def annual_statements_send():
    """Daily in January: e-mail last year's statement to donors who asked for it (once each)."""
    return statements.annual_statements_send()
