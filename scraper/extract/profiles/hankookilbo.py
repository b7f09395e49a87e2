"""한국일보 (hankookilbo.com): legacy SSR (/News/Read/A…) and the 2026 Next.js templates.

Both render paragraphs as `p.editor-p` (many empty `<p><br></p>`) and intertitles as
`h3.editor-tit`; pull quotes (`.module-quote`) and the deck (`h2.sub-tit-ll`) are not prose. The
client-rendered Next.js variant has no article DOM at all: the body is a JSON-escaped HTML
string `"contentHtml"` in a react-query state script, the time only `"deployDt"`.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

_PARAGRAPHS = "p.editor-p, h3.editor-tit"
_DROP = (".module-quote", ".end-ad-container", "[data-ad-type]", ".writer", "h2.sub-tit-ll", ".img-box")
_CAPTIONS = (".editor-img-box .caption", "div.caption")

HANKOOKILBO = SiteProfile(
    name="hankookilbo",
    url=re.compile(r"hankookilbo\.com/News/Read/", re.IGNORECASE),
    markers=("div.col-main[itemprop=articleBody]", ".end-body .col-main"),
    title=("h1.title", ".article-head h1"),
    title_suffix=re.compile(r"\s*[|ㅣ]\s*한국일보\s*$"),
    byline=(".writer .name", "div.writer"),
    published=(".info dl.wrt-text", ".wrt-text"),
    body=("div.col-main[itemprop=articleBody]",),
    paragraphs=_PARAGRAPHS,
    drop=_DROP,
    captions=_CAPTIONS,
)

HANKOOKILBO_NEXT = SiteProfile(
    name="hankookilbo_next",
    url=re.compile(r"hankookilbo\.com/news/article/A\d+"),
    markers=(
        "div#article-view-content.article-view",
        'meta[property="og:url"][content*="hankookilbo.com/news/article/"]',
    ),
    title_suffix=re.compile(r"\s*-[^-ㅣ|]{1,12}\s*[|ㅣ]\s*한국일보\s*$"),
    byline=("div.writer", ".reporter-name"),
    published=("p.article_date_popover", "[class*=article_date]"),
    body=("div#article-view-content.article-view", "#article-view-content"),
    paragraphs=_PARAGRAPHS,
    drop=_DROP,
    captions=_CAPTIONS,
    json_body_keys=("contentHtml",),
    json_date_keys=("deployDt",),
)
