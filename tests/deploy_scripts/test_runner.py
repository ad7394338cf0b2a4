"""What `./start.sh` prints and takes: clean wording on --fresh, demo logins on every start, the
widget's partner origins."""

from __future__ import annotations

from deploy import demo_data, kafka_broker, runner


def test_fresh_says_what_it_forgets_and_nothing_that_reads_like_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(runner, "REPO", tmp_path)
    monkeypatch.setattr(kafka_broker, "REPO", tmp_path)
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "members.db").write_text("old")
    broker = kafka_broker.Broker(port=29992, controller_port=29993)  # nothing runs there

    runner.forget_local_data(broker)

    printed = capsys.readouterr().out
    assert "no Kafka running" not in printed
    assert "forgetting the local databases" in printed
    assert not (tmp_path / "var" / "members.db").exists()


class LoadedGateway:
    """A gateway where the demo coordinator can already log in."""

    def __init__(self, url: str):
        self.url = url

    def login(self, email: str, password: str) -> str:
        return "a token"


def test_a_restart_prints_the_demo_logins_again(monkeypatch):
    monkeypatch.setattr(demo_data, "Client", LoadedGateway)

    printed = demo_data.load_demo_data("http://127.0.0.1:1")

    assert printed.startswith("demo data already loaded")
    assert demo_data.COORDINATOR[0] in printed and demo_data.COORDINATOR[1] in printed
    assert demo_data.ADMIN[0] in printed and demo_data.VOLUNTEER_PASSWORD in printed


def test_widget_origins_given_to_start_reach_the_gateway(monkeypatch):
    monkeypatch.setenv("GATEWAY_WIDGET_ORIGINS", "")

    runner.parse_options(["--widget-origins", "https://tenants.example.org,https://mutual-aid.example"])
    env = runner.service_env("127.0.0.1:9092", runner.parts())

    assert env["GATEWAY_WIDGET_ORIGINS"] == "https://tenants.example.org,https://mutual-aid.example"
