"""deploy/compose.yaml: valid for Docker's own loader, healthy start order, secrets kept out of git."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ElementTree

import pytest

from deploy import make_secrets, validate
from deploy.tools import REPO

APPS = {"members": 8001, "tasks": 8002, "matching": 8003, "notifications": 8004, "gateway": 8000}


def test_docker_compose_loads_the_file_with_every_part_of_the_product(compose):
    assert set(compose["services"]) == {"kafka", "postgres", *APPS}


def test_every_container_has_a_healthcheck_and_starts_only_after_what_it_needs_is_healthy(compose):
    for name, service in compose["services"].items():
        assert service["healthcheck"]["test"], name
        for dependency, condition in service.get("depends_on", {}).items():
            assert condition["condition"] == "service_healthy", (name, dependency)
    for app in APPS:
        assert {"kafka", "postgres"} <= set(compose["services"][app]["depends_on"])
    assert {"members", "tasks", "matching"} <= set(compose["services"]["gateway"]["depends_on"])


def test_app_healthchecks_ask_readyz_on_the_port_the_image_serves(compose):
    for app, port in APPS.items():
        check = " ".join(compose["services"][app]["healthcheck"]["test"])
        assert f"http://127.0.0.1:{port}/readyz" in check
        dockerfile = (REPO / "deploy" / "docker" / f"{app}.Dockerfile").read_text()
        assert f'"--port", "{port}"' in dockerfile


def test_kafka_is_the_official_image_of_the_version_the_tests_run(compose):
    pom = ElementTree.parse(REPO / "deploy" / "kafka" / "pom.xml")
    tested_version = pom.find(
        "{http://maven.apache.org/POM/4.0.0}properties/{http://maven.apache.org/POM/4.0.0}kafka.version"
    ).text
    kafka = compose["services"]["kafka"]
    assert kafka["image"] == f"apache/kafka:{tested_version}"
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft, no ZooKeeper
    assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_apps_run_in_production_mode_against_the_compose_broker_with_their_own_secrets(compose, staged_deploy):
    for app in APPS:
        service = compose["services"][app]
        assert service["environment"]["ENVIRONMENT"] == "production"
        assert service["environment"]["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
        [env_file] = service["env_file"]
        assert env_file["path"] == str(staged_deploy / "secrets" / f"{app}.env") and env_file["required"]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]


def test_only_the_gateway_is_published_and_the_backend_has_no_way_out(compose):
    published = {name for name, service in compose["services"].items() if service.get("ports")}
    assert published == {"gateway"}
    assert compose["services"]["gateway"]["ports"][0]["host_ip"] == "127.0.0.1"  # a proxy in front adds TLS
    assert compose["networks"]["backend"]["internal"] is True


def test_docker_compose_rejects_a_misspelt_key(toolbox, staged_deploy, tmp_path):
    broken = tmp_path / "compose.yaml"
    text = (staged_deploy / "compose.yaml").read_text()
    broken.write_text(text.replace("    healthcheck:\n", "    healthchek:\n", 1))

    with pytest.raises(AssertionError, match="healthchek"):
        validate.compose_config(toolbox, broken)


def test_the_example_documents_every_secret_variable_with_a_placeholder():
    example = (REPO / "deploy" / "secrets" / "example.env").read_text()
    documented = dict(re.findall(r"^([A-Z_]+)=(.*)$", example, re.MULTILINE))
    generated = {name for variables in make_secrets.secret_files().values() for name in variables}
    assert set(documented) == generated
    assert all("change-me" in value for value in documented.values())


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        ("deploy/secrets/members.env", True),
        ("deploy/secrets/postgres.env", True),
        ("deploy/k8s/overlays/prod/secrets/gateway.env", True),
        ("deploy/secrets/example.env", False),
        (".cache/tools/kustomize", True),
    ],
)
def test_real_secrets_and_installed_tools_stay_out_of_git(path, ignored):
    check = subprocess.run(["git", "check-ignore", "--quiet", "--no-index", path], cwd=REPO)
    assert check.returncode == (0 if ignored else 1)
