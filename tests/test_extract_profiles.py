"""Edge cases of the portal, wire and daily profiles beyond their golden pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.errors import ExtractError
from scraper.extract import BoilerplateLearner, extract

SITES = Path(__file__).parent / "fixtures" / "sites"


def _page(name: str) -> str:
    return next((SITES / name).glob("*.html")).read_text("utf-8")


def test_daum_without_a_reporter_takes_the_name_from_the_dateline() -> None:
    html = _page("daum").replace('<span class="txt_info">서지훈 기자</span>', "")
    article = extract(html, "https://v.daum.net/v/20250821093015482")
    assert article.authors == ("서지훈",)
    assert article.published is not None and article.published.hour == 9


def test_naver_prefers_the_first_publication_over_the_modification() -> None:
    html = _page("naver")
    assert "data-modify-date-time" in html
    article = extract(html, "https://n.news.naver.com/article/901/0000123456")
    assert article.published is not None and (article.published.day, article.published.hour) == (9, 16)


@pytest.mark.parametrize("broken", ['{"content_elements": [', "{not json", '"just a string"', "[1, 2]"])
def test_a_broken_fusion_script_never_escapes_as_a_crash(broken: str) -> None:
    html = (SITES / "chosun" / "2025-12-01_dasom.html").read_text("utf-8")
    start = html.index("Fusion.globalContent=") + len("Fusion.globalContent=")
    end = html.index(";Fusion.globalContentConfig")
    with pytest.raises(ExtractError):
        extract(html[:start] + broken + html[end:], "https://www.chosun.com/national/x/2025/12/01/QWERTYUIOPASDFGH/")


def test_fusion_elements_that_are_not_prose_stay_out() -> None:
    html = (SITES / "chosun" / "2025-12-01_dasom.html").read_text("utf-8")
    article = extract(html, "file:///tmp/page.html")
    assert "광고" not in article.body and "관련 기사" not in article.body
    truth = json.loads((SITES / "chosun" / "2025-12-01_dasom.json").read_text("utf-8"))
    assert article.body == truth["body"]


def test_a_profile_page_ignores_the_learner() -> None:
    """Learned boilerplate applies to generic pages only: a profile page is extracted the same."""
    html = _page("yna")
    url = "https://www.yna.co.kr/view/AKR20250902123400065"
    learner = BoilerplateLearner(min_pages=1, k=1, min_share=0.0)
    learner.observe(html, url)
    line = "다래시는 2일 주차장 조성 공사를 이달 중순 시작해 내년 6월 끝낼 예정이라고 밝혔다."
    assert learner.is_boilerplate(url, line)
    assert extract(html, url, learner=learner).body == extract(html, url).body


def test_observe_while_extracting_counts_each_page_once() -> None:
    learner = BoilerplateLearner()
    html = _page("generic")
    for n in range(3):
        extract(html, f"https://www.example-news.test/a/{n}", learner=learner, observe=True)
        extract(html, f"https://www.example-news.test/a/{n}", learner=learner, observe=True)
    assert learner.hosts["example-news.test"].pages == 3
