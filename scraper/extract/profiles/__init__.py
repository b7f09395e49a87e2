"""The registry of CMS-family profiles. Adding a family = adding a module and one line here."""

from __future__ import annotations

from scraper.extract.profile import SiteProfile
from scraper.extract.profiles.articleno import ARTICLENO
from scraper.extract.profiles.hankookilbo import HANKOOKILBO, HANKOOKILBO_NEXT
from scraper.extract.profiles.mk import MK
from scraper.extract.profiles.ndsoft import NDSOFT
from scraper.extract.profiles.newsview import NEWSVIEW
from scraper.extract.profiles.wordpress import WORDPRESS

PROFILES: dict[str, SiteProfile] = {
    p.name: p for p in (NDSOFT, NEWSVIEW, ARTICLENO, WORDPRESS, HANKOOKILBO, HANKOOKILBO_NEXT, MK)
}

__all__ = ["PROFILES", "SiteProfile"]
