"""The linter the project runs (ruff, configured in pyproject.toml), as part of the test command:
a change that breaks a rule fails the suite with the lines to fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_ruff_finds_nothing_to_fix():
    found = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stdout + found.stderr
