"""One error shape: domain exceptions become RFC 9457 problem details, once, here."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sql
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 5  # a restarted database is back within seconds; the pool reconnects by itself


class DomainError(Exception):
    """Base of expected failures; subclasses set the HTTP status and a stable type slug."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    status, slug, title = 409, "conflict", "Conflict"


class Forbidden(DomainError):
    status, slug, title = 403, "forbidden", "Forbidden"


class Invalid(DomainError):
    status, slug, title = 422, "validation-error", "The request is not valid"


class ServiceUnavailable(DomainError):
    """Something this request needs (a database, another service) is not answering; try again."""

    status, slug, title = 503, "service-unavailable", "Briefly unavailable"

    def __init__(self, detail: str, retry_after_seconds: int = RETRY_AFTER_SECONDS, **extra: Any) -> None:
        super().__init__(detail, retry_after_seconds=retry_after_seconds, **extra)
        self.retry_after_seconds = retry_after_seconds


def outage(error: BaseException) -> ServiceUnavailable | None:
    """The problem to answer when ``error`` says the database cannot be reached (a connection
    refused or cut, a pool with no connection to give); None when it is anything else."""
    unreachable = isinstance(error, (sql.OperationalError, sql.InterfaceError, sql.TimeoutError)) or (
        isinstance(error, sql.DBAPIError) and error.connection_invalidated
    )
    if not unreachable:
        return None
    return ServiceUnavailable(f"The database is not answering; try again in {RETRY_AFTER_SECONDS} seconds.")


class BodyTooLarge(StarletteHTTPException):
    """Raised while a body is read once it passes the limit (``body_limit``); FastAPI lets an
    HTTPException through its body parsing, where any other error would become a 400."""

    slug, title = "body-too-large", "Request body too large"

    def __init__(self, max_bytes: int):
        super().__init__(413, f"The request body is larger than {max_bytes} bytes; send less.")


def problem(status: int, slug: str, title: str, detail: str, instance: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    body.update(extra)
    response = JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)
    if isinstance(extra.get("retry_after_seconds"), int):
        response.headers["retry-after"] = str(extra["retry_after_seconds"])
    return response


def _domain_problem(request: Request, error: DomainError) -> JSONResponse:
    return problem(error.status, error.slug, error.title, error.detail, request.url.path, **error.extra)


def _describe(error: Mapping[str, Any]) -> dict[str, str]:
    location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
    message = error.get("msg", "invalid value").removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        message = "unknown field: this service does not accept it"
    return {"field": location or "(body)", "message": message}


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, error: DomainError) -> JSONResponse:
        return _domain_problem(request, error)

    @app.exception_handler(sql.DBAPIError)
    @app.exception_handler(sql.TimeoutError)
    async def _database(request: Request, error: Exception) -> JSONResponse:
        if (unavailable := outage(error)) is None:
            return await _unexpected(request, error)
        log.warning("database unreachable on %s: %s", request.url.path, type(error.__cause__ or error).__name__)
        return _domain_problem(request, unavailable)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [_describe(e) for e in error.errors()]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(422, "validation-error", "The request is not valid", summary, request.url.path, errors=errors)

    @app.exception_handler(BodyTooLarge)
    async def _too_large(request: Request, error: BodyTooLarge) -> JSONResponse:
        return problem(413, error.slug, error.title, str(error.detail), request.url.path)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return problem(error.status_code, "http-error", str(error.detail), str(error.detail), request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "internal-error", "Internal error", "Something went wrong on our side.", request.url.path)
