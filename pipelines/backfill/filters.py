"""Which WARC records are Korean news article pages: host list, response status, type, language.

A third-party news crawl holds everything a crawler saw (images, scripts, feeds, other
languages); these cheap checks decide what is worth the extractor and Kiwi.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scraper.errors import InputError

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class HostRule:
    host: str  # lower-case host name, or host:port
    source: str  # source id stored on the articles (the host itself when not given)


@dataclass(frozen=True, slots=True)
class HostFilter:
    """The `--hosts` list; an empty list lets every host through (the source is the host)."""

    rules: tuple[HostRule, ...] = ()

    def source_for(self, url: str) -> str | None:
        """The source id for a page URL, or None when its host is not on the list.

        `example.kr` also covers `www.example.kr` and `news.example.kr`; an entry with a port
        (`127.0.0.1:8001`) matches only that origin.
        """
        netloc = origin_host(url)
        if not netloc:
            return None
        if not self.rules:
            return netloc
        hostname = netloc.rsplit(":", 1)[0] if netloc.count(":") == 1 else netloc
        for rule in self.rules:
            if rule.host == netloc:
                return rule.source
            if ":" not in rule.host and (hostname == rule.host or hostname.endswith("." + rule.host)):
                return rule.source
        return None


def origin_host(url: str) -> str:
    """`host` or `host:port` (default ports dropped), lower-case; "" for a URL without a host."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return ""
    if not host:
        return ""
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        return f"{host}:{port}"
    return host


def load_hosts(path: Path) -> HostFilter:
    """Read a hosts file: one host a line (optionally `host source_id`), `#` starts a comment.

    Raises:
        InputError: the file is missing, unreadable, or names no host.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"hosts file {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"hosts file {path}: cannot read ({exc})") from None
    rules: list[HostRule] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) > 2:
            raise InputError(f"hosts file {path}:{n}: expected `host [source_id]`, got {line!r}")
        host = fields[0].lower()
        if "://" in host:
            host = origin_host(host)
        if not host or "/" in host:
            raise InputError(f"hosts file {path}:{n}: not a host name: {fields[0]!r}")
        rules.append(HostRule(host, fields[1] if len(fields) == 2 else host))
    if not rules:
        raise InputError(f"hosts file {path} names no host")
    return HostFilter(tuple(rules))


def is_html(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() in HTML_TYPES


def hangul_ratio(text: str) -> float:
    """Share of Hangul among the letters of `text` (digits, punctuation and spaces do not count).

    A Korean article keeps well above half even with English names and acronyms in it; a page in
    another language scores near zero. Hanja (rare in modern news) counts as not Hangul.
    """
    hangul = letters = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if "\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f":
                hangul += 1
    return hangul / letters if letters else 0.0
