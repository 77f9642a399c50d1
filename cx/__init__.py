"""Project configuration and the core CX domain."""

from cx.celery import app as celery_app

__all__ = ["celery_app"]
