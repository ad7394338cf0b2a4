"""Service images: lint-clean, multi-stage, slim, non-root, locked dependencies, nothing extra."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from deploy import validate
from deploy.tools import REPO

IMAGES = {
    "members": ("services/members", "services.members.main:app", 8001),
    "tasks": ("services/tasks", "services.tasks.main:app", 8002),
    "matching": ("services/matching", "services.matching.main:app", 8003),
    "notifications": ("services/notifications", "services.notifications.main:app", 8004),
    "gateway": ("gateway", "gateway.main:app", 8000),
}
BUILD_TOOLS = re.compile(r"\b(apt-get|apk|gcc|g\+\+|make|build-essential|uv|pip install)\b")


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[tuple[str, str]]

    def arguments(self, instruction: str) -> list[str]:
        return [args for keyword, args in self.instructions if keyword == instruction]


def stages(dockerfile: Path) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults and the build stages, continuation lines joined."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    defaults, parsed = {}, []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        keyword, _, args = line.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            base, _, name = args.partition(" AS ")
            parsed.append(Stage(re.sub(r"\$\{(\w+)\}", lambda m: defaults[m[1]], base.strip()), name.strip(), []))
        elif not parsed and keyword == "ARG":
            key, _, value = args.partition("=")
            defaults[key] = value
        elif parsed:
            parsed[-1].instructions.append((keyword, args.strip()))
    return defaults, parsed


def test_there_is_one_dockerfile_per_service_and_the_gateway():
    assert {path.name for path in validate.dockerfiles()} == {f"{name}.Dockerfile" for name in IMAGES}


@pytest.mark.parametrize("dockerfile", validate.dockerfiles(), ids=lambda path: path.name)
def test_hadolint_finds_nothing_to_fix(toolbox, dockerfile):
    outcome = validate.hadolint(toolbox, dockerfile)
    assert outcome.ok, outcome.output


def test_hadolint_does_flag_a_careless_dockerfile(toolbox, tmp_path):
    careless = tmp_path / "careless.Dockerfile"
    careless.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y gcc\nRUN pip install fastapi\n")

    outcome = validate.hadolint(toolbox, careless)

    assert not outcome.ok
    for rule in ("DL3007", "DL3008", "DL3013"):  # :latest, unpinned apt and pip packages
        assert rule in outcome.output


@pytest.mark.parametrize("name", IMAGES)
def test_the_final_image_is_slim_python_running_uvicorn_as_a_non_root_user(name):
    package, module, port = IMAGES[name]
    _, (*builders, final) = stages(REPO / "deploy" / "docker" / f"{name}.Dockerfile")

    assert builders, "multi-stage: dependencies are resolved in a build stage"
    assert final.base == "python:3.11-slim"
    [user] = final.arguments("USER")
    assert user.split(":")[0] not in ("0", "root") and user.split(":")[0].isdigit()
    proxies = ["--no-proxy-headers"] if name == "gateway" else []  # the gateway reads X-Forwarded-For itself
    assert json.loads(final.arguments("CMD")[0]) == [
        "uvicorn",
        module,
        "--host",
        "0.0.0.0",
        "--port",
        str(port),
        *proxies,
    ]
    assert (REPO / module.split(":")[0].replace(".", "/")).with_suffix(".py").is_file()
    assert final.arguments("EXPOSE") == [str(port)]
    for command in final.arguments("RUN"):
        assert not BUILD_TOOLS.search(command), command
    assert all(copy.startswith("--from=build ") for copy in final.arguments("COPY"))


@pytest.mark.parametrize("name", IMAGES)
def test_dependencies_come_from_the_lock_file_without_dev_tools(name):
    package, _, _ = IMAGES[name]
    _, all_stages = stages(REPO / "deploy" / "docker" / f"{name}.Dockerfile")
    [build] = [stage for stage in all_stages if stage.name == "build"]

    assert build.base == "python:3.11-slim"  # same interpreter path as the final stage's venv links
    assert any("uv sync --frozen --no-dev" in command for command in build.arguments("RUN"))
    copies = [args.split()[:-1] for args in build.arguments("COPY") if not args.startswith("--from")]
    assert copies[0] == ["pyproject.toml", "uv.lock"]  # first, so code changes keep the dependency layer
    assert [package] in copies and ["services/common"] in copies
    assert (REPO / package).is_dir()


@pytest.mark.parametrize("name", IMAGES)
def test_the_build_context_sends_only_what_the_image_copies(name):
    package, _, _ = IMAGES[name]
    ignore = (REPO / "deploy" / "docker" / f"{name}.Dockerfile.dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*")] == "*"  # deny by default: no .venv, .cache, var/ or local secrets
    assert {"!pyproject.toml", "!uv.lock", "!services/common", f"!{package}"} <= set(ignore)
