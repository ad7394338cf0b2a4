"""Typed dispatch: each consumer names, per event type, the reaction that applies it.

A :class:`Subscription` is built from catalogue entries (``services.common.catalogue``), so a
reaction receives the payload class the catalogue names, already validated. It must say what it
does with every type of the topics it reads (react to it, or ignore it), so a type added to the
catalogue is a decision for each consumer, not a silent skip. What the catalogue does not list
on a topic, or a version the subscription does not read, raises :class:`PoisonEvent`: the
consumer dead-letters it with that reason and never applies it. A type the consumer ignores is
skipped whatever its version: it reads nothing of it.

A reaction is not a handler: "handler" names the functions of a service's ``handlers`` module, which
its routes and its reactions both call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from services.common.catalogue import CATALOGUE, EventType, TopicContract
from services.common.consumer import Incoming, PoisonEvent
from services.common.contracts import Contract
from services.common.topics import Topics

P = TypeVar("P", bound=Contract)


class UnknownEvent(PoisonEvent):
    """A type the catalogue does not list on the topic it came on."""


class UnsupportedVersion(PoisonEvent):
    """A version of a known type that this consumer cannot read."""


@dataclass(frozen=True)
class Event(Generic[P]):
    """One catalogued event as its reaction sees it: the envelope's facts and the typed payload."""

    type: str
    version: int
    event_id: UUID
    occurred_at: datetime
    source: str
    key: str | None
    partition: int | None
    payload: P


@dataclass(frozen=True)
class Tombstone:
    """A null value on a compacted topic: the entity under ``key`` is gone."""

    topic: str
    key: str | None
    partition: int | None


# What a reaction gives back: nothing to a consumer, which applies the event; the gateway's live
# reader, which routes records itself (Subscription.route), hands on what its reactions return.
R = TypeVar("R")
# The first argument is what the consumer applies events with: a DB session, or nothing.
EventReaction = Callable[[Any, Event[Any]], R]
TombstoneReaction = Callable[[Any, Tombstone], R]
# A reaction and what to hand it.
Route = tuple[Callable[[Any, Any], R], Event[Any] | Tombstone]


@dataclass(frozen=True)
class VersionedReaction(Generic[R]):
    """A reaction and the versions of its type it reads (default: all the catalogue lists)."""

    react: EventReaction[R]
    versions: frozenset[int] | None = None


class Subscription(Generic[R]):
    """What one consumer does with each event type of the topics it reads."""

    def __init__(
        self,
        topics: Topics,
        reactions: Mapping[EventType, EventReaction[R] | VersionedReaction[R]],
        *,
        ignores: Iterable[EventType] = (),
        tombstones: Mapping[str, TombstoneReaction[R]] | None = None,
    ):
        self.names = topics  # the prefixed topic names
        self.reactions = {event.name: _versioned(r) for event, r in reactions.items()}
        self.ignored = {event.name for event in ignores}
        self.tombstones = dict(tombstones or {})
        self.versions = {event.name: self.reactions[event.name].versions or event.readable for event in reactions}
        self.contracts = self._contracts(list(reactions) + list(ignores))
        self._require_every_type_decided()

    def _contracts(self, events: list[EventType]) -> dict[str, TopicContract]:
        bases = {event.topic for event in events} | set(self.tombstones)
        return {base: CATALOGUE[base] for base in bases}

    def _require_every_type_decided(self) -> None:
        for contract in self.contracts.values():
            undecided = set(contract.events) - set(self.reactions) - self.ignored
            if undecided:
                raise ValueError(f"say whether to handle or ignore {sorted(undecided)} on {contract.topic}")
        for base, contract in self.contracts.items():
            if base in self.tombstones and contract.tombstone is None:
                raise ValueError(f"{base} never carries tombstones")

    @property
    def topics(self) -> list[str]:
        """The prefixed names of the topics to subscribe to."""
        return sorted(self.names.named(base) for base in self.contracts)

    def __call__(self, context: Any, incoming: Incoming) -> None:
        """Apply ``incoming`` with ``context`` (a session for the idempotent consumer)."""
        route = self.route(incoming)
        if route is not None:
            react, message = route
            react(context, message)

    def ignores(self, incoming: Incoming) -> bool:
        """Whether this consumer reads nothing of ``incoming``: a catalogued type it ignores, or a
        tombstone on a topic that carries them and that it has no reaction for. Anything else,
        unknown or unreadable included, goes to :meth:`route`."""
        contract = self.contracts.get(self.names.base(incoming.topic) or "")
        if contract is None:
            return False
        if incoming.envelope is None:
            return contract.tombstone is not None and contract.topic not in self.tombstones
        return incoming.envelope.type in self.ignored and incoming.envelope.type in contract.events

    def route(self, incoming: Incoming) -> Route[R] | None:
        """The reaction and what to hand it; None for a type this consumer ignores.

        Raises :class:`PoisonEvent` (unknown type, unsupported version) or pydantic's
        ``ValidationError`` (a payload its class does not accept): never to be applied.
        """
        base = self.names.base(incoming.topic)
        contract = self.contracts.get(base or "")
        if contract is None:
            raise UnknownEvent(f"this consumer does not read topic {incoming.topic}")
        if incoming.envelope is None:
            return self._tombstone_route(contract, incoming)
        envelope = incoming.envelope
        spec = catalogued(contract, envelope.type)
        if envelope.type in self.ignored:
            return None
        require_version(spec, envelope.version, self.versions[spec.name])
        event = Event(
            type=spec.name,
            version=envelope.version,
            event_id=envelope.event_id,
            occurred_at=envelope.occurred_at,
            source=envelope.source,
            key=incoming.key,
            partition=incoming.partition,
            payload=spec.payload.model_validate(envelope.data),
        )
        return self.reactions[spec.name].react, event

    def _tombstone_route(self, contract: TopicContract, incoming: Incoming) -> Route[R] | None:
        if contract.tombstone is None:
            raise UnknownEvent(f"a tombstone on {contract.topic}, which never carries any")
        react = self.tombstones.get(contract.topic)
        if react is None:
            return None
        return react, Tombstone(contract.topic, incoming.key, incoming.partition)


def catalogued(contract: TopicContract, type_name: str) -> EventType:
    """The catalogue's entry for ``type_name`` on the topic, or :class:`UnknownEvent`."""
    spec = contract.events.get(type_name)
    if spec is None:
        raise UnknownEvent(f"event type {type_name!r} is not in the catalogue for {contract.topic}")
    return spec


def require_version(spec: EventType, version: int, readable: frozenset[int] | None = None) -> None:
    """:class:`UnsupportedVersion` unless ``version`` is one the reader reads (default: the catalogue's)."""
    readable = spec.readable if readable is None else readable
    if version not in readable:
        listed = ", ".join(str(v) for v in sorted(readable))
        raise UnsupportedVersion(f"{spec.name} version {version} is not supported (reads {listed})")


def _versioned(reaction: EventReaction[R] | VersionedReaction[R]) -> VersionedReaction[R]:
    return reaction if isinstance(reaction, VersionedReaction) else VersionedReaction(reaction)
