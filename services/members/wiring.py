"""What the members service builds once per process and hands to its routes and consumers."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from services.common.runtime import Runtime
from services.members.config import Settings
from services.members.crypto import FieldCipher


@dataclass(frozen=True)
class Members:
    runtime: Runtime
    settings: Settings
    cipher: FieldCipher

    @classmethod
    def build(cls, runtime: Runtime) -> "Members":
        return cls(runtime=runtime, settings=runtime.settings, cipher=runtime.settings.cipher())


def current_members(request: Request) -> Members:
    return request.app.state.members
