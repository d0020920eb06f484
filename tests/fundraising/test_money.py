from decimal import Decimal

import pytest
from django.utils import translation

from fundraising.money import AmountError, amount_parse, from_minor_units, money_format, quantize, to_minor_units

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"
READ = "read"

# (language, what a person types, the amount read, or the start of the message refusing it)
TYPED = [
    ("en", "1500", Decimal("1500.00")),
    ("en", "1,500", Decimal("1500.00")),
    ("en", "100,000", Decimal("100000.00")),
    ("en", "1,500.50", Decimal("1500.50")),
    ("en", "1500.5", Decimal("1500.50")),
    ("en", "0.50", Decimal("0.50")),
    ("en", f"1{NBSP}500", Decimal("1500.00")),
    ("en", f"1{NNBSP}500.25", Decimal("1500.25")),
    ("en", f"1{THIN}500", Decimal("1500.00")),
    ("en", "150 000", Decimal("150000.00")),
    ("en", "₽1,500", Decimal("1500.00")),
    ("en", "RUB 1,500", Decimal("1500.00")),
    ("en", "1,500 RUB", Decimal("1500.00")),
    ("en", "1500 ₽", Decimal("1500.00")),
    ("en", "  750  ", Decimal("750.00")),
    ("en", "1,50", "We could not read “1,50” as an amount. Write it like 1,500.50."),
    ("en", "100,50", "We could not read “100,50” as an amount. Write it like 1,500.50."),
    ("en", "1500,50", "We could not read “1500,50” as an amount. Write it like 1,500.50."),
    ("en", "1.500", "We could not read “1.500” as an amount. Write it like 1,500.50."),
    ("en", "1.500,50", "We could not read “1.500,50” as an amount. Write it like 1,500.50."),
    ("en", "1 500,50", "We could not read “1 500,50” as an amount. Write it like 1,500.50."),
    ("en", "12 34", "We could not read “12 34” as an amount. Write it like 1,500.50."),
    ("en", "$100", "This page takes RUB only."),
    ("en", "€ 100", "This page takes RUB only."),
    ("en", "100 USD", "This page takes RUB only."),
    ("en", "ten", "Enter an amount as a number"),
    ("en", "-5", "Enter an amount greater than zero."),
    ("en", "0", "Enter an amount greater than zero."),
    ("ru", "1500", Decimal("1500.00")),
    ("ru", "1500,50", Decimal("1500.50")),
    ("ru", "100,5", Decimal("100.50")),
    ("ru", "1 500", Decimal("1500.00")),
    ("ru", f"1{NBSP}500,50", Decimal("1500.50")),
    ("ru", f"1{NNBSP}500", Decimal("1500.00")),
    ("ru", f"1{THIN}000{THIN}000", Decimal("1000000.00")),
    ("ru", "1500.50", Decimal("1500.50")),
    ("ru", "1 500 ₽", Decimal("1500.00")),
    ("ru", f"1{NBSP}500{NBSP}₽", Decimal("1500.00")),
    ("ru", "1500 руб.", Decimal("1500.00")),
    ("ru", "1500 руб", Decimal("1500.00")),
    ("ru", "1500р.", Decimal("1500.00")),
    ("ru", "RUB 1500", Decimal("1500.00")),
    ("ru", "1 500 рублей", Decimal("1500.00")),
    ("ru", "100,000", "We could not read “100,000” as an amount. Write it like 1\u00a0500,50."),
    ("ru", "1.500", "We could not read “1.500” as an amount. Write it like 1\u00a0500,50."),
    ("ru", "1,500.50", "We could not read “1,500.50” as an amount. Write it like 1\u00a0500,50."),
    ("ru", "1.500,50", "We could not read “1.500,50” as an amount. Write it like 1\u00a0500,50."),
    ("ru", "1 50", "We could not read “1 50” as an amount. Write it like 1\u00a0500,50."),
    ("ru", "$100", "This page takes RUB only."),
    ("ru", "100 €", "This page takes RUB only."),
    ("ru", "сто", "Enter an amount as a number"),
    ("ru", "0,00", "Enter an amount greater than zero."),
]


@pytest.mark.parametrize(("language", "raw", "expected"), TYPED)
def test_amounts_are_read_the_way_the_page_writes_them(language, raw, expected):
    """The parser speaks the page's locale; the messages are checked in English (Russian: test_i18n)."""
    if isinstance(expected, Decimal):
        assert amount_parse(raw, expected_currency="RUB", minimum="0.01", language=language) == expected
    else:
        with pytest.raises(AmountError) as refused:
            amount_parse(raw, expected_currency="RUB", minimum="0.01", language=language)
        assert str(refused.value).startswith(expected)


def test_the_table_covers_both_languages_with_forty_inputs():
    assert sum(1 for row in TYPED if row[0] == "en") >= 20
    assert sum(1 for row in TYPED if row[0] == "ru") >= 20


def test_a_russian_page_refuses_in_russian():
    with translation.override("ru"), pytest.raises(AmountError) as refused:
        amount_parse("100,000", expected_currency="RUB", minimum="0.01", language="ru")
    assert str(refused.value) == "Не удалось прочитать «100,000» как сумму. Напишите так: 1\u00a0500,50."


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1500", Decimal("1500.00")),
        ("1500.5", Decimal("1500.50")),
        (Decimal("100"), Decimal("100.00")),
        (250, Decimal("250.00")),
    ],
)
def test_the_api_reads_plain_numbers(raw, expected):
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
        ("1e400", "as a number"),
        ("1 500,50", "as a number"),
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
