"""``uvicorn gateway.main:app`` (port 8000 by default; see gateway.config for settings)."""

from gateway.app import create_app
from gateway.config import Settings

settings = Settings()
app = create_app(settings)
