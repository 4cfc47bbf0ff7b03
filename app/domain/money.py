"""Money: Decimal in, integer cents stored, two-decimal strings out. Never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def parse_amount(text: str) -> Decimal:
    """A CurrencyAmount already matched against ^[0-9]+(\\.)?[0-9]{0,2}$ ("5", "5.", "0.5", "101.42")."""
    return Decimal(text.rstrip(".") or "0")


def to_cents(amount: Decimal) -> int:
    return int((amount / CENT).to_integral_value(rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


def format_amount(cents: int) -> str:
    """As MTurk printed amounts: always two decimals ("0.50", "10000.00")."""
    return f"{from_cents(cents):.2f}"


def round_to_cent(amount: Decimal) -> Decimal:
    """MTurk rounded fees half up to the cent ($0.105 -> $0.11)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
