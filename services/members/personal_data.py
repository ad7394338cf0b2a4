"""Sealing and opening a member's personal data (name, pronouns, contacts) with the field cipher."""

from __future__ import annotations

from uuid import UUID

from services.common.problems import DomainError
from services.members.crypto import FieldCipher, UndecryptableData
from services.members.models import Member, PersonalData


class SealedDataUnavailable(DomainError):
    """The configured keys cannot open a row: an operator removed a key too early (KEY_ROTATION.md)."""

    status, slug, title = 500, "sealed-data-unavailable", "Personal data cannot be decrypted"


def context_of(member_id: UUID) -> str:
    # Binds the ciphertext to its row and column (AES-GCM associated data).
    return f"member:{member_id}:personal_data"


def seal(cipher: FieldCipher, member_id: UUID, personal: PersonalData) -> bytes:
    return cipher.seal(personal.model_dump_json().encode(), context_of(member_id))


def unseal(cipher: FieldCipher, member: Member) -> PersonalData:
    try:
        plaintext = cipher.open(member.personal_data, context_of(member.id))
    except UndecryptableData as error:
        raise SealedDataUnavailable(
            f"member {member.id}: {error}; restore the key to MEMBERS_ENCRYPTION_KEYS (see KEY_ROTATION.md)"
        ) from None
    return PersonalData.model_validate_json(plaintext)
