"""Turn published schemas into the file layout kubeconform reads from disk.

Two sources, both taken from package registries by ``deploy/tools.py``:

- Kubernetes: the JSON schemas shipped in the PyPI package ``kubernetes-validate``. Each kind's
  file there refers to a shared ``/api/_definitions.json`` by absolute ``$id``; kubeconform
  loads files by path, so the ids are dropped and the references made relative to the file.
- Strimzi: the ``openAPIV3Schema`` of each version of each CustomResourceDefinition, converted to
  JSON Schema. Strict like kubeconform's own schemas: an object that lists its properties rejects
  unknown ones (a misspelt field fails instead of being silently ignored), unless the CRD marks
  it ``x-kubernetes-preserve-unknown-fields``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import yaml

SHARED_DEFINITIONS = "_definitions.json"


def localize_kubernetes_schemas(source: Path, target: Path) -> int:
    """Copy one ``vX.Y.Z-local-strict`` folder as kubeconform-readable files; returns the count."""
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in sorted(source.glob("*.json")):
        text = path.read_text()
        # Kind files point at "/api/_definitions.json#..."; the definitions file at itself.
        local_ref = "#" if path.name == SHARED_DEFINITIONS else SHARED_DEFINITIONS + "#"
        document = json.loads(text.replace(f'"/api/{SHARED_DEFINITIONS}#', f'"{local_ref}'))
        document.pop("$id", None)
        (target / path.name).write_text(json.dumps(document))
        count += 1
    if count == 0:
        raise ValueError(f"no schemas found in {source}")
    return count


def crd_documents(texts: Iterable[str]) -> list[dict]:
    documents = []
    for text in texts:
        documents += [doc for doc in yaml.safe_load_all(text) if doc and doc.get("kind") == "CustomResourceDefinition"]
    return documents


def write_crd_schemas(crds: Iterable[dict], target: Path) -> list[Path]:
    """One ``<group>/<kind>_<version>.json`` per served CRD version (kubeconform's CRD layout)."""
    written = []
    for crd in crds:
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schema = resource_schema(group, kind, version["name"], version["schema"]["openAPIV3Schema"])
            path = target / group / f"{kind.lower()}_{version['name']}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(schema, indent=1))
            written.append(path)
    return written


def resource_schema(group: str, kind: str, version: str, openapi: dict) -> dict:
    schema = convert(openapi)
    properties = schema.setdefault("properties", {})
    properties["apiVersion"] = {"type": "string", "enum": [f"{group}/{version}"]}
    properties["kind"] = {"type": "string", "enum": [kind]}
    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind"})
    return schema


def convert(node):
    """OpenAPI v3 (Kubernetes structural schema flavour) to strict JSON Schema."""
    if isinstance(node, list):
        return [convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes-") or key == "nullable":
            continue
        # Property names are data, not schema keywords: convert each property's schema.
        result[key] = {name: convert(sub) for name, sub in value.items()} if key == "properties" else convert(value)
    if node.get("x-kubernetes-int-or-string"):
        result.pop("type", None)
        result["oneOf"] = [{"type": "string"}, {"type": "integer"}]
    if node.get("nullable") and "type" in result:
        result["type"] = [result["type"], "null"]
    keeps_unknown = node.get("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in result and "additionalProperties" not in result and not keeps_unknown:
        result["additionalProperties"] = False
    return result
