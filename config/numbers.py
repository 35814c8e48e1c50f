"""Reading a typed-in amount: the one way the services turn user input into a Decimal."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999.99")  # what a DecimalField(max_digits=9, decimal_places=2) holds


def parse_decimal(value: Any, *, blank_is_zero: bool = True) -> Decimal | None:
    """`value` (a number or its text, spaces around allowed) rounded to the cent, or None when it is not a
    finite number; blank (None or "") reads as 0 unless `blank_is_zero` is False. The caller checks its own
    range and says what is wrong in its own words."""
    text = "" if value is None else str(value).strip()
    if not text:
        if not blank_is_zero:
            return None
        text = "0"
    if len(text) > 40:  # longer is never an amount (and Decimal would still parse it)
        return None
    try:
        number = Decimal(text).quantize(CENT)
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None
