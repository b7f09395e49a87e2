"""뉴스1 (news1.kr): the wire's site, both the 2024 Next.js template and the older `#articles_detail`.

Current pages: headline `h1.article-h2-header-title`, deck `h2.article-h2-header-subtitle`,
`meta article:published_time`, the body `#articleBodyContent` of `<p>` paragraphs opening with
`(서울=뉴스1) 홍길동 기자 =`, figures with `figcaption`, the e-mail sign-off, then the copyright
line, 관련 기사 and 많이 본 뉴스 boxes outside. Older pages: `div.title h2`, `div.info` byline/time
and the `<br>`-separated `#articles_detail` body.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

NEWS1 = SiteProfile(
    name="news1",
    url=re.compile(r"news1\.kr/(?:articles/\?\d+|[a-z-]+/[a-z0-9-]+/\d{6,9})"),
    markers=("#articleBodyContent", "#articles_detail", 'meta[property="og:site_name"][content="뉴스1"]',
             'link[rel="canonical"][href*="news1.kr/"]'),
    title=("h1.article-h2-header-title", "div.title h2", "h1[class*=header-title]"),
    byline=("#article_created", ".article-header-info", "div.info"),
    published=("#article_created", ".article-header-info", "div.info"),
    body=("#articleBodyContent", "#articles_detail", "#article_body_content"),
    drop=("[class*=subtitle]", "[class*=article-ad]", "[class*=related]", ".reporter-info", "[class*=banner]"),
    captions=("figcaption", ".photo-caption", ".img_caption"),
)
