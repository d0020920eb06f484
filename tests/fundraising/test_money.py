from decimal import Decimal

import pytest
from django.utils import translation

from fundraising.money import AmountError, amount_parse, from_minor_units, money_format, quantize, to_minor_units


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1500", Decimal("1500.00")),
        ("1 500,50", Decimal("1500.50")),
        ("1500.5", Decimal("1500.50")),
        (Decimal("100"), Decimal("100.00")),
        (250, Decimal("250.00")),
        ("1\u00a0000", Decimal("1000.00")),
    ],
)
def test_amounts_people_type_are_understood(raw, expected):
    assert amount_parse(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-100", "greater than zero"),
        ("0", "greater than zero"),
        ("0.00", "greater than zero"),
        ("100.001", "two decimal places"),
        ("abc", "as a number"),
        ("NaN", "as a number"),
        ("Infinity", "as a number"),
        ("1e400", "largest"),
        ("10000000", "largest"),
        ("99", "smallest"),
        ("", "as a number"),
        (None, "as a number"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_reason(raw, message):
    with pytest.raises(AmountError, match=message):
        amount_parse(raw, expected_currency="RUB")


def test_a_different_currency_is_refused():
    with pytest.raises(AmountError, match="RUB only"):
        amount_parse("500", currency="EUR", expected_currency="RUB")


def test_minor_units_at_the_provider_edge():
    assert to_minor_units(Decimal("1500.5"), "RUB") == 150050
    assert from_minor_units(150050, "RUB") == Decimal("1500.50")
    assert to_minor_units(Decimal("1500"), "JPY") == 1500
    assert quantize("0.005") == Decimal("0.01")


def test_money_is_shown_in_the_viewers_language():
    assert money_format(Decimal("1500"), "RUB", language="ru") == "1\u00a0500\u00a0₽"
    assert money_format(Decimal("1500.50"), "RUB", language="ru") == "1\u00a0500,50\u00a0₽"
    assert money_format(Decimal("1500"), "RUB", language="en") == "RUB\u00a01,500"
    with translation.override("en"):
        assert money_format(Decimal("20"), "USD") == "$20"
