"""The registry of CMS-family profiles. Adding a family = adding a module and one line here."""

from __future__ import annotations

from scraper.extract.profile import SiteProfile
from scraper.extract.profiles.articleno import ARTICLENO
from scraper.extract.profiles.chosun import CHOSUN
from scraper.extract.profiles.daum import DAUM
from scraper.extract.profiles.donga import DONGA
from scraper.extract.profiles.hani import HANI
from scraper.extract.profiles.hankookilbo import HANKOOKILBO, HANKOOKILBO_NEXT
from scraper.extract.profiles.joongang import JOONGANG
from scraper.extract.profiles.khan import KHAN
from scraper.extract.profiles.mk import MK
from scraper.extract.profiles.naver import NAVER
from scraper.extract.profiles.ndsoft import NDSOFT
from scraper.extract.profiles.news1 import NEWS1
from scraper.extract.profiles.newsis import NEWSIS
from scraper.extract.profiles.newsview import NEWSVIEW
from scraper.extract.profiles.wordpress import WORDPRESS
from scraper.extract.profiles.yna import YNA

# Order breaks detection ties: portals and outlet-specific profiles (distinctive markers) come
# before the CMS families, whose markers (`div.news_view` …) some outlets share.
PROFILES: dict[str, SiteProfile] = {
    p.name: p for p in (NAVER, DAUM, YNA, NEWS1, NEWSIS, CHOSUN, JOONGANG, DONGA, HANI, KHAN,
                        NDSOFT, NEWSVIEW, ARTICLENO, WORDPRESS, HANKOOKILBO, HANKOOKILBO_NEXT, MK)
}

__all__ = ["PROFILES", "SiteProfile"]
