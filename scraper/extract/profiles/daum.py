"""다음 뉴스 article pages (v.daum.net/v/<14+ digits>): the portal's copy of a partner's article.

Headline `h3.tit_view`; `span.info_view` holds `span.txt_info` items — the reporter first (when the
partner sent one), then `입력 <span class="num_date">2025. 7. 9. 16:55</span>` and 수정. The body
is `div.article_view > section` of `p[dmcf-ptype="general"]` paragraphs and `figure` blocks with a
`figcaption.txt_caption`; `strong.summary_view` is the deck. Note the wrapper `div.news_view`, which
the newsview family also uses: Daum is told apart by the markers below and the URL.
"""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

DAUM = SiteProfile(
    name="daum",
    url=re.compile(r"v\.daum\.net/v/\d{14,}"),
    markers=("h3.tit_view", "div.article_view[data-translation-body]",
             'meta[property="og:url"][content*="v.daum.net/v/"]'),
    title=("h3.tit_view", ".head_view .tit_view"),
    byline=(".info_view .txt_info",),
    published=(".info_view .num_date",),
    body=("div.article_view section", "div.article_view", "#harmonyContainer"),
    drop=(".summary_view", ".layer_util", ".link_figure", ".copyright_view", ".box_recommend"),
    captions=("figcaption.txt_caption", ".txt_caption"),
)
