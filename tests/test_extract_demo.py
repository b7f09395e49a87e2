"""Every demo truth article, rendered by the demo sites themselves, extracts exactly as its truth.

The demo sites (demo/app.py) are our own synthetic outlets of several CMS families; their truth
records say what a perfect extractor returns. Non-article pages (home, section listings) must be
refused with ExtractError.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from scraper.errors import ExtractError
from scraper.extract import extract

app = pytest.importorskip("demo.app")


def _field(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def _sites() -> dict[str, Any]:
    sites = app.load_sites()
    if isinstance(sites, dict):
        return dict(sites)
    return {(_field(s, "id") or _field(_field(s, "info"), "id")): s for s in sites}


def _charset(site: Any, headers: Any) -> str:
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    for key, value in items:
        if str(key).lower() == "content-type" and "charset=" in str(value):
            return str(value).split("charset=", 1)[1].split(";")[0].strip()
    return str(_field(site, "charset") or _field(site, "encoding") or _field(_field(site, "info"), "encoding") or "utf-8")


def _render(site: Any, path: str) -> tuple[int, str]:
    resp = site.handle(path, {})
    return resp.status, resp.body.decode(_charset(site, resp.headers), "replace")


def _url(site: Any, path: str) -> str:
    domain = _field(site, "domain") or _field(_field(site, "info"), "domain") or "demo.invalid"
    return f"http://{domain}{path}"


SITES = _sites()
TRUTH = list(app.truth_articles())


def _truth_id(t: Any) -> str:
    return f"{_field(t, 'site')}{_field(t, 'path')}"


@pytest.mark.parametrize("truth", TRUTH, ids=_truth_id)
def test_demo_article_extracts_exactly(truth: Any) -> None:
    site = SITES[_field(truth, "site")]
    status, html = _render(site, _field(truth, "path"))
    assert status == 200
    article = extract(html, _url(site, _field(truth, "path")))
    assert article.title == _field(truth, "title")
    assert article.body == _field(truth, "body")
    published = _field(truth, "published")
    expected = datetime.fromisoformat(published) if published else None
    assert article.published == expected
    if expected is not None:
        assert article.published is not None and article.published.isoformat() == expected.isoformat()
    author = _field(truth, "author")
    if isinstance(author, list | tuple):
        author = ", ".join(author)
    assert article.author == (author or None)
    captions = _field(truth, "captions")
    if captions is not None:
        assert list(article.captions) == list(captions)


def _non_article_paths(site: Any) -> list[str]:
    paths = ["/"]
    for name in ("listing_paths", "non_article_paths", "section_paths"):
        extra = _field(site, name)
        if callable(extra):
            extra = extra()
        if extra:
            paths.extend(list(extra)[:3])
    return paths


@pytest.mark.parametrize("site_id", sorted(SITES))
def test_demo_non_article_pages_are_refused(site_id: str) -> None:
    site = SITES[site_id]
    for path in _non_article_paths(site):
        status, html = _render(site, path)
        if status != 200:
            continue
        with pytest.raises(ExtractError):
            extract(html, _url(site, path))
