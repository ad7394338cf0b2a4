"""widget.js as the gateway serves it, and the refused-origin log that a blocked widget causes."""

from __future__ import annotations

import json
import logging
import re

import pytest
from starlette.websockets import WebSocketDisconnect

from gateway.rejected_origins import OncePerOrigin
from gateway.web.pages import PUBLIC, WIDGET_STRINGS
from tests.gateway.test_http_edges import make_client, services  # noqa: F401  (fixture)


def served_strings(script: str) -> dict[str, dict[str, str]]:
    found = re.search(r"var CATALOGUES = (\{.*?\});\n", script)
    assert found, "widget.js carries no catalogue"
    return json.loads(found.group(1))


def test_the_widget_is_served_with_its_strings_in_every_language(tmp_path, services):  # noqa: F811
    with make_client(tmp_path, services) as client:
        response = client.get("/widget.js")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "content-security-policy" not in response.headers
    assert WIDGET_STRINGS not in response.text
    strings = served_strings(response.text)
    for language in ("en", "fr"):
        catalogue = json.loads((PUBLIC / "i18n" / f"{language}.json").read_text())
        assert strings[language] == {key: text for key, text in catalogue.items() if key.startswith("widget.")}
    assert "GATEWAY_WIDGET_ORIGINS" in strings["fr"]["widget.blocked_hint"]


def test_the_served_widget_revalidates_by_etag(tmp_path, services):  # noqa: F811
    with make_client(tmp_path, services) as client:
        first = client.get("/widget.js")
        again = client.get("/widget.js", headers={"if-none-match": first.headers["etag"]})

    assert again.status_code == 304


def rejection(origin: str) -> logging.LogRecord:
    return logging.LogRecord(
        "strawberry.ws",
        logging.WARNING,
        __file__,
        1,
        "Rejected WebSocket connection from origin %r to host %r.",
        (origin, "gw"),
        None,
    )


def test_a_refused_origin_is_logged_once_per_interval_with_the_count_held_back():
    now = [0.0]
    once = OncePerOrigin(interval_s=300, clock=lambda: now[0])

    kept = [once.filter(rejection("https://partner.example")) for _ in range(5)]
    other = once.filter(rejection("https://another.example"))
    now[0] = 301
    later = rejection("https://partner.example")

    assert kept == [True, False, False, False, False]
    assert other is True
    assert once.filter(later) is True
    assert "4 more from this origin held back" in later.getMessage()


def test_other_log_lines_pass_untouched():
    once = OncePerOrigin(interval_s=300, clock=lambda: 0.0)
    record = logging.LogRecord("strawberry.ws", logging.WARNING, __file__, 1, "something else %s", ("x",), None)

    assert once.filter(record) and once.filter(record)


class Collected(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_widget_retrying_from_a_refused_origin_leaves_one_warning(tmp_path, services):  # noqa: F811
    collected = Collected()
    logging.getLogger("strawberry.ws").addHandler(collected)
    with make_client(tmp_path, services) as client:
        for _ in range(6):
            with pytest.raises(WebSocketDisconnect):
                with client.websocket_connect(
                    "/graphql",
                    subprotocols=["graphql-transport-ws"],
                    headers={"origin": "https://not-a-partner.example"},
                ) as socket:
                    socket.receive_text()
    logging.getLogger("strawberry.ws").removeHandler(collected)

    refused = [record for record in collected.records if record.getMessage().startswith("Rejected WebSocket")]
    assert len(refused) == 1
    assert "not-a-partner.example" in refused[0].getMessage()
