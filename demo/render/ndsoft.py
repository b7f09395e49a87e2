# ruff: noqa: E501  (HTML templates: markup lines kept whole, as the CMS emits them)
"""The NDSoft family: /news/articleView.html?idxno=, #article-view-content-div, /rss/allArticle.xml."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from demo.content import SECTIONS, SiteArticle, SiteInfo
from demo.render.base import (
    FILLER_HEADLINES,
    ORIGIN,
    Resource,
    esc,
    gz_xml,
    html_resource,
    news_sitemap,
    page_slice,
    robots,
    rss,
    sitemap_index,
    to_int,
    urlset,
    xml,
)

SECTION_CODES = {s: f"S1N{i + 1}" for i, s in enumerate(SECTIONS)}
SECTION_NAMES = {"politics": "정치·행정", "economy": "경제", "society": "사회", "culture": "문화"}
FEED_SIZE = 10


def _ymdhm(a: SiteArticle, delta: timedelta = timedelta(0)) -> str:
    return (a.published + delta).strftime("%Y.%m.%d %H:%M")


class NdsoftRenderer:
    """Renders one NDSoft site. Article paths are assigned here (idxno grows with time)."""

    def __init__(self, site: SiteInfo, articles: Sequence[SiteArticle]) -> None:
        self.site = site
        self.articles = list(articles)
        self.by_idx: dict[int, SiteArticle] = {}
        idx = site.id_start
        for i, a in enumerate(self.articles):
            idx += 1 + zlib.crc32(a.story.encode()) % 6
            a_path = f"/news/articleView.html?idxno={idx}"
            object.__setattr__(a, "path", a_path)  # path is set once, before anyone reads it
            self.by_idx[idx] = a
            self.articles[i] = a
        self.newest = sorted(self.articles, key=lambda a: a.published, reverse=True)
        self.public = [a for a in self.newest if not a.embargoed]

    # ---------------------------------------------------------------- chrome
    def _head(self, title: str, extra: str = "") -> str:
        s = self.site
        return f"""<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{esc(title)}</title>
<link rel="alternate" type="application/rss+xml" title="{esc(s.name)} 전체기사" href="/rss/allArticle.xml">
<link rel="stylesheet" href="/css/font-awesome.min.css">
<link rel="stylesheet" href="/css/default.css?v=20260901">
<script src="/js/jquery-3.6.0.min.js"></script>
<script src="/js/common.js?v=20260901"></script>
{extra}
<script>
  window.dataLayer = window.dataLayer || [];
  function gtag(){{dataLayer.push(arguments);}}
  gtag('js', new Date()); gtag('config', 'G-DEMO{zlib.crc32(s.id.encode()) % 100000:05d}');
</script>
</head>
"""

    def _header(self) -> str:
        s = self.site
        menu = "".join(
            f'<li><a href="/news/articleList.html?sc_section_code={SECTION_CODES[k]}&amp;view_type=sm">{v}</a></li>'
            for k, v in SECTION_NAMES.items()
        )
        return f"""<div id="user-wrap" class="min-width-1080">
<div id="skip-navigation"><a href="#user-container">본문 바로가기</a></div>
<header id="user-header" class="user-header">
 <div class="header-top"><div class="float-center max-width-1080">
  <ul class="left"><li>2026년 10월 15일 (목)</li><li><a href="/rss/">RSS</a></li></ul>
  <ul class="right"><li><a href="/member/login.html">로그인</a></li><li><a href="/member/join.html">회원가입</a></li>
  <li><a href="/com/jb.html">제보하기</a></li><li><a href="/com/subscribe.html">구독신청</a></li></ul>
 </div></div>
 <div class="header-logo"><a href="/"><img src="/image/logo/toplogo.png" alt="{esc(s.name)}"></a></div>
 <nav class="nav-menu"><ul class="auto-menu">{menu}
  <li><a href="/news/articleList.html?sc_section_code=S1N7&amp;view_type=sm">오피니언</a></li>
  <li><a href="/news/photoList.html">포토</a></li>
  <li><a href="/news/articleList.html?view_type=sm">전체기사</a></li></ul></nav>
 <form name="search" action="/news/articleList.html" method="get" class="search-form">
  <input type="hidden" name="sc_area" value="A"><input type="hidden" name="view_type" value="sm">
  <label for="search">검색어 입력</label><input type="text" name="sc_word" id="search">
  <button type="submit">검색</button></form>
</header>
"""

    def _footer(self) -> str:
        s = self.site
        return f"""<footer id="user-footer">
 <div class="float-center max-width-1080">
  <ul class="footer-menu"><li><a href="/com/company.html">회사소개</a></li><li><a href="/com/policy.html">개인정보처리방침</a></li>
  <li><a href="/com/youth.html">청소년보호정책</a></li><li><a href="/com/email.html">이메일무단수집거부</a></li>
  <li><a href="/com/ad.html">광고문의</a></li></ul>
  <div class="footer-address">
   <p>{esc(s.address)} | 대표전화 : {esc(s.phone)} | 팩스 : 032-000-0000</p>
   <p>법인명 : (주){esc(s.name)} | 제호 : {esc(s.name)} | 등록번호 : {esc(s.reg_no)} | 등록일 : 2011-03-02 |
   발행인 : {esc(s.publisher)} | 편집인 : {esc(s.publisher)} | 청소년보호책임자 : {esc(s.publisher)}</p>
   <p class="copyright">{esc(s.name)}의 모든 콘텐츠(영상, 기사, 사진)는 저작권법의 보호를 받은바, 무단 전재와 복사, 배포 등을 금합니다.</p>
   <p>Copyright © 2026 {esc(s.name)}. All rights reserved. mail to {esc(s.reporters[0].email)}</p>
  </div>
  <a href="https://www.ndsoft.example" class="powered">Powered by ND SOFT</a>
 </div>
</footer>
</div>
<script>$(function(){{ $('.auto-menu').menuAim(); }});</script>
</body>
</html>
"""

    def _others(self, current: SiteArticle | None) -> list[SiteArticle]:
        return [a for a in self.public if a is not current]

    def _aside(self, current: SiteArticle | None) -> str:
        others = self._others(current)
        popular = sorted(others, key=lambda a: zlib.crc32(a.story.encode()))[:5]
        pop = "".join(
            f'<li class="auto-rank"><em class="number">{i + 1}</em>'
            f'<a href="{esc(a.path)}" class="auto-titles">{esc(a.title)}</a></li>'
            for i, a in enumerate(popular)
        )
        latest = "".join(
            f'<li><a href="{esc(a.path)}"><strong class="auto-titles">{esc(a.title)}</strong>'
            f'<span class="auto-sums">{esc(a.snippet(60))}</span></a></li>'
            for a in others[:4]
        )
        filler = "".join(
            f'<li><a href="#"><strong>{esc(t)}</strong><span>{esc(d)}</span></a></li>' for t, d in FILLER_HEADLINES[:3]
        )
        photos = [a for a in others if a.captions][:3]
        photo = "".join(
            f'<div class="item"><a href="{esc(a.path)}"><img src="/news/thumbnail/202610/'
            f'{a.serial}_thumb.jpg" alt=""><span class="auto-titles">{esc(a.title)}</span></a></div>'
            for a in photos
        )
        return f"""<aside class="aside grid-col-3">
 <div id="skin-12" class="box-skin design-12"><header class="header"><h2 class="title">많이 본 뉴스</h2></header>
  <div class="auto-tab"><ul class="content">{pop}</ul></div></div>
 <div class="ad-template" id="AD_SIDE_1"><script src="//ad.example/ads.js?zone=side1"></script></div>
 <div id="skin-15" class="box-skin design-5"><header class="header"><h2 class="title">최신기사</h2></header>
  <ul class="content">{latest}{filler}</ul></div>
 <div id="skin-16" class="box-skin design-16"><header class="header"><h2 class="title">포토뉴스</h2></header>
  <div class="content">{photo}</div></div>
</aside>
"""

    # ---------------------------------------------------------------- article
    def _related(self, a: SiteArticle) -> str:
        rel = [o for o in self.public if o.section == a.section and o is not a][:3]
        if not rel:
            return ""
        items = "".join(f'<li><a href="{esc(o.path)}" target="_blank">{esc(o.title)}</a></li>' for o in rel)
        return (
            f'<div class="article-relation"><div class="header"><div class="auto-titles">관련기사</div>'
            f'</div><ul class="clearfix">{items}</ul></div>\n'
        )

    def _body(self, a: SiteArticle) -> str:
        parts: list[str] = []
        for i, cap in enumerate(a.captions):
            img = f"/news/photo/{a.published:%Y%m}/{a.path.rsplit('=', 1)[1]}_{800 + i}_{a.serial}31.jpg"
            parts.append(
                f'<figure class="photo-layout image photo-origin" style="display:table;width:600px;">'
                f'<img src="{img}" alt="{esc(cap)}" style="width:600px;">'
                f'<figcaption style="display:table-caption;caption-side:bottom;">{esc(cap)}'
                "</figcaption></figure>\n"
            )
        rel_at = 2 if a.serial % 2 else len(a.paragraphs)
        for i, p in enumerate(a.paragraphs):
            if i == rel_at:
                parts.append(self._related(a))
            parts.append(f"<p>{esc(p)}</p>\n")
            if i == 0:
                parts.append(
                    '<div class="ad-template" id="AD_BODY_1"><div class="ad-box">'
                    '<script src="//ad.example/ads.js?zone=body1"></script>'
                    '<ins class="adsbygoogle" data-ad-slot="1234"></ins></div></div>\n'
                )
        if rel_at == len(a.paragraphs):
            parts.append(self._related(a))
        if a.signoff:
            parts.append(f"<p>/{esc(a.authors[0])} 기자 {esc(a.emails[0])}</p>\n")
        return "".join(parts)

    def _byline(self, a: SiteArticle) -> str:
        names = "·".join(a.authors) + " 기자"
        items = [f'<li><i class="icon-user-o"></i> 기자명 {esc(names)}</li>']
        if a.show_date:
            items.append(f'<li><i class="icon-clock-o"></i> 입력 {_ymdhm(a)}</li>')
            if a.serial % 3 == 0:
                items.append(f'<li><i class="icon-clock-o"></i> 수정 {_ymdhm(a, timedelta(hours=1, minutes=32))}</li>')
        items.append('<li><i class="icon-comment-o"></i> 댓글 0</li>')
        return '<ul class="infomation">' + "".join(items) + "</ul>"

    def _writers(self, a: SiteArticle) -> str:
        return "".join(
            f'<article class="writer"><div class="profile-images"><img src="/image/reporter/{i}.jpg" alt="">'
            f'</div><div class="names">{esc(n)} 기자</div><div class="info"><a href="mailto:{esc(e)}">{esc(e)}</a>'
            f'</div><div class="other"><a href="/news/articleList.html?sc_area=I&amp;sc_word={esc(e.split("@")[0])}'
            '&amp;view_type=sm">다른기사 보기</a></div></article>'
            for i, (n, e) in enumerate(zip(a.authors, a.emails, strict=True))
        )

    def article(self, a: SiteArticle) -> Resource:
        s = self.site
        meta = [
            '<meta property="og:type" content="article">',
            f'<meta property="og:title" content="{esc(a.title)}">',
            f'<meta property="og:site_name" content="{esc(s.name)}">',
            f'<meta property="og:description" content="{esc(a.snippet(100))}">',
            f'<meta name="description" content="{esc(a.snippet(100))}">',
            f'<meta property="article:section" content="{SECTION_NAMES[a.section]}">',
        ]
        if a.show_date:
            meta.append(f'<meta property="article:published_time" content="{a.published.isoformat()}">')
        h = s.heading
        sub = f'<h2 class="subheading">{esc(a.subtitle)}</h2>' if a.subtitle else ""
        idx = a.path.rsplit("=", 1)[1]
        page = (
            self._head(f"{a.title} - {s.name}", "\n".join(meta))
            + "<body>\n"
            + self._header()
            + f"""<div id="user-container"><div class="float-center max-width-1080">
<header class="article-view-header">
 <div class="info-group"><nav class="article-path"><a href="/">홈</a> &gt;
 <a href="/news/articleList.html?sc_section_code={SECTION_CODES[a.section]}&amp;view_type=sm">{SECTION_NAMES[a.section]}</a></nav>
 <{h} class="heading">{esc(a.title)}</{h}>
 {sub}
 <article class="info-text">{self._byline(a)}</article></div>
 <div class="share-group"><ul><li><a href="#" class="facebook">페이스북</a></li><li><a href="#" class="twitter">트위터</a></li>
 <li><a href="#" class="kakaotalk">카카오톡</a></li><li><a href="#" class="url">URL복사</a></li>
 <li><a href="/news/articlePrint.html?idxno={idx}" class="print">기사 인쇄하기</a></li>
 <li><button type="button" class="font-up">글씨키우기</button></li></ul></div>
</header>
<div class="grid body">
<section class="user-snb grid-col-9">
<article class="article-veiw-body view-page font-size17">
<article id="article-view-content-div" class="article-veiw-body view-page font-size17" itemprop="articleBody">
{self._body(a)}</article>
<div class="article-copyright">저작권자 © {esc(s.name)} 무단전재 및 재배포 금지</div>
{self._writers(a)}
<div class="article-bottom-ad ad-template"><script src="//ad.example/ads.js?zone=bottom"></script></div>
<div id="article-comment"><h3>댓글 0</h3><p>댓글삭제기준</p><textarea placeholder="댓글을 입력해 주세요"></textarea></div>
</article>
</section>
{self._aside(a)}</div></div></div>
"""
            + self._footer()
        )
        return html_resource(page, last_modified=a.published + timedelta(hours=2))

    def print_page(self, a: SiteArticle) -> Resource:
        body = "".join(f"<p>{esc(p)}</p>" for p in a.paragraphs)
        page = (
            f'<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>{esc(a.title)}</title>'
            f'</head><body onload="window.print()"><h1>{esc(a.title)}</h1>{body}</body></html>'
        )
        return html_resource(page)

    # ---------------------------------------------------------------- listings
    def listing(self, section: str | None, page: int) -> Resource:
        pool = [a for a in self.newest if section is None or a.section == section]
        items = page_slice(pool, page, self.site.page_size)
        lis = "".join(
            f'<li><a href="{esc(a.path)}" class="thumb"><img src="/news/thumbnail/202610/{a.serial}_t.jpg" alt="">'
            f'</a><h4 class="titles"><a href="{esc(a.path)}">{esc(a.title)}</a></h4>'
            f'<p class="lead line-6x2"><a href="{esc(a.path)}">{esc(a.snippet(90))}</a></p>'
            f'<span class="byline"><em>{SECTION_NAMES[a.section]}</em><em>{esc("·".join(a.authors))} 기자</em>'
            f"<em>{_ymdhm(a)}</em></span></li>"
            for a in items
        )
        if not lis:
            lis = '<li class="no-data">등록된 기사가 없습니다.</li>'
        code = f"sc_section_code={SECTION_CODES.get(section, 'S1N99')}&amp;" if section else ""
        last = max(1, -(-len(pool) // self.site.page_size))
        pager = "".join(
            f'<li><a href="/news/articleList.html?{code}view_type=sm&amp;page={n}">{n}</a></li>'
            for n in range(1, last + 1)
        )
        title = SECTION_NAMES.get(section, "기사목록") if section else "전체기사"
        page_html = (
            self._head(f"{title} - {self.site.name}")
            + "<body>\n"
            + self._header()
            + f"""<div id="user-container"><div class="float-center max-width-1080">
<header class="user-article-header"><h3 class="heading">{title}</h3></header>
<section id="section-list"><ul class="type2">{lis}</ul></section>
<div class="list-paging"><ul class="pagination">{pager}</ul></div>
</div></div>
"""
            + self._footer()
        )
        return html_resource(page_html)

    def front(self) -> Resource:
        top = self.public[:6]
        lis = "".join(
            f'<li><a href="{esc(a.path)}"><strong>{esc(a.title)}</strong><span>{esc(a.snippet(60))}</span></a></li>'
            for a in top
        )
        page = (
            self._head(self.site.name)
            + "<body>\n"
            + self._header()
            + f'<div id="user-container"><section class="main-top"><ul>{lis}</ul></section>'
            + self._aside(None)
            + "</div>\n"
            + self._footer()
        )
        return html_resource(page)

    # ---------------------------------------------------------------- feeds, sitemaps
    def static(self) -> dict[str, Resource]:
        s = self.site
        out: dict[str, Resource] = {"/": self.front()}
        out["/rss/allArticle.xml"] = rss(s, ORIGIN, f"{s.name} 전체기사", self.public[:FEED_SIZE])
        for sec, code in SECTION_CODES.items():
            items = [a for a in self.public if a.section == sec][:FEED_SIZE]
            out[f"/rss/{code}.xml"] = rss(s, ORIGIN, f"{s.name} {SECTION_NAMES[sec]}", items)
        entries = [(a.path, a.published) for a in self.newest]
        if s.sitemap_index:
            out["/sitemap.xml"] = xml(sitemap_index(ORIGIN, ["/sitemap/articles-1.xml.gz", "/sitemap/news.xml"]))
            out["/sitemap/articles-1.xml.gz"] = gz_xml(urlset(ORIGIN, entries))
            out["/sitemap/news.xml"] = xml(news_sitemap(ORIGIN, s, self.public[:8]))
        else:
            out["/sitemap.xml"] = xml(urlset(ORIGIN, entries))
        hidden = [f"Disallow: {a.path}$" for a in self.articles if a.embargoed]  # linked, but off-limits
        out["/robots.txt"] = robots(replace(s, robots=(*s.robots, *hidden)), ["/sitemap.xml"])
        return out

    def dynamic(self, path: str, query: dict[str, str]) -> Resource | None:
        if path in ("/news/articleView.html", "/news/articlePrint.html"):
            a = self.by_idx.get(to_int(query.get("idxno"), -1))
            if a is None:
                return None
            return self.article(a) if path.endswith("View.html") else self.print_page(a)
        if path == "/news/articleList.html":
            code = query.get("sc_section_code")
            section = next((k for k, v in SECTION_CODES.items() if v == code), None)
            if code and section is None:
                section = "unknown"  # a section we do not have: an empty list, like the real CMS
            return self.listing(section, to_int(query.get("page")))
        return None

    def non_articles(self) -> list[str]:
        out = [a.path for a in self.articles if a.embargoed]
        out += [a.path.replace("articleView", "articlePrint") for a in self.public[:2]]
        out.append("/news/articleList.html?view_type=sm&page=1")
        return out
