"""Synthetic Korean regional-news text for the benchmarks (all words and templates invented here).

Two generators share the vocabulary below:

* `articles()` writes article-like texts (title, ~1,500–2,500 character body in paragraphs) from
  a small grammar over four beats — a bio cluster, a city council, festivals, traffic — with
  planted exact copies (same body, another outlet and headline) and near copies (a sentence
  rewritten, a byline added). Kiwi analyses these like real prose.
* `MorphemeSampler` draws morpheme sequences straight from a Zipf-like vocabulary, so a large
  search index can be built without running Kiwi at all.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

KST = timezone(timedelta(hours=9))

PLACES = (
    "송도", "배곧", "연수구", "남동구", "부평구", "계양구", "미추홀구", "시흥시", "안산시", "부천시",
    "김포시", "검단", "청라", "영종도", "강화군", "옹진군", "오정동", "정왕동", "월곶", "소래포구",
)
ORGS = (
    "인천시", "시흥시청", "인천경제청", "인천테크노파크", "시흥산업진흥원", "지역상공회의소",
    "인천교통공사", "경기도청", "시의회 산업위원회", "구청 문화관광과", "지방경찰청 교통과",
    "인천관광공사", "바이오협회 인천지부", "시민안전본부", "도시철도건설본부",
)
SURNAMES = ("김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권")
GIVEN = ("민", "서", "준", "지", "현", "우", "진", "수", "영", "호", "태", "은", "재", "하", "도", "윤")
ROLES = ("시장", "구청장", "의원", "위원장", "원장", "본부장", "대표", "교수", "센터장", "과장")
FIRMS = (
    "한빛바이오", "새봄제약", "누리셀", "다온메디", "청람바이오로직스", "해솔진단", "바른엔자임",
    "미래항체", "가온백신", "푸른세포", "솔빛헬스", "온새미로직스",
)

_BEATS: dict[str, dict[str, tuple[str, ...]]] = {
    "bio": {
        "title": (
            "{place} 바이오 특화단지 {n}개 기업 입주 확정", "{firm}, {place}에 {n}억 원 규모 공장 착공",
            "바이오 인력 양성센터 {place}에 문 연다", "{org}, 바이오 기업 유치 설명회 개최",
        ),
        "subject": (
            "{org}는", "{firm}은", "{role} {person}은", "입주 기업 {n}곳은", "업계 관계자들은",
            "{place} 일대 연구소들은", "지역 대학 연구진은",
        ),
        "middle": (
            "바이오 특화단지 조성 사업과 관련해", "원료의약품 생산 설비를 늘리기 위해",
            "세포 배양 공정 인력을 확보하려고",
            "{n}억 원의 추가 투자를 검토하면서", "백신 위탁생산 물량이 늘어나자", "임상시험 지원 체계를 두고",
            "정부의 특화단지 지정 이후", "연구개발 보조금 {n}억 원을 바탕으로",
        ),
        "predicate": (
            "협약을 맺었다고 {day} 밝혔다.", "설명회를 열 계획이다.", "입주 일정을 앞당기기로 했다.",
            "전문 인력 {n}명을 새로 뽑는다.", "시설 확충을 요구했다.", "공동 연구에 들어갔다.",
            "부지 {n}만 제곱미터를 추가로 확보했다.", "산학협력 과정을 개설한다고 설명했다.",
        ),
    },
    "council": {
        "title": (
            "{place} 의회, {n}억 원 추경 예산안 의결", "시의회 임시회 {n}일 개회… 조례안 심사",
            "{role} {person}, 5분 발언서 교통 대책 촉구", "의회 행정사무감사 {n}건 지적",
        ),
        "subject": (
            "시의회는", "{role} {person}은", "상임위원회는", "의원 {n}명은", "집행부는",
            "{place} 주민들은", "의회 사무처는",
        ),
        "middle": (
            "제{n}회 임시회 본회의에서", "추가경정예산안 심사 과정에서", "조례 개정안을 두고",
            "행정사무감사 결과를 바탕으로", "주민 청원 {n}건을 검토한 뒤", "예산 삭감 논란 속에",
            "5분 자유발언을 통해", "상임위 회의록 공개 요구에 따라",
        ),
        "predicate": (
            "원안대로 가결했다.", "수정안을 통과시켰다.", "보류 결정을 내렸다고 {day} 전했다.",
            "집행부에 재검토를 요구했다.", "공청회를 열기로 했다.", "예산 {n}억 원을 삭감했다.",
            "조례 제정을 추진한다.", "후속 조치를 주문했다.",
        ),
    },
    "festival": {
        "title": (
            "{place} 해변 축제 {n}만 명 다녀가", "제{n}회 {place} 먹거리 장터 개막",
            "가을 불빛 축제, {place} 일대서 {n}일간 열려", "{org}, 축제 안전관리 계획 발표",
        ),
        "subject": (
            "축제 추진위원회는", "{org}는", "관광객 {n}만 명이", "상인회는", "{role} {person}은",
            "자원봉사자 {n}명은", "참가 공연팀들은",
        ),
        "middle": (
            "개막식 무대에서", "야간 불빛 행사 기간 동안", "먹거리 장터 운영을 맡아",
            "{place} 해안 산책로를 따라", "지역 농수산물 판매 부스를 열고", "주차 공간 부족 문제로",
            "우천에 대비해", "{n}개 체험 프로그램과 함께",
        ),
        "predicate": (
            "행사를 마무리했다.", "방문객 안전 관리에 나섰다.", "매출이 {n}% 늘었다고 {day} 밝혔다.",
            "셔틀버스를 증편했다.", "내년 행사 규모를 키운다.", "지역 예술인 공연을 선보였다.",
            "쓰레기 줄이기 캠페인을 벌였다.", "만족도 조사를 진행한다.",
        ),
    },
    "traffic": {
        "title": (
            "{place} 출퇴근길 정체 {n}분 줄인다", "광역버스 {n}개 노선 신설", "도시철도 {place} 연장 예비타당성 통과",
            "{place} 교차로 신호 체계 개편",
        ),
        "subject": (
            "{org}는", "교통 당국은", "버스 업체 {n}곳은", "{place} 주민들은", "{role} {person}은",
            "경찰은", "운전자들은",
        ),
        "middle": (
            "출퇴근 시간대 정체를 줄이려고", "광역버스 노선 조정안에 따라", "도시철도 연장 사업과 맞물려",
            "{place} 교차로 {n}곳에서", "스쿨존 사고가 잇따르자", "환승 할인 확대를 앞두고",
            "공사 구간 우회로를 안내하며", "심야 버스 수요 조사를 근거로",
        ),
        "predicate": (
            "신호 주기를 조정했다.", "노선 {n}개를 새로 만든다.", "단속 카메라를 설치했다고 {day} 밝혔다.",
            "배차 간격을 줄이기로 했다.", "임시 주차장을 운영한다.", "차로를 {n}개 늘린다.",
            "개선안을 마련했다.", "주민 설명회를 열었다.",
        ),
    },
}
_CONNECT = ("또", "이와 함께", "한편", "이에 따라", "특히", "아울러", "다만", "앞서")
_QUOTE = (
    '"{topic} 문제를 꼼꼼히 살피겠다"고 말했다.', '"주민 불편이 없도록 {m}월까지 마무리하겠다"고 강조했다.',
    '"예상보다 {n}% 많은 신청이 들어왔다"고 설명했다.', '"현장 목소리를 계속 듣겠다"고 덧붙였다.',
)
_NOUNS: dict[str, tuple[str, ...]] = {
    "bio": ("항체 치료제", "세포주", "배양기", "임상 자료", "위탁생산", "원부자재", "연구 장비", "품질 인증",
            "기술 이전", "실험동물", "시약", "분석 센터", "특허", "인허가", "정제 공정", "진단 키트"),
    "council": ("조례안", "추경", "결산", "감사 자료", "청원", "회의록", "예결위", "출자 동의안", "의정비", "공유재산",
                "보조금 심사", "업무 보고", "정책 토론회", "시정 질문"),
    "festival": ("야시장", "불꽃놀이", "버스킹", "체험 부스", "특산물", "전통 공연", "포토존", "푸드트럭", "안내 책자",
                 "행사장 동선", "야간 조명", "기념품"),
    "traffic": ("환승 센터", "굴다리", "간선도로", "좌회전 차로", "버스 정류장", "횡단보도", "우회 도로", "광역급행",
                "통학로", "견인 차량", "노면 표시", "주차 면", "공영 자전거"),
    "common": ("주민 의견", "예산 집행", "현장 점검", "안전 대책", "후속 논의", "관계 기관", "중장기 계획", "시범 사업",
               "민원 창구", "지원 조례", "사업 일정", "운영 실적", "수요 조사", "홍보 영상", "설문 결과"),
}
_MODIFIERS = ("새로 마련한", "지난해 발표한", "올해 처음 도입한", "그동안 미뤄진", "주민이 요구한", "이번에 바뀐",
              "하반기에 예정된", "논란이 된", "시가 제안한", "내년에 늘어날", "규모를 줄인", "임시로 정한")
_VERBS = ("검토하", "점검하", "보완하", "공개하", "확대하", "조정하", "협의하", "추진하", "마무리하", "재정비하",
          "연계하", "홍보하", "지원하", "평가하", "개선하")
_ENDINGS = ("기로 했다.", "겠다고 밝혔다.", "는 방안을 내놨다.", "는 중이다.", "는 대로 결과를 알린다.",
            "자고 제안했다.", "는 데 합의했다.", "지 않기로 했다.")
_TOPIC_WORD = {"bio": "특화단지", "council": "예산", "festival": "축제", "traffic": "교통"}


@dataclass(frozen=True, slots=True)
class SyntheticArticle:
    url: str
    source: str
    title: str
    body: str
    published: str
    kind: str  # "original" | "exact" | "near"

    def to_json(self) -> dict[str, str]:
        return {"url": self.url, "source": self.source, "title": self.title, "body": self.body,
                "published": self.published}


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def _fill(template: str, rng: random.Random, beat: str) -> str:
    return template.format(
        place=rng.choice(PLACES), org=rng.choice(ORGS), firm=rng.choice(FIRMS), role=rng.choice(ROLES),
        person=_person(rng), n=rng.randint(2, 990), m=rng.randint(1, 12), day=f"{rng.randint(1, 28)}일",
        topic=_TOPIC_WORD[beat],
    )


def _free_clause(rng: random.Random, beat: str) -> str:
    """A clause composed word by word, so two articles rarely share long verbatim runs by chance."""
    nouns = _NOUNS[beat] + _NOUNS["common"]
    return (f"{rng.choice(_MODIFIERS)} {rng.choice(nouns)}{rng.choice((' 문제로', '에 대해', ' 관련해', ' 사업에서'))} "
            f"{rng.choice(nouns)} {rng.choice(_VERBS)}{rng.choice(_ENDINGS)}")


def _sentence(rng: random.Random, beat: str) -> str:
    parts = _BEATS[beat]
    if rng.random() < 0.1:
        return f"{rng.choice(ROLES)} {_person(rng)}은 " + _fill(rng.choice(_QUOTE), rng, beat)
    if rng.random() < 0.6:
        return f"{_fill(rng.choice(parts['subject']), rng, beat)} {_free_clause(rng, beat)}"
    words = [_fill(rng.choice(parts[k]), rng, beat) for k in ("subject", "middle", "predicate")]
    if rng.random() < 0.35:
        words.insert(0, rng.choice(_CONNECT))
    if rng.random() < 0.4:
        words.insert(-1, f"{rng.choice(PLACES)} {rng.randint(2, 99)}곳에서")
    return " ".join(words)


def _body(rng: random.Random, beat: str, target_chars: int) -> str:
    paragraphs: list[str] = []
    size = 0
    while size < target_chars:
        para = " ".join(_sentence(rng, beat) for _ in range(rng.randint(2, 4)))
        paragraphs.append(para)
        size += len(para) + 1
    return "\n".join(paragraphs)


def _near_copy(rng: random.Random, body: str, beat: str) -> str:
    """Another outlet's edit: one paragraph rewritten, a dateline and a byline added."""
    paragraphs = body.split("\n")
    k = rng.randrange(len(paragraphs))
    paragraphs[k] = " ".join(_sentence(rng, beat) for _ in range(2))
    paragraphs.insert(0, f"({rng.choice(PLACES)}=뉴스) {_person(rng)} 기자 = " + paragraphs.pop(0))
    paragraphs.append(f"{_person(rng)} 기자 news{rng.randint(1, 999)}@example.kr")
    return "\n".join(paragraphs)


def articles(n: int, *, seed: int = 7, exact_share: float = 0.3, near_share: float = 0.1
             ) -> list[SyntheticArticle]:
    """`n` articles: originals, exact copies (same body) and near copies, in a shuffled order."""
    rng = random.Random(seed)
    n_exact = round(n * exact_share)
    n_near = round(n * near_share)
    n_orig = n - n_exact - n_near
    start = datetime(2025, 1, 1, 6, 0, tzinfo=KST)
    out: list[SyntheticArticle] = []
    beats = list(_BEATS)
    for i in range(n_orig):
        beat = rng.choice(beats)
        published = start + timedelta(minutes=37 * i)
        out.append(SyntheticArticle(
            url=f"https://news{i % 12}.example.kr/article/{i:06d}", source=f"outlet{i % 12:02d}",
            title=_fill(rng.choice(_BEATS[beat]["title"]), rng, beat),
            body=_body(rng, beat, rng.randint(1500, 2400)), published=published.isoformat(), kind=beat,
        ))
    originals = list(out)
    for i in range(n_exact + n_near):
        src = rng.choice(originals)
        near = i >= n_exact
        body = _near_copy(rng, src.body, src.kind) if near else src.body
        published = datetime.fromisoformat(src.published) + timedelta(hours=rng.randint(1, 30))
        out.append(SyntheticArticle(
            url=f"https://copy{i % 7}.example.kr/view/{i:06d}", source=f"copy{i % 7:02d}",
            title=src.title if rng.random() < 0.5 else f"[{rng.choice(PLACES)}] {src.title}",
            body=body, published=published.isoformat(), kind="near" if near else "exact",
        ))
    for i, art in enumerate(out[:n_orig]):
        out[i] = SyntheticArticle(art.url, art.source, art.title, art.body, art.published, "original")
    rng.shuffle(out)
    return out


# -- morpheme sequences for the search index -----------------------------------------------------

FUNCTION_MORPHEMES = (  # the very frequent particles and endings Kiwi emits in news prose
    "을", "를", "이", "가", "은", "는", "에", "의", "하", "었", "다", "고", "ᆫ", "ᆯ", "어", "에서", "로", "으로",
    "과", "와", "도", "되", "있", "것", "지", "기", "게", "며", "면", "았", "겠", "등", "수", "및",
)
_SYLLABLES = tuple(chr(c) for c in range(0xAC00, 0xAC00 + 11172, 7))  # ~1,600 Hangul syllables


class MorphemeSampler:
    """Zipf-like draws over a vocabulary: function morphemes first, then planted terms, then filler.

    `planted` maps a morpheme form to the rank it gets, so a query term's frequency is chosen.
    """

    def __init__(self, planted: dict[str, int], *, size: int = 200_000, exponent: float = 1.05,
                 seed: int = 11) -> None:
        rng = np.random.default_rng(seed)
        forms: list[str | None] = [None] * size
        for i, f in enumerate(FUNCTION_MORPHEMES):
            forms[i] = f
        for form, rank in planted.items():
            forms[rank] = form
        used = {f for f in forms if f}
        for i in range(size):
            while forms[i] is None:
                k = int(rng.integers(2, 4))
                cand = "".join(_SYLLABLES[int(j)] for j in rng.integers(0, len(_SYLLABLES), k))
                if cand not in used:
                    used.add(cand)
                    forms[i] = cand
        self.forms = np.array(forms, dtype=object)
        functional = set(FUNCTION_MORPHEMES)
        # the surface text glues particles/endings to the previous word, as Korean writing does
        self.surface = np.array([f if f in functional else " " + f for f in forms], dtype=object)
        weights = 1.0 / np.power(np.arange(size) + 2.7, exponent)
        self._cdf = np.cumsum(weights / weights.sum())
        self._rng = rng

    def draw(self, count: int) -> np.ndarray:
        idx: np.ndarray = np.searchsorted(self._cdf, self._rng.random(count), side="right")
        return np.minimum(idx, len(self._cdf) - 1)

    def doc(self, length: int, extra: list[list[int]]) -> tuple[str, str]:
        """(morpheme forms joined by spaces, surface text) of one document, with `extra` runs spliced in."""
        idx = self.draw(length).tolist()
        for run in extra:
            at = int(self._rng.integers(0, len(idx)))
            idx[at:at] = run
        forms = " ".join(self.forms[idx].tolist())
        surface = "".join(self.surface[idx].tolist()).lstrip()
        return forms, surface


def chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(size, total - start)
