"""Dedup's view of a body: outlet furniture removed, split into comparable sentence keys.

Copies of one press release differ mostly in what each outlet wraps around the shared text: a
dateline (``[뉴스스텝]``, ``(인천=연합뉴스) 홍길동 기자 =``, ``【횡성】``), a byline with an e-mail
address, a copyright line. None of that is evidence of copying, so it is removed here before
hashing or shingling. Everything else is reduced to *keys*: NFKC text with only Hangul, Latin
letters and digits kept, so spacing, quote styles and bullets (△ ▲ ·) cannot hide a copy.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# A bracketed dateline at the start of a line: [뉴스스텝], [헤럴드경제=박병국 기자], 【횡성】,
# (인천=연합뉴스) 홍길동 기자 =, (브레이크뉴스인천 박상도 기자), [ 국제뉴스 ].
_BRACKET_DATELINE = re.compile(
    r"^\s*[\[【(〔<]\s*[^\]】)〕>\n]{1,40}?\s*[\]】)〕>]"
    r"(?:\s*[가-힣]{2,4}\s*(?:기자|특파원|통신원)(?:\s*=)?)?\s*"
)
# Unbracketed: "화천=에너지경제신문 박에스더 기자 ", "홍길동 기자 = ".
_PLAIN_DATELINE = re.compile(
    r"^\s*(?:[가-힣A-Za-z]{1,10}\s*=\s*[^\s=]{1,20}\s+)?[가-힣]{2,4}\s*(?:기자|특파원)\s*=?\s+"
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_COPYRIGHT = re.compile(r"저작권자|무단\s*전재|재배포\s*금지|copyright|all rights reserved|ⓒ|©", re.I)
_BYLINE_ONLY = re.compile(r"^[/\s]*[가-힣]{2,4}\s*(?:기자|특파원|통신원)\s*$")
_META_LINE = re.compile(r"기사승인|기사입력|입력\s*:?\s*\d{4}[.-]|수정\s*:?\s*\d{4}[.-]")
# Sentence ends: "다." (the usual Korean declarative ending) or . ? ! followed by space, or a newline.
_SENTENCE_END = re.compile(r"(?<=[다요죠음함됨임][.!?])|(?<=[.?!])\s+|\n+")
_QUOTED = re.compile(r"[\"“”][^\"“”\n]*(?:[\"“”]|$)")
_NOT_KEY = re.compile(r"[^0-9A-Za-z\uac00-\ud7a3]+")
MIN_SENTENCE_KEY = 8  # shorter fragments ("사진=시흥시", "▲") are noise, not sentences


def clean_body(body: str) -> str:
    """NFKC-normalize a body and drop datelines, bylines, e-mail, copyright and meta lines."""
    text = unicodedata.normalize("NFKC", body)
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        short = len(line) < 80
        if short and (_COPYRIGHT.search(line) or _EMAIL.search(line) or _META_LINE.search(line)):
            continue
        if _BYLINE_ONLY.match(line):
            continue
        line = _strip_dateline(line)
        line = _EMAIL.sub(" ", line)
        if line:
            lines.append(line)
    return "\n".join(lines)


def _strip_dateline(line: str) -> str:
    """Remove leading dateline/byline furniture, repeatedly ("[매체] (지역=매체) 기자 =")."""
    for _ in range(3):
        m = _BRACKET_DATELINE.match(line)
        if m and _looks_like_dateline(m.group(0)):
            line = line[m.end() :]
            continue
        m = _PLAIN_DATELINE.match(line)
        if m:
            line = line[m.end() :]
            continue
        break
    return line.strip()


def _looks_like_dateline(prefix: str) -> bool:
    """A bracket group is a dateline if it names a reporter/outlet, not if it opens a sentence.

    "(사진=시흥시 제공)" or "(가칭)" also start lines; they are dropped too, harmlessly, but a
    long parenthetical that is part of the first sentence must stay.
    """
    inner = prefix.strip()
    return "=" in inner or "기자" in inner or inner[0] in "[【〔" or len(inner) <= 12


def key(text: str) -> str:
    """Only Hangul syllables, Latin letters and digits: spacing and punctuation cannot differ."""
    return _NOT_KEY.sub("", text)


def sentences(clean: str) -> list[str]:
    """Sentence keys of a cleaned body, in order, dropping fragments shorter than 8 characters."""
    out: list[str] = []
    for part in _SENTENCE_END.split(clean):
        if part and len(k := key(part)) >= MIN_SENTENCE_KEY:
            out.append(k)
    return out


def evidence_sentences(clean: str) -> list[str]:
    """Sentence keys with quoted speech removed.

    Rewrites of one event quote the same officials verbatim, so a shared quote is no evidence
    that one text was edited from the other. A sentence that is nothing but a quote and its
    speaker ("임 시장은 ... 라고 말했다") shrinks below the minimum length and disappears.
    """
    out: list[str] = []
    for part in _SENTENCE_END.split(clean):
        if not part:
            continue
        if '"' in part or "“" in part or "”" in part:
            part = _QUOTED.sub(" ", part)
        if len(k := key(part)) >= MIN_SENTENCE_KEY:
            out.append(k)
    return out


def body_hash(body: str) -> str:
    """Hash of the normalized body: identical after dateline/byline removal and key reduction."""
    return body_hash_of_clean(clean_body(body))


def body_hash_of_clean(clean: str) -> str:
    """body_hash() of a body already passed through clean_body()."""
    return hashlib.blake2b(key(clean).encode("utf-8"), digest_size=16).hexdigest()
