"""Money: parse once, round once, convert to minor units only at the provider edge, format with babel."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, get_currency_symbol
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


def amount_parse(raw, *, currency=None, expected_currency=None, minimum=None, maximum=None):
    """Turn typed input ("1 500,50", "1500.5", Decimal) into a Decimal, or raise AmountError.

    Refuses negative, zero, more than two decimals, above the maximum or below the minimum, and a
    currency other than the one expected.
    """
    if expected_currency and currency and currency.upper() != expected_currency.upper():
        raise AmountError(_("This page takes %(currency)s only.") % {"currency": expected_currency})
    value = _to_decimal(raw)
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


def _to_decimal(raw):
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int) and not isinstance(raw, bool):
        value = Decimal(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise AmountError(_("Enter an amount as a number, like 500 or 500.50.")) from None
    else:
        raise AmountError(_("Enter an amount as a number, like 500 or 500.50."))
    if not value.is_finite():
        raise AmountError(_("Enter an amount as a number, like 500 or 500.50."))
    return value.normalize() if value == value.to_integral_value() else value


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
