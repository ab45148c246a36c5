"""The HTTP API: thin FastAPI routes over the pure query pipeline."""

from .app import create_app

__all__ = ["create_app"]
