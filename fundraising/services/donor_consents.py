"""What a donor agreed to receive, by their e-mail, with or without an account: monthly reports on the
campaigns they give to, and their annual statement each January.

Asked where they give (the give page) and changed on their own page (a magic link or their account).
Every answer given is recorded (DonorConsentRecord); DonorConsent holds the current ones. A donor with
an account answers for reports through the account's own consent (consent_reports), kept in step here.
"""

from django.db import transaction
from django.utils import timezone

from fundraising.models import DonorConsent, DonorConsentRecord

KINDS = ("reports", "statements")


def donor_consents_of(*, email: str) -> DonorConsent:
    """The donor's current answers (an unsaved row, everything refused, when never asked)."""
    key = email.strip().lower()
    found = DonorConsent.objects.filter(donor_key=key).first()
    return found or DonorConsent(donor_key=key, email=email.strip())


@transaction.atomic
def donor_consents_set(*, by_email: str, choices: dict, source: str, language=None, now=None) -> DonorConsent:
    """Record the donor's answers (only the kinds in `choices`, ticked or not) under the e-mail they
    proved (by a signed link, their account, or giving with it). One record per answer asked."""
    now = now or timezone.now()
    key = by_email.strip().lower()
    asked = {kind: bool(value) for kind, value in choices.items() if kind in KINDS}
    consent, _created = DonorConsent.objects.select_for_update().get_or_create(
        donor_key=key, defaults={"email": by_email.strip(), "updated_at": now}
    )
    for kind, granted in asked.items():
        setattr(consent, kind, granted)
    if language:
        consent.language = language
    consent.updated_at = now
    consent.save()
    DonorConsentRecord.objects.bulk_create(
        DonorConsentRecord(donor_key=key, kind=kind, granted=granted, source=source, recorded_at=now)
        for kind, granted in asked.items()
    )
    return consent
