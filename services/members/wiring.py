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
        # Matching learns the areas' geography from their topic: state them all once per start
        # (the seeded ones were never published, and a topic may have been recreated).
        publish_all_areas(runtime.engine, runtime.settings.topics)
        return cls(runtime=runtime, settings=runtime.settings, cipher=runtime.settings.cipher())


def current_members(request: Request) -> Members:
    return request.app.state.members
