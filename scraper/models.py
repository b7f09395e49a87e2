"""Plain records passed between the stages of the pipeline.

discover() -> ArticleRef, fetch() -> RawPage, extract() -> Article, normalize() -> Article,
tokenize() -> TokenizedDoc, dedup -> DedupDecision, then store. All records are frozen: change them
with dataclasses.replace().
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Source:
    """One outlet from sources.toml."""

    id: str
    name: str
    homepage: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()  # URL templates with {page}
    article_pattern: re.Pattern[str] | None = None
    rate: float | None = None  # seconds between requests to this origin
    encoding: str | None = None  # override for mislabelled sites
    profile: str | None = None  # extraction profile name; None = detect from the page
    max_listing_pages: int = 20  # cap against pagination/calendar traps


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """A candidate article URL found by discovery."""

    source: str
    url: str  # canonical URL
    found_via: str  # "feed" | "sitemap" | "listing"
    published_hint: datetime | None = None  # from the feed/sitemap, if any


@dataclass(frozen=True, slots=True)
class WarcRef:
    """Where one fetched response lies in the raw archive (scraper.archive)."""

    file: str  # WARC file name, relative to the archive folder
    offset: int  # byte offset of the record's gzip member in that file
    record_id: str  # WARC-Record-ID, "<urn:uuid:...>"


@dataclass(frozen=True, slots=True)
class RawPage:
    """A fetched HTML page, decoded to text."""

    source: str
    url: str  # final URL after redirects
    status: int
    html: str
    fetched_at: datetime
    encoding: str = "utf-8"
    etag: str | None = None
    last_modified: str | None = None
    body: bytes = b""  # the raw response body (after Content-Encoding), e.g. for feeds and sitemaps
    headers: tuple[tuple[str, str], ...] = ()  # response headers, in order (set when archived or read back)
    warc: WarcRef | None = None  # where the response was archived, if it was
    requested_url: str | None = None  # the URL asked for (before redirects), when known


@dataclass(frozen=True, slots=True)
class Article:
    """An extracted (and later normalized) article."""

    source: str
    url: str
    title: str
    body: str  # paragraphs joined with "\n"
    published: datetime | None = None  # timezone-aware (KST after normalize)
    authors: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    profile: str = "generic"
    fetched_at: datetime | None = None
    html: str | None = None  # raw HTML kept only when the caller asks for it
    warc: WarcRef | None = None  # the archived response it was extracted from

    @property
    def author(self) -> str | None:
        return ", ".join(self.authors) if self.authors else None


@dataclass(frozen=True, slots=True)
class Token:
    """One Kiwi morpheme: surface form, POS tag, char offset and length in the analysed text."""

    form: str
    tag: str
    start: int
    length: int


@dataclass(frozen=True, slots=True)
class TokenizedDoc:
    """Morphemes of an article's title and body (offsets are into `title + "\n" + body`)."""

    tokens: tuple[Token, ...] = field(default_factory=tuple)

    def search_text(self) -> str:
        """Space-joined morpheme forms: what the FTS index stores."""
        return " ".join(t.form for t in self.tokens)


@dataclass(frozen=True, slots=True)
class DedupDecision:
    """Where a new article belongs: a new story, or a copy of an existing one."""

    method: str  # "new" | "exact" | "near" | "url"
    match_id: int | None = None  # the stored article it matched
    score: float | None = None  # similarity for near matches
    detail: str = ""  # human-readable reason (scores of the verifier)
    also: tuple[int, ...] = ()  # other stored articles this one also copies (clusters to merge)
