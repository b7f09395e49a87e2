"""One small connection pool per origin for the crawl's httpx client.

httpx's single shared pool scans every pooled connection on each request (an expiry check that
costs a getpeername() and a poll() per connection), and with one connection per host that is
O(hosts) system calls per request; its default keep-alive limit (20) is also below the number
of hosts a crawl talks to at once, so connections were closed and reopened on nearly every
request. Here each origin (scheme, host, port) gets its own httpcore pool sized for the crawl's
per-host concurrency: a request only looks at its own origin's connections, and a host's
keep-alive connection is reused for its next page. With PinnedAddresses, connections go to the
address the private-address check approved (scraper.pinning).

Environment proxies (HTTP_PROXY / HTTPS_PROXY / ALL_PROXY, NO_PROXY) are honoured per origin, as
httpx does by default: such an origin's pool talks to the proxy, which resolves the host itself, so
its connections cannot be pinned to the address the crawler checked.

`AsyncHTTPTransport` takes no network backend, so a pinned pool replaces its private `_pool`
(httpx is pinned below 0.29 in pyproject.toml; tests/test_pinning.py catches a change).
"""

from __future__ import annotations

import logging
import ssl
import urllib.request

import httpcore
import httpx

from scraper.pinning import PinnedAddresses, PinningBackend
from scraper.urls import Origin

log = logging.getLogger(__name__)


def environment_proxy(scheme: str, host: str, proxies: dict[str, str] | None = None) -> str | None:
    """The proxy URL the environment sets for this origin, or None (none set, or NO_PROXY covers it).

    `proxies`: the environment's proxy settings read once (urllib's getproxies_environment()).
    """
    if proxies is None:
        proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass_environment(host, proxies):
        return None
    return proxy


class PerOriginTransport(httpx.AsyncBaseTransport):
    """Routes each request to its origin's own pool (created on first use, closed with this)."""

    def __init__(self, per_origin_connections: int = 1, *, keepalive_expiry_s: float = 5.0,
                 pins: PinnedAddresses | None = None) -> None:
        self._limits = httpx.Limits(max_connections=max(1, per_origin_connections),
                                    max_keepalive_connections=max(1, per_origin_connections),
                                    keepalive_expiry=keepalive_expiry_s)
        self._pools: dict[Origin, httpx.AsyncHTTPTransport] = {}
        self._ssl: ssl.SSLContext | None = None  # one for all pools: loading the CA bundle takes ~0.1 s
        self._plain: ssl.SSLContext | None = None  # one unused context for all plain-http pools (~0.3 ms each)
        # read once: scanning os.environ for every new origin took ~0.5 ms of the event loop each
        self._proxies = urllib.request.getproxies_environment()
        self._backend = PinningBackend(pins) if pins is not None else None

    @property
    def origins(self) -> int:
        """How many origins have a pool."""
        return len(self._pools)

    def _pool(self, origin: Origin) -> httpx.AsyncHTTPTransport:
        pool = self._pools.get(origin)
        if pool is None:
            if origin[0] == "https":
                if self._ssl is None:
                    self._ssl = httpx.create_ssl_context()
                verify = self._ssl
            else:  # plain http: no TLS, so no CA bundle to load (httpx still wants a context)
                if self._plain is None:
                    self._plain = httpx.create_ssl_context(verify=False)
                verify = self._plain
            proxy = environment_proxy(origin[0], origin[1], self._proxies)
            pool = self._pools[origin] = httpx.AsyncHTTPTransport(verify=verify, limits=self._limits, proxy=proxy)
            if proxy is not None:
                log.info("%s://%s goes through the environment's proxy (connections not pinned)", *origin[:2])
            elif self._backend is not None:  # httpx has no backend option: give its transport our pool
                pool._pool = httpcore.AsyncConnectionPool(
                    ssl_context=verify if origin[0] == "https" else None,
                    max_connections=self._limits.max_connections,
                    max_keepalive_connections=self._limits.max_keepalive_connections,
                    keepalive_expiry=self._limits.keepalive_expiry, network_backend=self._backend)
        return pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        return await self._pool(origin).handle_async_request(request)

    async def aclose(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.aclose()
