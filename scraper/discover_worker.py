"""A parser process for discovery, so the event loop stays free while 50 feeds arrive together.

A crawl's start-up is CPU-bound on the event loop: every host's feed comes due within ~0.2 s and
each costs milliseconds of parsing and canonicalising (scraper.discover_parse). A thread cannot
take that off the loop (the parser holds the GIL), another process can. `ParserProcess` starts
`python -m scraper.discover_worker` (a fresh interpreter: the crawl has threads, so no fork; it
imports only the parsers, not the crawl's main module, so it is ready in ~0.2 s) and talks to it
over its stdin/stdout, read and written by the event loop itself (no helper threads).

Wire format, both ways: an 8-byte big-endian length, then a pickle. The worker first sends READY
once its imports are done and a tiny feed was parsed; then, for each request (function, args) in
order, one reply ("ok", result) or ("error", text). Both ends are this code base, over a private pipe.

Falling back, never failing: until READY arrives, after the worker died (killed, crashed, out of
memory; logged once as a warning) and for a request that raised in the worker, the function runs
here, on the event loop, exactly as without a parser process — so results are the same, in the
same order, and an exception is raised here as before.

Ending: `close()` closes the worker's stdin; the worker ends at end of input and is killed if it
has not within CLOSE_TIMEOUT_S. It also ends if the crawl is killed (its stdin reaches EOF). It is
in its own session, so a Ctrl-C on the terminal reaches only the crawl, which then finishes its
in-flight pages and closes the worker; it ignores SIGINT besides.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import IO, Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
READY = b"ready"
CLOSE_TIMEOUT_S = 5.0
_HEADER = 8


def _frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(_HEADER, "big") + payload


class _Gone(Exception):
    """The worker ended before answering."""


class _Replies(asyncio.Protocol):
    """Reads the worker's stdout on the event loop: READY, then one reply per request, in order."""

    def __init__(self, owner: ParserProcess) -> None:
        self._owner = owner
        self._buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self._buffer.extend(data)
        while len(self._buffer) >= _HEADER:
            size = int.from_bytes(self._buffer[:_HEADER], "big")
            if len(self._buffer) < _HEADER + size:
                return
            payload = bytes(self._buffer[_HEADER : _HEADER + size])
            del self._buffer[: _HEADER + size]
            self._owner._reply(payload)

    def connection_lost(self, exc: Exception | None) -> None:
        self._owner._gone()


class ParserProcess:
    """The parser process of one crawl: start() early, attach() on the loop, call(), close()."""

    def __init__(self, *, enabled: bool | None = None) -> None:
        # one CPU: another process only competes with the event loop for it
        self.enabled = (os.cpu_count() or 1) > 1 if enabled is None else enabled
        self.parsed_there = 0  # documents the worker parsed
        self.parsed_here = 0  # ... parsed on the event loop (not ready yet, gone, or it raised there)
        self._proc: subprocess.Popen[bytes] | None = None
        self._stdin: asyncio.WriteTransport | None = None
        self._stdout: asyncio.ReadTransport | None = None
        self._pending: collections.deque[asyncio.Future[tuple[str, Any]]] = collections.deque()
        self._ready = False
        self._broken = False

    @property
    def ready(self) -> bool:
        """The worker has its parsers loaded and answers (documents go there now)."""
        return self._ready and not self._broken

    def start(self) -> None:
        """Start the worker (it imports its parsers meanwhile); nothing when disabled or it cannot start."""
        if not self.enabled or self._proc is not None:
            return
        try:
            self._proc = subprocess.Popen([sys.executable, "-m", "scraper.discover_worker"],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          start_new_session=True)
        except OSError as e:
            log.warning("discovery: no parser process (%s): parsing on the event loop", e)
            self._broken = True

    async def attach(self) -> None:
        """Read and write the worker's pipes on the running loop (once)."""
        if self._proc is None or self._stdin is not None or self._broken:
            return
        assert self._proc.stdin is not None and self._proc.stdout is not None
        loop = asyncio.get_running_loop()
        self._stdout, _ = await loop.connect_read_pipe(lambda: _Replies(self), self._proc.stdout)
        self._stdin, _ = await loop.connect_write_pipe(asyncio.Protocol, self._proc.stdin)

    def detach(self) -> None:
        """Stop using the worker (before its loop ends); closing its stdin lets it end."""
        self._broken = True  # (no more calls: anything late runs here)
        for transport in (self._stdin, self._stdout):
            if transport is not None:
                transport.close()
        self._fail_pending()

    def close(self) -> None:
        """End the worker: end of input, then wait; killed if it has not ended in time."""
        self.detach()
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()
        try:
            proc.wait(timeout=CLOSE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.debug("discovery parser process ended (%d documents there, %d here)",
                  self.parsed_there, self.parsed_here)

    def __enter__(self) -> ParserProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in the worker when it is ready, else here; the same result either way."""
        if self._ready and not self._broken and self._stdin is not None and not self._stdin.is_closing():
            future: asyncio.Future[tuple[str, Any]] = asyncio.get_running_loop().create_future()
            self._pending.append(future)
            self._stdin.write(_frame(pickle.dumps((fn, args), pickle.HIGHEST_PROTOCOL)))
            try:
                status, value = await future
            except _Gone:
                pass
            else:
                if status == "ok":
                    self.parsed_there += 1
                    return value  # type: ignore[no-any-return]
                log.debug("discovery: %s raised in the parser process (%s): again here", fn.__name__, value)
        self.parsed_here += 1
        return fn(*args)

    # -- from _Replies ---------------------------------------------------------------------------
    def _reply(self, payload: bytes) -> None:
        if not self._ready:
            self._ready = payload == READY
            return
        future = self._pending.popleft() if self._pending else None
        if future is not None and not future.done():  # (a cancelled caller leaves a done future)
            future.set_result(pickle.loads(payload))

    def _gone(self) -> None:
        if not self._broken:
            code = self._proc.poll() if self._proc is not None else None
            log.warning("discovery: the parser process ended (exit code %s): parsing on the event loop", code)
        self._broken = True
        self._fail_pending()

    def _fail_pending(self) -> None:
        while self._pending:
            future = self._pending.popleft()
            if not future.done():
                future.set_exception(_Gone())


# -- the worker ---------------------------------------------------------------------------------
def _read_exactly(stream: IO[bytes], size: int) -> bytes | None:
    data = stream.read(size)
    return data if len(data) == size else None


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """Answer requests until end of input."""
    from scraper.discover_parse import feed_links

    feed_links("http://x/", b'<rss version="2.0"><channel><item><link>/a</link></item></channel></rss>', None)
    replies.write(_frame(READY))
    replies.flush()
    while (header := _read_exactly(requests, _HEADER)) is not None:
        request = _read_exactly(requests, int.from_bytes(header, "big"))
        if request is None:
            return
        try:
            fn, args = pickle.loads(request)
            reply = pickle.dumps(("ok", fn(*args)), pickle.HIGHEST_PROTOCOL)
        except Exception as e:  # the caller runs it again itself and sees the exception
            reply = pickle.dumps(("error", f"{type(e).__name__}: {e}"), pickle.HIGHEST_PROTOCOL)
        replies.write(_frame(reply))
        replies.flush()


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the crawl decides when we end
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by a library goes to stderr, not into the replies
    try:
        serve(sys.stdin.buffer, replies)
    except BrokenPipeError:  # the crawl stopped reading (closed, or gone): nothing left to do
        os._exit(0)  # (not sys.exit: flushing the replies at exit would fail again)


if __name__ == "__main__":
    main()
