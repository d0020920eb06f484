"""Fundraising writes. Views, the API and tasks import from here."""

from fundraising.services.campaigns import (
    campaign_create,
    campaign_edit,
    campaign_end,
    campaign_end_by_manager,
    campaign_update_post,
    campaigns_due_to_end,
)
from fundraising.services.donations import (
    AmountInvalid,
    donation_record_offline,
    donation_start,
    donation_thank,
)
from fundraising.services.errors import (
    CallbackInvalid,
    FundraisingError,
    PaymentMismatch,
    ProviderUnavailable,
    TransitionRefused,
    UnknownPayment,
    UnknownRefund,
)
from fundraising.services.fundraisers import (
    fundraiser_edit,
    fundraiser_hide,
    fundraiser_open,
    fundraiser_unhide,
    fundraiser_update_post,
    team_create,
)
from fundraising.services.payments import (
    ALLOWED_TRANSITIONS,
    donation_transition,
    donations_expire_pending,
    payment_callback_process,
    totals_aggregate,
    totals_recompute,
)
from fundraising.services.refunds import RefundRefused, refund_request
from fundraising.services.sandbox import sandbox_payment_complete, sandbox_refund

__all__ = [
    "ALLOWED_TRANSITIONS",
    "AmountInvalid",
    "CallbackInvalid",
    "FundraisingError",
    "PaymentMismatch",
    "ProviderUnavailable",
    "TransitionRefused",
    "RefundRefused",
    "UnknownPayment",
    "UnknownRefund",
    "campaign_create",
    "campaign_edit",
    "campaign_end",
    "campaign_end_by_manager",
    "campaign_update_post",
    "campaigns_due_to_end",
    "donation_record_offline",
    "donation_start",
    "donation_thank",
    "donation_transition",
    "donations_expire_pending",
    "fundraiser_edit",
    "fundraiser_hide",
    "fundraiser_open",
    "fundraiser_unhide",
    "fundraiser_update_post",
    "payment_callback_process",
    "refund_request",
    "sandbox_payment_complete",
    "sandbox_refund",
    "team_create",
    "totals_aggregate",
    "totals_recompute",
]
