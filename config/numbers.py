"""Reading a typed-in amount: the one way the services turn user input into a Decimal."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999.99")  # what a DecimalField(max_digits=9, decimal_places=2) holds


def parse_decimal(
    value: Any, *, minimum: Decimal = Decimal("0"), maximum: Decimal = MAX_AMOUNT, blank_is_zero: bool = True
) -> Decimal | None:
    """`value` (a number or its text, spaces around allowed) rounded to the cent, or None when it is not a
    finite number within minimum..maximum; blank (None or "") reads as 0 unless `blank_is_zero` is False.
    The caller says what is wrong in its own words."""
    text = "" if value is None else str(value).strip()
    if not text:
        if not blank_is_zero:
            return None
        text = "0"
    if len(text) > 40:  # longer is never an amount; Decimal would parse it (slowly) all the same
        return None
    try:
        number = Decimal(text).quantize(CENT)
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite() or not minimum <= number <= maximum:
        return None
    return number
