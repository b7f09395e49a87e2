"""The `/news/article.html?no=N` CMS family (경기신문, 시흥타임즈, 원스텝뉴스, 프라임경제 …).

Recognised by `/data/skin/…` assets and the `#news_body_area` body. Often EUC-KR (the fetcher
decodes). Leads look like `매체명 홍길동 기자 |`; dates like `2025.07.07 17:50:07`; a 기상청
weather strip sits on every page.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

ARTICLENO = SiteProfile(
    name="articleno",
    url=re.compile(r"/(?:news|mobile)/article\.html\?(?:[^#]*&)?no=\d+"),
    markers=("#news_body_area", ".news_body_area", 'link[href*="/data/skin/"]', 'script[src*="/data/skin/"]',
             'link[href*="/data/cache/skin/"]'),
    title=(".view_title h3", "td.view_title", ".art_top h2", ".art_top h1", "#articleTitle", ".arl_view_title",
           ".news_title h1", ".view_title h1", "h1.headline", "h2.headline"),
    byline=(".view_reporter", ".art_info", ".arl_view_writer", ".writer", ".byline", ".info_name"),
    published=(".view_date", ".view_info", ".art_info", ".arl_view_date", ".date", ".byline", ".info"),
    body=("#news_body_area", ".news_body_area", "div[itemprop=articleBody]", "#articleBody"),
    drop=(".weather_box", ".art_copy", ".copyright", ".view_sns", ".related_news", ".reporter_info"),
    captions=(".news_photo_caption", ".photo_caption", ".caption", "figcaption", "p.photo-cap"),
)
