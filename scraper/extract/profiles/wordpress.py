"""WordPress news themes (Newspaper/tagDiv, GeneratePress, Astra, Jannah …): body `.entry-content`."""

from __future__ import annotations

import re

from scraper.extract.profile import SiteProfile

WORDPRESS = SiteProfile(
    name="wordpress",
    url=re.compile(r"/\d{4}/\d{2}/\d{2}/[^/]+/?$|[?&]p=\d+"),
    markers=("div.entry-content", "div.td-post-content", 'meta[name="generator"][content^="WordPress"]',
             'link[href*="/wp-content/"]'),
    title=("h1.entry-title", "h1.post-title", "h1.tdb-title-text", ".td-post-title h1", "h1.single-post-title"),
    byline=(".entry-meta .author", ".byline .author", ".author .fn", ".td-post-author-name", "a[rel=author]",
            ".post-author"),
    published=("time.entry-date.published", "time.published", ".entry-meta time", ".td-post-date time",
               ".post-date", "time[datetime]"),
    body=("div.entry-content", "div.td-post-content", "div.post-content", "article .entry"),
    drop=(".sharedaddy", ".jp-relatedposts", ".addtoany_share_save_container", ".yarpp-related",
          ".heateor_sss_sharing_container", ".post-tags", ".wp-block-buttons", ".code-block", ".author-box",
          ".post-navigation", ".crp_related"),
    captions=(".wp-caption-text", "figcaption", ".wp-element-caption"),
    not_article=("body.archive", "body.blog", "body.home", "body.page", "body.search", "body.error404"),
)
