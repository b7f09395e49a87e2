"""URL helpers: canonical form, origin, absolutizing links.

The canonical URL is the identity of an article in the frontier and the `articles.url` column, so
two spellings of one page must map to one string and two pages must never collide. We keep every
query parameter that can select content (NDSoft's `idxno`, `no`, `page`, ...) and drop only the
ones known to be noise: tracking tags and NDSoft's comment-sort switches (`replyAll`,
`reply_sc_order_by`), which appear on shared links of the same article.
"""

from __future__ import annotations

from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# Compared case-insensitively. `ref`/`referer` are referral tags, not content selectors.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "ref",
        "referer",
        "replyall",
        "reply_sc_order_by",
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)
DEFAULT_PORTS: dict[str, int] = {"http": 80, "https": 443}

Origin = tuple[str, str, int]  # (scheme, host, port): the unit of politeness


def _is_tracking(key: str) -> bool:
    low = key.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def _raw_key(piece: str) -> str:
    return unquote(piece.split("=", 1)[0].replace("+", " "))


def canonical_url(url: str) -> str:
    """Canonical form of an http(s) URL.

    Lowercases scheme and host, drops the default port, the fragment and tracking parameters,
    percent-encodes the path and query as UTF-8 and sorts the query (w3lib's canonicalize_url).
    An empty path becomes "/".
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host
    if ":" in host:  # IPv6 literal
        netloc = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    # Filter on the raw "k=v" pieces: decoding them would mangle EUC-KR percent-escapes.
    kept = [piece for piece in parts.query.split("&") if piece and not _is_tracking(_raw_key(piece))]
    rebuilt = urlunsplit((scheme, netloc, parts.path or "/", "&".join(kept), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def origin_of(url: str) -> Origin:
    """(scheme, host, port) of a URL, with the default port filled in."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port or DEFAULT_PORTS.get(scheme, 0)
    return scheme, host, port


def origin_label(origin: Origin) -> str:
    """ "https://host" or "http://host:8080": how an origin is shown in stats and logs."""
    scheme, host, port = origin
    shown = f"[{host}]" if ":" in host else host
    if port == DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{shown}"
    return f"{scheme}://{shown}:{port}"


def host_port(url: str) -> tuple[str, int]:
    """(host, port) of a URL, as matched against the allowed private hosts."""
    _, host, port = origin_of(url)
    return host, port


def absolutize(base: str, href: str) -> str | None:
    """Resolve a link against the page URL; None for non-http(s) links (mailto:, javascript:)."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        joined = urljoin(base, href)
    except ValueError:
        return None
    if urlsplit(joined).scheme.lower() not in DEFAULT_PORTS:
        return None
    return joined


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    return parts.scheme.lower() in DEFAULT_PORTS and bool(parts.hostname)
