"""매일경제 (mk.co.kr): `h2.news_ttl`, body `div.news_cnt_detail_wrap[itemprop=articleBody] > p`.

Figures are `div.thumb_area` wrappers whose `span.thum_figure_txt` is the caption and whose
zoom button carries a hidden "사진 확대"; the deck is `div.midtitle_text`.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

MK = SiteProfile(
    name="mk",
    url=re.compile(r"mk\.co\.kr/news/[a-z]+/\d+"),
    markers=("div.news_cnt_detail_wrap",),
    title=("h2.news_ttl", ".news_title_text h2"),
    byline=("dl.author dt.name", ".author .name"),
    published=("div.time_area dl.registration", ".time_area"),
    body=("div.news_cnt_detail_wrap[itemprop=articleBody]", "div.news_cnt_detail_wrap"),
    drop=(".mid_title", ".midtitle_text", ".is_blind", ".thumb_area", ".ad_wrap", "[class*=ad_]"),
    paragraphs="p",
    captions=("span.thum_figure_txt", "figcaption"),
)
