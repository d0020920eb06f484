"""The sandbox checkout's own side: recording a test payment's outcome and sending its callback."""

from django.db import transaction

from fundraising.models import SandboxPayment
from fundraising.money import AmountError, amount_parse
from fundraising.services.errors import FundraisingError, ProviderUnavailable


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


@transaction.atomic
def sandbox_refund(*, reference, amount, callback_url, language=None):
    """Refund a paid test payment from the sandbox's own page, as from a provider's dashboard; then have a
    worker post the signed refund callback to Kindred. `amount` is typed text, read in `language`.

    Raises FundraisingError for an unknown or unpaid payment or an amount above what remains.
    """
    from fundraising.providers.sandbox import sandbox_refund_add
    from fundraising.tasks import sandbox_callback_send

    payment = SandboxPayment.objects.select_for_update().filter(reference=reference).first()
    if payment is None:
        raise FundraisingError("No such test payment.")
    try:
        value = amount_parse(
            amount, expected_currency=payment.currency, minimum="0.01", maximum="9999999999.99", language=language
        )
        refund = sandbox_refund_add(payment=payment, amount=value)
    except (AmountError, ProviderUnavailable) as exc:
        raise FundraisingError(str(exc)) from exc
    sandbox_callback_send.delay_on_commit(reference, "refund.succeeded", callback_url, refund.reference)
    return refund
