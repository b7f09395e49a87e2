"""Reporter names from Korean bylines, datelines and sign-offs.

Shapes handled: `홍길동 기자`, `기자명 홍길동 기자`, `홍길동·김철수 기자`, `홍길동 기자, 김철수 기자`,
`순천, 광양 홍길동 기자` (places before the name), `(인천=연합뉴스) 홍길동 기자 =`,
`[매체=홍길동 기자]`, `매체 홍길동 기자 |`, e-mail sign-offs `/홍길동 기자 hong@x.kr`.
Only names are returned, never the title 기자. Korean personal names are 2–4 Hangul syllables; a
title word (기자, 특파원 …) after the name is what tells a name from any other word.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

_TITLES = r"(?:선임|수석|객원|인턴|전문|편집|취재|사진|영상)?(?:기자|특파원|논설위원|편집위원|객원기자)"
_NAME = r"[가-힣]{2,4}"
_NAMES_THEN_TITLE = re.compile(
    r"(?<![가-힣])(?P<names>" + _NAME + r"(?:\s*[·ㆍ,/]\s*" + _NAME + r")*)\s*" + _TITLES + r"(?![가-힣])"
)
_NAME_THEN_EMAIL = re.compile(r"(?<![가-힣])(?P<names>" + _NAME + r")\s+[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_DATELINE = re.compile(
    r"^\s*[\[(【]\s*[^\]=)】]{1,20}=\s*(?P<names>" + _NAME + r"(?:\s*[·ㆍ,]\s*" + _NAME + r")*)\s*"
    + _TITLES + r"?\s*[\])】]"
)
_NOT_NAMES = frozenset(
    {"기자명", "사진", "취재", "온라인", "디지털", "뉴스", "영상", "편집", "사회부", "정치부", "경제부", "기사",
     "담당", "본지", "전국", "인턴", "객원", "수습", "외신", "지역", "특별", "공동", "글", "그림", "이메일", "뉴시스",
     "공감언론", "연합뉴스"}
)
_UNIT_SUFFIXES = ("부", "팀", "국", "실", "센터", "뉴스", "일보", "신문", "방송", "타임즈", "경제", "저널", "미디어",
                  "투데이", "데스크", "닷컴")


def _clean(name: str) -> str | None:
    name = name.strip()
    if name in _NOT_NAMES or name.endswith(_UNIT_SUFFIXES) or not 2 <= len(name) <= 4:
        return None
    return name


def _dedupe(names: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for n in names:
        seen.setdefault(n, None)
    return tuple(seen)


def parse_byline(text: str | None) -> tuple[str, ...]:
    """Names in a byline string; () when the text names nobody with a reporter title."""
    if not text:
        return ()
    text = " ".join(text.split())[:400]
    names: list[str] = []
    for m in _NAMES_THEN_TITLE.finditer(text):
        for part in re.split(r"\s*[·ㆍ,/]\s*", m["names"]):
            clean = _clean(part)
            if clean:
                names.append(clean)
    if not names:
        for m in _NAME_THEN_EMAIL.finditer(text):
            clean = _clean(m["names"])
            if clean:
                names.append(clean)
    return _dedupe(names)


def parse_name_list(text: str | None) -> tuple[str, ...]:
    """Names from a field that holds only people (JSON-LD author, meta author): titles optional."""
    if not text:
        return ()
    found = parse_byline(text)
    if found:
        return found
    parts = [p.strip() for p in re.split(r"[,·ㆍ/]|\s외\s", text) if p.strip()]
    names = [c for p in parts if re.fullmatch(_NAME, p) and (c := _clean(p))]
    return _dedupe(names)


def dateline_names(first_line: str) -> tuple[str, ...]:
    """Names from a lead-in dateline such as `(인천=연합뉴스) 홍길동 기자 =` or `[매체=홍길동 기자]`."""
    head = first_line[:80]
    m = _DATELINE.match(head)
    if m:
        found = parse_name_list(m["names"])
        if found:
            return found
    cut = re.search(r"\s[=|]\s", head) or re.search(r"】|\]", head)  # `[서울=뉴시스] 홍길동 기자 =` too
    return parse_byline(head[: cut.end()]) if cut else ()
