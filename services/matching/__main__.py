"""``uv run python -m services.matching`` runs the service on its configured host and port."""

import uvicorn

from services.matching.main import settings

if __name__ == "__main__":
    uvicorn.run("services.matching.main:app", host=settings.host, port=settings.port)
