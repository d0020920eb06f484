"""Money: parse once, round once, convert to minor units only at the provider edge, format with babel."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import (
    NumberFormatError,
    format_currency,
    format_decimal,
    get_currency_precision,
    get_currency_symbol,
    parse_decimal,
)
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # what DecimalField(max_digits=12, decimal_places=2) holds


class AmountError(ValueError):
    """An amount a person typed that cannot be taken; the message says why, in their language."""


def quantize(value):
    """The one rounding rule: to kopecks/cents, halves away from zero."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def amount_parse(raw, *, currency=None, expected_currency=None, minimum=None, maximum=None, language=None):
    """Turn an amount into a Decimal rounded to kopecks/cents, or raise AmountError (message for the person).

    `raw` is a Decimal, an int, or text. Text is read in `language` (the page's: "1,500.50" in English,
    "1 500,50" in Russian; any kind of space groups thousands; "₽", "руб.", "RUB", "$" and the like may
    stand before or after the number) or, with `language` None, as plain "1500.50" (the API). Input
    that can be read in two ways ("100,000" in Russian, "1.500") is refused with an example of how to
    write it. Refuses negative, zero, more than two decimals, above the maximum or below the minimum,
    and a currency other than `expected_currency`.
    """
    if expected_currency and currency and currency.upper() != expected_currency.upper():
        raise AmountError(_("This page takes %(currency)s only.") % {"currency": expected_currency})
    value = _to_decimal(raw, language=language, expected_currency=expected_currency)
    if value <= 0:
        raise AmountError(_("Enter an amount greater than zero."))
    if value.as_tuple().exponent < -2:
        raise AmountError(_("Enter an amount with at most two decimal places."))
    minimum = Decimal(minimum if minimum is not None else settings.DONATION_MIN)
    maximum = min(Decimal(maximum if maximum is not None else settings.DONATION_MAX), MAX_AMOUNT)
    if value > maximum:
        raise AmountError(_("The largest amount is %(amount)s.") % {"amount": money_format(maximum, expected_currency)})
    if value < minimum:
        raise AmountError(
            _("The smallest amount is %(amount)s.") % {"amount": money_format(minimum, expected_currency)}
        )
    return quantize(value)


# Signs and codes a person may type around an amount, longest first within each currency.
CURRENCY_SIGNS = {
    "RUB": ("рублей", "рубля", "рубль", "руб.", "руб", "р.", "rub", "₽"),
    "USD": ("usd", "us$", "$"),
    "EUR": ("eur", "€"),
    "GBP": ("gbp", "£"),
}
SPACES = re.compile(r"[\s\u00a0\u2007\u2008\u2009\u200a\u202f]+")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _not_a_number():
    return AmountError(_("Enter an amount as a number, like 500 or 500.50."))


def _to_decimal(raw, *, language=None, expected_currency=None):
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int) and not isinstance(raw, bool):
        value = Decimal(raw)
    elif isinstance(raw, str):
        value = _read_text(raw, language, expected_currency)
    else:
        raise _not_a_number()
    if not value.is_finite():
        raise _not_a_number()
    return value.normalize() if value == value.to_integral_value() else value


def _read_text(raw, language, expected_currency):
    text = _strip_currency(SPACES.sub(" ", raw).strip(), expected_currency)
    if language is None:
        if not PLAIN_NUMBER.fullmatch(text):
            raise _not_a_number()
        return Decimal(text)
    locale = "ru" if language.lower().startswith("ru") else "en"
    if not re.fullmatch(r"-?[\d][\d ,.]*", text):
        raise _not_a_number()
    number = _spaces_as_groups(text, locale)
    try:
        value = parse_decimal(number, locale=locale, strict=True)
    except NumberFormatError:
        raise _ambiguous(raw, locale) from None
    except InvalidOperation:
        raise _not_a_number() from None
    if value.as_tuple().exponent == -3 and re.search(r"[.,]\d{3}$", number):
        raise _ambiguous(raw, locale)  # "1.500" or "100,000": a decimal or thousands?
    return value


def _strip_currency(text, expected_currency):
    """The number without a currency sign or code around it; another currency's is refused."""
    lowered = text.lower()
    for code, signs in CURRENCY_SIGNS.items():
        for sign in signs:
            if lowered.startswith(sign) or lowered.endswith(sign):
                if expected_currency and code != expected_currency.upper():
                    raise AmountError(_("This page takes %(currency)s only.") % {"currency": expected_currency})
                number = text[len(sign) :] if lowered.startswith(sign) else text[: -len(sign)]
                return number.strip()
    return text


def _spaces_as_groups(text, locale):
    """Spaces group thousands in every language: "1 500 000,50" -> the locale's own grouping."""
    if " " not in text:
        return text
    fraction = re.search(r"[.,]\d*$", text)
    whole, tail = (text[: fraction.start()], fraction.group()) if fraction else (text, "")
    groups = whole.split(" ")
    if not groups[0].lstrip("-").isdigit() or any(len(g) != 3 or not g.isdigit() for g in groups[1:]):
        raise _ambiguous(text, locale)
    return ("" if locale == "ru" else ",").join(groups) + tail


def _ambiguous(raw, locale):
    example = format_decimal(Decimal("1500.50"), locale=locale, format="#,##0.00")
    return AmountError(
        _("We could not read “%(value)s” as an amount. Write it like %(example)s.")
        % {"value": raw.strip(), "example": example}
    )


def to_minor_units(amount, currency):
    """1500.50 RUB -> 150050, for a provider's API (never use float)."""
    digits = get_currency_precision(currency)
    return int((quantize(amount) * (10**digits)).to_integral_value())


def from_minor_units(minor, currency):
    digits = get_currency_precision(currency)
    return quantize(Decimal(int(minor)) / (10**digits))


def money_format(amount, currency, *, language=None):
    """`1 500 ₽` in Russian, `RUB 1,500` in English; kopecks shown only when there are any."""
    if amount is None or not currency:
        return ""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    amount = quantize(amount)
    whole = amount == amount.to_integral_value()
    if language.startswith("ru"):
        return format_currency(
            amount, currency, format="#,##0\u00a0¤" if whole else None, locale="ru_RU", currency_digits=not whole
        )
    text = format_currency(amount, currency, format="¤#,##0" if whole else None, locale="en", currency_digits=not whole)
    # "RUB1,500" reads badly; a code (not a sign like $ or €) gets a space: "RUB 1,500".
    code = len(text) > 3 and text[:3].isalpha()
    return f"{text[:3]}\u00a0{text[3:]}" if code else text


def currency_symbol(currency, *, language=None):
    """The sign people read next to an amount field: `₽` in Russian, `RUB` or `€` in English."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    return get_currency_symbol(currency, locale="ru_RU" if language.startswith("ru") else "en")
