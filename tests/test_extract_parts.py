"""Unit tests of the extractor's parts: dates, bylines, titles, line cleanup."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from scraper.extract.boilerplate import clean_lines
from scraper.extract.bylines import dateline_names, parse_byline, parse_name_list
from scraper.extract.dates import find_published, parse_datetime
from scraper.extract.titles import clean_title

KST = timezone(timedelta(hours=9))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025.07.09 16:55", datetime(2025, 7, 9, 16, 55, tzinfo=KST)),
        ("2025-07-09 16:55:30", datetime(2025, 7, 9, 16, 55, 30, tzinfo=KST)),
        ("2025-07-09 오후 4:55", datetime(2025, 7, 9, 16, 55, tzinfo=KST)),
        ("2025-07-09 오전 12:05", datetime(2025, 7, 9, 0, 5, tzinfo=KST)),
        ("2025년 7월 9일", datetime(2025, 7, 9, tzinfo=KST)),
        ("2025년 7월 9일 오후 4시 55분", datetime(2025, 7, 9, 16, 55, tzinfo=KST)),
        ("2025-07-09T07:55:00Z", datetime(2025, 7, 9, 16, 55, tzinfo=KST)),
        ("2025-07-09T16:55:00.000+0900", datetime(2025, 7, 9, 16, 55, tzinfo=KST)),
        ("2025.07.09(수) 16:55", datetime(2025, 7, 9, 16, 55, tzinfo=KST)),
    ],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    value = parse_datetime(text)
    assert value == expected
    assert value is not None and value.utcoffset() == timedelta(hours=9)


@pytest.mark.parametrize("text", ["", "오늘", "2025-13-45 99:99", "1850.01.01", "전화 02-1234-5678"])
def test_parse_datetime_rejects_non_dates(text: str) -> None:
    assert parse_datetime(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("홍길동 기자 / 기사승인 : 2025-07-09 16:55:30", datetime(2025, 7, 9, 16, 55, 30, tzinfo=KST)),
        ("수정 2025.07.10 10:00 입력 2025.07.09 09:01", datetime(2025, 7, 9, 9, 1, tzinfo=KST)),
        ("• 홍길동 기자 • 승인 2019.11.21 10:10 • 댓글 0", datetime(2019, 11, 21, 10, 10, tzinfo=KST)),
        ("기사입력 2025-07-09 오후 4:55 최종수정 2025-07-09 오후 6:00", datetime(2025, 7, 9, 16, 55, tzinfo=KST)),
        ("최종수정 2025.07.09 18:00", datetime(2025, 7, 9, 18, 0, tzinfo=KST)),
    ],
)
def test_find_published_prefers_first_publication(text: str, expected: datetime) -> None:
    assert find_published(text) == expected


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("홍길동 기자", ("홍길동",)),
        ("기자명 홍길동 기자", ("홍길동",)),
        ("홍길동·김철수 기자", ("홍길동", "김철수")),
        ("홍길동 기자, 김철수 기자", ("홍길동", "김철수")),
        ("/홍길동 기자 hong@example.kr", ("홍길동",)),
        ("순천, 광양 홍길동 기자", ("홍길동",)),
        ("홍길동 기자 외 1명", ("홍길동",)),
        ("사회부 기자", ()),
        ("이 기사는 무단 배포를 금합니다", ()),
    ],
)
def test_parse_byline(text: str, names: tuple[str, ...]) -> None:
    assert parse_byline(text) == names


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ("(인천=연합뉴스) 홍길동 기자 = 인천시는 9일", ("홍길동",)),
        ("[가온일보=홍길동 기자] 가온시는", ("홍길동",)),
        ("누리타임즈 홍길동 기자 | 누리군이", ("홍길동",)),
        ("[뉴스스텝] 인천광역시는", ()),
    ],
)
def test_dateline_names(line: str, names: tuple[str, ...]) -> None:
    assert dateline_names(line) == names


def test_name_list_skips_outlets() -> None:
    assert parse_name_list("한국일보") == ()
    assert parse_name_list("홍길동, 김철수") == ("홍길동", "김철수")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("가온시 협약 체결 - 가온일보", "가온시 협약 체결"),
        ("가온시 협약 체결 | 가온뉴스", "가온시 협약 체결"),
        ("가온시 협약 체결 < 행정 < 기사본문 - 가온일보", "가온시 협약 체결"),
        ("인천시 - 시흥시 바이오 협력", "인천시 - 시흥시 바이오 협력"),
    ],
)
def test_clean_title(raw: str, clean: str) -> None:
    assert clean_title(raw) == clean


def test_clean_lines_moves_captions_and_drops_boilerplate() -> None:
    lines = [
        "▲ 회의 모습 (사진=가온시)",
        "[가온일보] 가온시는 회의를 열었다고 밝혔다.",
        "▶ 가온일보 최신 뉴스 보기",
        "참석자들은 협력 방안을 논의했다.",
        "인쇄 공유",
        "저작권자 © 가온일보 무단전재 및 재배포 금지",
        "/홍길동 기자 hong@example.kr",
    ]
    out = clean_lines(lines)
    assert out.lines == ("[가온일보] 가온시는 회의를 열었다고 밝혔다.", "참석자들은 협력 방안을 논의했다.")
    assert out.captions == ("회의 모습 (사진=가온시)",)
    assert out.signoff_names == ("홍길동",)


def test_clean_lines_keeps_long_prose_mentioning_copyright() -> None:
    prose = "저작권자 단체는 " + "이번 개정안이 창작자의 권리를 넓힌다고 평가했다. " * 6
    assert clean_lines([prose.strip()]).lines == (prose.strip(),)
