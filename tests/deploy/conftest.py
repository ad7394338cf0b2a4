"""Deployment fixtures: the validators (installed once, cached), a staged deploy tree, its builds.

A validator that cannot be installed fails the tests that need it with the installer's message;
nothing is skipped.
"""

from __future__ import annotations

import pytest

from deploy import validate
from deploy.tools import Toolbox, ToolInstallError, ensure_tools


@pytest.fixture(scope="session")
def toolbox() -> Toolbox:
    try:
        return ensure_tools()
    except ToolInstallError as error:
        pytest.fail(
            f"deployment validators could not be installed (uv run python -m deploy.tools):\n{error}", pytrace=False
        )


@pytest.fixture(scope="session")
def staged_deploy(tmp_path_factory):
    """deploy/ copied with freshly generated secret files, as an operator would have it."""
    return validate.staged_deploy_tree(tmp_path_factory.mktemp("staged"))


@pytest.fixture(scope="session")
def builds(toolbox, staged_deploy) -> dict[str, str]:
    """kustomize build output of base and both overlays."""
    return {
        overlay: validate.kustomize_build(toolbox, staged_deploy / "k8s" / overlay) for overlay in validate.OVERLAYS
    }


@pytest.fixture(scope="session")
def resources(builds) -> dict[str, list[dict]]:
    return {overlay: validate.manifests(text) for overlay, text in builds.items()}


@pytest.fixture(scope="session")
def compose(toolbox, staged_deploy) -> dict:
    return validate.compose_config(toolbox, staged_deploy / "compose.yaml")
