"""The broker script: cached jars, stale pid files, readiness by round trip."""

from __future__ import annotations

import subprocess

import pytest

from deploy import kafka_broker


def test_the_broker_version_comes_from_the_maven_descriptor_and_is_current():
    major, minor, _ = (int(part) for part in kafka_broker.kafka_version().split("."))
    assert (major, minor) >= (3, 9)


def test_a_stale_pid_file_is_cleared(tmp_path, monkeypatch):
    broker = kafka_broker.Broker(port=29092, controller_port=29093)
    monkeypatch.setattr(kafka_broker.Broker, "home", property(lambda self: tmp_path))
    finished = subprocess.Popen(["true"])
    finished.wait()
    broker.pid_file.write_text(str(finished.pid))
    assert kafka_broker.running_pid(broker) is None
    assert not broker.pid_file.exists()


def test_a_garbled_pid_file_counts_as_not_running(tmp_path, monkeypatch):
    broker = kafka_broker.Broker(port=29092, controller_port=29093)
    monkeypatch.setattr(kafka_broker.Broker, "home", property(lambda self: tmp_path))
    broker.pid_file.write_text("not a pid")
    assert kafka_broker.running_pid(broker) is None


@pytest.mark.kafka
def test_the_running_test_broker_answers_a_produce_consume_round_trip(kafka_bootstrap):
    port = int(kafka_bootstrap.rsplit(":", 1)[1])
    kafka_broker.wait_ready(kafka_broker.Broker(port, port + 1), timeout_s=30)


def test_starting_on_a_port_another_program_holds_fails_clearly(tmp_path, monkeypatch):
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        broker = kafka_broker.Broker(port=port, controller_port=port + 1)
        monkeypatch.setattr(kafka_broker.Broker, "home", property(lambda self: tmp_path))
        with pytest.raises(SystemExit, match="taken by another program"):
            kafka_broker.start(broker)


def test_maven_lines_about_downloaded_jars_become_one_readable_line_each():
    line = (
        "\x1b[1;34mDownloaded from central: https://repo.maven.apache.org/maven2/org/apache/kafka/kafka-clients/"
        "4.1.1/kafka-clients-4.1.1.jar (12 MB at 3.4 MB/s)\x1b[0m\n"
    )

    assert kafka_broker.download_progress(line) == "kafka-clients-4.1.1.jar (12 MB)"
    assert kafka_broker.download_progress("Downloaded from central: https://x/y/foo-1.pom (2.1 kB at 9 kB/s)") is None
    assert kafka_broker.download_progress("\x1b[0m\x1b[0m") is None


def test_fetching_the_jars_prints_no_terminal_escape_codes(tmp_path, monkeypatch, capfd):
    monkeypatch.setattr(kafka_broker, "REPO", tmp_path)  # a fresh cache; Maven's own repository makes it quick

    libs = kafka_broker.fetch_jars(kafka_broker.kafka_version())

    printed = capfd.readouterr()
    assert "\x1b" not in printed.out + printed.err
    assert any(jar.name.startswith("kafka_2.13-") for jar in libs.glob("*.jar"))
    assert printed.out.splitlines()[-1].strip().endswith(f"jars in .cache/kafka/{kafka_broker.kafka_version()}/libs")
