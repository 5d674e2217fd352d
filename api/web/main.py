"""The ASGI application for uvicorn (`api.web.main:app`), configured from the environment."""

from .app import create_app

app = create_app()
