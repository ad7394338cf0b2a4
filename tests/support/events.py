"""Raw events for contract tests: envelopes the catalogue may not list, and dead letters read back.

Built from bytes, not through ``wrap``, so a test can put on a topic what no producer of the
product would (an unknown type, a version from the future).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from services.common.envelope import Envelope
from services.common.topics import dead_letter_topic
from tests.support.topic_reading import read_topic


def raw_event(event_type: str, payload: BaseModel | dict[str, Any], version: int = 1, source: str = "test") -> bytes:
    data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    return Envelope(type=event_type, version=version, source=source, data=data).to_bytes()


def dead_letters(bootstrap: str, topic: str, count: int = 1, timeout_s: float = 45) -> list[dict]:
    """The first ``count`` records of ``topic``'s dead-letter topic, each as value, key and headers."""
    records = read_topic(bootstrap, dead_letter_topic(topic), lambda rs: len(rs) >= count, timeout_s)
    return [{"value": r.value, "key": r.key, "headers": {k: v.decode() for k, v in r.headers}} for r in records]
