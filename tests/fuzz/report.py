"""Counts per operation and per kind of defect, printed at the end of a fuzz run and written as JSON."""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

ITERATIONS = int(os.environ.get("KEMPELEN_FUZZ_ITERATIONS", "50"))
SEED = int(os.environ.get("KEMPELEN_FUZZ_SEED", "9"))
#: valid requests at the model's edges, per operation (each compared with a fingerprint before and after)
EXTREME_ITERATIONS = max(1, ITERATIONS // 16)
FINGERPRINT_EVERY = 50


class Tally:
    def __init__(self, name: str):
        self.name = name
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.statuses: Counter = Counter()
        self.failures: list[str] = []
        self.fingerprints = 0

    def add(self, operation: str, kind: str, status: int) -> None:
        self.counts[operation][kind] += 1
        self.statuses[status] += 1

    def fail(self, text: str) -> None:
        if len(self.failures) < 25:
            self.failures.append(text)

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.counts.values())

    def write(self, seconds: float) -> str:
        kinds = sorted({kind for c in self.counts.values() for kind in c})
        lines = [f"{self.name}: {self.total} requests in {seconds:.1f}s (seed {SEED}, {ITERATIONS} per operation), "
                 f"statuses {dict(sorted(self.statuses.items()))}, {self.fingerprints} fingerprints compared"]
        width = max(len(op) for op in self.counts) if self.counts else 10
        lines.append(f"{'operation':<{width}} {'total':>6} " + " ".join(f"{k[:12]:>12}" for k in kinds))
        for operation in sorted(self.counts):
            row = self.counts[operation]
            lines.append(f"{operation:<{width}} {sum(row.values()):>6} " + " ".join(f"{row[k]:>12}" for k in kinds))
        text = "\n".join(lines)
        target = Path(os.environ.get("KEMPELEN_FUZZ_REPORT_DIR", tempfile.gettempdir()))
        target.mkdir(parents=True, exist_ok=True)
        (target / f"kempelen-fuzz-{self.name}.json").write_text(json.dumps({
            "seed": SEED, "iterations": ITERATIONS, "seconds": round(seconds, 2), "total": self.total,
            "statuses": {str(k): v for k, v in self.statuses.items()},
            "counts": {op: dict(c) for op, c in sorted(self.counts.items())}}, indent=1))
        return text
