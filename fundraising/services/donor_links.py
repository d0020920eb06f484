"""The donor's own page without an account: signed, expiring links to everything given under one e-mail.

A link carries the lower-cased e-mail signed with the site's key and a timestamp; it opens the donor's
page for DONOR_LINK_MAX_AGE_DAYS. Receipts carry one, and "find my gifts" sends one to the address
typed, so only whoever reads that mailbox gets in.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from fundraising.services.errors import FundraisingError
from members.services import message_send, unique_key

SALT = "fundraising.donor-page"


class DonorLinkInvalid(FundraisingError):
    """A donor link that is forged, mangled or too old."""


def donor_token(email: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"e": email.strip().lower()}, compress=True)


def donor_page_url(email: str) -> str:
    """The absolute link that opens the donor's page for this e-mail."""
    return settings.SITE_URL + reverse("fundraising:donor_link", kwargs={"token": donor_token(email)})


def donor_token_read(token: str) -> str:
    """The e-mail a valid link proves; DonorLinkInvalid for a forged or expired one."""
    max_age = settings.DONOR_LINK_MAX_AGE_DAYS * 86400
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age)
        return str(data["e"])
    except signing.SignatureExpired:
        raise DonorLinkInvalid(_("This link has expired. Ask for a new one below.")) from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise DonorLinkInvalid(_("This link is not valid. Ask for a new one below.")) from None


def donor_link_send(*, email: str, language: str) -> None:
    """E-mail a fresh link to the donor's page. Sent whether or not there are gifts under the address,
    so the form tells nobody who gave."""
    message_send(
        key=unique_key("donor-link"),
        template="donor_link",
        context={"manage_url": donor_page_url(email), "organisation": settings.ORGANISATION_NAME},
        to_email=email.strip(),
        language=language,
    )
