"""Topic names and their layout, declared once and created explicitly at start-up."""

from __future__ import annotations

from dataclasses import dataclass, field

MEMBERS_STATE = "members.state"
TASKS_STATE = "tasks.state"
OFFERS_EVENTS = "offers.events"
AREAS_STATE = "areas.state"
ATTENDANCE_EVENTS = "attendance.events"


@dataclass(frozen=True)
class Topics:
    """The product's topic names under an optional prefix (tests give each run its own)."""

    prefix: str = ""

    @property
    def members_state(self) -> str:
        return self.prefix + MEMBERS_STATE

    @property
    def tasks_state(self) -> str:
        return self.prefix + TASKS_STATE

    @property
    def offers_events(self) -> str:
        return self.prefix + OFFERS_EVENTS

    @property
    def areas_state(self) -> str:
        return self.prefix + AREAS_STATE

    @property
    def attendance_events(self) -> str:
        return self.prefix + ATTENDANCE_EVENTS

    def named(self, base: str) -> str:
        """The topic called ``base`` (e.g. ``TASKS_STATE``) under this prefix."""
        return self.prefix + base

    def base(self, topic: str) -> str | None:
        """The product's name of ``topic`` without this prefix; None for a topic of another prefix."""
        return topic[len(self.prefix) :] if topic.startswith(self.prefix) else None


def dead_letter_topic(topic: str) -> str:
    return f"{topic}.dlt"


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    compacted: bool
    configs: dict[str, str] = field(default_factory=dict)
    replication: int = -1  # -1: the broker's default.replication.factor

    def kafka_configs(self) -> dict[str, str]:
        configs = {"cleanup.policy": "compact" if self.compacted else "delete"}
        if self.compacted:
            # Tombstones stay long enough for every consumer to see an erasure, then vanish.
            configs["delete.retention.ms"] = str(24 * 3600 * 1000)
            configs["min.compaction.lag.ms"] = "0"
        return configs | self.configs


def all_topics(
    partitions: int = 6, topics: Topics = Topics(), replication: int = -1, min_insync: int | None = None
) -> list[TopicSpec]:
    durability = {"min.insync.replicas": str(min_insync)} if min_insync else {}

    def spec(name: str, count: int, compacted: bool) -> TopicSpec:
        return TopicSpec(name, count, compacted, dict(durability), replication)

    base = [
        spec(topics.members_state, partitions, compacted=True),
        spec(topics.tasks_state, partitions, compacted=True),
        spec(topics.offers_events, partitions, compacted=False),
        spec(topics.areas_state, 1, compacted=True),  # a few dozen areas
        spec(topics.attendance_events, partitions, compacted=False),
    ]
    return base + [spec(dead_letter_topic(t.name), 1, compacted=False) for t in base]
