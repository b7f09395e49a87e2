"""동아일보 (donga.com/news/…/article/all/<date>/<id>/1), the 2024 template and the older one.

Headline `.head_group h1`; reporters `.author_info`; `.date_info` spans print `입력 2025-07-09 16:55`.
The body `section.news_view` (older `div.article_txt`) is `<br><br>`-separated text with
`figure.img_cont` photos (figcaption), an `h2.sub_tit` deck, ad `div`s and the trailing
`홍길동 기자 hong@donga.com` sign-off; 관련기사, 많이 본 뉴스 and the copyright come after it.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

DONGA = SiteProfile(
    name="donga",
    url=re.compile(r"donga\.com/news/[A-Za-z_]+/article/all/\d{8}/\d+"),
    markers=('meta[property="og:site_name"][content="동아일보"]', 'link[rel="canonical"][href*="donga.com/news/"]',
             "section.news_view"),
    title=(".head_group h1", "h1.title", ".article_title h1"),
    byline=(".author_info", ".report", ".news_info .author"),
    published=(".date_info", ".news_info", ".title_foot .date01"),
    body=("section.news_view", "div.article_txt", "div.news_view"),
    drop=("h2.sub_tit", ".sub_tit", "[class*=view_ad]", ".adv", ".article_relation", ".img_cont", ".btn_page"),
    captions=("figure.img_cont figcaption", "figcaption", ".thumb_txt"),
)
