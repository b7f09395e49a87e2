"""연합뉴스 (yna.co.kr/view/AKR…): the national wire, whose copy regional papers rewrite.

Header `h1.tit` (older `h1.tit01`), the deck `.tit-sub`; `p.update-time[data-published-time]`
("2025-07-09 16:55", shown as 송고시간); reporters `.writer-zone01 strong.tit-name`. The body
`div.story-news.article` is `<p>` paragraphs opening with the `(서울=연합뉴스) 홍길동 기자 =`
dateline, which stays in the body; photos are `.comp-box` figures with `figcaption .desc`. The last
paragraphs are the e-mail sign-off and `p.txt-copyright` (제보는 카카오톡 … / <저작권자(c) 연합뉴스 …>);
`aside` boxes hold 관련 뉴스, and 기자 구독 / 많이 본 뉴스 sit outside.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

YNA = SiteProfile(
    name="yna",
    url=re.compile(r"yna\.co\.kr/(?:amp/)?view/[A-Z]{3}\d{8}\d{6,}"),
    markers=(".story-news", 'meta[property="og:site_name"][content="연합뉴스"]',
             'link[rel="canonical"][href*="yna.co.kr/view/"]'),
    title=("header.title-article01 h1.tit", ".title-article01 h1", "h1.tit01", "h1.tit"),
    byline=(".writer-zone01 .tit-name", ".txt-con .tit-name", ".tit-name", ".writer-zone01"),
    published=("p.update-time[data-published-time]", ".update-time", ".txt-time01"),
    body=("div.story-news.article", "article.story-news", ".story-news", "#articleWrap .article-txt"),
    paragraphs="p",
    drop=(".txt-copyright", ".tit-sub", "aside", ".related-zone", ".writer-zone01", ".writer-zone02",
          ".keyword-zone", ".comp-box", "[class*=banner]", ".ad-box", ".empty-box"),
    captions=("figcaption .desc", ".image-zone01 figcaption", ".desc-con", "figcaption"),
)
