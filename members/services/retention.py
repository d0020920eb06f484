"""Retention: what is kept only for a while is removed by a daily job (members.tasks.personal_data_retention).

Each app registers its rules (`retention_rule`) next to its anonymisers, in `<app>/personal_data.py`;
the periods are settings (README, "Personal data"). Every rule is idempotent and works in batches.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from members.models import OutboundMessage

RETENTION_RULES = []
BATCH = 2000


def retention_rule(func):
    """Register `func(*, now) -> int` (how many rows it cleared) with the daily retention job."""
    RETENTION_RULES.append(func)
    return func


def personal_data_retention(*, now=None):
    """Run every retention rule once. Returns {rule name: rows cleared}."""
    now = now or timezone.now()
    return {rule.__name__.strip("_"): rule(now=now) for rule in RETENTION_RULES}


@retention_rule
def message_bodies(*, now):
    """Texts of e-mails sent (or given up on) longer than MESSAGE_BODY_RETENTION_DAYS ago: the ledger keeps
    that they were sent, to whom and when; their text, headers and attachments go."""
    cutoff = now - timedelta(days=settings.MESSAGE_BODY_RETENTION_DAYS)
    done = ~Q(status=OutboundMessage.Status.QUEUED) & (~Q(body_text="") | ~Q(body_html=""))
    old = OutboundMessage.objects.filter(done, created_at__lt=cutoff)
    cleared = 0
    while ids := list(old.values_list("pk", flat=True)[:BATCH]):
        cleared += OutboundMessage.objects.filter(pk__in=ids).update(
            body_text="", body_html="", headers={}, attachments=[]
        )
    return cleared
