"""A Kafka cluster on loopback: a KRaft quorum of nodes that are each broker and controller.

    python -m deploy.kafka_cluster start [--port 29092] [--nodes 3]
    python -m deploy.kafka_cluster stop  [--port 29092] [--nodes 3]
    python -m deploy.kafka_cluster status [--port 29092] [--nodes 3]

Node ``i`` (from 1) listens on ``port + 2(i-1)`` with its controller on the next port, keeps its
data under ``var/kafka-<port>/``; topics get one replica per node and ``min.insync.replicas`` 2,
as in production (deploy/README.md, "Kafka cluster in production").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from deploy.kafka_broker import (
    REPO,
    Broker,
    fetch_jars,
    kafka_version,
    launch,
    new_cluster_id,
    ready_or_stopped,
    running_pid,
    stop,
    wait_ready,
)


def cluster(
    ports: list[tuple[int, int]], root: Path = REPO / "var", min_insync: int = 2, heap: str = "1g"
) -> list[Broker]:
    """The nodes of one KRaft quorum: ``ports`` holds each node's (client port, controller port)."""
    voters = ",".join(f"{node}@127.0.0.1:{controller}" for node, (_, controller) in enumerate(ports, 1))
    return [
        Broker(
            port,
            controller,
            node_id=node,
            quorum_voters=voters,
            replication=len(ports),
            min_insync=min_insync,
            root=root,
            heap=heap,
        )
        for node, (port, controller) in enumerate(ports, 1)
    ]


def start_cluster(brokers: list[Broker], timeout_s: float = 180) -> list[int]:
    """Start every stopped node at once (a quorum needs a majority to elect a controller), wait
    until each answers; returns their pids."""
    stopped = [broker for broker in brokers if running_pid(broker) is None]
    if stopped:
        cluster_id = _formatted_cluster_id(brokers) or new_cluster_id(fetch_jars(kafka_version()))
        ready_or_stopped(stopped, [launch(broker, cluster_id) for broker in stopped], timeout_s)
    for broker in brokers:
        wait_ready(broker, timeout_s)
    return [running_pid(broker) for broker in brokers]


def _formatted_cluster_id(brokers: list[Broker]) -> str | None:
    for broker in brokers:
        meta = broker.home / "data" / "meta.properties"
        if meta.exists():
            for line in meta.read_text().splitlines():
                if line.startswith("cluster.id="):
                    return line.split("=", 1)[1].strip()
    return None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--port", type=int, default=29092, help="client port of node 1")
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=180)
    args = parser.parse_args(argv)
    nodes = cluster([(args.port + 2 * i, args.port + 2 * i + 1) for i in range(args.nodes)])
    if args.action == "start":
        start_cluster(nodes, args.timeout)
    elif args.action == "stop":
        for node in nodes:
            stop(node)
    else:
        pids = [running_pid(node) for node in nodes]
        for node, pid in zip(nodes, pids, strict=True):
            print(f"node {node.node_id}: " + (f"running (pid {pid}) on {node.bootstrap}" if pid else "not running"))
        sys.exit(0 if all(pids) else 1)


if __name__ == "__main__":
    main()
