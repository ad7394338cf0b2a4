"""``python -m services.tasks``: run the tasks service with its configured host and port."""

from __future__ import annotations

import uvicorn

from services.tasks.config import Settings

if __name__ == "__main__":
    settings = Settings()
    uvicorn.run("services.tasks.main:app", host=settings.host, port=settings.port)
