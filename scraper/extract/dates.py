"""Korean publish-time parsing: every result is a timezone-aware datetime in KST (+09:00).

Korean news pages print times in many shapes (`기사승인 : 2025-07-09 16:55:30`,
`입력 2025.07.09 16:55`, `2025-07-09 오후 4:55`, `2025년 7월 9일`) and often print both the
first publication and the last modification. We prefer first publication: labels such as
입력/등록/승인/발행 win over 수정/업데이트, and among several publication labels the earliest.
Times without an offset are Korean local time; Korea has had no daylight saving since 1988,
so a fixed +09:00 offset is exact for every page we can meet.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta, timezone

log = logging.getLogger(__name__)

KST = timezone(timedelta(hours=9), "KST")

_DATE = (
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-./]|년)\s*(?P<m>[01]?\d)\s*(?:[-./]|월)\s*(?P<d>[0-3]?\d)(?!\d)(?:\s*일)?\.?"
    r"(?:\s*\(?[월화수목금토일]\)(?=[\s\d]|$)|\s*\([월화수목금토일]\))?"
)
_TIME = (
    r"(?:(?:T|\s+|,\s*)(?P<ampm>오전|오후|AM|PM|am|pm)?\s*(?P<H>[0-2]?\d)\s*(?::|시)\s*(?P<M>[0-5]\d)"
    r"(?:\s*(?::|분)\s*(?P<S>[0-5]\d))?(?:\.\d{1,6})?\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
_DATETIME = re.compile(_DATE + _TIME)
_AMPM_FIRST = re.compile(r"(?P<ampm>오전|오후)\s*(?P<H>[0-2]?\d)\s*[:시]\s*(?P<M>[0-5]\d)")

_PUBLISHED_LABELS = ("기사입력", "최초입력", "입력", "기사승인", "승인", "등록", "발행", "게재", "작성", "송고", "보도")
_MODIFIED_LABELS = ("최종수정", "수정", "업데이트", "갱신", "Updated")
_DATE_ONLY_SUSPECT = frozenset({"등록", "발행"})
_LABELED = re.compile(
    r"(?P<label>" + "|".join(_PUBLISHED_LABELS + _MODIFIED_LABELS) + r"|Posted|Published)"
    r"(?:일시|일자|일|시간)?\s*[:：]?\s*" + _DATE + _TIME
)


def to_kst(value: datetime) -> datetime:
    """Attach KST to a naive time, or convert an aware one to KST."""
    if value.tzinfo is None:
        return value.replace(tzinfo=KST)
    return value.astimezone(KST)


def _sane(value: datetime) -> bool:
    now = datetime.now(UTC)
    return datetime(1990, 1, 1, tzinfo=UTC) <= value <= now + timedelta(days=400)


def _from_match(m: re.Match[str], text: str) -> datetime | None:
    try:
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
        hour = int(m["H"]) if m["H"] else 0
        minute = int(m["M"]) if m["M"] else 0
        sec = int(m["S"]) if m["S"] else 0
        ampm = m["ampm"]
        if not m["H"]:
            # "2025년 7월 9일 오후 4:55" style: a time may follow after other words.
            after = _AMPM_FIRST.match(text, m.end()) or _AMPM_FIRST.match(text.lstrip(), 0)
            if after is not None and after.start() - m.end() <= 2:
                ampm, hour, minute = after["ampm"], int(after["H"]), int(after["M"])
        if ampm in ("오후", "PM", "pm") and hour < 12:
            hour += 12
        elif ampm in ("오전", "AM", "am") and hour == 12:
            hour = 0
        tz = KST
        if m["tz"]:
            raw = m["tz"]
            if raw == "Z":
                tz = UTC
            else:
                sign = -1 if raw[0] == "-" else 1
                digits = raw[1:].replace(":", "")
                tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))
        value = datetime(y, mo, d, hour, minute, sec, tzinfo=tz)
    except (ValueError, OverflowError):
        return None
    value = value.astimezone(KST)
    return value if _sane(value) else None


def parse_datetime(text: str | None) -> datetime | None:
    """Parse the first date(-time) in `text` (ISO 8601, dotted, Korean); None when there is none."""
    if not text:
        return None
    text = text.strip()[:500]
    m = _DATETIME.search(text)
    if m is None:
        return None
    return _from_match(m, text[m.start() : m.end() + 12])


def find_published(text: str, *, need_time: bool = False) -> datetime | None:
    """Find the first-publication time among labelled dates in a page's text.

    Publication labels (입력, 승인, 등록, 발행 …) beat modification labels (수정 …); among several
    publication labels the earliest time wins. Falls back to the earliest modification time.
    """
    published: list[datetime] = []
    modified: list[datetime] = []
    for i, m in enumerate(_LABELED.finditer(text)):
        if i >= 40:
            break
        if (need_time or m["label"] in _DATE_ONLY_SUSPECT) and not m["H"]:
            continue  # "등록일 : 2011-03-02" in a footer is the paper's registration, not the article's
        value = _from_match(m, text[m.start() : m.end() + 12])
        if value is None:
            continue
        (modified if m["label"] in _MODIFIED_LABELS else published).append(value)
    if published:
        return min(published)
    if modified:
        return min(modified)
    return None
