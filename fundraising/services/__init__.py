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
    donation_offline_confirm,
    donation_offline_reject,
    donation_record_offline,
    donation_record_offline_by_owner,
    donation_refund,
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
from fundraising.services.sandbox import sandbox_payment_complete

__all__ = [
    "ALLOWED_TRANSITIONS",
    "AmountInvalid",
    "CallbackInvalid",
    "FundraisingError",
    "PaymentMismatch",
    "ProviderUnavailable",
    "TransitionRefused",
    "UnknownPayment",
    "campaign_create",
    "campaign_edit",
    "campaign_end",
    "campaign_end_by_manager",
    "campaign_update_post",
    "campaigns_due_to_end",
    "donation_offline_confirm",
    "donation_offline_reject",
    "donation_record_offline",
    "donation_record_offline_by_owner",
    "donation_refund",
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
    "sandbox_payment_complete",
    "team_create",
    "totals_aggregate",
    "totals_recompute",
]
