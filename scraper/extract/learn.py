"""Site-level boilerplate learning: text blocks that recur across a host's pages are not articles.

    learner = BoilerplateLearner()
    for html, url in pages:
        learner.observe(html, url)          # pass 1: count block fingerprints per host
    for html, url in pages:
        extract(html, url, learner=learner) # pass 2: the generic extractor skips learned blocks

In a crawl, one parse per page does both, and the counts can live across nights:

    learner = BoilerplateLearner.load(conn)                       # empty the first time
    article = extract(html, url, learner=learner, observe=True)   # count this page, then extract
    learner.save(conn)

A *block* is one text line of the page (a paragraph, list item, heading, `<br>`-separated run;
see `dom.block_lines`), normalised (NFC, lower case, digits folded to 0, whitespace squashed)
and hashed to a 63-bit fingerprint. Each distinct page (by URL) counts once per host.

Rule — a block is boilerplate for a host when all hold:
- the host has at least `min_pages` distinct observed pages (default 5);
- the block was seen on at least `k` distinct pages (default 3);
- it was seen on at least `min_share` (default 0.5) of the host's pages observed since its first
  sighting — so a sidebar added last week qualifies, a paragraph three articles share does not.

Only the generic extractor (no profile matched) consults the learner, and it never lets a learned
block erase the article: dateline and sign-off lines are kept (the line cleaner handles them), and
if learned blocks would remove more than `max_drop` (default 60 %) of the body's characters nothing
is removed (the same story saved under several URLs looks like boilerplate to counting alone).

Persistence is optional and explicit: `save(conn)` / `BoilerplateLearner.load(conn)` use two
tables of their own (created with CREATE TABLE IF NOT EXISTS). Blocks not seen on the last
`forget_after` pages of their host are pruned at save time, which bounds the tables.
"""

from __future__ import annotations

import hashlib
import logging
import math
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.boilerplate import is_signoff
from scraper.extract.dom import block_lines, too_deep

log = logging.getLogger(__name__)

_DIGITS = re.compile(r"\d+")
_DATELINE = re.compile(r"^\s*[\[(【<]?[^\])】>]{0,24}=|^\s*[\[【][^\]】]{1,24}[\]】]")  # [뉴스스텝] (인천=연합뉴스)
_MIN_BLOCK_CHARS = 2
_MAX_BLOCKS_PER_PAGE = 5000
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS boilerplate_host (host TEXT PRIMARY KEY, pages INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS boilerplate_block (host TEXT NOT NULL, fp INTEGER NOT NULL,"
    " seen INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL,"
    " PRIMARY KEY (host, fp)) WITHOUT ROWID",
)


def host_of(url: str) -> str:
    """The host a page's boilerplate is learned under: lower-case netloc without `www.`/`m.`."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    for prefix in ("www.", "m."):
        if host.startswith(prefix):
            host = host[len(prefix):]
    return host


def normalize_block(text: str) -> str:
    return _DIGITS.sub("0", " ".join(unicodedata.normalize("NFC", text).lower().split()))


def fingerprint(text: str) -> int:
    digest = hashlib.blake2b(normalize_block(text).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1  # 63 bits: fits a signed SQLite INTEGER


@dataclass(slots=True)
class _Block:
    seen: int  # distinct pages holding the block
    first: int  # host page count before the first sighting
    last: int  # host page count at the last sighting


@dataclass(slots=True)
class _Host:
    pages: int = 0
    blocks: dict[int, _Block] = field(default_factory=dict)
    page_keys: set[str] = field(default_factory=set)  # this session only: a page counts once


@dataclass(slots=True)
class BoilerplateLearner:
    """Counts block fingerprints per host; answers "is this block boilerplate on this host?"."""

    k: int = 3
    min_pages: int = 5
    min_share: float = 0.5
    max_drop: float = 0.6
    forget_after: int = 500
    hosts: dict[str, _Host] = field(default_factory=dict)

    # -- observing -------------------------------------------------------------------------

    def observe(self, html: str, url: str) -> bool:
        """Count the blocks of one page. False when the page was already counted (or has no host)."""
        host = host_of(url)
        if not host or url in self.hosts.get(host, _Host()).page_keys:
            return False
        data = html.encode("utf-8", "ignore")  # what the parser would feed lexbor anyway
        if too_deep(data):
            return False
        tree = LexborHTMLParser(data)
        return self.observe_tree(tree, url)

    def observe_tree(self, tree: LexborHTMLParser, url: str) -> bool:
        """As `observe`, on a parsed page. The tree is not modified."""
        host = host_of(url)
        if not host:
            return False
        state = self.hosts.setdefault(host, _Host())
        if url in state.page_keys:
            return False
        body = tree.body
        if body is None:
            return False
        self.observe_blocks(host, url, block_lines(body))  # scripts, styles, forms' widgets are skipped
        return True

    def observe_blocks(self, host: str, page_key: str, blocks: Iterable[str]) -> None:
        """Count already-split text blocks of one page of `host`."""
        state = self.hosts.setdefault(host, _Host())
        if page_key in state.page_keys:
            return
        state.page_keys.add(page_key)
        fps = {fingerprint(b) for b in list(blocks)[:_MAX_BLOCKS_PER_PAGE] if len(b) >= _MIN_BLOCK_CHARS}
        before = state.pages
        state.pages += 1
        for fp in fps:
            block = state.blocks.get(fp)
            if block is None:
                state.blocks[fp] = _Block(seen=1, first=before, last=state.pages)
            else:
                block.seen += 1
                block.last = state.pages

    # -- asking ----------------------------------------------------------------------------

    def knows(self, url: str) -> bool:
        """True when the page's host has enough observed pages for any block to be boilerplate."""
        state = self.hosts.get(host_of(url))
        return state is not None and state.pages >= self.min_pages

    def is_boilerplate(self, url: str, text: str) -> bool:
        state = self.hosts.get(host_of(url))
        if state is None or state.pages < self.min_pages:
            return False
        block = state.blocks.get(fingerprint(text))
        if block is None or block.seen < self.k:
            return False
        return block.seen >= math.ceil(self.min_share * (state.pages - block.first))

    # -- persistence -----------------------------------------------------------------------

    def save(self, conn: sqlite3.Connection) -> None:
        """Write counts to `conn` (replacing the stored ones), pruning long-unseen blocks."""
        for stmt in _SCHEMA:
            conn.execute(stmt)
        with conn:
            for host, state in self.hosts.items():
                conn.execute("INSERT OR REPLACE INTO boilerplate_host (host, pages) VALUES (?, ?)", (host, state.pages))
                conn.execute("DELETE FROM boilerplate_block WHERE host = ?", (host,))
                keep = [(host, fp, b.seen, b.first, b.last) for fp, b in state.blocks.items()
                        if state.pages - b.last <= self.forget_after]
                conn.executemany(
                    "INSERT INTO boilerplate_block (host, fp, seen, first, last) VALUES (?, ?, ?, ?, ?)", keep)
        log.debug("boilerplate learner saved %d host(s)", len(self.hosts))

    @classmethod
    def load(cls, conn: sqlite3.Connection, **settings: float) -> BoilerplateLearner:
        """A learner holding the counts saved in `conn` (empty when nothing was saved yet)."""
        for stmt in _SCHEMA:
            conn.execute(stmt)
        learner = cls(**settings)  # type: ignore[arg-type]
        for host, pages in conn.execute("SELECT host, pages FROM boilerplate_host"):
            learner.hosts[host] = _Host(pages=int(pages))
        for host, fp, seen, first, last in conn.execute("SELECT host, fp, seen, first, last FROM boilerplate_block"):
            state = learner.hosts.setdefault(host, _Host())
            state.blocks[int(fp)] = _Block(seen=int(seen), first=int(first), last=int(last))
        return learner


def drop_learned(lines: list[str], learner: BoilerplateLearner, url: str) -> list[str]:
    """`lines` without the host's learned boilerplate; unchanged if that would gut the article.

    Datelines and reporter sign-offs stay: the line cleaner reads names from them (and drops sign-offs).
    """
    kept = [line for line in lines
            if _DATELINE.match(line) or is_signoff(line) or not learner.is_boilerplate(url, line)]
    if len(kept) == len(lines):
        return lines
    total = sum(map(len, lines))
    if total - sum(map(len, kept)) > learner.max_drop * total:
        log.debug("learned boilerplate would remove most of %s; kept as is", url)
        return lines
    return kept
