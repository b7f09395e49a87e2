"""Per-origin spacing and concurrency, plus a global cap on requests in flight.

An origin (scheme, host, port) gets at most `per_host_concurrency` requests in flight, and
request *starts* are spaced by the origin's delay: slots are reserved in order, so concurrent
callers queue instead of bursting. The global semaphore is taken only after the wait, so a
sleeping request never holds one of the global slots.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from scraper.urls import Origin


class _OriginState:
    def __init__(self, concurrency: int) -> None:
        self.semaphore = asyncio.Semaphore(concurrency)
        self.lock = asyncio.Lock()
        self.next_start = 0.0  # monotonic time before which no request may start


class PolitenessGate:
    """Enforces delay and concurrency per origin and overall."""

    def __init__(self, per_origin_concurrency: int, global_concurrency: int) -> None:
        self._per_origin = max(1, per_origin_concurrency)
        self._global = asyncio.Semaphore(max(1, global_concurrency))
        self._origins: dict[Origin, _OriginState] = {}

    def _state(self, origin: Origin) -> _OriginState:
        state = self._origins.get(origin)
        if state is None:
            state = self._origins[origin] = _OriginState(self._per_origin)
        return state

    @asynccontextmanager
    async def slot(self, origin: Origin, delay_s: float) -> AsyncIterator[None]:
        """Wait for this origin's next slot, then hold a request slot until the block ends."""
        state = self._state(origin)
        async with state.semaphore:
            async with state.lock:
                now = time.monotonic()
                start = max(now, state.next_start)
                state.next_start = start + max(0.0, delay_s)
            if start > now:
                await asyncio.sleep(start - now)
            async with self._global:
                yield

    def push_back(self, origin: Origin, seconds: float) -> None:
        """Keep the origin quiet for `seconds` from now (after a 429/503 with Retry-After)."""
        state = self._state(origin)
        state.next_start = max(state.next_start, time.monotonic() + seconds)
