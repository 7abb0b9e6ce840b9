"""The office's web page: inbox, review, registers, tasks and replies over the congvan store.

`congvan serve` starts it; `create_app(Settings(...))` builds it (the tests use that).
"""
from .app import create_app
from .settings import Settings

__all__ = ["create_app", "Settings"]
