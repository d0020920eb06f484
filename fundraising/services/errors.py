class FundraisingError(Exception):
    """A rule of fundraising refused the request; the message is for the person who asked."""


class TransitionRefused(FundraisingError):
    """A donation cannot move from its current status to the one asked for."""


class CallbackInvalid(FundraisingError):
    """A provider callback that is not signed by the provider (or not readable): changes nothing."""


class UnknownPayment(FundraisingError):
    """A verified callback about a payment Kindred did not create."""


class PaymentMismatch(FundraisingError):
    """The provider's payment differs from the donation in amount or currency.

    `code` says what differs, for the note staff read in their language: payment, refund_differs,
    refund_currency, refund_too_large, refund_unknown.
    """

    def __init__(self, message, *, code="payment"):
        super().__init__(message)
        self.code = code


class ProviderUnavailable(FundraisingError):
    """The provider could not be reached or refused to create the payment."""


class UnknownRefund(FundraisingError):
    """A verified refund callback naming a refund the provider does not list for the payment."""
