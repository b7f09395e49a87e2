"""경향신문 (khan.co.kr/article/<12 digits>, older /national/…/article/<id>).

Headline `article header h1` (older `h1#article_title`); reporters `header .editor a` (older
`.byline`); `.date p` prints `입력 2025.07.09 16:55`. The body `div#articleBody` (older `div.art_body`)
keeps prose in `p.content_text`; photos are `div.art_photo` with `p.caption`; ad and 관련기사 boxes,
the reporter card and the copyright sit between and after the paragraphs.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

KHAN = SiteProfile(
    name="khan",
    url=re.compile(r"khan\.co\.kr/(?:[a-z_-]+/[a-z_-]+/)?article/\d{12}"),
    markers=('meta[property="og:site_name"][content="경향신문"]', 'link[rel="canonical"][href*="khan.co.kr/"]',
             "p.content_text"),
    title=("article header h1", "h1#article_title", ".art_header h1"),
    byline=("header .editor", ".editor a", ".byline"),
    published=(".date p", ".byline", ".art_header .date"),
    body=("div#articleBody", "div.art_body", "#articleBody"),
    paragraphs="p.content_text, h3.sub_title",
    drop=(".art_photo", "[class*=banner]", ".article-ad", ".art_relate"),
    captions=(".art_photo .caption", "p.caption", "figcaption"),
)
