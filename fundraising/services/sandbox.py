"""The sandbox checkout's own side: recording a test payment's outcome and sending its callback."""

from django.db import transaction

from fundraising.models import SandboxPayment
from fundraising.services.errors import FundraisingError


@transaction.atomic
def sandbox_payment_complete(*, reference, succeed, callback_url):
    """Record the test payment's outcome, then have a worker post the signed callback to Kindred."""
    from fundraising.tasks import sandbox_callback_send

    payment = SandboxPayment.objects.select_for_update().filter(reference=reference).first()
    if payment is None:
        raise FundraisingError("No such test payment.")
    if payment.status == SandboxPayment.Status.PENDING:
        payment.status = SandboxPayment.Status.SUCCEEDED if succeed else SandboxPayment.Status.FAILED
        payment.save(update_fields=["status"])
    event = "payment.succeeded" if payment.status == SandboxPayment.Status.SUCCEEDED else "payment.failed"
    sandbox_callback_send.delay_on_commit(reference, event, callback_url)
    return payment
