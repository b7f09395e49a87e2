"""What every family renderer shares: the resource record, escaping, feeds and sitemaps."""

from __future__ import annotations

import gzip
import html
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from typing import Protocol

from demo.content import SiteArticle, SiteInfo

ORIGIN = "__ORIGIN__"  # stands for "http://host:port" in feeds, sitemaps and robots.txt
BUILD_TIME = datetime.fromisoformat("2026-10-15T06:00:00+09:00")  # Last-Modified of fronts/feeds


@dataclass(frozen=True, slots=True)
class Resource:
    """One servable document: bytes plus what the HTTP headers need."""

    content_type: str
    body: bytes
    last_modified: datetime = BUILD_TIME
    templated: bool = False  # body holds ORIGIN placeholders, replaced per request (Host header)
    gzipped: bool = False  # compress after the placeholders are filled in

    @property
    def etag(self) -> str:
        return f'"{zlib.crc32(self.body):08x}-{len(self.body):x}"'


class Renderer(Protocol):
    """A family's templates bound to one site's articles."""

    def static(self) -> dict[str, Resource]: ...

    def dynamic(self, path: str, query: dict[str, str]) -> Resource | None: ...


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def page_slice(items: Sequence[SiteArticle], page: int, size: int) -> Sequence[SiteArticle]:
    if page < 1:
        return ()
    return items[(page - 1) * size : page * size]


def to_int(value: str | None, default: int = 1) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def html_resource(
    text: str, encoding: str = "utf-8", last_modified: datetime = BUILD_TIME, content_type: str | None = None
) -> Resource:
    ctype = content_type or f"text/html; charset={encoding}"
    return Resource(ctype, text.encode(encoding), last_modified)


def rss(
    site: SiteInfo,
    base: str,
    title: str,
    items: Iterable[SiteArticle],
    encoding: str = "utf-8",
    full_text: bool = False,
) -> Resource:
    """An RSS 2.0 feed (relative links: the server's origin is not known when rendering)."""
    parts = [
        f'<?xml version="1.0" encoding="{encoding}"?>',
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        "<channel>",
        f"<title>{esc(title)}</title>",
        f"<link>{base}/</link>",
        f"<description>{esc(site.name)} 기사 목록</description>",
        "<language>ko</language>",
        f"<lastBuildDate>{format_datetime(BUILD_TIME)}</lastBuildDate>",
    ]
    for a in items:
        parts += [
            "<item>",
            f"<title>{esc(a.title)}</title>",
            f"<link>{base}{esc(a.path)}</link>",
            f'<guid isPermaLink="true">{base}{esc(a.path)}</guid>',
            f"<description>{esc(a.snippet(120))}</description>",
            f"<dc:creator>{esc(', '.join(a.authors))}</dc:creator>",
            f"<pubDate>{format_datetime(a.published)}</pubDate>",
        ]
        if full_text:
            body = "".join(f"<p>{esc(p)}</p>" for p in a.paragraphs)
            parts.append(f"<content:encoded><![CDATA[{body}]]></content:encoded>")
        parts.append("</item>")
    parts += ["</channel>", "</rss>"]
    return Resource(f"application/rss+xml; charset={encoding}", "\n".join(parts).encode(encoding), templated=True)


def urlset(base: str, entries: Iterable[tuple[str, datetime | None]]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, mod in entries:
        lastmod = f"<lastmod>{mod.isoformat()}</lastmod>" if mod else ""
        lines.append(f"<url><loc>{base}{esc(path)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return "\n".join(lines)


def sitemap_index(base: str, children: Iterable[str]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    lines += [
        f"<sitemap><loc>{base}{esc(c)}</loc><lastmod>{BUILD_TIME.isoformat()}</lastmod></sitemap>" for c in children
    ]
    lines.append("</sitemapindex>")
    return "\n".join(lines)


def news_sitemap(base: str, site: SiteInfo, items: Iterable[SiteArticle]) -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">',
    ]
    for a in items:
        lines.append(
            f"<url><loc>{base}{esc(a.path)}</loc><news:news><news:publication>"
            f"<news:name>{esc(site.name)}</news:name><news:language>ko</news:language>"
            f"</news:publication><news:publication_date>{a.published.isoformat()}"
            f"</news:publication_date><news:title>{esc(a.title)}</news:title></news:news></url>"
        )
    lines.append("</urlset>")
    return "\n".join(lines)


def xml(text: str, last_modified: datetime = BUILD_TIME) -> Resource:
    return Resource("application/xml; charset=utf-8", text.encode("utf-8"), last_modified, templated=True)


def gz_xml(text: str) -> Resource:
    return Resource("application/x-gzip", text.encode("utf-8"), templated=True, gzipped=True)


def robots(site: SiteInfo, sitemaps: Sequence[str]) -> Resource:
    lines = [*site.robots, "", *(f"Sitemap: {ORIGIN}{s}" for s in sitemaps)]
    return Resource("text/plain; charset=utf-8", ("\n".join(lines) + "\n").encode("utf-8"), templated=True)


def finish(res: Resource, origin: str) -> Resource:
    """Fill in the origin and compress: what is actually sent for this request."""
    body = res.body
    if res.templated:
        body = body.replace(ORIGIN.encode("ascii"), origin.encode("ascii"))
    if res.gzipped:
        body = gzip.compress(body, mtime=0)
    return Resource(res.content_type, body, res.last_modified)


def not_found_page(site: SiteInfo) -> str:
    return (
        f'<!DOCTYPE html><html lang="ko"><head><meta charset="{site.encoding}">'
        f"<title>{esc(site.name)}</title></head><body><p>요청하신 페이지를 찾을 수 없습니다.</p>"
        "</body></html>"
    )


FILLER_HEADLINES = (
    (
        "가을 단풍 절정 시기 다음 주 예상…주말 나들이객 몰릴 듯",
        "기상 당국은 올해 단풍이 평년보다 사흘가량 늦게 물들 것으로 내다봤다.",
    ),
    ("전통시장 온누리상품권 환급 행사 이달 말까지 연장", "구매 금액에 따라 최대 2만원까지 돌려받을 수 있다."),
    ("도심 하천 산책로 야간 조명 교체 공사 마무리", "어두웠던 구간 1.2km에 발광다이오드 조명 80여 개가 새로 달렸다."),
    ("청소년 진로 박람회에 학생·학부모 3천여 명 다녀가", "직업 체험 부스 40곳이 문을 열어 하루 종일 붐볐다."),
    ("노후 아파트 승강기 교체비 지원 신청 접수", "준공 20년이 지난 공동주택 단지가 대상이다."),
    ("지역 프로축구단 홈경기 관중 시즌 최다 기록", "가족 단위 관중이 늘면서 경기장 주변 상권도 활기를 띠었다."),
    ("겨울철 독감 예방접종 어르신부터 순차 시작", "보건소와 지정 의료기관에서 무료로 접종할 수 있다."),
    ("공공도서관 야간 개관 시범 운영 호응", "평일 밤 10시까지 문을 열자 직장인 이용자가 크게 늘었다."),
)
