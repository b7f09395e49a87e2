"""Load and validate sources.toml into Source records.

Format (contract): a list of `[[sources]]` tables with

    id = "incheon-daily"            # required; letters, digits, "-", "_", "."
    name = "인천데일리"               # required
    homepage = "https://www.example.kr/"                       # required, http(s)
    feeds = ["/rss/allArticle.xml"]                            # optional; relative URLs are
    sitemaps = ["https://www.example.kr/sitemap.xml"]          #   resolved against homepage
    listings = ["/news/articleList.html?view_type=sm&page={page}"]  # must contain {page}
    article_pattern = '/news/articleView\\.html\\?idxno=\\d+'  # regex, searched in the URL
    rate = 2.0                      # seconds between requests to this origin (> 0)
    encoding = "cp949"              # override for mislabelled sites (a known codec)
    profile = "ndsoft"              # extraction profile name
    max_listing_pages = 20          # listing pages per template and run (> 0)

Unknown keys in a source are an error (a typo such as `feed =` would otherwise silently lose a
feed); unknown top-level keys only log a warning, so the file can carry other sections.
Listings without `article_pattern` are allowed but weak: a listing link then counts only if it
is on the listing's host and has a run of 4+ digits in its path or query (an article id).
Every problem is a ConfigError with one line naming the file, the source and the field.
"""

from __future__ import annotations

import codecs
import logging
import re
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import fields
from pathlib import Path
from typing import Any

from scraper.errors import ConfigError
from scraper.models import Source
from scraper.urls import absolutize, host_port, is_http_url

log = logging.getLogger(__name__)

SOURCE_KEYS = frozenset(
    {
        "id",
        "name",
        "homepage",
        "feeds",
        "sitemaps",
        "listings",
        "article_pattern",
        "rate",
        "encoding",
        "profile",
        "max_listing_pages",
    }
)
_DEFAULT_MAX_PAGES: int = next(f.default for f in fields(Source) if f.name == "max_listing_pages")  # type: ignore[assignment]
_Fail = Callable[[str, str], ConfigError]
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def load_sources(path: Path) -> list[Source]:
    """Read and validate a sources file; raise ConfigError with a one-line reason."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: sources file not found") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read sources file ({e.strerror or e})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text (byte {e.start})") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    return parse_sources(data, str(path))


def parse_sources(data: dict[str, Any], origin: str = "<sources>") -> list[Source]:
    """Validate already-parsed TOML data (a dict with a `sources` list)."""
    for key in data:
        if key != "sources":
            log.warning("%s: ignoring unknown top-level key %r", origin, key)
    entries = data.get("sources")
    if entries is None:
        raise ConfigError(f"{origin}: no [[sources]] entries")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{origin}: 'sources' must be an array of tables ([[sources]])")
    sources: list[Source] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries, start=1):
        source = _parse_source(entry, f"{origin}: source #{index}")
        if source.id in seen:
            first = seen[source.id]
            raise ConfigError(f"{origin}: source #{index}: field 'id': duplicate id {source.id!r} (see #{first})")
        seen[source.id] = index
        sources.append(source)
    return sources


def _parse_source(entry: dict[str, Any], where: str) -> Source:
    ident = entry.get("id")
    if isinstance(ident, str) and ident:
        where = f"{where} ({ident})"
    unknown = sorted(set(entry) - SOURCE_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(sorted(SOURCE_KEYS))})")

    def fail(field: str, why: str) -> ConfigError:
        return ConfigError(f"{where}: field '{field}': {why}")

    for required in ("id", "name", "homepage"):
        value = entry.get(required)
        if value is None:
            raise fail(required, "missing")
        if not isinstance(value, str) or not value.strip():
            raise fail(required, "must be a non-empty string")
    ident = entry["id"].strip()
    if not _ID.match(ident):
        raise fail("id", f"{ident!r} may contain only letters, digits, '-', '_' and '.'")
    homepage = entry["homepage"].strip()
    if not is_http_url(homepage):
        raise fail("homepage", f"{homepage!r} is not an absolute http(s) URL")

    feeds = _urls(entry, "feeds", homepage, fail)
    sitemaps = _urls(entry, "sitemaps", homepage, fail)
    listings = _urls(entry, "listings", homepage, fail, template=True)

    pattern = None
    if "article_pattern" in entry:
        text = entry["article_pattern"]
        if not isinstance(text, str) or not text:
            raise fail("article_pattern", "must be a non-empty string (a regular expression)")
        try:
            pattern = re.compile(text)
        except re.error as e:
            raise fail("article_pattern", f"bad regular expression ({e})") from None

    rate = entry.get("rate")
    if rate is not None:
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not rate > 0 or rate != rate:
            raise fail("rate", f"must be a positive number of seconds (got {rate!r})")
        rate = float(rate)

    encoding = entry.get("encoding")
    if encoding is not None:
        if not isinstance(encoding, str):
            raise fail("encoding", "must be a string")
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise fail("encoding", f"unknown encoding {encoding!r}") from None

    profile = entry.get("profile")
    if profile is not None and (not isinstance(profile, str) or not profile.strip()):
        raise fail("profile", "must be a non-empty string")

    max_pages = entry.get("max_listing_pages", _DEFAULT_MAX_PAGES)
    if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
        raise fail("max_listing_pages", f"must be a positive integer (got {max_pages!r})")

    if listings and pattern is None:
        log.warning(
            "%s: listings without article_pattern: only same-host links with a number of 4+ digits count",
            where,
        )
    return Source(
        id=ident,
        name=entry["name"].strip(),
        homepage=homepage,
        feeds=feeds,
        sitemaps=sitemaps,
        listings=listings,
        article_pattern=pattern,
        rate=rate,
        encoding=encoding,
        profile=profile.strip() if profile else None,
        max_listing_pages=max_pages,
    )


def _urls(entry: dict[str, Any], field: str, homepage: str, fail: Any, *, template: bool = False) -> tuple[str, ...]:
    value = entry.get(field, [])
    if isinstance(value, str):
        raise fail(field, f"must be a list of URLs, e.g. {field} = [{value!r}]")
    if not isinstance(value, list):
        raise fail(field, "must be a list of URLs")
    out: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise fail(field, f"entries must be non-empty strings (got {item!r})")
        item = item.strip()
        if template and "{page}" not in item:
            raise fail(field, f"listing template {item!r} has no {{page}} placeholder")
        url = absolutize(homepage, item)
        probe = url.replace("{page}", "1") if url else None
        if url is None or probe is None or not is_http_url(probe):
            raise fail(field, f"{item!r} is not an http(s) URL")
        out.append(url)
    return tuple(out)


def named_hosts(sources: Iterable[Source]) -> frozenset[tuple[str, int]]:
    """(host, port) of every URL named in the sources: the hosts --allow-private-hosts allows."""
    hosts: set[tuple[str, int]] = set()
    for source in sources:
        for url in (source.homepage, *source.feeds, *source.sitemaps, *source.listings):
            hosts.add(host_port(url.replace("{page}", "1")))
    return frozenset(hosts)
