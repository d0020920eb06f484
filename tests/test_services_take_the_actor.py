"""Every public service function takes the person acting (`actor`, or `by` in the older modules) so it
can check the permission itself and record who did it; views, the API and tasks only translate the
refusal. The modules are found on disk, so a new service is checked the day it is written.

What acts without a person is listed below, each group with why: reads, the system's own jobs,
the holder of a signed link, and people acting on their own records (named by the parameter that
holds them). A function that changes data on someone's behalf belongs in none of them.
"""

import importlib
import inspect
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACTOR_PARAMETERS = {"actor", "by"}


def names(text):
    return set(text.split())


# Reads and pure helpers: they change nothing, so there is no one to check.
READS = names("""
communities.services.announcements.announcement_reach communities.services.community.rich_text
communities.services.invitations.invitation_check communities.services.invitations.invitation_problem
communities.services.invitations.invitation_status communities.services.invitations.invite_link_check
communities.services.invitations.invite_link_status
events.services.notices.absolute events.services.notices.fundraisers_of events.services.notices.registration_from_token
events.services.notices.registration_links events.services.notices.registration_token
events.services.registrations.answers_clean events.services.registrations.email_key_of
events.services.registrations.registration_active_for events.services.registrations.registration_closed_reason
events.services.reminders.offset_label events.services.reminders.reminders_due
fundraising.services.campaigns.campaigns_due_to_end fundraising.services.campaigns.suggested_amounts_parse
fundraising.services.donations.check_open fundraising.services.donations.donor_fields
fundraising.services.donations.donor_key_for fundraising.services.donations.parse_amount
fundraising.services.donor_consents.donor_consents_of
fundraising.services.donor_links.donor_page_url fundraising.services.donor_links.donor_token
fundraising.services.donor_links.donor_token_read
fundraising.services.payments.counted_aggregates fundraising.services.payments.totals_aggregate
fundraising.services.statements.statement_for fundraising.services.statements.statement_pdf
fundraising.services.statements.statement_years
fundraising.services.subscriptions.charge_moment fundraising.services.subscriptions.next_opening
fundraising.services.subscriptions.period_next fundraising.services.subscriptions.period_of
fundraising.services.subscriptions.subscription_charges_due_ids
members.services.accounts.bio_clean members.services.accounts.community_preferences_of
members.services.accounts.consents_current members.services.accounts.personal_data_section
members.services.accounts.user_find_by_email members.services.accounts.verified_emails
members.services.erasure.communities_only_managed_by members.services.erasure.former_supporter
members.services.erasure.personal_data_covered members.services.erasure.personal_text
members.services.erasure.user_anonymiser
members.services.messages.consents_allow members.services.messages.message_render
members.services.messages.recipient_language members.services.messages.unique_key
members.services.messages.unsubscribe_read members.services.messages.unsubscribe_url
members.services.retention.retention_rule
communities.crm.services.contacts.directory_message_reach communities.crm.services.contacts.tag_name_clean
communities.routine.services.checkin_messages.answer_label communities.routine.services.checkin_messages.reply_links
communities.routine.services.checkin_messages.reply_read communities.routine.services.checkin_messages.reply_token
communities.routine.services.checkins.communities_in_batches communities.routine.services.checkins.community_today
communities.routine.services.checkins.community_zone
communities.routine.services.digest.digest_data communities.routine.services.digest.week_key
communities.routine.services.mobilisation.calls_of communities.routine.services.mobilisation.go_read
communities.routine.services.mobilisation.go_url communities.routine.services.mobilisation.segment_from
communities.routine.services.mobilisation.segment_memberships
communities.routine.services.onboarding.id_batches communities.routine.services.onboarding.onboarding_steps_for
communities.routine.services.onboarding.step_content communities.routine.services.onboarding.upcoming_events
communities.routine.services.reports.reported_month
""")

# The system acts: beat jobs, workers finishing what a checked service queued, provider callbacks
# (verified against the provider's own answer), and bookkeeping a checked service calls inside its
# transaction. No person is behind them, so none is checked.
SYSTEM = names("""
communities.services.announcements.announcement_email_batch
events.services.hosting.events_complete_due events.services.reminders.event_reminders_send
fundraising.services.campaigns.campaign_end
fundraising.services.checks.payments_reconcile fundraising.services.checks.rollups_check
fundraising.services.checks.totals_check
fundraising.services.payments.counted_change fundraising.services.payments.donation_lock
fundraising.services.payments.donations_expire_pending fundraising.services.payments.payment_apply
fundraising.services.payments.payment_callback_process fundraising.services.payments.totals_recompute
fundraising.services.payments.totals_recompute_model
fundraising.services.refunds.refunds_pending_check fundraising.services.refunds.refunds_sync
fundraising.services.refunds.refunds_unanswered_settle
fundraising.services.rollups.campaign_rollups_rebuild fundraising.services.rollups.donation_day_update
fundraising.services.rollups.donation_day_add
fundraising.services.rollups.donation_days_rebuild fundraising.services.rollups.donation_days_refresh
fundraising.services.rollups.rollups_check
fundraising.services.sandbox.sandbox_card_create fundraising.services.sandbox.sandbox_payment_complete
fundraising.services.sandbox.sandbox_refund fundraising.services.sandbox.sandbox_refund_fail
fundraising.services.statements.annual_statements_send
fundraising.services.subscriptions.subscription_charge_attempt
fundraising.services.subscriptions.subscription_donation_settled
fundraising.services.subscriptions.subscriptions_campaign_ended
fundraising.services.subscriptions.subscriptions_card_expiring
fundraising.services.subscriptions.subscriptions_charge_due fundraising.services.subscriptions.subscriptions_open_due
members.services.accounts.user_mfa_changed members.services.accounts.user_mfa_require
members.services.activity.activity_record_many members.services.activity.engagement_refresh
members.services.messages.message_claim members.services.messages.message_deliver
members.services.messages.message_mark_failed members.services.messages.message_mark_sent
members.services.messages.message_mark_skipped members.services.messages.message_queue
members.services.messages.message_send members.services.messages.messages_requeue_stale
members.services.retention.message_bodies members.services.retention.personal_data_retention
communities.crm.services.contacts.directory_message_batch_send
communities.crm.services.contacts.tag_get_or_create
communities.crm.services.imports.member_import_fail communities.crm.services.imports.member_import_run
communities.crm.services.imports.member_imports_resume
communities.routine.services.checkin_messages.checkin_messages_send
communities.routine.services.checkin_messages.community_checkin_messages_send
communities.routine.services.checkins.checkin_entry_add_reply communities.routine.services.checkins.checkins_refresh
communities.routine.services.checkins.community_checkins_refresh
communities.routine.services.digest.community_digest_send communities.routine.services.digest.digests_send
communities.routine.services.mobilisation.call_to_action_batch_send
communities.routine.services.onboarding.onboarding_send
communities.routine.services.reports.donor_reports_send communities.routine.services.reports.owner_reports_send
communities.routine.services.reports.reports_send
events.services.hosting.questions_set
""")
# E-mails about something a checked service (or a callback) just did; they go to the people it concerns.
SYSTEM_MODULES = {"fundraising.services.notifications"}

# The holder of a signed link acts (an invitation, an unsubscribe or reply link, a donor's magic link):
# the token is the permission, checked inside.
LINK_HOLDERS = names("""
communities.services.invitations.invitation_sign_up members.services.messages.unsubscribe_apply
fundraising.services.donor_links.donor_link_send
communities.routine.services.checkin_messages.checkin_reply_note
communities.routine.services.checkin_messages.checkin_reply_record
communities.routine.services.mobilisation.call_to_action_open
communities.routine.services.mobilisation.call_to_action_respond
""")

# A person acting on their own records: the parameter named here is the one acting (a donor may be a
# visitor, so giving takes `user` that may be anonymous).
SELF = {
    "communities.services.invitations.invitation_accept": "user",
    "communities.services.invitations.invite_link_use": "user",
    "communities.services.membership.membership_join": "user",
    "communities.services.membership.membership_leave": "user",
    "events.services.registrations.registration_create": "user",
    "fundraising.services.donations.donation_start": "user",
    "fundraising.services.donations.giving_consents_record": "user",
    "fundraising.services.donor_consents.donor_consents_set": "by_email",
    "fundraising.services.subscriptions.subscription_start": "user",
    "fundraising.services.fundraisers.fundraiser_open": "owner",
    "fundraising.services.fundraisers.team_create": "captain",
    "members.services.accounts.community_preference_set": "user",
    "members.services.accounts.consent_record": "user",
    "members.services.accounts.consents_given": "user",
    "members.services.accounts.user_api_token_revoke": "user",
    "members.services.accounts.user_api_token_rotate": "user",
    "members.services.accounts.user_data_export": "user",
    "members.services.accounts.user_update_profile": "user",
    "members.services.erasure.user_anonymise": "user",
    "members.services.erasure.user_delete": "user",
}


def service_modules():
    for path in sorted(ROOT.glob("*/services.py")) + sorted(ROOT.glob("*/services/*.py")):
        yield from _module_name(path)
    for path in sorted(ROOT.glob("*/*/services.py")) + sorted(ROOT.glob("*/*/services/*.py")):
        yield from _module_name(path)


def _module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[0].startswith(".") or parts[-1] == "__init__" or parts[0] == "tests":
        return
    yield ".".join(parts)


def service_functions():
    for name in service_modules():
        module = importlib.import_module(name)
        for function_name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == name and not function_name.startswith("_"):
                yield f"{name}.{function_name}", list(inspect.signature(function).parameters)


def test_every_service_takes_the_person_acting():
    exempt = READS | SYSTEM | LINK_HOLDERS
    missing = [
        name
        for name, parameters in service_functions()
        if not ACTOR_PARAMETERS & set(parameters)
        and name not in exempt
        and name not in SELF
        and name.rsplit(".", 1)[0] not in SYSTEM_MODULES
    ]

    assert missing == []


def test_people_acting_for_themselves_are_named_by_the_parameter_listed():
    found = dict(service_functions())

    assert {name: found.get(name) for name, who in SELF.items() if who not in found.get(name, [])} == {}


def test_the_lists_name_only_services_that_exist():
    found = dict(service_functions())
    listed = READS | SYSTEM | LINK_HOLDERS | set(SELF)

    assert sorted(listed - set(found)) == []
    assert len(found) > 200
