"""Per-origin spacing and concurrency, plus a global cap on requests in flight.

An origin (scheme, host, port) gets at most `per_host_concurrency` requests in flight, and
request *starts* are spaced by the origin's delay, start to start (like Scrapy's download slots):
the next slot is the previous request's start plus the delay, not the end of its response plus
the delay, so a host answering in 50 ms at a 0.2 s delay still gets a request every 0.2 s.
Slots are reserved in order, so concurrent callers queue instead of bursting. The global
semaphore is taken only after the wait, so a sleeping request never holds one of the global slots.

`lateness` is a moving average of how long after its slot a request really started (event loop
busy, global cap full): the crawl's processing backs off while it grows, so fetching keeps pace.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from scraper.urls import Origin


class _OriginState:
    def __init__(self, concurrency: int) -> None:
        self.semaphore = asyncio.Semaphore(concurrency)
        self.lock = asyncio.Lock()
        self.next_start = 0.0  # monotonic time before which no request may start


class PolitenessGate:
    """Enforces delay and concurrency per origin and overall."""

    def __init__(self, per_origin_concurrency: int, global_concurrency: int, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._per_origin = max(1, per_origin_concurrency)
        self._global = asyncio.Semaphore(max(1, global_concurrency))
        self._origins: dict[Origin, _OriginState] = {}
        self._clock = clock
        self.lateness = 0.0  # seconds, moving average over recent requests (see the module docstring)

    def next_start(self, origin: Origin) -> float:
        """The clock time before which the origin's next request may not start (0: no request yet)."""
        state = self._origins.get(origin)
        return state.next_start if state is not None else 0.0

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
                now = self._clock()
                start = max(now, state.next_start)
                state.next_start = start + max(0.0, delay_s)  # start to start
            if start > now:
                await asyncio.sleep(start - now)
            async with self._global:
                actual = self._clock()
                self.lateness = 0.9 * self.lateness + 0.1 * max(0.0, actual - start)
                # a late start pushes the next slot too: real starts stay at least the delay apart
                state.next_start = max(state.next_start, actual + max(0.0, delay_s))
                yield

    def push_back(self, origin: Origin, seconds: float) -> None:
        """Keep the origin quiet for `seconds` from now (after a 429/503 with Retry-After)."""
        state = self._state(origin)
        state.next_start = max(state.next_start, self._clock() + seconds)
