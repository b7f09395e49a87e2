"""Connect to the address the private-address check approved, not to a second DNS answer.

scraper.addresses resolves a host name and refuses it if any address is not public. Without
pinning, the HTTP client would then resolve the name again to connect, and a DNS server answering
a public address to the check and 127.0.0.1 to the connection (DNS rebinding) would get the
request through. Here the check records the address it approved (`PinnedAddresses`) and the
crawl's connection pools open their TCP connections through `PinningBackend`, which connects to
that address. The URL is unchanged, so the Host header and TLS SNI/certificate checks still use
the host name. Hosts the check did not resolve (literal IPs, hosts allowed by
`--allow-private-hosts`) connect as given.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import anyio._backends._asyncio  # noqa: F401 - see below
import httpcore

# anyio imports its asyncio backend on the first connection: ~50 ms inside the event loop while
# every host of a crawl waits for its first request. Imported here, it is loaded with the crawler.

log = logging.getLogger(__name__)

SocketOption = tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]


class PinnedAddresses:
    """(host, port) → the IP address the private-address check approved for it, for one run."""

    def __init__(self) -> None:
        self._ips: dict[tuple[str, int], str] = {}

    def pin(self, host: str, port: int, address: str) -> None:
        self._ips[(host.lower(), port)] = address

    def get(self, host: str, port: int) -> str | None:
        return self._ips.get((host.lower(), port))


class PinningBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, but TCP connections to a pinned host go to its pinned address."""

    def __init__(self, pins: PinnedAddresses, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._pins = pins
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[SocketOption] | None = None) -> httpcore.AsyncNetworkStream:
        address = self._pins.get(host, port)
        if address is not None and address != host:
            log.debug("connecting to %s:%d at its checked address %s", host, port, address)
        return await self._inner.connect_tcp(address or host, port, timeout=timeout, local_address=local_address,
                                             socket_options=socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[SocketOption] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout=timeout, socket_options=socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
