# ruff: noqa: E501  (HTML templates: markup lines kept whole, as the CMS emits them)
"""A WordPress (twentyish theme + Jetpack) local blog: /2026/10/14/<slug>/, wp-sitemap.xml, /feed/."""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from datetime import timedelta

from demo.content import SiteArticle, SiteInfo
from demo.render.base import ORIGIN, Resource, esc, html_resource, page_slice, robots, rss, to_int, urlset, xml

CATS = {"news": "동네소식", "bio": "바이오·산업"}
TAGS = {"bio-cluster": "바이오 특화단지", "baegot": "배곧", "songdo": "송도"}


def _cat(a: SiteArticle) -> str:
    return "bio" if a.section == "economy" else "news"


def _tags(a: SiteArticle) -> list[str]:
    text = " ".join(a.paragraphs)
    return [t for t, name in TAGS.items() if name in text or (t == "bio-cluster" and "특화단지" in text)]


def _kdate(a: SiteArticle) -> str:
    return f"{a.published.year}년 {a.published.month}월 {a.published.day}일"


class WordpressRenderer:
    def __init__(self, site: SiteInfo, articles: Sequence[SiteArticle]) -> None:
        self.site = site
        self.articles = list(articles)
        self.by_path: dict[str, SiteArticle] = {}
        for a in self.articles:
            slug = a.story.split("-", 1)[1] if "-" in a.story else a.story
            path = f"/{a.published:%Y/%m/%d}/{slug}/"
            object.__setattr__(a, "path", path)
            self.by_path[path] = a
        self.newest = sorted(self.articles, key=lambda a: a.published, reverse=True)

    def _page(self, title: str, body_class: str, main: str, head: str = "", recent_posts: bool = True) -> str:
        s = self.site
        recent = "".join(
            f'<li><a href="{esc(a.path)}">{esc(a.title)}</a></li>' for a in self.newest[:5] if recent_posts
        )
        cats = "".join(f'<li class="cat-item"><a href="/category/{k}/">{v}</a></li>' for k, v in CATS.items())
        return f"""<!doctype html>
<html lang="ko-KR">
<head>
<meta charset="UTF-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<meta name='robots' content='index, follow, max-image-preview:large'>
<link rel="alternate" type="application/rss+xml" title="{esc(s.name)} &raquo; 피드" href="/feed/">
<link rel='stylesheet' id='wp-block-library-css' href='/wp-includes/css/dist/block-library/style.min.css?ver=6.6.2' media='all'>
<link rel='stylesheet' id='jetpack_css-css' href='/wp-content/plugins/jetpack/css/jetpack.css?ver=13.9' media='all'>
{head}
<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1" id="jquery-core-js"></script>
</head>
<body class="{body_class}">
<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#primary">콘텐츠로 건너뛰기</a>
<header id="masthead" class="site-header">
 <div class="site-branding"><p class="site-title"><a href="/" rel="home">{esc(s.name)}</a></p>
 <p class="site-description">시흥 배곧·정왕 동네 이야기와 바이오 산업 소식</p></div>
 <nav id="site-navigation" class="main-navigation"><button class="menu-toggle">메뉴</button>
 <ul id="primary-menu" class="menu"><li><a href="/category/news/">동네소식</a></li><li><a href="/category/bio/">바이오·산업</a></li>
 <li><a href="/about/">소개</a></li></ul></nav>
</header>
<div id="content" class="site-content">
<div id="primary" class="content-area"><main id="main" class="site-main">
{main}
</main></div>
<aside id="secondary" class="widget-area">
 <section id="search-2" class="widget widget_search"><form role="search" method="get" class="search-form" action="/">
 <label><span class="screen-reader-text">검색:</span><input type="search" class="search-field" name="s"></label>
 <input type="submit" class="search-submit" value="검색"></form></section>
 <section id="recent-posts-2" class="widget widget_recent_entries"><h2 class="widget-title">최근 글</h2><ul>{recent}</ul></section>
 <section id="categories-2" class="widget widget_categories"><h2 class="widget-title">카테고리</h2><ul>{cats}</ul></section>
 <section id="text-3" class="widget widget_text"><h2 class="widget-title">제보</h2><div class="textwidget">
 <p>동네 소식 제보는 {esc(s.reporters[0].email)} 로 보내 주세요.</p></div></section>
</aside>
</div>
<footer id="colophon" class="site-footer"><div class="site-info">
 <a href="/">{esc(s.name)}</a> · {esc(s.address)} · 발행인 {esc(s.publisher)} · 등록번호 {esc(s.reg_no)}
 <span class="sep"> | </span>Proudly powered by WordPress
</div></footer>
</div>
<script id="jetpack-stats-js">_stq = window._stq || []; _stq.push([ "view", {{"blog":"2080{zlib.crc32(s.id.encode()) % 1000}"}} ]);</script>
</body>
</html>
"""

    def _related(self, a: SiteArticle) -> str:
        rel = [o for o in self.newest if o is not a and _cat(o) == _cat(a)][:3]
        items = "".join(
            f'<div class="jp-relatedposts-post jp-relatedposts-post{i}"><h4 class="jp-relatedposts-post-title">'
            f'<a class="jp-relatedposts-post-a" href="{esc(o.path)}">{esc(o.title)}</a></h4>'
            f'<time class="jp-relatedposts-post-date">{_kdate(o)}</time>'
            f'<p class="jp-relatedposts-post-context">&quot;{CATS[_cat(o)]}&quot;에서</p></div>'
            for i, o in enumerate(rel)
        )
        return (
            f'<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">'
            f'<em>관련</em></h3><div class="jp-relatedposts-items jp-relatedposts-items-visual">{items}</div></div>'
        )

    def _share(self, a: SiteArticle) -> str:
        return (
            '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social '
            'sd-social-icon-text sd-sharing"><h3 class="sd-title">공유하기:</h3><div class="sd-content"><ul>'
            f'<li class="share-facebook"><a class="share-facebook sd-button" href="{esc(a.path)}?share=facebook" '
            'target="_blank"><span>Facebook</span></a></li>'
            f'<li class="share-x"><a class="share-x sd-button" href="{esc(a.path)}?share=x"><span>X</span></a></li>'
            f'<li class="share-print"><a class="share-print sd-button" href="{esc(a.path)}#print"><span>인쇄</span></a></li>'
            '<li class="share-end"></li></ul></div></div></div>'
        )

    def article(self, a: SiteArticle) -> Resource:
        s = self.site
        pid = 1000 + a.serial * 7
        figs = "".join(
            f'<figure class="wp-block-image size-large"><img decoding="async" width="1024" height="683" '
            f'src="/wp-content/uploads/{a.published:%Y/%m}/{pid}-{i}.jpg" alt="" class="wp-image-{pid + i + 1}">'
            f'<figcaption class="wp-element-caption">{esc(c)}</figcaption></figure>\n'
            for i, c in enumerate(a.captions)
        )
        paras = [f"<p>{esc(p)}</p>\n" for p in a.paragraphs]
        if figs:
            paras.insert(1, figs)
        author = a.authors[0]
        meta = ""
        if a.show_date:
            meta = (
                f'<span class="posted-on">게시됨: <a href="{esc(a.path)}" rel="bookmark">'
                f'<time class="entry-date published" datetime="{a.published.isoformat()}">{_kdate(a)}</time>'
                f'<time class="updated" datetime="{(a.published + timedelta(hours=3)).isoformat()}">'
                f"{_kdate(a)}</time></a></span>"
            )
        meta += (
            f'<span class="byline"> 작성자: <span class="author vcard"><a class="url fn n" '
            f'href="/author/{zlib.crc32(author.encode()) % 100}/">{esc(author)}</a></span></span>'
        )
        tags = _tags(a)
        tag_links = ", ".join(f'<a href="/tag/{t}/" rel="tag">{TAGS[t]}</a>' for t in tags)
        tag_classes = " ".join(f"tag-{t}" for t in tags)
        ld = {
            "@context": "https://schema.org",
            "@type": "BlogPosting",
            "headline": a.title,
            "author": {"@type": "Person", "name": author},
            "publisher": {"@type": "Organization", "name": s.name},
        }
        if a.show_date:
            ld["datePublished"] = a.published.isoformat()
        head = (
            f'<meta property="og:type" content="article">\n<meta property="og:title" content="{esc(a.title)}">\n'
            f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
        )
        i = self.newest.index(a)
        nav = ""
        if i + 1 < len(self.newest):
            prev = self.newest[i + 1]
            nav += (
                f'<div class="nav-previous"><a href="{esc(prev.path)}" rel="prev"><span class="meta-nav">이전 글'
                f'</span> <span class="nav-title">{esc(prev.title)}</span></a></div>'
            )
        if i > 0:
            nxt = self.newest[i - 1]
            nav += (
                f'<div class="nav-next"><a href="{esc(nxt.path)}" rel="next"><span class="meta-nav">다음 글'
                f'</span> <span class="nav-title">{esc(nxt.title)}</span></a></div>'
            )
        main = f"""<article id="post-{pid}" class="post-{pid} post type-post status-publish format-standard hentry category-{_cat(a)} {tag_classes}">
<header class="entry-header">
<h1 class="entry-title">{esc(a.title)}</h1>
<div class="entry-meta">{meta}</div>
</header>
<div class="entry-content">
{"".join(paras)}{self._share(a)}
{self._related(a)}
</div>
<footer class="entry-footer"><span class="cat-links">카테고리: <a href="/category/{_cat(a)}/" rel="category tag">{CATS[_cat(a)]}</a></span>
<span class="tags-links">태그: {tag_links}</span></footer>
</article>
<nav class="navigation post-navigation" aria-label="글"><h2 class="screen-reader-text">글 내비게이션</h2>
<div class="nav-links">{nav}</div></nav>
<div id="comments" class="comments-area"><div id="respond" class="comment-respond">
<h3 id="reply-title" class="comment-reply-title">댓글 남기기</h3>
<form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
<p class="comment-notes">이메일 주소는 공개되지 않습니다. 필수 필드는 *로 표시됩니다</p>
<p class="comment-form-comment"><label for="comment">댓글 *</label><textarea id="comment" name="comment"></textarea></p>
<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="댓글 달기"></p></form></div></div>"""
        body_class = f"post-template-default single single-post postid-{pid} single-format-standard"
        return html_resource(
            self._page(f"{a.title} – {s.name}", body_class, main, head), last_modified=a.published + timedelta(hours=3)
        )

    def _archive(self, title: str, items: Sequence[SiteArticle], pager: str, body_class: str) -> Resource:
        posts = "".join(
            f'<article id="post-{1000 + a.serial * 7}" class="post type-post status-publish hentry">'
            f'<header class="entry-header"><h2 class="entry-title"><a href="{esc(a.path)}" rel="bookmark">'
            f'{esc(a.title)}</a></h2><div class="entry-meta"><span class="posted-on">'
            + (
                f'<time class="entry-date published" datetime="{a.published.isoformat()}">{_kdate(a)}</time>'
                if a.show_date
                else ""
            )
            + f'</span></div></header><div class="entry-summary"><p>{esc(a.snippet(110))}</p>'
            f'<p><a class="more-link" href="{esc(a.path)}">계속 읽기</a></p></div></article>'
            for a in items
        )
        if not posts:
            posts = (
                '<section class="no-results not-found"><header class="page-header"><h1 class="page-title">'
                "아무것도 찾을 수 없습니다</h1></header></section>"
            )
        main = f'<header class="page-header"><h1 class="page-title">{esc(title)}</h1></header>{posts}{pager}'
        page = self._page(f"{title} – {self.site.name}", body_class, main, recent_posts=bool(items))
        return html_resource(page)

    def category(self, cat: str, page: int) -> Resource:
        pool = [a for a in self.newest if _cat(a) == cat]
        size = self.site.page_size
        last = -(-len(pool) // size)
        links = []
        if page < last:
            links.append(f'<div class="nav-previous"><a href="/category/{cat}/page/{page + 1}/">이전 글</a></div>')
        if page > 1:
            links.append(f'<div class="nav-next"><a href="/category/{cat}/page/{page - 1}/">다음 글</a></div>')
        pager = f'<nav class="navigation posts-navigation"><div class="nav-links">{"".join(links)}</div></nav>'
        return self._archive(
            f"카테고리: {CATS.get(cat, cat)}", page_slice(pool, page, size), pager, f"archive category category-{cat}"
        )

    def tag(self, tag: str) -> Resource:
        pool = [a for a in self.newest if tag in _tags(a)][:10]
        return self._archive(f"태그: {TAGS[tag]}", pool, "", f"archive tag tag-{tag}")

    def about(self) -> Resource:
        s = self.site
        main = (
            f'<article id="post-2" class="post-2 page type-page status-publish hentry">'
            f'<header class="entry-header"><h1 class="entry-title">소개</h1></header><div class="entry-content">'
            f"<p>{esc(s.name)}는 시흥 배곧과 정왕 일대 주민 몇 사람이 모여 만든 동네 소식지입니다.</p>"
            "<p>학교, 공원, 상가, 교통처럼 생활에 닿는 이야기와 배곧 일대 바이오 산업 소식을 함께 전합니다.</p>"
            f"<p>제보와 광고 문의는 {esc(s.reporters[0].email)} 로 부탁드립니다.</p></div></article>"
        )
        return html_resource(self._page(f"소개 – {s.name}", "page-template-default page page-id-2", main))

    def static(self) -> dict[str, Resource]:
        s = self.site
        out: dict[str, Resource] = {}
        out["/"] = self._archive(s.name, self.newest[: s.page_size], "", "home blog")
        out["/about/"] = self.about()
        for t in TAGS:
            out[f"/tag/{t}/"] = self.tag(t)
        out["/feed/"] = rss(s, ORIGIN, s.name, [a for a in self.newest if a.show_date][:10])
        out["/wp-sitemap.xml"] = xml(
            '<?xml version="1.0" encoding="UTF-8"?>\n<?xml-stylesheet type="text/xsl" href="/wp-sitemap-index.xsl" ?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(
                f"<sitemap><loc>{ORIGIN}/wp-sitemap-{n}-1.xml</loc></sitemap>"
                for n in ("posts-post", "posts-page", "taxonomies-category", "taxonomies-post_tag")
            )
            + "</sitemapindex>"
        )
        out["/wp-sitemap-posts-post-1.xml"] = xml(
            urlset(ORIGIN, [(a.path, a.published + timedelta(hours=3) if a.show_date else None) for a in self.newest])
        )
        out["/wp-sitemap-posts-page-1.xml"] = xml(urlset(ORIGIN, [("/about/", None)]))
        out["/wp-sitemap-taxonomies-category-1.xml"] = xml(urlset(ORIGIN, [(f"/category/{c}/", None) for c in CATS]))
        out["/wp-sitemap-taxonomies-post_tag-1.xml"] = xml(urlset(ORIGIN, [(f"/tag/{t}/", None) for t in TAGS]))
        out["/robots.txt"] = robots(s, ["/wp-sitemap.xml"])
        return out

    def dynamic(self, path: str, query: dict[str, str]) -> Resource | None:
        a = self.by_path.get(path)
        if a is not None:
            return self.article(a)
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] == "category" and parts[1] in CATS:
            page = to_int(parts[3], -1) if len(parts) == 4 and parts[2] == "page" else 1
            return self.category(parts[1], page) if len(parts) in (2, 4) else None
        return None

    def non_articles(self) -> list[str]:
        return ["/tag/bio-cluster/", "/about/", "/category/bio/"]
