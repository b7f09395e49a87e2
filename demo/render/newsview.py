# ruff: noqa: E501  (HTML templates: markup lines kept whole, as the CMS emits them)
"""The "/news/view/1065…" family: 기사승인 dates, ▲ captions, [매체명] datelines, 최신뉴스/PHOTO NEWS boxes."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from datetime import timedelta

from demo.content import SECTIONS, SiteArticle, SiteInfo
from demo.render.base import (
    FILLER_HEADLINES,
    ORIGIN,
    Resource,
    esc,
    html_resource,
    page_slice,
    robots,
    rss,
    to_int,
    urlset,
    xml,
)

CATE = {s: i + 1 for i, s in enumerate(SECTIONS)}
CATE_NAMES = {1: "정치·행정", 2: "경제·바이오", 3: "사회", 4: "문화·생활"}
SERIES_ID = "1065999000000417"  # a series index page whose URL looks like an article


def _view_id(serial: int, story: str) -> str:
    return f"1065{580000000000 + serial * 104729 + zlib.crc32(story.encode()) % 997:012d}"


class NewsviewRenderer:
    def __init__(self, site: SiteInfo, articles: Sequence[SiteArticle]) -> None:
        self.site = site
        self.articles = list(articles)
        self.by_id: dict[str, SiteArticle] = {}
        for a in self.articles:
            vid = _view_id(a.serial, a.story)
            object.__setattr__(a, "path", f"/news/view/{vid}")
            self.by_id[vid] = a
        self.newest = sorted(self.articles, key=lambda a: a.published, reverse=True)

    def _page(self, title: str, main: str, right: str, meta: str = "") -> str:
        s = self.site
        menu = "".join(f'<li><a href="/news/cate/{n}">{v}</a></li>' for n, v in CATE_NAMES.items())
        return f"""<!DOCTYPE html>
<html lang="ko">
<head>
<meta charset="utf-8">
<title>{esc(title)}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
{meta}
<link rel="stylesheet" type="text/css" href="/css/common.css">
<link rel="stylesheet" type="text/css" href="/css/sub.css">
<script type="text/javascript" src="/js/jquery-1.12.4.min.js"></script>
<script type="text/javascript" src="/js/ui.js"></script>
</head>
<body>
<div id="wrap">
<div id="header">
 <div class="top_menu"><ul><li><a href="/member/login">로그인</a></li><li><a href="/member/join">회원가입</a></li>
 <li><a href="/bbs/report">기사제보</a></li></ul></div>
 <h1 class="logo"><a href="/"><img src="/img/logo.png" alt="{esc(s.name)}"></a></h1>
 <div id="gnb"><ul>{menu}<li><a href="/news/photo">포토</a></li></ul></div>
 <div class="search_box"><form action="/news/search" method="get"><input type="text" name="sword" title="검색어">
 <input type="submit" value="검색"></form></div>
</div>
<div id="container"><div class="sub_wrap">
<div class="left_con">
{main}
</div>
<div class="right_con">
{right}
</div>
</div></div>
<div id="footer">
 <div class="foot_menu"><a href="/company">회사소개</a> | <a href="/policy">개인정보취급방침</a> | <a href="/youth">청소년보호정책</a> |
 <a href="/nocollect">이메일무단수집거부</a></div>
 <address>{esc(s.address)} 제보 및 문의 : {esc(s.phone)}<br>
 인터넷신문 등록번호 : {esc(s.reg_no)} | 발행·편집인 : {esc(s.publisher)} | 청소년보호책임자 : {esc(s.publisher)}<br>
 {esc(s.name)}의 모든 콘텐츠는 저작권법의 보호를 받으며 무단 전재, 복사, 배포를 금합니다.<br>
 Copyright ⓒ {esc(s.name)} All rights reserved.</address>
</div>
</div>
<script type="text/javascript">$(".fontsize").on("click", function(){{ fontResize($(this).data("v")); }});</script>
</body>
</html>
"""

    def _right(self, current: SiteArticle | None) -> str:
        others = [a for a in self.newest if a is not current]
        best = sorted(others, key=lambda a: zlib.crc32((a.story + "best").encode()))[:6]
        items = "".join(
            f'<li><span class="num">{i + 1}</span><a href="{esc(a.path)}">{esc(a.title)}</a></li>'
            for i, a in enumerate(best)
        )
        return (
            f'<div class="best_news"><h3 class="tit">많이 본 기사</h3><ul>{items}</ul></div>'
            '<div class="banner"><a href="#"><img src="/img/banner/side01.jpg" alt="광고"></a></div>'
        )

    def _bottom_boxes(self, current: SiteArticle) -> str:
        others = [a for a in self.newest if a is not current]
        latest = "".join(
            f'<li><a href="{esc(a.path)}"><strong class="tit">{esc(a.title)}</strong>'
            f'<p class="txt">{esc(a.snippet(80))}</p></a></li>'
            for a in others[:5]
        )
        t, d = FILLER_HEADLINES[(current.serial + 3) % len(FILLER_HEADLINES)]
        latest += f'<li><a href="#"><strong class="tit">{esc(t)}</strong><p class="txt">{esc(d)}</p></a></li>'
        photos = "".join(
            f'<li><a href="{esc(a.path)}"><img src="/data/photos/{a.serial}_s.jpg" alt="">'
            f"<span>{esc(a.title)}</span></a></li>"
            for a in [o for o in others if o.captions][:4]
        )
        return (
            f'<div class="view_reply"><a href="#reply">뉴스댓글 &gt;</a></div>\n'
            f'<div class="news_latest"><h3 class="tit">최신뉴스</h3><ul>{latest}</ul></div>\n'
            f'<div class="photo_news"><h3 class="tit">PHOTO NEWS</h3><ul>{photos}</ul>'
            '<a href="/news/photo" class="more">더보기</a></div>'
        )

    def article(self, a: SiteArticle) -> Resource:
        s = self.site
        cate = CATE[a.section]
        photos = "".join(
            f'<div class="photo_wrap" style="text-align:center"><img src="/data/photos/{a.published:%Y%m}/'
            f'{a.serial}_{i}.jpg" alt=""><p class="photo_txt">▲ {esc(c)}</p></div>\n'
            for i, c in enumerate(a.captions)
        )
        paras = "".join(f"<p>{esc(p)}</p>\n" for p in a.paragraphs)
        if a.signoff:
            paras += f"<p>/{esc(a.authors[0])} 기자 {esc(a.emails[0])}</p>\n"
        date = f' / <span class="date">기사승인 : {a.published:%Y-%m-%d %H:%M:%S}</span>' if a.show_date else ""
        sub = f'<div class="view_sub_tit"><h3>{esc(a.subtitle)}</h3></div>' if a.subtitle else ""
        main = f"""<div class="view_head">
 <div class="cate_path"><a href="/">홈</a> &gt; <a href="/news/cate/{cate}">{CATE_NAMES[cate]}</a></div>
 <h2 class="view_tit">{esc(a.title)}</h2>
 <div class="view_info"><span class="writer">{esc("·".join(a.authors))} 기자</span>{date}</div>
 <ul class="view_util"><li><a href="#" class="fontsize" data-v="-1">-</a></li><li><a href="#" class="fontsize" data-v="1">+</a></li>
 <li><a href="#" onclick="window.print();return false;">인쇄</a></li></ul>
</div>
{sub}
<div class="view_con" id="articleBody">
{photos}{paras}</div>
<div class="view_copy">[저작권자ⓒ {esc(s.name)}. 무단전재-재배포 금지]</div>
{self._bottom_boxes(a)}"""
        meta = (
            f'<meta property="og:title" content="{esc(a.title)}">\n'
            f'<meta property="og:description" content="{esc(a.snippet(100))}">\n'
            f'<meta property="og:site_name" content="{esc(s.name)}">'
        )
        return html_resource(
            self._page(f"{s.name}", main, self._right(a), meta), last_modified=a.published + timedelta(minutes=5)
        )

    def series(self) -> Resource:
        picks = [a for a in self.articles if a.section == "economy"][:6]
        items = "".join(
            f'<li><a href="{esc(a.path)}">{esc(a.title)}</a><p>{esc(a.snippet(60))}</p></li>' for a in picks
        )
        main = f"""<div class="view_head">
 <div class="cate_path"><a href="/">홈</a> &gt; <a href="/news/cate/2">경제·바이오</a></div>
 <h2 class="view_tit">[연재 모아보기] 바이오 특화단지, 현장에서 길을 묻다</h2>
 <div class="view_info"><span class="writer">편집국</span></div>
</div>
<div class="view_con" id="articleBody">
<ul class="series_list">{items}</ul>
</div>"""
        return html_resource(self._page(self.site.name, main, self._right(None)))

    def listing(self, cate: int, page: int) -> Resource:
        pool = [a for a in self.newest if CATE[a.section] == cate]
        items = page_slice(pool, page, self.site.page_size)
        lis = "".join(
            f'<li><div class="img"><a href="{esc(a.path)}"><img src="/data/photos/{a.serial}_s.jpg" alt=""></a></div>'
            f'<div class="txt"><a href="{esc(a.path)}"><strong>{esc(a.title)}</strong></a>'
            f'<p>{esc(a.snippet(100))}</p><span class="date">{esc("·".join(a.authors))} 기자 | '
            f"{a.published:%Y-%m-%d %H:%M}</span></div></li>"
            for a in items
        )
        if cate == 2 and page == 1:
            lis = (
                f'<li class="series"><div class="txt"><a href="/news/view/{SERIES_ID}"><strong>[연재 모아보기] '
                "바이오 특화단지, 현장에서 길을 묻다</strong></a></div></li>"
            ) + lis
        if not lis:
            lis = '<li class="nodata">등록된 기사가 없습니다.</li>'
        last = max(1, -(-len(pool) // self.site.page_size))
        pager = "".join(f'<a href="/news/cate/{cate}?dtype=blog&amp;pagenum={n}">{n}</a>' for n in range(1, last + 1))
        main = (
            f'<div class="list_head"><h2>{CATE_NAMES.get(cate, "뉴스")}</h2></div>'
            f'<ul class="blog_list">{lis}</ul><div class="paging">{pager}</div>'
        )
        return html_resource(self._page(self.site.name, main, ""))

    def static(self) -> dict[str, Resource]:
        s = self.site
        out: dict[str, Resource] = {}
        top = "".join(f'<li><a href="{esc(a.path)}">{esc(a.title)}</a></li>' for a in self.newest[:8])
        out["/"] = html_resource(self._page(s.name, f'<ul class="main_news">{top}</ul>', self._right(None)))
        out["/rss/allArticle.xml"] = rss(s, ORIGIN, s.name, [a for a in self.newest if a.show_date][:15])
        entries = [(a.path, a.published) for a in self.newest]
        entries.append((f"/news/view/{SERIES_ID}", None))
        out["/sitemap.xml"] = xml(urlset(ORIGIN, entries))
        out["/robots.txt"] = robots(s, ["/sitemap.xml"])
        out[f"/news/view/{SERIES_ID}"] = self.series()
        return out

    def dynamic(self, path: str, query: dict[str, str]) -> Resource | None:
        if path.startswith("/news/view/"):
            a = self.by_id.get(path.rsplit("/", 1)[1])
            return self.article(a) if a else None
        if path.startswith("/news/cate/"):
            cate = to_int(path.rsplit("/", 1)[1], -1)
            return self.listing(cate, to_int(query.get("pagenum")))
        return None

    def non_articles(self) -> list[str]:
        return [f"/news/view/{SERIES_ID}", "/news/cate/2?dtype=blog&pagenum=1"]
