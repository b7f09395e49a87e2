"""네이버 뉴스 article pages (n.news.naver.com/article/<oid>/<aid>, also /mnews/ and the old main/read).

Headline `h2#title_area.media_end_head_headline`; reporters `em.media_end_head_journalist_name` on top
and `.byline > .byline_p > span.byline_s` ("홍길동 기자 (hong@x.kr)") under the body; times as
`span.media_end_head_info_datestamp_time` with `data-date-time` (입력) / `data-modify-date-time` (수정).
The body `article#dic_area` is `<br>`-separated text; photos are `span.end_photo_org` with an
`em.img_desc` caption; `strong.media_end_summary` is the deck. Copyright, 기자 구독, 언론사 주요뉴스
and 많이 본 뉴스 boxes all sit outside `#dic_area`.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

NAVER = SiteProfile(
    name="naver",
    url=re.compile(r"news\.naver\.com/(?:mnews/)?article/\d{3}/\d{6,12}|news\.naver\.com/main/read\.n(?:aver|hn)\?"),
    markers=("#dic_area", "h2.media_end_head_headline", "#articleBodyContents"),
    title=("h2#title_area", "h2.media_end_head_headline", ".media_end_head_headline", "#articleTitle"),
    byline=("div.byline", ".byline_s", ".media_end_head_journalist_name", ".media_end_head_journalist"),
    published=("span._ARTICLE_DATE_TIME", "span.media_end_head_info_datestamp_time[data-date-time]",
               ".media_end_head_info_datestamp_time", ".sponsor .t11"),
    body=("article#dic_area", "#dic_area", "#newsct_article", "#articleBodyContents"),
    drop=(".media_end_summary", ".vod_player_wrap", "._VOD_PLAYER_WRAP", ".byline", ".media_end_copyright",
          ".end_photo_org", ".nbd_im_w", ".artical-btm", "#spiLayer"),
    captions=("em.img_desc", ".end_photo_org em", ".img_desc"),
)
