"""Worker tasks of the member directory: a manager's message to a selection, one batch per task."""

from celery import shared_task
from django.db import DatabaseError

from communities.crm.services import contacts as crm
from communities.crm.services import imports as import_services


# Task names are kept from before the move (communities/tasks_directory.py, members/tasks.py), so messages
# already queued and the beat schedule still find them.
@shared_task(bind=True, max_retries=5, name="communities.tasks_directory.directory_message_batch_task")
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


@shared_task(name="members.tasks.member_import_run")
def member_import_run(import_id):
    try:
        import_services.member_import_run(import_id=import_id)
    except Exception:
        # A row that breaks the worker must not loop for ever: the manager sees the import failed.
        import_services.member_import_fail(import_id=import_id)
        raise


@shared_task(name="members.tasks.member_imports_resume")
def member_imports_resume():
    return import_services.member_imports_resume()
