"""How one HTTP response becomes a WARC `response` record, and the header names we add.

The payload is the body as the fetcher saw it: Content-Encoding (gzip, br, ...) and chunked
Transfer-Encoding already removed. So that the record stays a valid, self-consistent HTTP message,
those headers are renamed `X-Archive-Orig-<name>` (the Wayback convention), Content-Length is set
to the stored length, and the WARC header `WARC-X-Payload-Decoded` says which codings were removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

# WARC header fields of our own (WARC 1.1 allows extension fields).
SOURCE_FIELD = "WARC-X-Newscorpus-Source"  # the sources.toml id the page was fetched for
ENCODING_FIELD = "WARC-X-Newscorpus-Charset-Override"  # the source's `encoding` override, if any
PURPOSE_FIELD = "WARC-X-Newscorpus-Purpose"  # "article" or "discovery" (feed, sitemap, listing)
REQUESTED_FIELD = "WARC-X-Newscorpus-Requested-URI"  # the URL asked for, when redirects led elsewhere
DECODED_FIELD = "WARC-X-Payload-Decoded"  # content/transfer codings removed from the stored payload

_CODING_HEADERS = ("content-encoding", "transfer-encoding")


@dataclass(frozen=True, slots=True)
class ArchivedResponse:
    """One final (non-redirect) HTTP response, as the fetcher received it."""

    requested_url: str
    url: str  # final URL after redirects
    status: int
    reason: str
    http_version: str  # "HTTP/1.1", "HTTP/2"
    headers: tuple[tuple[str, str], ...]  # in the order received, names as sent
    body: bytes  # after Content-Encoding
    fetched_at: datetime
    source: str = ""
    encoding_override: str | None = None
    purpose: str = "article"


def stored_headers(headers: tuple[tuple[str, str], ...], body_len: int) -> tuple[list[tuple[str, str]], str]:
    """Headers for the stored (decoded) payload, and the value of the DECODED_FIELD ("" if none)."""
    out: list[tuple[str, str]] = []
    removed: list[str] = []
    for name, value in headers:
        low = name.lower()
        if low in _CODING_HEADERS:
            removed.append(f"{low}={value.strip()}")
            out.append((f"X-Archive-Orig-{name}", value))
        elif low == "content-length":
            out.append((f"X-Archive-Orig-{name}", value))
        else:
            out.append((name, value))
    out.append(("Content-Length", str(body_len)))
    return out, ", ".join(removed)


def restored_headers(headers: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The response headers as the fetcher saw them (original codings back, our Content-Length out)."""
    out: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower() == "content-length":
            continue
        if name.lower().startswith("x-archive-orig-"):
            name = name[len("X-Archive-Orig-"):]
        out.append((name, value))
    return tuple(out)


def warc_date(when: datetime) -> str:
    """WARC-Date with microseconds (WARC 1.1), so fetched_at reads back exactly."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_warc_date(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
