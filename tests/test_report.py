"""Coverage report (issue F): content on an invented mini corpus, and a real headless-browser check.

The corpus: one press release run by three outlets, independent stories, substring accidents, an
excluded term and a hostile title, imported with run.import_file so the report reads what the
pipeline stores. The browser tests drive Debian's chromium with Debian's chromedriver through Selenium
(apt-get install -y chromium chromium-driver) and skip without them; screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import base64
import html
import json
import re
import struct
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from pipelines import run, tokenize
from pipelines.cli import main
from pipelines.normalize import KST
from pipelines.report import Report, build_report, parse_since
from pipelines.report_render import render_html, render_markdown
from pipelines.tokenize import Tokenizer, analysed_text
from pipelines.watchlist import Matcher, load_watchlist
from scraper.config import Config
from scraper.errors import ConfigError, InputError

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

CHROMIUM = Path("/usr/bin/chromium")  # Debian's packages: apt-get install -y chromium chromium-driver
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).parent / "artifacts"
NOW = datetime(2026, 10, 20, 9, 0, tzinfo=KST)

# Both vectors set a window flag and the page title if they ever run; the browser test checks neither happened.
HOSTILE_TITLE = ("<script>window.pwned='script';document.title='pwned'</script>"
                 "<img src=x onerror=\"window.pwned='img';document.title='pwned'\"> 바이오 특화단지 소식")

_RELEASE = (
    "인천시는 14일 달빛바이오센터에서 시흥시와 함께 바이오 특화단지 공동 실무회의를 열었다고 밝혔다.\n"
    "회의에서는 두 도시가 나눠 맡은 기반시설 과제의 진행 상황을 점검하고 내년 공동 사업 목록을 정리했다.\n"
    "참석자들은 전문 인력양성 과정을 함께 운영하고 연구 장비를 공동으로 쓰는 방안도 논의했다.\n"
    "인천시 관계자는 특화단지 지정 효과가 지역 기업의 투자로 이어지도록 지원을 늘리겠다고 말했다."
)

ARTICLES = [
    # the press release: alpha first, then beta and gamma run the same text under their own titles
    {"url": "https://alpha.example/news/1", "source": "alpha", "published": "2026-10-14T09:00:00+09:00",
     "title": "인천·시흥 바이오 특화단지 실무회의 열려", "body": _RELEASE},
    {"url": "https://beta.example/news/7", "source": "beta", "published": "2026-10-14T11:30:00+09:00",
     "title": "인천시·시흥시, 특화단지 공동 운영 논의", "body": _RELEASE},
    {"url": "https://gamma.example/a/3", "source": "gamma", "published": "2026-10-15T08:10:00+09:00",
     "title": "바이오 특화단지 실무회의…인력양성 논의", "body": _RELEASE},
    # substring accidents: 인천시장 (the mayor) is not 인천시, the company 오바이오 is not 바이오
    {"url": "https://alpha.example/news/2", "source": "alpha", "published": "2026-10-15T10:00:00+09:00",
     "title": "인천시장 가을 체육대회 개회사",
     "body": "인천시장은 이날 체육대회 개회식에서 선수들을 격려했다.\n"
             "행사를 후원한 오바이오가 기념품을 나눠 줬고 주민 2천여 명이 운동장을 찾았다."},
    # an excluded term: 송도해수욕장 cancels the place 송도 for this article
    {"url": "https://beta.example/news/8", "source": "beta", "published": "2026-10-15T14:00:00+09:00",
     "title": "송도해수욕장 산책로 정비 끝나",
     "body": "송도해수욕장 산책로 정비 공사가 마무리됐다.\n송도 주민들은 밤에도 걷기 편해졌다고 반겼다."},
    # an independent story that does count for 송도 and the keyword 바이오
    {"url": "https://gamma.example/a/4", "source": "gamma", "published": "2026-10-16T09:00:00+09:00",
     "title": "송도 바이오 기업 연구소 증축",
     "body": "송도에 있는 바이오 기업 은하제약이 연구소를 증축한다.\n회사는 연구 인력 50명을 새로 뽑는다."},
    # a hostile title and body: must be shown as text, never run
    {"url": "https://beta.example/news/9", "source": "beta", "published": "2026-10-16T12:00:00+09:00",
     "title": HOSTILE_TITLE,
     "body": "바이오 특화단지 소식을 전한다.\n<img src=x onerror=\"window.pwned='body'\"> 본문 끝."},
    # outside a --since 2026-10-10 window
    {"url": "https://alpha.example/news/0", "source": "alpha", "published": "2026-09-01T09:00:00+09:00",
     "title": "지난달 바이오 특화단지 설명회",
     "body": "지난달 열린 바이오 특화단지 설명회에는 기업 관계자 80명이 참석했다.\n질의응답이 길게 이어졌다."},
]

WATCHLIST = """
keywords = ["바이오", "인력양성"]

[[entities]]
name = "인천시"
aliases = []
kind = "organisation"

[[entities]]
name = "바이오 특화단지"
aliases = ["바이오특화단지"]
kind = "programme"

[[entities]]
name = "송도"
aliases = ["송도국제도시"]
exclude = ["송도해수욕장"]
kind = "place"
"""




def write_jsonl(path: Path, articles: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    return path


@contextmanager
def one_kiwi(tokenizer: Tokenizer) -> Iterator[None]:
    """The importer and the report command reuse the session's Kiwi model instead of loading their own."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(run, "Tokenizer", lambda *args, **kwargs: tokenizer)
        mp.setattr(tokenize, "Tokenizer", lambda *args, **kwargs: tokenizer)
        yield


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, tokenizer: Tokenizer) -> tuple[Path, Path]:
    """(db, watchlist) of the imported mini corpus; shared read-only by the tests below."""
    folder = tmp_path_factory.mktemp("report")
    db = folder / "corpus.db"
    with one_kiwi(tokenizer):
        result = run.import_file(Config(db_path=db), write_jsonl(folder / "articles.jsonl", ARTICLES))
    assert not result.stats.bad_lines, result.stats.bad_lines
    watchlist = folder / "watch.toml"
    watchlist.write_text(WATCHLIST, encoding="utf-8")
    return db, watchlist


def _report(corpus: tuple[Path, Path], tokenizer: Tokenizer, since: date | None = date(2026, 10, 10)) -> Report:
    db, watchlist = corpus
    store = run.open_existing(db)
    try:
        return build_report(store, Matcher(load_watchlist(watchlist), tokenizer), since=since, now=NOW)
    finally:
        store.close()


# -- matching ------------------------------------------------------------------------------------

def _find(tokenizer: Tokenizer, watchlist: Path, title: str, body: str) -> tuple[set[str], set[str]]:
    text = analysed_text(title, body)
    found = Matcher(load_watchlist(watchlist), tokenizer).find(text, tokenizer.tokenize_many([text])[0])
    return set(found.entities), set(found.keywords)


def test_substring_accidents_do_not_match(corpus: tuple[Path, Path], tokenizer: Tokenizer) -> None:
    entities, keywords = _find(tokenizer, corpus[1], "인천시장 축사", "인천시장은 오바이오가 후원한 행사에 갔다.")
    assert "인천시" not in entities
    assert "바이오" not in keywords
    entities, keywords = _find(tokenizer, corpus[1], "인천시 발표", "인천시는 바이오 기업을 돕는다.")
    assert "인천시" in entities
    assert "바이오" in keywords


def test_spacing_and_particles_are_free(corpus: tuple[Path, Path], tokenizer: Tokenizer) -> None:
    entities, _ = _find(tokenizer, corpus[1], "소식", "바이오특화단지에서 회의가 열렸다.")
    assert "바이오 특화단지" in entities


def test_spans_point_at_the_mention(corpus: tuple[Path, Path], tokenizer: Tokenizer) -> None:
    text = analysed_text("송도 소식", "주민들은 송도에서 만났다.")
    found = Matcher(load_watchlist(corpus[1]), tokenizer).find(text, tokenizer.tokenize_many([text])[0])
    assert [text[s.start:s.end] for s in found.entities["송도"]] == ["송도", "송도"]


def test_exclude_term_cancels_the_entity(corpus: tuple[Path, Path], tokenizer: Tokenizer) -> None:
    entities, _ = _find(tokenizer, corpus[1], "송도해수욕장 정비", "송도 주민들이 반겼다.")
    assert "송도" not in entities
    entities, _ = _find(tokenizer, corpus[1], "송도 정비", "송도 주민들이 반겼다.")
    assert "송도" in entities


def test_bad_watchlist_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "w.toml"
    bad.write_text('[[entities]]\nname = "송도"\nkind = "city"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="kind"):
        load_watchlist(bad)


def test_since_accepts_dates_and_days() -> None:
    assert parse_since("7d", date(2026, 11, 26)) == date(2026, 11, 19)
    assert parse_since("2026-10-01", date(2026, 11, 26)) == date(2026, 10, 1)
    with pytest.raises(InputError):
        parse_since("last week", date(2026, 11, 26))


# -- report content ------------------------------------------------------------------------------

def test_counts_outlets_and_days(corpus: tuple[Path, Path], tokenizer: Tokenizer) -> None:
    r = _report(corpus, tokenizer)
    assert r.articles_in_window == 7  # the September article is outside --since
    assert r.matched_articles == 5  # not the mayor's speech, not the beach
    assert {(o.source, o.articles, o.independent, o.copies) for o in r.outlets} == {
        ("alpha", 1, 1, 0), ("beta", 2, 1, 1), ("gamma", 2, 1, 1)}
    assert r.days == ("2026-10-14", "2026-10-15", "2026-10-16")
    assert dict(r.per_day)["2026-10-14"] == (("alpha", 1), ("beta", 1))
    assert dict(r.keywords) == {"바이오": 5, "인력양성": 3}


def test_syndication_group_and_first_reporter(corpus: tuple[Path, Path], tokenizer: Tokenizer) -> None:
    r = _report(corpus, tokenizer)
    release = next(s for s in r.stories if s.syndicated)
    assert release.first_source == "alpha"
    assert release.first_published == "2026-10-14T09:00:00+09:00"
    assert release.title == ARTICLES[0]["title"]
    assert release.outlets == ("alpha", "beta", "gamma")
    assert [m.copy for m in release.members] == [False, True, True]
    assert sum(s.syndicated for s in r.stories) == 1
    assert len(r.stories) == 3


def test_entity_sections(corpus: tuple[Path, Path], tokenizer: Tokenizer) -> None:
    r = _report(corpus, tokenizer)
    by_name = {e.name: e for e in r.entities}
    assert (by_name["인천시"].articles, by_name["인천시"].stories) == (3, 1)
    assert (by_name["바이오 특화단지"].articles, by_name["바이오 특화단지"].stories) == (4, 2)
    assert (by_name["송도"].articles, dict(by_name["송도"].outlets)) == (1, {"gamma": 1})
    marked = [p for x in by_name["인천시"].excerpts for p, m in x.pieces if m]
    assert marked and set(marked) == {"인천시"}
    assert _report(corpus, tokenizer, since=None).entities[1].articles == 5


def test_nouns_cooccur_without_watched_terms(corpus: tuple[Path, Path], tokenizer: Tokenizer) -> None:
    nouns = dict(_report(corpus, tokenizer).nouns)
    assert nouns["기업"] == 2  # the release and the 송도 story; copies of one story count once
    assert max(nouns.values()) == 2
    assert "인천시" not in nouns and "바이오" not in nouns


def test_html_escapes_scraped_text_and_loads_nothing(corpus: tuple[Path, Path], tokenizer: Tokenizer) -> None:
    page = render_html(_report(corpus, tokenizer))
    assert "&lt;script&gt;window.pwned=" in page and "&lt;img src=x onerror=" in page
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert not re.search(r"<[a-z][^>]*\s(src|srcset|data)=", page, re.IGNORECASE)  # no tag loads anything
    for needle in ("<link", "url(", "@import", "<iframe", "<object", "<embed"):
        assert needle not in page
    assert page.count("<svg") == 2


def test_markdown_escapes_scraped_text(corpus: tuple[Path, Path], tokenizer: Tokenizer) -> None:
    md = render_markdown(_report(corpus, tokenizer))
    assert "<script>" not in md and "\\<script\\>" in md


# -- command -------------------------------------------------------------------------------------

def test_cli_json_and_new_since_last_report(tmp_path: Path, tokenizer: Tokenizer) -> None:
    with one_kiwi(tokenizer):
        _cli_json_and_new_since_last_report(tmp_path)


def _cli_json_and_new_since_last_report(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    run.import_file(Config(db_path=db), write_jsonl(tmp_path / "a.jsonl", ARTICLES[:3]))
    watch = tmp_path / "w.toml"
    watch.write_text(WATCHLIST, encoding="utf-8")
    first = CliRunner().invoke(main, ["report", "--db", str(db), "--watchlist", str(watch), "--format", "json"])
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert data["previous_report"] is None and data["new_articles"] == 0
    time.sleep(1.1)  # report and run times have one-second resolution
    run.import_file(Config(db_path=db), write_jsonl(tmp_path / "b.jsonl", ARTICLES[5:6]))
    out = tmp_path / "r.json"
    second = CliRunner().invoke(main, ["report", "--db", str(db), "--watchlist", str(watch), "--format", "json",
                                       "--out", str(out)])
    assert second.exit_code == 0, second.output
    data = json.loads(out.read_text("utf-8"))
    assert data["previous_report"] is not None
    assert data["new_articles"] == 1
    assert [s["title"] for s in data["stories"] if s["new"]] == [ARTICLES[5]["title"]]


def test_cli_rejects_a_bad_since(corpus: tuple[Path, Path]) -> None:
    result = CliRunner().invoke(main, ["report", "--db", str(corpus[0]), "--since", "yesterday"])
    assert result.exit_code == 2


# -- a real browser ------------------------------------------------------------------------------
# Selenium drives Debian's Chromium through Debian's ChromeDriver (named explicitly: Selenium Manager
# would try to download a driver). One headless browser serves every test below.

CHROME_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync")

# For every svg.chart: its box, and how many bars (rects with a <title> tooltip) are drawn with a non-zero box.
_CHARTS_JS = """
return Array.from(document.querySelectorAll('svg.chart')).map(svg => {
  const box = svg.getBoundingClientRect();
  const bars = Array.from(svg.querySelectorAll('rect')).filter(r => r.querySelector('title'));
  const drawn = bars.filter(r => { const b = r.getBoundingClientRect(); return b.width > 0 && b.height > 0; });
  return {cls: svg.getAttribute('class'), width: box.width, height: box.height, bars: drawn.length};
});
"""


def start_browser(profile: Path) -> WebDriver:
    """Headless Chromium with a fresh profile; its console is readable with driver.get_log('browser')."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (*CHROME_ARGS, f"--user-data-dir={profile}", "--window-size=1200,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    return driver


def screenshot_full_page(driver: WebDriver, out: Path) -> None:
    """The whole page, not just the window (Chromium's DevTools capture beyond the viewport)."""
    width, height = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1}})
    out.write_bytes(base64.b64decode(shot["data"]))


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.skip(f"needs Debian's chromium and chromium-driver ({', '.join(missing)} missing): "
                    "apt-get install -y chromium chromium-driver")
    with tempfile.TemporaryDirectory(prefix="newscorpus-chromium-") as profile:
        driver = start_browser(Path(profile))
        try:
            yield driver
        finally:
            driver.quit()


def _open(driver: WebDriver, page: Path, html_text: str) -> list[dict[str, str]]:
    """Load html_text from a file:// URL; the console messages it produced (errors, CSP violations)."""
    page.write_text(html_text, encoding="utf-8")
    driver.get_log("browser")  # drain what an earlier page logged
    driver.get(page.as_uri())
    return [e for e in driver.get_log("browser") if e["level"] in ("WARNING", "SEVERE") or e["source"] == "security"]


def _csp_violations(console: list[dict[str, str]]) -> list[dict[str, str]]:
    return [e for e in console if e["source"] == "security" or "Content Security Policy" in e["message"]]


def _ran(driver: WebDriver) -> tuple[object, str]:
    """(window.pwned or None, document.title): what an injected script would have changed."""
    flag, title = driver.execute_script("return [window.pwned === undefined ? null : window.pwned, document.title]")
    return flag, title


@pytest.fixture(scope="module")
def report_html(corpus: tuple[Path, Path], tokenizer: Tokenizer) -> tuple[Report, str]:
    r = _report(corpus, tokenizer)
    return r, render_html(r)


def test_browser_sees_no_console_error_or_csp_violation(browser: WebDriver, report_html: tuple[Report, str],
                                                        tmp_path: Path) -> None:
    console = _open(browser, tmp_path / "report.html", report_html[1])
    assert console == []
    assert browser.title == "newscorpus coverage report"


def test_browser_shows_the_hostile_title_as_text_and_runs_nothing(browser: WebDriver,
                                                                  report_html: tuple[Report, str],
                                                                  tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, tmp_path / "report.html", report_html[1])
    assert _ran(browser) == (None, "newscorpus coverage report")
    assert browser.find_elements(By.TAG_NAME, "script") == []
    assert browser.find_elements(By.TAG_NAME, "img") == []
    shown = [a.text for a in browser.find_elements(By.TAG_NAME, "a") if a.text == HOSTILE_TITLE]
    assert shown  # the title is there, character for character, as visible text


def test_browser_draws_the_charts(browser: WebDriver, report_html: tuple[Report, str], tmp_path: Path) -> None:
    r, page = report_html
    _open(browser, tmp_path / "report.html", page)
    charts = {c["cls"]: c for c in browser.execute_script(_CHARTS_JS)}
    assert charts.keys() == {"chart day-chart", "chart outlet-chart"}
    assert all(c["width"] > 100 and c["height"] > 50 for c in charts.values()), charts
    assert charts["chart day-chart"]["bars"] == sum(len(counts) for _, counts in r.per_day)  # one per day and outlet
    assert charts["chart outlet-chart"]["bars"] == sum((o.independent > 0) + (o.copies > 0) for o in r.outlets)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    screenshot_full_page(browser, shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    _, height = struct.unpack(">II", shot.read_bytes()[16:24])
    assert height > browser.execute_script("return window.innerHeight")  # the full report, not one screen


_CLIPPED_JS = """
return Array.from(document.querySelectorAll('svg.chart')).flatMap(svg => {
  const box = svg.getBoundingClientRect();
  return Array.from(svg.querySelectorAll('text')).filter(t => {
    const b = t.getBoundingClientRect();
    return b.right > box.right + 0.5 || b.left < box.left - 0.5;
  }).map(t => svg.getAttribute('class') + ': ' + t.textContent);
});
"""


def test_browser_chart_labels_are_not_cut_off(browser: WebDriver, report_html: tuple[Report, str],
                                              tmp_path: Path) -> None:
    _open(browser, tmp_path / "report.html", report_html[1])
    assert browser.execute_script(_CLIPPED_JS) == []


# Controls: each check above does fail on a page that has the problem.

def test_control_unescaped_title_without_csp_runs(browser: WebDriver, report_html: tuple[Report, str],
                                                  tmp_path: Path) -> None:
    page = report_html[1].replace(html.escape(HOSTILE_TITLE, quote=True), HOSTILE_TITLE)
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    _open(browser, tmp_path / "unsafe.html", page)
    flag, title = _ran(browser)
    assert flag in ("script", "img") and title == "pwned"


def test_control_unescaped_title_under_csp_is_a_violation(browser: WebDriver, report_html: tuple[Report, str],
                                                          tmp_path: Path) -> None:
    page = report_html[1].replace(html.escape(HOSTILE_TITLE, quote=True), HOSTILE_TITLE)
    console = _open(browser, tmp_path / "blocked.html", page)
    assert _ran(browser) == (None, "newscorpus coverage report")  # the CSP blocks it...
    assert _csp_violations(console)  # ...and the console check sees it


def test_control_script_error_is_seen(browser: WebDriver, tmp_path: Path) -> None:
    console = _open(browser, tmp_path / "broken.html",
                    "<!doctype html><title>t</title><script>missingFunction();</script>")
    assert any("missingFunction" in e["message"] for e in console)
    assert not _csp_violations(console)


def test_control_hidden_charts_are_seen(browser: WebDriver, report_html: tuple[Report, str],
                                        tmp_path: Path) -> None:
    _open(browser, tmp_path / "hidden.html", report_html[1].replace("</style>", ".chart rect{display:none}</style>"))
    charts = browser.execute_script(_CHARTS_JS)
    assert len(charts) == 2 and all(c["bars"] == 0 for c in charts)
