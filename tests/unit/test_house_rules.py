"""Rules of the house that a grep can hold: only app/clock.py reads the wall clock."""

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
WALL_CLOCK = re.compile(r"datetime\.now\(|datetime\.utcnow\(|time\.time\(\)|date\.today\(")


def test_only_the_clock_reads_the_wall_clock():
    offenders = [f"{path.relative_to(APP)}:{number}"
                 for path in APP.rglob("*.py") if path.name != "clock.py" or path.parent != APP
                 for number, line in enumerate(path.read_text().splitlines(), 1) if WALL_CLOCK.search(line)]
    assert offenders == []
