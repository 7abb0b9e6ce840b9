"""Paging for the web page's long lists. The rows come from the store's list queries
(`pipeline.store_queries`, methods of `Store`), which read one page through `Pager`."""
from __future__ import annotations


class Pager:
    """One page of a long list: which rows, how many in all, and the links to the others."""

    def __init__(self, raw_page, total: int, size: int, url: str, params: dict | None = None):
        self.size, self.total = size, total
        self.pages = max(1, -(-total // size))
        number = int(raw_page) if isinstance(raw_page, str) and raw_page.isdigit() and len(raw_page) < 9 else 1
        self.page = min(max(number, 1), self.pages)
        self.url, self.params = url, {k: v for k, v in (params or {}).items() if v}

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def first(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.offset + self.size, self.total)

    def link(self, number: int) -> str:
        from urllib.parse import urlencode

        params = dict(self.params, page=number) if number > 1 else self.params
        return f"{self.url}?{urlencode(params)}" if params else self.url

    def slice(self, items: list) -> list:
        return items[self.offset:self.offset + self.size]
