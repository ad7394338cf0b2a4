# syntax=docker/dockerfile:1
# The notifications service. Build from the repository root:
#   docker build -f deploy/docker/notifications.Dockerfile -t coalition-match/notifications .
# Every service image is built the same way; only the copied package, the port and the module differ.

ARG PYTHON_IMAGE=python:3.11-slim
# The same uv release that wrote uv.lock.
ARG UV_IMAGE=ghcr.io/astral-sh/uv:0.13.9

FROM ${UV_IMAGE} AS uv

# Build stage: resolves the locked dependencies into /app/.venv. Everything here is left behind.
FROM ${PYTHON_IMAGE} AS build
COPY --from=uv /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --no-install-project
COPY services/__init__.py services/
COPY services/common services/common
COPY services/notifications services/notifications
RUN python -m compileall -q services

# Runtime stage: the interpreter, the virtualenv and the code; no uv, no compilers, no shell tools added.
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
# Code stays owned by root: the service can read it but never rewrite it.
COPY --from=build /app /app
WORKDIR /app
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ENVIRONMENT=production
USER 10001:10001
EXPOSE 8004
CMD ["uvicorn", "services.notifications.main:app", "--host", "0.0.0.0", "--port", "8004"]
