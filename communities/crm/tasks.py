"""Worker tasks of the member directory: a manager's message to a selection, one batch per task."""

from celery import shared_task
from django.db import DatabaseError

from communities.services import crm


@shared_task(bind=True, max_retries=5)
def directory_message_batch_task(self, *, community_id, sender_id, message_id, membership_ids, subject, body):
    try:
        return crm.directory_message_batch_send(
            community_id=community_id,
            sender_id=sender_id,
            message_id=message_id,
            membership_ids=membership_ids,
            subject=subject,
            body=body,
        )
    except DatabaseError as exc:
        # Safe to repeat: people already in the ledger for this message are skipped.
        raise self.retry(exc=exc, countdown=min(60 * 2**self.request.retries, 1800)) from exc
