"""한겨레 (hani.co.kr/arti/<section>/<sub>/<id>.html): the 2023 Next.js template (CSS-module classes).

Headline `h3[class*=ArticleDetailView_title]`, deck `h4[class*=ArticleDetailView_subtitle]`;
reporters `a[class*=ArticleDetailView_reporterLink]`; `li[class*=ArticleDetailView_dateListItem]`
holds `등록 2025-07-09 16:55` / `수정 …`. The body `div.article-text` has `p.text` paragraphs,
`div[class*=imageWrap]` figures with `figcaption`, ad boxes, and the reporter sign-off;
관련기사 / 많이 본 기사 / 구독 boxes sit outside.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

HANI = SiteProfile(
    name="hani",
    url=re.compile(r"hani\.co\.kr/arti/[a-z_]+/(?:[a-z_]+/)?\d+\.html"),
    markers=('meta[property="og:site_name"][content="한겨레"]', 'link[rel="canonical"][href*="hani.co.kr/arti/"]',
             "[class*=ArticleDetailView_]"),
    title=("h3[class*=ArticleDetailView_title]", "h1[class*=ArticleDetailView_title]", ".article-head .title"),
    byline=("[class*=ArticleDetailView_reporterLink]", "[class*=ArticleDetailView_reporter]", ".name"),
    published=("li[class*=ArticleDetailView_dateListItem]", ".date-time"),
    body=("div.article-text", ".article-text"),
    paragraphs="p.text, h2.subtitle, h3.subtitle",
    drop=("[class*=BaseAd]", "[class*=ad-]", "[class*=imageWrap]"),
    captions=("[class*=figcaption]", "figcaption", ".image-desc"),
)
