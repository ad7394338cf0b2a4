"""Run a genuine Apache Kafka broker (KRaft, no ZooKeeper) on 127.0.0.1 from Maven Central jars.

    python -m deploy.kafka_broker start [--port 9092]   # fetch (once), format, start, wait ready
    python -m deploy.kafka_broker stop  [--port 9092]
    python -m deploy.kafka_broker status [--port 9092]

A three-node quorum for trying replication locally: ``python -m deploy.kafka_cluster``.

Jars are cached under ``.cache/kafka/<version>/`` (git-ignored) and reused; broker data, log and
pid file live under ``var/kafka-<port>/``. A pid file whose process is gone is cleared; readiness
is a real produce/consume round trip, not a sleep.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from deploy import pid_files
from deploy.pid_files import port_in_use

REPO = Path(__file__).resolve().parents[1]
KAFKA_DIR = Path(__file__).resolve().parent / "kafka"
READINESS_TOPIC = "broker.readiness"


def kafka_version() -> str:
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    root = ET.parse(KAFKA_DIR / "pom.xml").getroot()
    return root.find("m:properties/m:kafka.version", ns).text.strip()


@dataclass(frozen=True)
class Broker:
    """One KRaft node (broker and controller); alone unless ``quorum_voters`` names its peers."""

    port: int
    controller_port: int
    node_id: int = 1
    quorum_voters: str = ""  # controller.quorum.voters of the cluster; empty: this node alone
    replication: int = 1  # replicas of new and internal topics
    min_insync: int = 1  # replicas that must hold a write before acks=all answers
    root: Path = REPO / "var"
    heap: str = "1g"

    @property
    def home(self) -> Path:
        return self.root / f"kafka-{self.port}"

    @property
    def voters(self) -> str:
        return self.quorum_voters or f"{self.node_id}@127.0.0.1:{self.controller_port}"

    @property
    def pid_file(self) -> Path:
        return self.home / "broker.pid"

    @property
    def log_file(self) -> Path:
        return self.home / "broker.log"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"


def fetch_jars(version: str) -> Path:
    libs = REPO / ".cache" / "kafka" / version / "libs"
    marker = libs / ".complete"
    if marker.exists():
        return libs
    libs.mkdir(parents=True, exist_ok=True)
    print(f"fetching Apache Kafka {version} from Maven Central (once)...", flush=True)
    # Batch mode and no colours: Maven's own output is boiled down to one line per jar downloaded.
    command = [
        "mvn",
        "-B",
        "-Dstyle.color=never",
        "-f",
        str(KAFKA_DIR / "pom.xml"),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={libs}",
    ]
    output: list[str] = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as maven:
        for line in maven.stdout:
            output.append(line)
            if progress := download_progress(line):
                print(f"  {progress}", flush=True)
    if maven.returncode != 0:
        print("".join(output[-40:]), file=sys.stderr)
        raise SystemExit(f"Maven could not fetch Kafka {version} (exit code {maven.returncode}); its output is above")
    jars = len(list(libs.glob("*.jar")))
    print(f"  {jars} jars in {libs.relative_to(REPO)}", flush=True)
    marker.write_text(version)
    return libs


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_DOWNLOADED = re.compile(r"Downloaded from \S+: \S+/([^/\s]+\.jar) \((\d[\d.]* [kMG]?B)")


def download_progress(line: str) -> str | None:
    """'kafka-clients-4.1.1.jar (12 MB)' for Maven's line about a jar it downloaded, else None."""
    found = _DOWNLOADED.search(_ANSI.sub("", line))
    return f"{found.group(1)} ({found.group(2)})" if found else None


def write_config(broker: Broker) -> Path:
    data = broker.home / "data"
    config = broker.home / "server.properties"
    config.write_text(
        "\n".join(
            [
                "process.roles=broker,controller",
                f"node.id={broker.node_id}",
                f"controller.quorum.voters={broker.voters}",
                f"listeners=PLAINTEXT://127.0.0.1:{broker.port},CONTROLLER://127.0.0.1:{broker.controller_port}",
                f"advertised.listeners=PLAINTEXT://127.0.0.1:{broker.port}",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                f"log.dirs={data}",
                "num.partitions=6",
                f"default.replication.factor={broker.replication}",
                f"min.insync.replicas={broker.min_insync}",
                f"offsets.topic.replication.factor={broker.replication}",
                "offsets.topic.num.partitions=6",
                f"transaction.state.log.replication.factor={broker.replication}",
                f"transaction.state.log.min.isr={broker.min_insync}",
                f"share.coordinator.state.topic.replication.factor={broker.replication}",
                f"share.coordinator.state.topic.min.isr={broker.min_insync}",
                # Topics are created explicitly by the services; a misspelt topic must fail loudly.
                "auto.create.topics.enable=false",
                "group.initial.rebalance.delay.ms=0",
                "log.cleaner.backoff.ms=1000",
                "",
            ]
        )
    )
    return config


def java_command(libs: Path, *args: str, heap: str = "1g") -> list[str]:
    return [
        "java",
        f"-Xmx{heap}",
        "-Xms128m",
        "-XX:+UseG1GC",
        f"-Dlog4j2.configurationFile={KAFKA_DIR / 'log4j2.yaml'}",
        "-cp",
        f"{libs}/*",
        *args,
    ]


def new_cluster_id(libs: Path) -> str:
    return (
        subprocess.run(
            java_command(libs, "kafka.tools.StorageTool", "random-uuid", heap="128m"),
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def format_storage(broker: Broker, libs: Path, config: Path, cluster_id: str | None = None) -> None:
    """Format once; every node of a cluster must be formatted with the same cluster id."""
    if (broker.home / "data" / "meta.properties").exists():
        return
    cluster_id = cluster_id or new_cluster_id(libs)
    subprocess.run(
        java_command(libs, "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config), heap="256m"),
        check=True,
        capture_output=True,
        text=True,
    )


def running_pid(broker: Broker) -> int | None:
    """The broker's pid if its process is alive; clears a stale pid file."""
    return pid_files.running_pid(broker.pid_file)


def start(broker: Broker, timeout_s: float = 120) -> int:
    """Start one node (or restart a node of a cluster, see kafka_cluster) and wait until ready."""
    pid = running_pid(broker)
    if pid is not None:
        print(f"Kafka already running on {broker.bootstrap} (pid {pid})")
        wait_ready(broker, timeout_s)
        return pid
    process = launch(broker)
    ready_or_stopped([broker], [process], timeout_s)
    return process.pid


def launch(broker: Broker, cluster_id: str | None = None) -> subprocess.Popen:
    """Format the node's storage if new and start its JVM; does not wait for it."""
    for port in (broker.port, broker.controller_port):
        if port_in_use(port):
            raise SystemExit(f"port {port} is taken by another program; choose another with --port")
    libs = fetch_jars(kafka_version())
    broker.home.mkdir(parents=True, exist_ok=True)
    config = write_config(broker)
    format_storage(broker, libs, config, cluster_id)
    with open(broker.log_file, "ab") as log:
        process = subprocess.Popen(
            java_command(libs, "kafka.Kafka", str(config), heap=broker.heap),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in a terminal must not kill it behind our back
        )
    broker.pid_file.write_text(str(process.pid))
    return process


def ready_or_stopped(brokers: list[Broker], processes: list[subprocess.Popen], timeout_s: float) -> None:
    try:
        for broker, process in zip(brokers, processes, strict=True):
            wait_ready(broker, timeout_s, process)
    except BaseException:
        for broker in brokers:
            stop(broker)
        raise
    for broker, process in zip(brokers, processes, strict=True):
        print(f"Kafka {kafka_version()} ready on {broker.bootstrap} (node {broker.node_id}, pid {process.pid})")


def kill(broker: Broker) -> None:
    """SIGKILL the node, as a crash or an out-of-memory kill would: no clean shutdown."""
    pid = running_pid(broker)
    if pid is None:
        return
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and running_pid(broker) is not None:
        pid_files.reap(pid)
        time.sleep(0.05)
    broker.pid_file.unlink(missing_ok=True)


def wait_ready(broker: Broker, timeout_s: float, process: subprocess.Popen | None = None) -> None:
    """Ready = a message produced to a readiness topic comes back to a consumer."""
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition

    deadline = time.monotonic() + timeout_s
    while not port_in_use(broker.port):
        if process is not None and process.poll() is not None:
            raise SystemExit(f"Kafka exited with code {process.returncode}; see {broker.log_file}")
        if time.monotonic() > deadline:
            raise SystemExit(f"Kafka did not open port {broker.port} in {timeout_s}s; see {broker.log_file}")
        time.sleep(0.2)
    _create_readiness_topic(broker, deadline)
    token = uuid.uuid4().hex.encode()
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all")
    sent = producer.send(READINESS_TOPIC, value=token).get(timeout=max(5, deadline - time.monotonic()))
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap, enable_auto_commit=False)
    partition = TopicPartition(READINESS_TOPIC, sent.partition)
    consumer.assign([partition])
    consumer.seek(partition, sent.offset)
    try:
        while time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                if any(r.value == token for r in records):
                    return
        raise SystemExit("Kafka accepted a message but never delivered it back")
    finally:
        consumer.close()


def _create_readiness_topic(broker: Broker, deadline: float) -> None:
    """Replicated like any topic; a cluster's nodes may still be registering (or listening) at first."""
    from kafka.errors import KafkaError

    from services.common.kafka_io import ensure_topics
    from services.common.topics import TopicSpec

    while True:
        try:
            remaining_s = deadline - time.monotonic()
            ensure_topics(broker.bootstrap, [TopicSpec(READINESS_TOPIC, 1, compacted=False)], remaining_s)
            return
        except KafkaError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def stop(broker: Broker, timeout_s: float = 30) -> None:
    if pid_files.stop_pid(broker.pid_file, timeout_s):
        print(f"Kafka on port {broker.port} stopped")
    else:
        print(f"no Kafka running on port {broker.port}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["start", "stop", "status", "fetch"])
    parser.add_argument("--port", type=int, default=int(os.environ.get("KAFKA_PORT", "9092")))
    parser.add_argument("--controller-port", type=int, default=None, help="default: port + 1")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)
    broker = Broker(args.port, args.controller_port or args.port + 1)
    if args.action == "fetch":
        print(fetch_jars(kafka_version()))
    elif args.action == "start":
        start(broker, args.timeout)
    elif args.action == "stop":
        stop(broker)
    else:
        pid = running_pid(broker)
        print(f"running (pid {pid}) on {broker.bootstrap}" if pid else "not running")
        sys.exit(0 if pid else 1)


if __name__ == "__main__":
    main()
