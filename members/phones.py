"""Phone numbers as people type them, stored one way (E.164: "+79161234567") and found in any format.

The region for numbers written without a country code ("8 916 123-45-67", "(916) 123-45-67") comes
from the PHONE_REGION setting (default RU).
"""

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

INVALID = _("Enter a phone number that can be dialled, e.g. +7 916 123-45-67 or 8 916 123-45-67.")
# What may appear in a phone number as typed: digits, separators, a leading + and an extension.
TYPED = re.compile(r"^\+?[\d\s().\-–/]+((ext\.?|доб\.?|x)\s*\d+)?$", re.IGNORECASE)


def phone_region():
    return getattr(settings, "PHONE_REGION", "RU") or "RU"


def phone_parse(value, *, region=None):
    """The phonenumbers.PhoneNumber for a typed number, or None when it is not a possible number."""
    value = (value or "").strip()
    if not TYPED.match(value) or len(re.sub(r"\D", "", value)) < 5:
        return None
    try:
        number = phonenumbers.parse(value, region or phone_region())
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def phone_normalise(value, *, region=None):
    """A typed number as E.164 ("+79161234567", an extension kept as "+74951234567;ext=12"); "" for an
    empty value.

    Raises django ValidationError (code "phone_invalid") with a message for the person when the
    value is not a valid number for its country (letters, "(((((", too few digits)."""
    if not (value or "").strip():
        return ""
    number = phone_parse(value, region=region)
    if number is None:
        raise ValidationError(INVALID, code="phone_invalid")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return f"{e164};ext={number.extension}" if number.extension else e164


def phone_display(value, *, region=None):
    """A stored number for reading: "+7 916 123-45-67"; anything unparseable is shown as stored."""
    number = phone_parse(value, region=region)
    if number is None:
        return value or ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def phone_tel_uri(value, *, region=None):
    """A tel: link for a stored number (RFC 3966, no spaces): "tel:+7-916-123-45-67"."""
    number = phone_parse(value, region=region)
    if number is None:
        return "tel:" + "".join(ch for ch in (value or "") if ch.isdigit() or ch == "+")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)


def phone_search_digits(query, *, region=None):
    """What a search box query means as digits of E.164 numbers: a tuple of digit strings, any of which
    matched anywhere in a stored number is a hit; () when the query is no phone search.

    A whole number in any format gives its national digits ("8 916 123-45-67" -> ("9161234567",)), found in
    "+79161234567" and in numbers stored before E.164 ("8 (916) 123-45-67"); a
    fragment gives its digits, and a Russian trunk prefix 8 is also tried as 7 ("8 916 12" ->
    ("891612", "791612"))."""
    query = (query or "").strip()
    digits = re.sub(r"\D", "", query)
    if len(digits) < 3 or not re.fullmatch(r"\+?[\d\s().\-–/]+", query):
        return ()
    number = phone_parse(query, region=region)
    if number is not None:  # the number without its country or trunk prefix is in every way of writing it
        return (phonenumbers.national_significant_number(number),)
    if (region or phone_region()) == "RU" and digits.startswith("8") and not query.startswith("+") and len(digits) > 3:
        return (digits, "7" + digits[1:])
    return (digits,)
