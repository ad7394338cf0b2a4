"""The checks the project runs as part of the test command: ruff's linter and formatter and mypy
(configured in pyproject.toml), and eslint (gateway/web/eslint.config.mjs). A change that breaks a
rule fails the suite with the lines to fix."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_ruff_finds_nothing_to_fix():
    found = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert found.returncode == 0, found.stdout + found.stderr


def test_the_code_is_as_ruff_format_writes_it():
    """Imports sorted (ruff's isort rules, in the check above) and every file formatted; run
    ``uv run ruff format .`` to fix what this lists."""
    found = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "."], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert found.returncode == 0, found.stdout + found.stderr


def test_mypy_finds_no_type_errors():
    """mypy over the files pyproject.toml lists ([tool.mypy]): strict where its override says so,
    plain elsewhere, in one run."""
    found = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert found.returncode == 0, found.stdout + found.stderr


def test_the_strict_packages_get_every_check_of_mypy_strict():
    """`strict = true` cannot be set per module (it makes the whole run strict), so the override
    lists the flags one by one: this keeps them the flags `--strict` turns on in the installed mypy,
    when a mypy upgrade adds one."""
    from mypy.main import process_options
    from mypy.options import PER_MODULE_OPTIONS

    def options(*flags: str) -> dict[str, object]:
        return process_options(["--config-file", "", *flags, str(REPO / "services" / "common")])[1].snapshot()

    plain, strict = options(), options("--strict")
    turned_on = {name: value for name, value in strict.items() if plain.get(name) != value}
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]
    (override,) = [entry for entry in config["overrides"] if "services.common" in entry["module"]]
    missing = {
        name: value
        for name, value in turned_on.items()
        if (override if name in PER_MODULE_OPTIONS else config).get(name) != value
    }
    assert not missing, f"set these in pyproject.toml's strict override (or [tool.mypy] if global): {missing}"


WEB = REPO / "gateway" / "web"


def test_eslint_finds_nothing_to_fix_in_the_pages_and_the_widget():
    """eslint's recommended rules over the JavaScript browsers run (gateway/web/eslint.config.mjs);
    installed from gateway/web/package-lock.json on first use, as the browser tests' axe-core is."""
    eslint = WEB / "node_modules" / "eslint" / "bin" / "eslint.js"
    if not eslint.exists():
        npm = shutil.which("npm")
        assert npm, "npm is needed once to install eslint (cd gateway/web && npm ci)"
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True, capture_output=True, timeout=300)
    node = shutil.which("node")
    assert node, "node runs eslint"
    found = subprocess.run(
        [node, str(eslint), "--max-warnings", "0", "."], cwd=WEB, capture_output=True, text=True, timeout=120
    )
    assert found.returncode == 0, found.stdout + found.stderr
