"""What the members service builds once per process and hands to its routes and consumers."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from services.common.runtime import Runtime
from services.members.config import Settings
from services.members.crypto import FieldCipher
from services.members.taxonomy import publish_all_areas


@dataclass(frozen=True)
class Members:
    runtime: Runtime
    settings: Settings
    cipher: FieldCipher

    @classmethod
    def build(cls, runtime: Runtime) -> "Members":
        settings = runtime.settings
        if not isinstance(settings, Settings):  # the composition root runs each service on its own
            raise TypeError(f"the members service runs on its own Settings, not {type(settings).__name__}")
        # Matching learns the areas' geography from their topic: state them all once per start
        # (the seeded ones were never published, and a topic may have been recreated).
        publish_all_areas(runtime.engine, settings.topics)
        return cls(runtime=runtime, settings=settings, cipher=settings.cipher())


def current_members(request: Request) -> Members:
    return request.app.state.members
