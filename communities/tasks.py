from celery import shared_task

from communities.services import announcements


@shared_task
def announcement_email_task(announcement_id, after_user_id=0):
    """E-mail one batch of an announcement, then queue the next batch (a community of thousands
    never holds one task for long, and a retried batch sends nothing twice)."""
    last_user_id = announcements.announcement_email_batch(announcement_id=announcement_id, after_user_id=after_user_id)
    if last_user_id is not None:
        announcement_email_task.delay(announcement_id, last_user_id)
    return last_user_id
