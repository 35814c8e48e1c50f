"""config.numbers.parse_decimal: the one reading of a typed-in amount used by every service."""

from decimal import Decimal

import pytest

from config.numbers import parse_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.5", Decimal("12.50")),
        (" 3 ", Decimal("3.00")),
        (7, Decimal("7.00")),
        (Decimal("0.005"), Decimal("0.00")),  # rounded to the cent
        ("", Decimal("0.00")),
        (None, Decimal("0.00")),
        ("-1", Decimal("-1.00")),  # the range is the caller's rule
    ],
)
def test_numbers_are_read_to_the_cent(text, expected):
    assert parse_decimal(text) == expected


@pytest.mark.parametrize("text", ["abc", "NaN", "Infinity", "-inf", "1e999999", "1" * 50, "1,5", "¥5"])
def test_what_is_not_a_finite_amount_is_none(text):
    assert parse_decimal(text) is None


def test_blank_can_be_refused():
    assert parse_decimal("", blank_is_zero=False) is None
    assert parse_decimal(None, blank_is_zero=False) is None
