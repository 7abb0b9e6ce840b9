"""One module per page; each is a few lines over the store and the pipeline functions."""
from __future__ import annotations

from fastapi import Request

from ...store import Store


def store_of(request: Request) -> Store:
    return request.app.state.store
