"""One module per page; each is a few lines over the store and the pipeline functions."""
from __future__ import annotations

from contextlib import contextmanager

from fastapi import Request

from ...store import Store


def store_of(request: Request) -> Store:
    return request.app.state.store


@contextmanager
def writing(request: Request):
    """Hold the app's write lock: SQLite takes one writer, and số đến must not be handed out twice."""
    with request.app.state.write_lock:
        yield store_of(request)
