"""HTML page → `Article`: title, body paragraphs, KST publish time, reporters, captions.

    extract(html, url) -> Article          # profile detected from the page (URL + markup)
    extract(html, url, profile="ndsoft")   # a named profile from PROFILES
    extract(html, url, learner=learner)    # generic pages also drop the host's learned boilerplate

Pages that are not articles (listings, section or tag pages, empty pages) raise `ExtractError`
(or `MissingField` when the title or body is absent); nothing else escapes, whatever the input.
"""

from __future__ import annotations

import logging
from datetime import datetime

from scraper.errors import ExtractError
from scraper.extract.core import run
from scraper.extract.learn import BoilerplateLearner
from scraper.extract.profile import SiteProfile
from scraper.extract.profiles import PROFILES
from scraper.models import Article

log = logging.getLogger(__name__)

__all__ = ["PROFILES", "BoilerplateLearner", "SiteProfile", "extract"]


def extract(html: str, url: str, *, fetched_at: datetime | None = None, profile: str | None = None,
            source: str = "", learner: BoilerplateLearner | None = None, observe: bool = False,
            utf8: bytes | None = None) -> Article:
    """Extract the article in `html` (already decoded text) fetched from `url`.

    `learner` (see learn.py) holds blocks learned as boilerplate per host; only pages no profile
    matches use it. `observe=True` also counts this page into the learner first (one parse: the
    crawl's way; `newscorpus extract` observes every file before extracting any).
    `utf8`: the page as UTF-8 bytes, exactly `html.encode()`, when the caller holds them anyway (the
    raw response of a UTF-8 page): the parser reads them instead of re-encoding `html`.

    Raises:
        MissingField: the page has no title or no body.
        ExtractError: the page is not an article, or `profile` is not a known profile name.
    """
    try:
        return run(html, url, PROFILES, fetched_at=fetched_at, profile=profile, source=source, learner=learner,
                   observe=observe, utf8=utf8)
    except (ValueError, TypeError, IndexError, KeyError, RecursionError, UnicodeError, OverflowError) as e:
        # A parser edge case on hostile input must not crash a crawl; it is logged as a bug.
        log.warning("extraction failed unexpectedly for %s: %r", url, e)
        raise ExtractError(url, f"unexpected extraction failure ({type(e).__name__})") from e
