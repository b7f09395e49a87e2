"""Headline selection and cleanup.

Page titles carry the outlet: `제목 - 사이트명`, `제목 | 사이트명`, `제목 < 섹션 < 기사본문 - 사이트명`
(NDSoft), `제목-정치ㅣ한국일보`. A visible headline element is preferred; metadata titles are used
after their suffix is cut, but only a suffix that looks like an outlet or section name is cut, so
a headline such as `인천시 - 시흥시 협약` keeps its own dash.
"""

from __future__ import annotations

import re

_SEP = re.compile(r"(?:\s+[-–—|:<>·]\s+|\s*[|ㅣ｜]\s*|\s*::\s*|\s+<\s*)")
_OUTLET_HINT = re.compile(
    r"(?:신문|일보|뉴스|News|NEWS|news|타임즈|타임스|Times|저널|방송|미디어|투데이|TV|닷컴|경제|기사본문|기사보기|"
    r"데일리|Daily|포스트|리포트|헤럴드|코리아|Korea|\.com|\.co\.kr|\.kr|\.net)"
)
_NDSOFT_TAIL = re.compile(r"\s+<\s+[^<]{1,30}(?:\s+<\s+[^<]{1,30})*\s*$")


def _strip_once(title: str, site_names: tuple[str, ...]) -> str | None:
    matches = list(_SEP.finditer(title))
    if not matches:
        return None
    m = matches[-1]
    head, tail = title[: m.start()].strip(), title[m.end() :].strip()
    if len(head) < 4 or len(tail) > 40:
        return None
    if not tail or tail in site_names or _OUTLET_HINT.search(tail) or m.group(0).strip() == "<":
        return head
    return None


def clean_title(title: str, site_names: tuple[str, ...] = (), suffix: re.Pattern[str] | None = None) -> str:
    """Remove outlet/section suffixes from a metadata title."""
    title = " ".join(title.split())
    if suffix is not None:
        title = suffix.sub("", title).strip() or title
    for _ in range(4):
        shorter = _strip_once(title, site_names)
        if shorter is None:
            break
        title = shorter
    title = _NDSOFT_TAIL.sub("", title).strip() or title
    return title


def choose_title(candidates: list[str], headings: list[str]) -> str | None:
    """The visible heading that a (cleaned) metadata title starts with, else the first candidate."""
    for cand in candidates:
        for head in headings:
            if len(head) >= 6 and (cand == head or (cand.startswith(head) and len(head) >= 0.6 * len(cand))):
                return head
    return candidates[0] if candidates else None
