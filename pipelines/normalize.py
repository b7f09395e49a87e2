"""Normalize an extracted article: NFC text, clean paragraphs, KST dates, canonical URL."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from scraper.models import Article
from scraper.urls import canonical_url

KST = timezone(timedelta(hours=9), "KST")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000\ufeff]+")
_SPACE_CHARS = "\t\u00a0" + "".join(map(chr, range(0x2000, 0x200C))) + "\u3000\ufeff"  # _SPACES but " "
_HOST = re.compile(r"[\w.-]+")  # letters (IDN), digits, dots, hyphens: anything else is not a host
_MIN_REPEAT_CHARS = 20  # shorter repeated lines (e.g. "사진") are left alone


def normalize_text(text: str) -> str:
    """NFC-normalize and collapse runs of spaces inside each line.

    NFC matters: some CMSs emit decomposed Hangul jamo (NFD), which breaks dedup hashes and search.
    """
    text = unicodedata.normalize("NFC", text)
    if "  " in text or any(ch in text for ch in _SPACE_CHARS):  # else _SPACES would change nothing
        text = _SPACES.sub(" ", text)  # never spans lines: "\n" is not in the class
    return "\n".join(line.strip() for line in text.split("\n"))


def normalize_body(body: str) -> str:
    """Clean paragraphs: NFC, no empty lines, and a paragraph repeated by a CMS glitch kept once."""
    seen: set[str] = set()
    out: list[str] = []
    for para in normalize_text(body).split("\n"):
        if not para:
            continue
        if len(para) >= _MIN_REPEAT_CHARS:
            if para in seen:
                continue
            seen.add(para)
        out.append(para)
    return "\n".join(out)


def to_kst(value: datetime | None) -> datetime | None:
    """Aware datetime in KST; a naive one is taken to be KST already (Korean sites print local time)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=KST)
    return value.astimezone(KST)


def _canonical(url: str) -> str:
    """Canonical form of a well-formed URL; one with a malformed host is kept as given (never mangled)."""
    try:
        host = urlsplit(url.strip()).hostname or ""
        return canonical_url(url) if _HOST.fullmatch(host) else url.strip()
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return url.strip()


def normalize_article(article: Article) -> Article:
    """Return the article with normalized text, KST times and a canonical URL."""
    return replace(
        article,
        url=_canonical(article.url),
        title=" ".join(normalize_text(article.title).split()),
        body=normalize_body(article.body),
        published=to_kst(article.published),
        fetched_at=to_kst(article.fetched_at),
        authors=tuple(a for a in (" ".join(normalize_text(x).split()) for x in article.authors) if a),
        captions=tuple(c for c in (normalize_text(x).strip() for x in article.captions) if c),
    )


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in KST (+09:00), seconds precision."""
    kst = to_kst(value)
    return kst.isoformat(timespec="seconds") if kst else None
