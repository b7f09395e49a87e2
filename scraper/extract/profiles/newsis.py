"""뉴시스 (newsis.com/view/NISX<date>_<10 digits>): the wire's own article view.

Headline `div.articleView h1.tit`, deck `h2.subtit`; `div.infoLine p.txt` prints `등록 2025.07.09
16:55:00` and 수정. The body `div.viewer > article` (`#textBody` on some pages) is `<br>`-separated
text opening with a `[서울=뉴시스] 홍길동 기자 =` (older `【서울=뉴시스】`) dateline; photos are
`div.thumCont` with a `p.desc` caption ("… *재판매 및 DB 금지"); `div.summury` is the summary box.
The text ends `◎공감언론 뉴시스 hong@newsis.com` and the 저작권자 line.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

NEWSIS = SiteProfile(
    name="newsis",
    url=re.compile(r"newsis\.com/view/(?:\?id=)?NIS[A-Z]\d{8}_\d{10}"),
    markers=("div.articleView .viewer", 'meta[property="og:site_name"][content="뉴시스"]',
             'link[rel="canonical"][href*="newsis.com/view/"]'),
    title=("div.articleView h1.tit", "h1.tit.title_area", ".view .top h1"),
    published=(".infoLine p.txt", ".infoLine"),
    body=("#textBody", "div.viewer article", "div.viewer"),
    drop=(".summury", ".summary", ".thumCont", ".relatedNews", "#view_ad", "[class*=banner]", ".viewer_ad"),
    captions=(".thumCont p.desc", ".thumCont .desc"),
)
