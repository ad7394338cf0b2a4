"""Kafka brokers a reliability test owns: its own ports, its own storage, stopped by PID.

Tests that kill a broker never touch the shared test broker; they start one (or a three-node
KRaft quorum) of their own with :mod:`deploy.kafka_broker` (the code ``./start.sh`` uses) and
:mod:`deploy.kafka_cluster`.
"""

from __future__ import annotations

import time
from pathlib import Path

from deploy import kafka_broker, kafka_cluster
from deploy.kafka_broker import Broker
from tests.support.processes import free_port

HEAP = "384m"  # several JVMs share a small CI machine


def free_port_pair() -> tuple[int, int]:
    return free_port(), free_port()


def single_broker(root: Path) -> Broker:
    port, controller = free_port_pair()
    return Broker(port, controller, root=root, heap=HEAP)


def three_node_cluster(root: Path) -> list[Broker]:
    """replication 3, min.insync.replicas 2: one node may die and acks=all writes still succeed."""
    return kafka_cluster.cluster([free_port_pair() for _ in range(3)], root=root, min_insync=2, heap=HEAP)


def bootstrap_of(brokers: list[Broker]) -> str:
    return ",".join(broker.bootstrap for broker in brokers)


def start(broker: Broker, timeout_s: float = 180) -> float:
    """Start (or restart) a node; returns the moment (monotonic) it answered a round trip."""
    kafka_broker.start(broker, timeout_s)
    return time.monotonic()


def start_cluster(nodes: list[Broker], timeout_s: float = 240) -> None:
    kafka_cluster.start_cluster(nodes, timeout_s)


def kill(broker: Broker) -> None:
    kafka_broker.kill(broker)


def stop_all(brokers: list[Broker]) -> None:
    """SIGTERM by PID (SIGKILL if it lingers); never a broker this test did not start."""
    for broker in brokers:
        kafka_broker.stop(broker, timeout_s=15)
