"""deploy/tools.py installs real validators once; deploy/json_schemas.py keeps CRD checks strict."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from deploy import json_schemas, tools


def test_installed_tools_are_the_pinned_versions(toolbox):
    def version(*command) -> str:
        done = subprocess.run([str(c) for c in command], capture_output=True, text=True, timeout=30)
        return done.stdout + done.stderr

    # Go records the module and version each binary was built from.
    for binary, (package, pinned) in [
        (toolbox.kustomize, tools.KUSTOMIZE),
        (toolbox.kubeconform, tools.KUBECONFORM),
        (toolbox.compose_spec, tools.COMPOSE_SPEC),
    ]:
        assert f"path\t{package}\n" in version("go", "version", "-m", binary)
        assert f"\t{pinned}\t" in version("go", "version", "-m", binary)
    assert f"Haskell Dockerfile Linter {tools.HADOLINT[1]}" in version(toolbox.hadolint, "--version")
    for kubernetes_version in tools.KUBERNETES_VERSIONS:
        assert (
            toolbox.kubernetes_schemas / f"v{kubernetes_version}-standalone-strict" / "deployment-apps-v1.json"
        ).is_file()
    assert (toolbox.strimzi_schemas / "kafka.strimzi.io" / "kafkatopic_v1.json").is_file()


def test_a_second_call_reuses_the_cache_at_once(toolbox):
    started = time.perf_counter()
    assert tools.ensure_tools() == toolbox
    assert time.perf_counter() - started < 2


def test_an_interrupted_install_leaves_nothing_that_looks_installed(tmp_path, monkeypatch):
    monkeypatch.setattr(tools, "TOOLS_DIR", tmp_path)

    def install(target):
        (target / "half-written").write_text("x")
        raise OSError("disk full")

    with pytest.raises(tools.ToolInstallError, match="installing demo 1.0 failed: OSError: disk full"):
        tools._cached("demo", "1.0", install)
    assert list((tmp_path / "demo").iterdir()) == []


def test_a_failing_installer_command_reports_what_it_ran_and_why():
    with pytest.raises(tools.ToolInstallError, match=r"(?s)demo: `sh -c .*` failed \(exit 3\):\nmodule not found"):
        tools._run(["sh", "-c", "echo module not found >&2; exit 3"], "demo")


def test_a_missing_installer_says_which_program_to_provide():
    with pytest.raises(tools.ToolInstallError, match="`no-such-client` is not on PATH"):
        tools._run(["no-such-client", "install"], "demo")


CRD_SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "partitions": {"type": "integer", "minimum": 1},
                "port": {"x-kubernetes-int-or-string": True},
                "note": {"type": "string", "nullable": True},
                "config": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "properties": {"type": "object", "properties": {"type": {"type": "string"}}},
            },
            "x-kubernetes-validations": [{"rule": "self.partitions > 0"}],
        },
    },
}


def test_crd_schemas_become_strict_json_schemas():
    schema = json_schemas.resource_schema("kafka.strimzi.io", "KafkaTopic", "v1", CRD_SCHEMA)
    spec = schema["properties"]["spec"]

    assert schema["properties"]["apiVersion"]["enum"] == ["kafka.strimzi.io/v1"]
    assert schema["properties"]["kind"]["enum"] == ["KafkaTopic"]
    assert set(schema["required"]) == {"apiVersion", "kind"}
    assert spec["additionalProperties"] is False
    assert spec["properties"]["port"] == {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    assert spec["properties"]["note"]["type"] == ["string", "null"]
    assert "additionalProperties" not in spec["properties"]["config"]  # free-form topic config stays free
    assert spec["properties"]["properties"]["properties"] == {"type": {"type": "string"}}  # a field named "properties"
    assert "x-kubernetes-validations" not in json.dumps(schema)


def test_kubernetes_schemas_are_rewritten_to_refer_to_their_neighbour_file(tmp_path):
    source, target = tmp_path / "src", tmp_path / "out"
    source.mkdir()
    (source / "_definitions.json").write_text(
        json.dumps(
            {
                "$id": "https://kubernetes.io/api/_definitions.json",
                "$defs": {"A": {"$ref": "/api/_definitions.json#/$defs/B"}, "B": {"type": "string"}},
            }
        )
    )
    (source / "thing-v1.json").write_text(
        json.dumps(
            {
                "$id": "https://kubernetes.io/api/thing/v1",
                "$ref": "/api/_definitions.json#/$defs/A",
            }
        )
    )

    assert json_schemas.localize_kubernetes_schemas(source, target) == 2
    assert json.loads((target / "thing-v1.json").read_text()) == {"$ref": "_definitions.json#/$defs/A"}
    definitions = json.loads((target / "_definitions.json").read_text())
    assert definitions == {"$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"type": "string"}}}
