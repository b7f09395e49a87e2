"""Line-level cleanup of an article container's text: what is not the article's own prose.

Kept: datelines at the start (`[뉴스스텝]`, `(인천=뉴스1) 홍길동 기자 =`) — they are part of the
published text (dedup ignores them later). Moved to captions: `▲ …` photo lines. Dropped:
copyright notices (저작권자 … 무단전재), reporter sign-offs at the end (`/홍길동 기자 hong@x.kr`),
promo lines (`▶ …`), tip solicitations (`… 제보를 기다립니다`), 관련기사 boxes, share/print button labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scraper.extract.bylines import parse_byline

_COPYRIGHT = re.compile(
    r"저작권자|무단\s*전재|재\s*배포\s*(?:금지|및)|무단\s*복제|Copyright|ⓒ|©|\(c\)\s|All rights reserved|"
    r"AI\s*학습\s*(?:및\s*)?(?:활용|이용)\s*금지",
    re.IGNORECASE,
)
# Every _COPYRIGHT match holds one of these: Copyright and All rights reserved an r or R (re.IGNORECASE
# folds no other character to r), "(c)" either case. A line with none of them cannot match, and
# substring tests cost a fraction of the case-insensitive search.
_COPYRIGHT_HINTS = ("저작권자", "무단", "배포", "ⓒ", "Ⓒ", "©", "학습", "(c)", "(C)", "r", "R")
_PROMO = re.compile(r"^\s*(?:▶|☞|▷|■\s*관련|◆\s*관련|<\s*관련|\[\s*관련)")
_TIP_LINE = re.compile(  # tip solicitations: "… 제보를 기다립니다", "제보는 카카오톡 …", "기사제보: …"
    r"제보를?\s*기다립니다\.?$|^\W*(?:기사\s*)?제보\s*(?:는|하기)?\s*[:：]?\s*(?:카카오톡|이메일|전화|[\w.+-]+@)"
)
_RELATED_HEADER = re.compile(
    r"^[\[<【]?\s*(?:관련\s*기사|관련\s*뉴스|이 기사와 관련된 기사|함께 보면 좋은 기사)\s*[\]>】]?$"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_EMAIL_END = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+[\s.)]*$")
_SIGNOFF = re.compile(
    r"^[/\s]*(?:[가-힣]{2,4}(?:\s*[·,]\s*[가-힣]{2,4})*\s*(?:선임|수석|객원|인턴)?(?:기자|특파원))?\s*"
    r"(?:[\w.+-]+@[\w-]+(?:\.[\w-]+)+)?[\s.]*$"
)
_TRAILING_SIGNOFF = re.compile(
    r"(?<=[.!?\"”’)])\s*/?\s*[가-힣]{2,4}\s*(?:기자|특파원)\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*$"
)
_UI_WORDS = frozenset(
    {"인쇄", "공유", "공유하기", "기사공유", "스크랩", "글씨크기", "글자크기", "폰트", "확대", "축소", "+", "-", "가",
     "댓글", "좋아요", "추천", "페이스북", "트위터", "카카오톡", "카카오스토리", "네이버", "밴드", "URL복사", "url복사",
     "링크복사", "SNS", "기사보내기", "사진", "사진확대", "확대보기", "이미지", "이미지확대보기", "닫기", "목록",
     "이전기사", "다음기사", "기사저장", "구독", "구독하기", "0", "바로가기", "이메일", "메일", "프린트", "복사"}
)
_CAPTION_MARK = re.compile(r"^\s*[▲△]\s*")
_RUN_LEN = 150  # a boilerplate notice is a short line; long lines are prose that may quote one


@dataclass(frozen=True, slots=True)
class CleanText:
    lines: tuple[str, ...]
    captions: tuple[str, ...]
    signoff_names: tuple[str, ...]


def _is_ui(line: str) -> bool:
    if len(line) > 60:
        return False
    words = line.replace("|", " ").replace("·", " ").split()
    return bool(words) and all(w in _UI_WORDS for w in words)


def _may_be_copyright(line: str) -> bool:
    return any(hint in line for hint in _COPYRIGHT_HINTS)


def is_boilerplate(line: str) -> bool:
    """A line that is never article prose, wherever it appears."""
    if len(line) <= _RUN_LEN and ((_may_be_copyright(line) and _COPYRIGHT.search(line))
                                  or ("제보" in line and _TIP_LINE.search(line))):
        return True
    return bool(_PROMO.match(line)) or _is_ui(line)


def is_signoff(line: str) -> bool:
    """A reporter sign-off line: `홍길동 기자 hong@x.kr`, `/홍길동 기자`, a bare e-mail."""
    if len(line) > 80:
        return False
    has_title = "기자" in line or "특파원" in line
    if _SIGNOFF.match(line) and (has_title or _EMAIL.search(line)):
        return True
    ends_with_email = _EMAIL_END.search(line)
    return bool(ends_with_email) and (has_title or len(line) <= 40)


def clean_lines(lines: list[str]) -> CleanText:
    """Split container lines into article prose, captions and names found in sign-offs."""
    body: list[str] = []
    captions: list[str] = []
    for i, line in enumerate(lines):
        if _CAPTION_MARK.match(line):
            text = _CAPTION_MARK.sub("", line).strip()
            if text:
                captions.append(text)
            continue
        if _RELATED_HEADER.match(line):
            if i >= len(lines) / 2:
                break  # a related-articles box at the end: everything after is links
            continue
        if is_boilerplate(line):
            continue
        body.append(line)
    names: list[str] = []
    while body:
        last = body[-1]
        if is_signoff(last):
            names.extend(parse_byline(last))
            body.pop()
            continue
        m = _TRAILING_SIGNOFF.search(last)
        if m:
            names.extend(parse_byline(m.group(0)))
            body[-1] = last[: m.start()].rstrip()
        break
    return CleanText(lines=tuple(body), captions=tuple(captions), signoff_names=tuple(names))
