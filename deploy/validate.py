"""Check the deployment files with real validators (installed by ``deploy/tools.py``).

    uv run python -m deploy.validate

- ``deploy/compose.yaml`` through compose-go, the loader ``docker compose`` itself uses;
- every Dockerfile under ``deploy/docker/`` through hadolint;
- the kustomize build of ``deploy/k8s`` base, dev and prod through kubeconform, against the
  Kubernetes schemas and Strimzi's CRD schemas, strict (unknown fields fail) and with no
  resource skipped for want of a schema.

Nothing here needs a container engine or a cluster. The test suite (``tests/deploy``) runs the
same functions.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from deploy import make_secrets
from deploy.tools import KUBERNETES_VERSIONS, Toolbox, ToolInstallError, ensure_tools

DEPLOY = Path(__file__).resolve().parent
OVERLAYS = ("base", "overlays/dev", "overlays/prod")


@dataclass(frozen=True)
class Outcome:
    ok: bool
    output: str


def _run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Outcome:
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )
    return Outcome(done.returncode == 0, (done.stdout + done.stderr).strip())


def staged_deploy_tree(workdir: Path) -> Path:
    """A copy of deploy/ with freshly generated secret files where compose and prod expect them.

    The real secret files are git-ignored and absent on a build machine; validation must not
    depend on them, nor write next to them.
    """
    staged = workdir / "deploy"
    shutil.copytree(DEPLOY, staged, ignore=shutil.ignore_patterns("__pycache__", "*.env"))
    make_secrets.write_secret_files(staged / "secrets", make_secrets.secret_files())
    prod_files = make_secrets.secret_files(postgres_host="db.internal.example")
    make_secrets.write_secret_files(staged / "k8s" / "overlays" / "prod" / "secrets", prod_files)
    return staged


def kustomize_build(toolbox: Toolbox, kustomization: Path) -> str:
    outcome = _run([str(toolbox.kustomize), "build", str(kustomization)])
    if not outcome.ok:
        raise AssertionError(f"kustomize build {kustomization} failed:\n{outcome.output}")
    return outcome.output


def kubeconform(toolbox: Toolbox, builds: dict[str, str], kubernetes_version: str) -> Outcome:
    """Validate named multi-document YAML builds in one run (the parsed schemas are shared).

    A kind with no schema is an error, never a skip.
    """
    with tempfile.TemporaryDirectory() as workdir:
        files = []
        for name, text in builds.items():
            files.append(Path(workdir) / f"{name.replace('/', '-')}.yaml")
            files[-1].write_text(text)
        command = [
            str(toolbox.kubeconform),
            "-strict",
            "-summary",
            "-output",
            "text",
            "-kubernetes-version",
            kubernetes_version,
        ]
        for location in toolbox.schema_locations():
            command += ["-schema-location", location]
        return _run([*command, *map(str, files)], cwd=Path(workdir))


def hadolint(toolbox: Toolbox, dockerfile: Path) -> Outcome:
    # "style" is the lowest severity: any finding at all fails.
    return _run([str(toolbox.hadolint), "--no-color", "--failure-threshold", "style", str(dockerfile)])


def compose_config(toolbox: Toolbox, compose_file: Path) -> dict:
    """The compose model as ``docker compose config`` sees it, with variables interpolated."""
    # A clean environment: the defaults written in the file are what gets checked.
    outcome = _run(
        [str(toolbox.compose_spec), "--format", "json", compose_file.name],
        cwd=compose_file.parent,
        env={"PATH": "/usr/bin:/bin"},
    )
    if not outcome.ok:
        raise AssertionError(f"compose-spec rejected {compose_file}:\n{outcome.output}")
    return json.loads(outcome.output)


def manifests(text: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


def dockerfiles() -> list[Path]:
    return sorted((DEPLOY / "docker").glob("*.Dockerfile"))


def validate_everything(toolbox: Toolbox) -> list[tuple[str, Outcome]]:
    results = []
    with tempfile.TemporaryDirectory() as workdir:
        staged = staged_deploy_tree(Path(workdir))
        try:
            compose_config(toolbox, staged / "compose.yaml")
            results.append(("compose.yaml", Outcome(True, "valid")))
        except AssertionError as error:
            results.append(("compose.yaml", Outcome(False, str(error))))
        for dockerfile in dockerfiles():
            results.append((f"docker/{dockerfile.name}", hadolint(toolbox, dockerfile)))
        builds = {}
        for overlay in OVERLAYS:
            try:
                builds[overlay] = kustomize_build(toolbox, staged / "k8s" / overlay)
            except AssertionError as error:
                results.append((f"k8s/{overlay}", Outcome(False, str(error))))
        for version in KUBERNETES_VERSIONS:
            results.append((f"k8s {', '.join(builds)} (Kubernetes {version})", kubeconform(toolbox, builds, version)))
    return results


def main() -> None:
    try:
        toolbox = ensure_tools()
    except ToolInstallError as error:
        sys.exit(str(error))
    failed = 0
    for name, outcome in validate_everything(toolbox):
        print(f"{'ok  ' if outcome.ok else 'FAIL'} {name}")
        if not outcome.ok or outcome.output.startswith("Summary"):
            print("     " + outcome.output.replace("\n", "\n     "))
        failed += not outcome.ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
