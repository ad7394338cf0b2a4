"""Internal routes of the gateway, for other services of the product only (never GraphQL, never
the public pages, not in any OpenAPI document).

One route so far: the notifications service reads a coordinator's delivery address, to mail them
about their tasks (a task filled, a volunteer withdrew). The caller must prove who it is with a
service token signed by the notifications service's key for the role ``notifier``; everything
else is refused. Every read is recorded (who, whose, why, when) in ``account_address_read``.
"""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from gateway.models import AddressRead, Role, User, role_of
from services.common.db import session_scope
from services.common.identity import NOTIFICATIONS_ISSUER, NOTIFIER, ServiceClaims, Unauthenticated
from services.common.problems import Forbidden, Invalid, NotFound

router = APIRouter(prefix="/internal", include_in_schema=False)
_bearer = HTTPBearer(auto_error=False)

# Why an address may be read; a read for any other reason is refused.
PURPOSES = ("notification",)
# Accounts whose address the notifications service may read: those who run tasks. A volunteer's
# address lives in the members service and is read there.
STAFF_ROLES = (Role.coordinator, Role.admin)


class DeliveryAddress(BaseModel):
    address: str | None  # None when the stored copy cannot be read with the current key
    language: str  # the account's chosen language, for the message


def notifier(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> ServiceClaims:
    """The verified claims of the notifications service; 401 or 403 for anyone else."""
    if credentials is None:
        raise Unauthenticated("this route answers only calls with a service token: Authorization: Bearer <token>")
    claims = request.app.state.gateway.settings.internal_token_verifier.verify(credentials.credentials)
    if (claims.issuer, claims.role) != (NOTIFICATIONS_ISSUER, NOTIFIER):  # the verifier allows only this today
        raise Forbidden(f"{claims.issuer} as {claims.role} may not read delivery addresses")
    return claims


@router.get("/accounts/{account_id}/delivery-address", response_model=DeliveryAddress)
def delivery_address(
    account_id: UUID, request: Request, purpose: str = Query(...), caller: ServiceClaims = Depends(notifier)
) -> DeliveryAddress:
    if purpose not in PURPOSES:
        raise Invalid(f"purpose must be one of {', '.join(PURPOSES)}")
    accounts = request.app.state.gateway.accounts
    with session_scope(accounts.engine) as session:
        user = session.get(User, account_id)
        if user is None or not user.active or role_of(user) not in STAFF_ROLES:
            raise NotFound("No coordinator account with this id.")
        session.add(AddressRead(account_id=account_id, reader=f"{caller.issuer}:{caller.role}", purpose=purpose))
        address = accounts.vault.decrypt(user.email_encrypted)
        language = user.locale
    return DeliveryAddress(address=address if "@" in address else None, language=language)
