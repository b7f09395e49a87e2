"""The demo sites as pure request → response functions, and the truth the extractor is scored on.

No sockets here: `DemoSite.handle` maps a path (with query) and request headers to a response.
demo/server.py puts each site on its own 127.0.0.1 port.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import parse_qsl, urlsplit

from demo.content import SiteArticle, SiteInfo, load_site_infos, load_stories, site_articles
from demo.render.base import Renderer, Resource, finish, not_found_page
from demo.render.ndsoft import NdsoftRenderer
from demo.render.newsview import NewsviewRenderer
from demo.render.oldcms import OldcmsRenderer
from demo.render.wordpress import WordpressRenderer

RENDERERS = {
    "ndsoft": NdsoftRenderer,
    "newsview": NewsviewRenderer,
    "wordpress": WordpressRenderer,
    "oldcms": OldcmsRenderer,
}


@dataclass(frozen=True, slots=True)
class DemoResponse:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True, slots=True)
class TruthArticle:
    """What a human takes as the article on one page: the extractor's target."""

    site: str
    path: str  # path + query, exactly as linked
    title: str
    author: str | None  # several names joined ", "
    published: str | None  # ISO 8601 with +09:00
    body: str  # paragraphs joined "\n"; dateline kept; captions, boilerplate, sign-off excluded
    captions: list[str]
    story: str  # copies of one press release share it; rewrites do not
    relation: str  # original | copy | rewrite


@dataclass
class DemoSite:
    """One synthetic outlet: a CMS family, an encoding and its pages."""

    id: str
    name: str
    family: str
    encoding: str
    info: SiteInfo = field(repr=False, compare=False, default=None)  # type: ignore[assignment]
    articles: list[SiteArticle] = field(repr=False, compare=False, default_factory=list)
    renderer: Renderer = field(repr=False, compare=False, default=None)  # type: ignore[assignment]
    resources: dict[str, Resource] = field(repr=False, compare=False, default_factory=dict)

    def handle(self, path_and_query: str, headers: Mapping[str, str]) -> DemoResponse:
        """Answer one GET (HEAD is the same without the body, done by the server)."""
        hdrs = {k.lower(): v for k, v in headers.items()}
        parts = urlsplit(path_and_query)
        res = self.resources.get(path_and_query)
        if res is None:
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            res = self.renderer.dynamic(parts.path or "/", query)
        if res is None:
            body = not_found_page(self.info).encode(self.encoding)
            return DemoResponse(404, {"Content-Type": f"text/html; charset={self.encoding}"}, body)
        res = finish(res, "http://" + hdrs.get("host", "localhost"))
        out = {
            "Content-Type": res.content_type,
            "ETag": res.etag,
            "Last-Modified": format_datetime(res.last_modified.astimezone(UTC), usegmt=True),
            "Cache-Control": "max-age=60",
        }
        if _not_modified(res, hdrs):
            return DemoResponse(304, {k: v for k, v in out.items() if k != "Content-Type"}, b"")
        return DemoResponse(200, out, res.body)

    def feeds(self) -> list[str]:
        return {
            "ndsoft": ["/rss/allArticle.xml", "/rss/S1N2.xml"],
            "newsview": ["/rss/allArticle.xml"],
            "wordpress": ["/feed/"],
            "oldcms": ["/data/rss/news.xml"],
        }[self.family]

    def sitemaps(self) -> list[str]:
        return ["/wp-sitemap.xml"] if self.family == "wordpress" else ["/sitemap.xml"]

    def listings(self) -> list[str]:
        return {
            "ndsoft": [
                "/news/articleList.html?view_type=sm&page={page}",
                "/news/articleList.html?sc_section_code=S1N2&view_type=sm&page={page}",
            ],
            "newsview": [
                "/news/cate/1?dtype=blog&pagenum={page}",
                "/news/cate/2?dtype=blog&pagenum={page}",
                "/news/cate/3?dtype=blog&pagenum={page}",
                "/news/cate/4?dtype=blog&pagenum={page}",
            ],
            "wordpress": ["/category/news/page/{page}/", "/category/bio/page/{page}/"],
            "oldcms": ["/news/section_list_all.html?sec_no=0&page={page}"],
        }[self.family]

    def article_pattern(self) -> str:
        return {
            "ndsoft": r"/news/articleView\.html\?idxno=\d+",
            "newsview": r"/news/view/1065\d{12}",
            "wordpress": r"/20\d\d/\d\d/\d\d/[^/]+/$",
            "oldcms": r"/news/article\.html\?no=\d+",
        }[self.family]


def _not_modified(res: Resource, hdrs: Mapping[str, str]) -> bool:
    inm = hdrs.get("if-none-match")
    if inm is not None:
        return res.etag in [t.strip().removeprefix("W/") for t in inm.split(",")] or inm.strip() == "*"
    ims = hdrs.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return res.last_modified.replace(microsecond=0) <= since
    return False


def load_sites() -> list[DemoSite]:
    """Build every demo site with all its pages rendered (deterministic)."""
    infos = load_site_infos()
    arts = site_articles(infos, load_stories())
    sites = []
    for info in infos:
        renderer = RENDERERS[info.family](info, arts[info.id])
        sites.append(
            DemoSite(
                info.id,
                info.name,
                info.family,
                info.encoding,
                info=info,
                articles=list(renderer.articles),
                renderer=renderer,
                resources=renderer.static(),
            )
        )
    return sites


def _truth(a: SiteArticle) -> TruthArticle:
    return TruthArticle(
        site=a.site,
        path=a.path,
        title=a.title,
        author=", ".join(a.authors) if a.authors else None,
        published=a.published.isoformat() if a.show_date else None,
        body="\n".join(a.paragraphs),
        captions=list(a.captions),
        story=a.story,
        relation=a.relation,
    )


def truth_articles(sites: list[DemoSite] | None = None) -> list[TruthArticle]:
    """Every article a polite crawler should store, in site then publication order."""
    out = []
    for site in sites or load_sites():
        out += [_truth(a) for a in site.articles if not a.embargoed]
    return out


def non_articles(sites: list[DemoSite] | None = None) -> list[tuple[str, str]]:
    """Linked pages that must not be stored as articles (listings, tag pages, print views, …)."""
    out = []
    for site in sites or load_sites():
        out += [(site.id, p) for p in site.renderer.non_articles()]
    return out


def published_dt(t: TruthArticle) -> datetime | None:
    return datetime.fromisoformat(t.published) if t.published else None
