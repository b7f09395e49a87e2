"""Every demo truth article, rendered by the demo sites themselves, extracts exactly as its truth.

The demo sites (demo/app.py) are our own synthetic outlets of several CMS families; their truth
records say what a perfect extractor returns. Linked pages that are not articles (listings, tag
pages, print views, series pages) must be refused with ExtractError.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from scraper.errors import ExtractError
from scraper.extract import extract

app = pytest.importorskip("demo.app")

try:
    SITES = {site.id: site for site in app.load_sites()}
except FileNotFoundError as exc:  # the demo data is generated separately
    pytest.skip(f"demo data missing: {exc}", allow_module_level=True)
TRUTH = app.truth_articles(list(SITES.values()))
# Embargoed articles are "non-articles" for the crawler (robots.txt), but they are articles.
ARTICLE_PATHS = {(site.id, a.path) for site in SITES.values() for a in site.articles}
NON_ARTICLES = [na for na in app.non_articles(list(SITES.values())) if tuple(na) not in ARTICLE_PATHS]


def _fetch(site_id: str, path: str) -> tuple[int, str, str]:
    site = SITES[site_id]
    resp = site.handle(path, {})
    ctype = resp.headers.get("Content-Type", "")
    charset = ctype.split("charset=", 1)[1].strip() if "charset=" in ctype else site.encoding
    return resp.status, resp.body.decode(charset), f"http://{site.info.domain}{path}"


@pytest.mark.parametrize("truth", TRUTH, ids=lambda t: f"{t.site}{t.path}")
def test_demo_article_extracts_exactly(truth: app.TruthArticle) -> None:
    status, html, url = _fetch(truth.site, truth.path)
    assert status == 200
    article = extract(html, url, source=truth.site)
    assert article.title == truth.title
    assert article.body == truth.body
    assert article.author == truth.author
    assert article.captions == tuple(truth.captions)
    if truth.published is None:
        assert article.published is None
    else:
        assert article.published == datetime.fromisoformat(truth.published)
        assert article.published is not None and article.published.isoformat() == truth.published


def test_demo_has_every_family() -> None:
    assert {site.family for site in SITES.values()} >= {"ndsoft", "newsview", "wordpress"}
    assert TRUTH


@pytest.mark.parametrize(("site_id", "path"), NON_ARTICLES, ids=lambda v: str(v))
def test_demo_non_article_pages_are_refused(site_id: str, path: str) -> None:
    status, html, url = _fetch(site_id, path)
    assert status == 200
    with pytest.raises(ExtractError):
        extract(html, url)
