"""The sandbox checkout's own side: recording a test payment's outcome and sending its callback."""

import secrets
from datetime import date

from django.db import transaction

from fundraising.models import SandboxCard, SandboxPayment
from fundraising.money import AmountError, amount_parse
from fundraising.services.errors import FundraisingError, ProviderUnavailable


@transaction.atomic
def sandbox_payment_complete(*, reference, succeed, callback_url, card_fails=False):
    """Record the test payment's outcome, then have a worker post the signed callback to Kindred.

    A payment that saves the card (a monthly gift's first) leaves a SandboxCard; `card_fails` makes
    the later charges on it fail."""
    from fundraising.tasks import sandbox_callback_send

    payment = SandboxPayment.objects.select_for_update().filter(reference=reference).first()
    if payment is None:
        raise FundraisingError("No such test payment.")
    if payment.status == SandboxPayment.Status.PENDING:
        payment.status = SandboxPayment.Status.SUCCEEDED if succeed else SandboxPayment.Status.FAILED
        if succeed and payment.save_card:
            payment.card = sandbox_card_create(fails=card_fails)
        payment.save(update_fields=["status", "card"])
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


@transaction.atomic
def sandbox_refund_fail(*, reference, refund_reference, callback_url):
    """Make a test refund fail after it was made, as when a donor's bank returns a real one; then have a
    worker post the signed refund.failed callback to Kindred. Raises FundraisingError for an unknown refund."""
    from fundraising.models import SandboxRefund
    from fundraising.tasks import sandbox_callback_send

    refund = SandboxRefund.objects.select_for_update().filter(payment__reference=reference, reference=refund_reference)
    refund = refund.first()
    if refund is None:
        raise FundraisingError("No such test refund.")
    if not refund.failed:
        refund.failed = True
        refund.save(update_fields=["failed"])
    sandbox_callback_send.delay_on_commit(reference, "refund.failed", callback_url, refund.reference)
    return refund


def sandbox_card_create(*, fails=False, today=None):
    """A new saved test card, valid for three years (the checkout page's "save the card")."""
    today = today or date.today()
    return SandboxCard.objects.create(
        token=f"sbxcard_{secrets.token_hex(12)}", fails=fails, expires_on=date(today.year + 3, today.month, 1)
    )
