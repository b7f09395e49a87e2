"""Everything newscorpus raises on purpose.

    CorpusError                  base for everything we raise
    ├── ConfigError              a bad sources.toml / watchlist / option value (CLI exit 2)
    ├── InputError               a bad user file: import line, HTML file, query (CLI exit 2)
    ├── StoreError               database cannot be opened / is locked by another run (CLI exit 2)
    ├── FetchError               .url — a page could not be fetched (recorded, crawl goes on)
    │   ├── RobotsDisallowed     robots.txt forbids the URL
    │   ├── HttpStatusError      .status — a non-success status after retries
    │   ├── RefusedAddress       the host resolves to a private/loopback address not allowed
    │   └── SkippedContent       .reason — non-HTML, too large, redirect loop
    ├── ExtractError             .url — a page is not an article
    │   └── MissingField         .field ("title", "body")
    └── ArchiveError             .path — a WARC file or record is missing, unreadable or not ours

The runner catches CorpusError per page, records it in the frontier with a reason and moves on.
Anything else is a bug and crashes loudly.
"""

from __future__ import annotations


class CorpusError(Exception):
    """Base for everything we raise."""


class ConfigError(CorpusError):
    """A configuration file or option is invalid."""


class InputError(CorpusError):
    """A user-supplied input (import line, HTML file, search query) is invalid."""


class StoreError(CorpusError):
    """The database cannot be used (unreadable path, locked by another run, corrupt)."""


class FetchError(CorpusError):
    """A URL could not be fetched."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{message}: {url}")
        self.url = url
        self.reason = message


class RobotsDisallowed(FetchError):
    def __init__(self, url: str) -> None:
        super().__init__(url, "disallowed by robots.txt")


class HttpStatusError(FetchError):
    def __init__(self, url: str, status: int) -> None:
        super().__init__(url, f"HTTP {status}")
        self.status = status


class RefusedAddress(FetchError):
    def __init__(self, url: str, why: str) -> None:
        super().__init__(url, f"refused address ({why})")


class SkippedContent(FetchError):
    def __init__(self, url: str, why: str) -> None:
        super().__init__(url, f"skipped ({why})")


class ExtractError(CorpusError):
    """A page could not be turned into an article."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{message}: {url}" if url else message)
        self.url = url
        self.reason = message


class MissingField(ExtractError):
    def __init__(self, url: str, field: str) -> None:
        super().__init__(url, f"no {field} found")
        self.field = field


class ArchiveError(CorpusError):
    """The raw archive cannot be written or read (missing or corrupt WARC file, wrong record)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.reason = message
