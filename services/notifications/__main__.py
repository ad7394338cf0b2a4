"""``uv run python -m services.notifications`` runs the service on its configured host and port."""

import uvicorn

from services.notifications.main import settings

if __name__ == "__main__":
    uvicorn.run("services.notifications.main:app", host=settings.host, port=settings.port)
