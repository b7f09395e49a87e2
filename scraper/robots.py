"""robots.txt rules per origin (RFC 9309), parsed with protego.

How a robots.txt response maps to rules:
- 2xx: the file's rules (only the first 500 KiB are parsed, as the RFC allows);
- 4xx (except 429): no rules — everything is allowed;
- 429, 5xx, network failure: the site is unreachable — everything is disallowed. The verdict is
  kept for the life of the Fetcher (one crawl run), so the next run asks again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from protego import Protego

from scraper.urls import Origin

log = logging.getLogger(__name__)

MAX_ROBOTS_BYTES = 500 * 1024


@dataclass(frozen=True)
class RobotsRules:
    """The robots.txt verdict for one origin."""

    parser: Protego | None = None
    allow_all: bool = True  # used only when parser is None
    note: str = ""  # why: "parsed", "HTTP 404", "HTTP 503", "unreachable: ..."

    def allows(self, url: str, user_agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        """Crawl-delay (or 1/Request-rate) for our agent, in seconds."""
        if self.parser is None:
            return None
        delays: list[float] = []
        delay = self.parser.crawl_delay(user_agent)
        if delay is not None:
            delays.append(float(delay))
        rate = self.parser.request_rate(user_agent)
        if rate is not None and rate.requests > 0:
            delays.append(rate.seconds / rate.requests)
        return max(delays) if delays else None

    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser is not None else []


ALLOW_ALL = RobotsRules(None, True, "no robots.txt")


def rules_from_response(status: int, body: bytes) -> RobotsRules:
    """RFC 9309 mapping of a robots.txt response (after redirects) to rules."""
    if 200 <= status < 300:
        text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
        return RobotsRules(Protego.parse(text), True, "parsed")
    if 400 <= status < 500 and status != 429:
        return RobotsRules(None, True, f"HTTP {status}")
    return RobotsRules(None, False, f"HTTP {status}")


def unreachable(why: str) -> RobotsRules:
    return RobotsRules(None, False, f"unreachable: {why}")


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against ("newscorpus-bot")."""
    return user_agent.split("/", 1)[0].split()[0] if user_agent.strip() else "*"


class RobotsCache:
    """Fetches each origin's robots.txt once (concurrent callers wait for the same fetch)."""

    def __init__(self) -> None:
        self._rules: dict[Origin, RobotsRules] = {}
        self._locks: dict[Origin, asyncio.Lock] = {}

    async def get(self, origin: Origin, load: Callable[[], Awaitable[RobotsRules]]) -> RobotsRules:
        cached = self._rules.get(origin)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._rules.get(origin)
            if cached is None:
                cached = await load()
                log.debug("robots.txt for %s://%s:%d: %s", *origin, cached.note)
                self._rules[origin] = cached
            return cached

    def peek(self, origin: Origin) -> RobotsRules | None:
        return self._rules.get(origin)
