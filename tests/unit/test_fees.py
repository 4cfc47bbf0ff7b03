"""MTurk's fee schedule and rounding (spec §8), by hand-computed cases."""

from decimal import Decimal

import pytest

from kempelen.domain.money import assignment_cost_cents, assignment_fee, bonus_fee


@pytest.mark.parametrize("reward, max_assignments, masters, fee", [
    ("0.50", 1, False, "0.10"),     # 20%
    ("0.53", 9, False, "0.11"),     # 0.106 rounds half up
    ("0.52", 1, False, "0.10"),     # 0.104 rounds down
    ("0.26", 10, False, "0.10"),    # 40% from 10 assignments: 0.104
    ("1.00", 10, True, "0.45"),     # 20% + 20% + 5% Masters
    ("1.00", 1, True, "0.25"),
    ("0.01", 1, False, "0.01"),     # the minimum fee
    ("0.00", 1, False, "0.01"),
    ("0.025", 1, False, "0.01"),    # 0.005 rounds half up to the cent, the minimum anyway
])
def test_assignment_fee(reward, max_assignments, masters, fee):
    assert assignment_fee(Decimal(reward), max_assignments=max_assignments, masters=masters) == Decimal(fee)


def test_cost_is_reward_plus_fee_in_cents():
    assert assignment_cost_cents(50, max_assignments=3, masters=False) == 60
    assert assignment_cost_cents(25, max_assignments=10, masters=False) == 35


@pytest.mark.parametrize("amount, fee", [("1.00", "0.20"), ("0.03", "0.01"), ("0.53", "0.11"), ("10", "2.00")])
def test_bonus_fee_stays_20_percent_with_a_minimum(amount, fee):
    assert bonus_fee(Decimal(amount)) == Decimal(fee)
