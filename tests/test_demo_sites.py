"""The bundled demo is self-consistent: its truth is served, reachable, parseable and our own text."""

from __future__ import annotations

import gzip
import html
import json
import re
import urllib.request
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from protego import Protego

from demo.app import DemoSite, TruthArticle, load_sites, non_articles, truth_articles
from demo.server import serve
from demo.write_truth import TRUTH_DIR, truth_record

SHARED_DEV = Path(__file__).resolve().parents[2] / "shared"
HOST = {"Host": "127.0.0.1:8000"}
ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def sites() -> list[DemoSite]:
    return load_sites()


@pytest.fixture(scope="module")
def truth(sites: list[DemoSite]) -> list[TruthArticle]:
    return truth_articles(sites)


def _site(sites: list[DemoSite], sid: str) -> DemoSite:
    return next(s for s in sites if s.id == sid)


def _get(site: DemoSite, path: str) -> bytes:
    resp = site.handle(path, HOST)
    assert resp.status == 200, (site.id, path, resp.status)
    return gzip.decompress(resp.body) if path.endswith(".gz") else resp.body


def _page_text(site: DemoSite, raw: bytes) -> str:
    text = raw.decode(site.encoding)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text))


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def test_counts(sites: list[DemoSite], truth: list[TruthArticle]) -> None:
    assert len(truth) >= 85
    per_site = defaultdict(int)
    for t in truth:
        per_site[t.site] += 1
    assert len(per_site) >= 5 and min(per_site.values()) >= 16
    assert len({s.family for s in sites}) >= 4
    assert sum(1 for t in truth if t.relation == "rewrite") >= 6


def test_every_truth_article_is_served_with_its_text(sites: list[DemoSite], truth: list[TruthArticle]) -> None:
    for t in truth:
        site = _site(sites, t.site)
        text = _page_text(site, _get(site, t.path))
        assert _norm(t.title) in text, (t.site, t.path)
        for para in t.body.split("\n"):
            assert _norm(para) in text, (t.site, t.path, para[:40])
        for cap in t.captions:
            assert _norm(cap) in text, (t.site, t.path, cap)
        assert t.body.strip() and "무단" not in t.body and "@" not in t.body


def test_euc_kr_site_decodes_and_labels(sites: list[DemoSite], truth: list[TruthArticle]) -> None:
    site = next(s for s in sites if s.encoding == "euc-kr")
    bare = labelled = 0
    paths = [t.path for t in truth if t.site == site.id] + ["/", "/data/rss/news.xml"]
    for path in paths:
        resp = site.handle(path, HOST)
        resp.body.decode("euc-kr")  # strict
        with pytest.raises(UnicodeDecodeError):
            resp.body.decode("utf-8")
        if resp.headers["Content-Type"] == "text/html":
            bare += 1
            assert b'content="text/html; charset=euc-kr"' in resp.body
        elif "euc-kr" in resp.headers["Content-Type"]:
            labelled += 1
    assert bare >= 1 and labelled >= 1


def test_truth_files_match_generator(truth: list[TruthArticle]) -> None:
    files = sorted(TRUTH_DIR.glob("*/*.json"))
    assert len(files) == len(truth)
    on_disk = {
        (f.parent.name, json.loads(f.read_text("utf-8"))["url"]): json.loads(f.read_text("utf-8")) for f in files
    }
    for t in truth:
        assert on_disk[(t.site, t.path)] == truth_record(t)


def _links(sites: list[DemoSite]) -> dict[str, set[str]]:
    """Every URL path a crawler can discover from each site's feeds, sitemaps (recursively) and listings."""
    found: dict[str, set[str]] = defaultdict(set)
    for site in sites:
        for feed in site.feeds():
            parsed = feedparser.parse(_get(site, feed))
            assert not parsed.bozo, (site.id, feed, parsed.get("bozo_exception"))
            assert parsed.entries
            found[site.id] |= {_path(e.link) for e in parsed.entries}
        queue = list(site.sitemaps())
        while queue:
            body = _get(site, queue.pop()).decode("utf-8")
            locs = [_path(html.unescape(m)) for m in re.findall(r"<loc>(.*?)</loc>", body)]
            if "<sitemapindex" in body:
                queue += locs
            else:
                found[site.id] |= set(locs)
        for template in site.listings():
            for page in range(1, 30):
                body = _get(site, template.format(page=page)).decode(site.encoding)
                links = set(re.findall(site.article_pattern().rstrip("$"), html.unescape(body)))
                if not links:
                    break
                found[site.id] |= {_path(u) for u in re.findall(r'href="([^"]+)"', html.unescape(body))}
            else:
                pytest.fail(f"listing {template} never ends")
    return found


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_article_is_discoverable(sites: list[DemoSite], truth: list[TruthArticle]) -> None:
    found = _links(sites)
    missing = [(t.site, t.path) for t in truth if t.path not in found[t.site]]
    assert not missing


def test_listing_beyond_the_end_has_no_article_links(sites: list[DemoSite]) -> None:
    for site in sites:
        for template in site.listings():
            body = _get(site, template.format(page=99)).decode(site.encoding)
            assert not re.findall(site.article_pattern().rstrip("$"), body), (site.id, template)


def test_robots(sites: list[DemoSite]) -> None:
    delays, hidden = [], []
    for site in sites:
        rp = Protego.parse(_get(site, "/robots.txt").decode("utf-8"))
        assert rp.sitemaps and all(s.startswith(ORIGIN) for s in rp.sitemaps)
        if rp.crawl_delay("newscorpus-bot") is not None:
            delays.append(rp.crawl_delay("newscorpus-bot"))
        for _sid, path in non_articles([site]):
            if not rp.can_fetch(ORIGIN + path, "newscorpus-bot"):
                hidden.append(path)
    assert delays and max(delays) <= 0.5
    assert any("articleView" in p for p in hidden)  # a linked article page the crawler must skip
    truth = truth_articles(sites)
    for t in truth:
        site = _site(sites, t.site)
        rp = Protego.parse(_get(site, "/robots.txt").decode("utf-8"))
        assert rp.can_fetch(ORIGIN + t.path, "newscorpus-bot"), (t.site, t.path)


def test_syndication_and_rewrites(truth: list[TruthArticle]) -> None:
    stories: dict[str, list[TruthArticle]] = defaultdict(list)
    for t in truth:
        stories[t.story].append(t)
    syndicated = [v for v in stories.values() if len(v) > 1]
    assert len(syndicated) >= 12
    for copies in syndicated:
        assert 2 <= len({c.site for c in copies}) <= 4
        assert sum(c.relation == "original" for c in copies) == 1
        assert len({c.body for c in copies}) == len(copies)  # every copy is edited
    assert all(len(v) == 1 for v in stories.values() if v[0].relation == "rewrite")


def test_tricky_pages_exist(truth: list[TruthArticle], sites: list[DemoSite]) -> None:
    assert any(t.published is None for t in truth)
    assert any(t.author and ", " in t.author for t in truth)
    assert sum(1 for t in truth if t.story.startswith("notice-")) >= 2
    assert all(t.published is None or t.published.endswith("+09:00") for t in truth)
    for sid, path in non_articles(sites):
        assert path not in {t.path for t in truth if t.site == sid}
        assert _site(sites, sid).handle(path, HOST).status == 200, (sid, path)


def test_no_copied_dev_text(truth: list[TruthArticle]) -> None:
    fp = SHARED_DEV / "dev" / "fingerprints.txt"
    if not fp.exists():
        pytest.skip("no fingerprints available")
    prints = [line for line in fp.read_text("utf-8").split("\n") if len(line.strip()) >= 12]
    demo_dir = Path(__file__).resolve().parents[1] / "demo"
    texts = [f.read_text("utf-8") for f in demo_dir.rglob("*") if f.suffix in (".json", ".py", ".md")]
    texts.append("\n".join(t.title + "\n" + t.body for t in truth))
    assert not [p for p in prints if any(p in text for text in texts)][:5]


def test_conditional_get_and_unknown_paths(sites: list[DemoSite], truth: list[TruthArticle]) -> None:
    site = _site(sites, truth[0].site)
    first = site.handle(truth[0].path, HOST)
    assert site.handle(truth[0].path, {**HOST, "If-None-Match": first.headers["ETag"]}).status == 304
    assert site.handle(truth[0].path, {**HOST, "If-Modified-Since": first.headers["Last-Modified"]}).status == 304
    assert site.handle(truth[0].path, {**HOST, "If-None-Match": '"nope"'}).status == 200
    assert site.handle("/no/such/page.html", HOST).status == 404


def test_server_faults_head_and_sources(sites: list[DemoSite]) -> None:
    with serve(sites[:2]) as demo:
        base = demo.base_urls[sites[0].id]
        feed = sites[0].feeds()[0]
        demo.faults.add(feed, [503, 503], site=sites[0].id, retry_after="1")
        statuses = []
        for _ in range(3):
            try:
                with urllib.request.urlopen(base + feed, timeout=5) as r:
                    statuses.append(r.status)
            except urllib.error.HTTPError as e:
                statuses.append(e.code)
                assert e.headers["Retry-After"] == "1"
        assert statuses == [503, 503, 200]
        req = urllib.request.Request(base + "/robots.txt", method="HEAD")
        with urllib.request.urlopen(req, timeout=5) as r:
            assert r.status == 200 and r.read() == b""
        assert [r.status for r in demo.requests_snapshot()] == [503, 503, 200, 200]
        toml = demo.sources_toml()
    import tomllib

    cfg = tomllib.loads(toml)
    assert [s["id"] for s in cfg["sources"]] == [s.id for s in sites[:2]]
    for src in cfg["sources"]:
        assert src["rate"] == 0.05 and "profile" not in src
        assert all("{page}" in u for u in src["listings"])
        re.compile(src["article_pattern"])
