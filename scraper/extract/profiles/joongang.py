"""중앙일보 (joongang.co.kr/article/<id>).

Headline `h1.headline`; reporters `div.byline a`; `time[itemprop=datePublished][datetime]`. The
body `div#article_body` holds `<p data-divno>` paragraphs, `div.ab_sub_heading` intertitles,
`div.ab_photo` figures (caption `.caption`), `div.ab_related_article` boxes, ad slots and an
`div.ab_byline` sign-off; 많이 본 기사, tags and the copyright line come after it.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

JOONGANG = SiteProfile(
    name="joongang",
    url=re.compile(r"joongang\.co\.kr/article/\d{6,}"),
    markers=('meta[property="og:site_name"][content="중앙일보"]',
             'link[rel="canonical"][href*="joongang.co.kr/article/"]'),
    title=("h1.headline", ".article_header h1"),
    byline=("div.byline", ".article_header .byline", ".ab_byline"),
    published=('time[itemprop="datePublished"]', ".datetime"),
    body=("div#article_body", "#article_body"),
    paragraphs="p, .ab_sub_heading",
    drop=(".ab_related_article", ".ab_byline", ".ab_photo", "[class*=ad_wrap]", ".ab_ad", ".tag_wrap"),
    captions=(".ab_photo .caption", "figcaption"),
)
