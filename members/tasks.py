from celery import shared_task
from django.conf import settings

from members import services


@shared_task(bind=True, max_retries=settings.MESSAGE_MAX_ATTEMPTS - 1)
def message_deliver_task(self, message_id):
    try:
        services.message_deliver(message_id=message_id)
    except services.MessageDeliveryFailed as exc:
        # Back-off 1, 2, 4 ... minutes, capped well under the broker's visibility timeout.
        raise self.retry(
            exc=exc, countdown=min(settings.MESSAGE_RETRY_BASE_SECONDS * 2**self.request.retries, 1800)
        ) from exc


@shared_task
def messages_requeue_stale():
    return services.messages_requeue_stale()


@shared_task
def personal_data_retention():
    """Daily: message texts, raw import files and expired gifts' donor details past their periods."""
    return services.personal_data_retention()


@shared_task
def engagement_refresh():
    """Nightly: engagement scores and levels, last activity, lapsed stages. Safe to run any time."""
    return services.engagement_refresh()
