"""What the benchmarks say about the machine they ran on, from what they measured, not guessed."""

from __future__ import annotations

import os
from collections.abc import Sequence


def load_words(loads: Sequence[float], who: str = "the benchmark") -> str:
    """Plain words for the 1-minute load averages seen during a run, against the core count."""
    cores = os.cpu_count() or 1
    low, high = min(loads), max(loads)
    if high < cores - 0.5:
        return f"below the number of cores throughout: {who} had the CPUs mostly to itself"
    if low > cores + 0.5:
        return f"above the number of cores throughout: other processes competed with {who} for the CPUs"
    if high > cores + 0.5:
        return f"above the number of cores at times: other processes competed with {who} for the CPUs"
    return "around the number of cores: other processes ran alongside part of the time"
