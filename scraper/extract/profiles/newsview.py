"""The `/news/view/1065…` CMS family (뉴스스텝, 메디컬투데이, 대학저널, 쿡앤셰프 …).

Header `.viewTitle` holds the headline and a `dl > dd` line `홍길동 기자 / 기사승인 : 2025-07-09
16:55:30`; bodies open with a `[매체명]` dateline and put photo captions on `▲` lines; under the
body come print buttons, the copyright line and 최신뉴스 / PHOTO NEWS / 많이 본 기사 boxes.
Some installs still serve EUC-KR.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

NEWSVIEW = SiteProfile(
    name="newsview",
    url=re.compile(r"/news/(?:view/|newsview\.php\?ncode=)1065\d+"),
    markers=(".viewTitle", "#articleBody.news_view", "div.news_view", "#articleBody.view_con",
             ".view_head .view_tit"),
    title=("h2.view_tit", ".viewTitle h3", ".viewTitle h2", ".viewTitle h1", ".viewTitle .title", "h1.view_title"),
    byline=(".view_info .writer", ".viewTitle dl dd", ".viewTitle dd", ".viewTitle .byline", ".view_info", ".byline"),
    published=(".view_info .date", ".viewTitle dl dd", ".viewTitle dd", ".viewTitle", ".view_info", ".byline"),
    body=("#articleBody", "div.news_view", "#news_body_area", ".article_body", "#article_body", ".view_con",
          ".news_body"),
    drop=(".print_btn", ".printBtn", ".view_sns", ".sns_area", ".reporter_box", ".copyright", ".news_copy",
          ".relation_news", ".latest_news", ".most_read", ".photo_news"),
    captions=(".photo_txt", ".photo_caption", ".caption", "figcaption"),
)
