"""The hand-off between the crawl's fetch workers and its processing (extract → dedup → Kiwi → store).

Bounded by the bytes it holds, not by a count of pages: fetching never waits on processing until
this much fetched HTML is waiting, so a slow stage downstream only throttles the fetchers once the
buffer is full (backpressure), and memory stays bounded whatever the page sizes. Items are taken in
batches, in the order they were put.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class ByteBoundedQueue(Generic[T]):
    """An asyncio FIFO holding at most `limit` bytes (a single larger item is still let in alone)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._items: deque[tuple[T, int]] = deque()
        self._bytes = 0
        self._closed = False
        self._changed = asyncio.Condition()
        self.high_water = 0  # the most bytes held at once
        self.waits = 0  # how often a put had to wait for room (backpressure)

    def __len__(self) -> int:
        return len(self._items)

    def has_room(self, size: int) -> bool:
        """Whether an item of `size` bytes would go in now without waiting."""
        return self._has_room(size)

    async def put(self, item: T, size: int, *, wait: bool = True) -> None:
        """Append an item; waits while the queue is full unless `wait` is False (then it goes in anyway:
        for small items whose bulk lies elsewhere, e.g. a page spooled to disk)."""
        async with self._changed:
            if wait and not self._has_room(size):
                self.waits += 1
                await self._changed.wait_for(lambda: self._has_room(size))
            self._items.append((item, size))
            self._bytes += size
            self.high_water = max(self.high_water, self._bytes)
            self._changed.notify_all()

    async def get_batch(self, most: int) -> list[T]:
        """Up to `most` items, waiting for the first; [] once the queue is closed and empty."""
        async with self._changed:
            await self._changed.wait_for(lambda: bool(self._items) or self._closed)
            batch: list[T] = []
            while self._items and len(batch) < most:
                item, size = self._items.popleft()
                self._bytes -= size
                batch.append(item)
            self._changed.notify_all()
            return batch

    async def close(self) -> None:
        """No more puts: get_batch drains what is left, then returns []."""
        async with self._changed:
            self._closed = True
            self._changed.notify_all()

    def _has_room(self, size: int) -> bool:
        return self._bytes == 0 or self._bytes + size <= self._limit
