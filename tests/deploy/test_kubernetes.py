"""Kubernetes manifests: the kustomize builds validate, and say what operations rely on."""

from __future__ import annotations

import base64
import re

import pytest

from deploy import validate
from deploy.tools import KUBERNETES_VERSIONS
from services.common.topics import Topics, dead_letter_topic

APPS = {"members": 8001, "tasks": 8002, "matching": 8003, "notifications": 8004, "gateway": 8000}
TOPICS = Topics()


def of_kind(docs: list[dict], kind: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def env_file(path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#"))


@pytest.mark.parametrize("kubernetes_version", KUBERNETES_VERSIONS)
def test_every_build_validates_against_the_kubernetes_and_strimzi_schemas(toolbox, builds, kubernetes_version):
    outcome = validate.kubeconform(toolbox, builds, kubernetes_version)

    assert outcome.ok, outcome.output
    summary = re.search(
        r"(\d+) resources found in 3 files - Valid: (\d+), Invalid: 0, Errors: 0, Skipped: 0", outcome.output
    )
    assert summary and summary[1] == summary[2] and int(summary[1]) > 80, outcome.output


def test_the_schema_check_rejects_misspelt_fields_bad_values_and_unknown_kinds(toolbox, builds):
    broken = (
        builds["overlays/prod"]
        .replace("readinessProbe:", "readinesProbe:", 1)
        .replace("partitions: 12", "partitions: twelve", 1)
        .replace("kind: KafkaNodePool", "kind: KafkaNodePools", 1)
    )

    outcome = validate.kubeconform(toolbox, {"broken": broken}, KUBERNETES_VERSIONS[0])

    assert not outcome.ok
    assert "additional properties 'readinesProbe' not allowed" in outcome.output
    assert "got string, want integer" in outcome.output
    assert "could not find schema for KafkaNodePools" in outcome.output


@pytest.mark.parametrize("overlay", validate.OVERLAYS)
def test_each_app_runs_its_uvicorn_entrypoint_with_health_probes(resources, overlay):
    deployments = of_kind(resources[overlay], "Deployment")
    assert set(APPS) <= set(deployments)
    for name, port in APPS.items():
        container = deployments[name]["spec"]["template"]["spec"]["containers"][0]
        module = "gateway.main:app" if name == "gateway" else f"services.{name}.main:app"
        # The gateway reads X-Forwarded-For itself, from its configured proxies only.
        proxies = ["--no-proxy-headers"] if name == "gateway" else []
        assert container["command"] == ["uvicorn", module, "--host", "0.0.0.0", "--port", str(port), *proxies]
        assert container["ports"] == [{"name": "http", "containerPort": port}]
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
        assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}


@pytest.mark.parametrize("overlay", validate.OVERLAYS)
def test_each_app_is_bounded_and_runs_unprivileged_on_a_read_only_filesystem(resources, overlay):
    for name, deployment in of_kind(resources[overlay], "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert set(container["resources"]["requests"]) == {"cpu", "memory"}, name
        assert set(container["resources"]["limits"]) == {"cpu", "memory"}, name
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["automountServiceAccountToken"] is False
        assert pod["enableServiceLinks"] is False  # else MEMBERS_PORT=tcp://... overrides the settings
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        }
        tmp_volumes = [v["name"] for v in pod["volumes"] if "emptyDir" in v]
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"] and "tmp" in tmp_volumes


@pytest.mark.parametrize("overlay", ["overlays/dev", "overlays/prod"])
def test_every_referenced_config_map_and_secret_is_in_the_build(resources, overlay):
    docs = resources[overlay]
    present = set(of_kind(docs, "ConfigMap")) | set(of_kind(docs, "Secret"))
    for deployment in of_kind(docs, "Deployment").values():
        for source in deployment["spec"]["template"]["spec"]["containers"][0]["envFrom"]:
            reference = source.get("configMapRef") or source.get("secretRef")
            assert reference["name"] in present, reference


def test_production_secrets_come_from_the_uncommitted_files(resources, staged_deploy):
    secrets = of_kind(resources["overlays/prod"], "Secret")
    secret_dir = staged_deploy / "k8s" / "overlays" / "prod" / "secrets"
    for app in APPS:
        [name] = [n for n in secrets if n.startswith(f"{app}-secrets-")]  # content-hashed name
        data = {key: base64.b64decode(value).decode() for key, value in secrets[name]["data"].items()}
        assert data == env_file(secret_dir / f"{app}.env")
        assert "change-me" not in data.values() and "dev-only-insecure-secret" not in data.values()


def test_production_runs_as_production_and_development_accepts_only_dev_placeholders(resources):
    [prod_config] = of_kind(resources["overlays/prod"], "ConfigMap").values()
    [dev_config] = [c for n, c in of_kind(resources["overlays/dev"], "ConfigMap").items() if n.startswith("coalition-")]
    assert prod_config["data"]["ENVIRONMENT"] == "production"
    assert dev_config["data"]["ENVIRONMENT"] == "development"
    for config in (prod_config, dev_config):
        assert config["data"]["KAFKA_BOOTSTRAP_SERVERS"] == "coalition-kafka-bootstrap:9092"


def test_the_gateway_and_the_matcher_autoscale_within_the_partition_count(resources):
    for overlay in validate.OVERLAYS:
        docs = resources[overlay]
        autoscalers = of_kind(docs, "HorizontalPodAutoscaler")
        assert {hpa["spec"]["scaleTargetRef"]["name"] for hpa in autoscalers.values()} == {"gateway", "matching"}
        deployments = of_kind(docs, "Deployment")
        for hpa in autoscalers.values():
            assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
            assert "replicas" not in deployments[hpa["spec"]["scaleTargetRef"]["name"]]["spec"]  # the HPA owns it
        topics = {t["spec"]["topicName"]: t for t in of_kind(docs, "KafkaTopic").values()}
        partitions = min(
            topics[TOPICS.tasks_state]["spec"]["partitions"], topics[TOPICS.offers_events]["spec"]["partitions"]
        )
        assert autoscalers["matching"]["spec"]["maxReplicas"] <= partitions


def test_kafka_is_a_strimzi_kraft_cluster_running_the_tested_kafka_version(resources):
    for overlay in validate.OVERLAYS:
        docs = resources[overlay]
        [kafka] = of_kind(docs, "Kafka").values()
        assert kafka["spec"]["kafka"]["version"] == "4.1.1"
        assert "zookeeper" not in kafka["spec"]
        pools = of_kind(docs, "KafkaNodePool").values()
        assert all(pool["metadata"]["labels"]["strimzi.io/cluster"] == kafka["metadata"]["name"] for pool in pools)
        assert {"controller", "broker"} <= {role for pool in pools for role in pool["spec"]["roles"]}
    prod_pools = of_kind(resources["overlays/prod"], "KafkaNodePool")
    assert {name: p["spec"]["replicas"] for name, p in prod_pools.items()} == {"controllers": 3, "brokers": 3}


def test_production_topics_are_replicated_partitioned_and_have_dead_letter_topics(resources):
    topics = {t["spec"]["topicName"]: t["spec"] for t in of_kind(resources["overlays/prod"], "KafkaTopic").values()}
    expected_policy = {
        TOPICS.members_state: "compact",
        TOPICS.tasks_state: "compact",
        TOPICS.offers_events: "delete",
        TOPICS.areas_state: "compact",
        TOPICS.attendance_events: "delete",
    }
    assert set(topics) == set(expected_policy) | {dead_letter_topic(name) for name in expected_policy}
    for name, policy in expected_policy.items():
        assert topics[name]["partitions"] == (1 if name == TOPICS.areas_state else 12)  # a few dozen areas
        assert topics[name]["config"]["cleanup.policy"] == policy
        assert topics[dead_letter_topic(name)]["config"]["cleanup.policy"] == "delete"
    for spec in topics.values():
        assert spec["replicas"] == 3
        assert spec["config"]["min.insync.replicas"] == 2


def test_the_dev_cluster_fits_one_kafka_node(resources):
    docs = resources["overlays/dev"]
    [pool] = of_kind(docs, "KafkaNodePool").values()
    assert pool["spec"]["replicas"] == 1 and set(pool["spec"]["roles"]) == {"controller", "broker"}
    assert {t["spec"]["replicas"] for t in of_kind(docs, "KafkaTopic").values()} == {1}
    assert {t["spec"]["config"]["min.insync.replicas"] for t in of_kind(docs, "KafkaTopic").values()} == {1}


def test_postgresql_runs_in_the_dev_cluster_only_initialised_like_compose(resources, staged_deploy):
    assert "postgres" in of_kind(resources["overlays/dev"], "StatefulSet")
    assert of_kind(resources["overlays/prod"], "StatefulSet") == {}
    [init] = [c for n, c in of_kind(resources["overlays/dev"], "ConfigMap").items() if n.startswith("postgres-init")]
    assert init["data"]["init-databases.sh"] == (staged_deploy / "k8s" / "postgres" / "init-databases.sh").read_text()


def test_only_the_gateway_may_reach_the_services_and_tasks_and_notifications_only_members(resources):
    policies = of_kind(resources["overlays/prod"], "NetworkPolicy")
    taxonomy = policies["members-taxonomy-from-tasks"]["spec"]
    assert taxonomy["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "members"}}
    assert taxonomy["ingress"] == [
        {"from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "tasks"}}}], "ports": [{"port": "http"}]}
    ]
    policy = policies["services-only-from-gateway"]["spec"]
    assert policy["podSelector"] == {"matchLabels": {"app.kubernetes.io/component": "service"}}
    peers = policy["ingress"][0]["from"]
    assert {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}} in peers
    service_pods = {
        name
        for name, d in of_kind(resources["overlays/prod"], "Deployment").items()
        if d["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] == "service"
    }
    assert service_pods == {"members", "tasks", "matching", "notifications"}
    extra = policies["members-from-notifications"]["spec"]
    assert extra["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "members"}}
    assert extra["ingress"][0]["from"] == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "notifications"}}}
    ]


def test_production_images_are_pinned_to_a_registry_and_a_tag(resources):
    for deployment in of_kind(resources["overlays/prod"], "Deployment").values():
        image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
        repository, _, tag = image.rpartition(":")
        assert "/" in repository.split("/", 1)[1] and tag not in ("", "latest"), image
