"""NDSoft (엔디소프트) news CMS: `/news/articleView.html?idxno=N`, body `#article-view-content-div`.

The most common platform of Korean regional and trade papers. Current skins put the headline in
`h1.heading` (older `h3.heading`), byline and times in `ul.infomation` (sic) as `기자명 홍길동 기자`,
`입력 2025.07.09 16:55`; the mid-2010s skin prints `• 홍길동 기자 • 승인 2019.11.21 10:10`.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

NDSOFT = SiteProfile(
    name="ndsoft",
    url=re.compile(r"/news/articleView\.html\?(?:[^#]*&)?idxno=\d+"),
    markers=("#article-view-content-div", "header.article-view-header", "ul.infomation"),
    title=("header.article-view-header .heading", "h1.heading", "h3.heading", ".article-head-title",
           ".article-header-wrap .heading"),
    byline=("ul.infomation", ".info-name", ".byline em.name", ".article-byline", ".info-text"),
    published=("ul.infomation", ".info-dated", ".info-text", ".byline", ".article-byline", ".breadcrumbs"),
    body=("article#article-view-content-div", "div#article-view-content-div", "#article-view-content-div"),
    drop=("article.writer", ".writer", ".view-editors", ".article-bottom", ".view-copyright",
          ".view-series", ".ad-template", ".tag-group", "[class*=IMGFLOATING]", ".subheading"),
    captions=("figure figcaption", ".photo-layout figcaption"),
)
