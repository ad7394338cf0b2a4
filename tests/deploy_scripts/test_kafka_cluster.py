"""A three-node quorum's configuration: each node knows its peers and replicates as production does."""

from __future__ import annotations

from deploy import kafka_broker, kafka_cluster


def settings_of(broker) -> dict[str, str]:
    lines = kafka_broker.write_config(broker).read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


def test_each_node_of_a_cluster_has_its_own_id_ports_and_storage_and_the_same_voters(tmp_path):
    nodes = kafka_cluster.cluster([(39092, 39093), (39094, 39095), (39096, 39097)], root=tmp_path)
    for node in nodes:
        node.home.mkdir(parents=True)
    configs = [settings_of(node) for node in nodes]

    assert [c["node.id"] for c in configs] == ["1", "2", "3"]
    assert {c["controller.quorum.voters"] for c in configs} == {"1@127.0.0.1:39093,2@127.0.0.1:39095,3@127.0.0.1:39097"}
    assert [c["listeners"] for c in configs][1] == "PLAINTEXT://127.0.0.1:39094,CONTROLLER://127.0.0.1:39095"
    assert len({c["log.dirs"] for c in configs}) == 3
    for config in configs:
        assert config["default.replication.factor"] == config["offsets.topic.replication.factor"] == "3"
        assert config["min.insync.replicas"] == config["transaction.state.log.min.isr"] == "2"


def test_a_single_broker_keeps_one_replica_of_everything(tmp_path):
    broker = kafka_broker.Broker(39192, 39193, root=tmp_path)
    broker.home.mkdir(parents=True)
    config = settings_of(broker)
    assert config["controller.quorum.voters"] == "1@127.0.0.1:39193"
    assert config["default.replication.factor"] == config["offsets.topic.replication.factor"] == "1"
    assert config["min.insync.replicas"] == "1"
