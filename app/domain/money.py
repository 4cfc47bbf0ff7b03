"""Money: Decimal in, integer cents stored, two-decimal strings out. Never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

# Ceilings that keep every sum the ledger and workers' earnings compute (SUM over 64-bit cents; SQLite's
# sum() fails on overflow) far from 2**63 cents: a Reward or bonus of at most a million dollars, a movement
# of funds of at most a billion. MTurk documented none; no real HIT comes near them.
MAX_PAYMENT = Decimal("1000000.00")
MAX_FUNDS_MOVEMENT = Decimal("1000000000.00")


def parse_amount(text: str) -> Decimal:
    """A CurrencyAmount already matched against ^[0-9]+(\\.)?[0-9]{0,2}$ ("5", "5.", "0.5", "101.42")."""
    return Decimal(text.rstrip(".") or "0")


def to_cents(amount: Decimal) -> int:
    return int((amount / CENT).to_integral_value(rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) * CENT).quantize(CENT)


def format_amount(cents: int) -> str:
    """As MTurk printed amounts: always two decimals ("0.50", "10000.00", "-0.05"). In integers: every HIT
    of a listing shows its reward, and the Decimal round trip cost more than the rest of its view."""
    whole, part = divmod(abs(cents), 100)
    return f"{'-' if cents < 0 else ''}{whole}.{part:02d}"


def round_to_cent(amount: Decimal) -> Decimal:
    """MTurk rounded fees half up to the cent ($0.105 -> $0.11)."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


# --- MTurk's fee schedule (spec §8) ----------------------------------------------------------------------

COMMISSION = Decimal("0.20")
LARGE_BATCH_SURCHARGE = Decimal("0.20")   # on the reward, for HITs with 10 or more assignments
LARGE_BATCH_ASSIGNMENTS = 10
MASTERS_PREMIUM = Decimal("0.05")         # on the reward, for HITs that require Masters
MINIMUM_FEE = Decimal("0.01")             # per assignment and per bonus


def _fee(amount: Decimal, rate: Decimal) -> Decimal:
    return max(MINIMUM_FEE, round_to_cent(amount * rate))


def assignment_fee(reward: Decimal, *, max_assignments: int, masters: bool) -> Decimal:
    rate = COMMISSION
    if max_assignments >= LARGE_BATCH_ASSIGNMENTS:
        rate += LARGE_BATCH_SURCHARGE
    if masters:
        rate += MASTERS_PREMIUM
    return _fee(reward, rate)


def assignment_cost_cents(reward_cents: int, *, max_assignments: int, masters: bool) -> int:
    """What one approved assignment costs the requester: reward plus fee, in cents."""
    reward = from_cents(reward_cents)
    return to_cents(reward + assignment_fee(reward, max_assignments=max_assignments, masters=masters))


def bonus_fee(amount: Decimal) -> Decimal:
    return _fee(amount, COMMISSION)
