"""Site-level boilerplate learning (scraper/extract/learn.py) on pages of a template no profile knows."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from pipelines.cli import main
from pipelines.extract_files import extract_files
from scraper.extract import BoilerplateLearner, extract
from scraper.extract.learn import fingerprint, host_of

HOST = "https://www.dalbit-news.test"
PLACES = ("배곧동", "정왕동", "월곶동", "능곡동", "대야동", "신천동", "목감동", "장곡동")
THINGS = ("작은 도서관", "공영 주차장", "주민 쉼터", "어린이 놀이터", "체육 공원", "마을 부엌", "공동 텃밭",
          "청소년 센터")
DATELINE = "[달빛뉴스]"
CLOSING = "달빛뉴스는 주민 여러분의 제보를 기다립니다. 보내 주신 이야기는 기자가 직접 확인한 뒤 기사로 전하겠습니다."
SIDEBAR = (
    "이번 주 칼럼은 골목 상권이 다시 살아나려면 무엇이 필요한지 묻는다. 필자는 주민 모임 장소가 먼저라고 말했다.",
    "칼럼의 둘째 대목은 버스 노선 개편이 상인들에게 준 영향을 짚는다. 손님이 줄었다는 하소연이 이어졌다고 적었다.",
    "셋째 대목에서 필자는 시청이 상인회와 정례 회의를 열어야 한다고 제안했다. 회의록 공개도 함께 요구했다.",
    "마지막으로 필자는 작은 변화가 쌓이면 동네가 달라진다고 강조했다. 독자들의 의견도 기다린다고 밝혔다.",
)
POPULAR = ("시흥 갯골 축제 개막", "배곧 신도시 버스 증편", "월곶 포구 새 단장")


def article_lines(i: int) -> list[str]:
    place, thing = PLACES[i % len(PLACES)], THINGS[i % len(THINGS)]
    return [
        f"{DATELINE} {place}에 {thing}이 새로 문을 열었다고 시가 {i + 3}일 밝혔다.",
        f"{place} 주민들은 오래전부터 {thing}이 필요하다고 요청해 왔다. 시는 지난해 예산을 확보했다.",
        f"개관식에는 주민 {40 + i}명이 참석해 {thing} 곳곳을 둘러봤다고 관계자는 전했다.",
        f"시 관계자는 {thing} 운영 시간을 주민 의견에 맞춰 조정하겠다고 설명했다. 주말에도 문을 연다.",
        f"{place} 주민자치회는 다음 달 {thing}에서 첫 모임을 열기로 했다. 누구나 참여할 수 있다.",
    ]


def page(i: int, *, closing: bool = True, sidebar: bool = True) -> str:
    body = "".join(f"<p>{line}</p>" for line in article_lines(i))
    if closing:
        body += f"<p>{CLOSING}</p>"
    side = "".join(f"<p>{p}</p>" for p in SIDEBAR) if sidebar else ""
    popular = "".join(f"<li><a href='/n/{n}'>{t}</a></li>" for n, t in enumerate(POPULAR))
    return (
        "<html><head><meta charset='utf-8'>"
        f"<title>{THINGS[i % len(THINGS)]} 개관 - 달빛뉴스</title>"
        f"<link rel='canonical' href='{HOST}/n/{1000 + i}'></head><body>"
        "<div class='top'><a href='/'>홈</a> <a href='/local'>지역</a></div>"
        f"<div class='zq'><h2 class='hh'>{PLACES[i % len(PLACES)]}에 {THINGS[i % len(THINGS)]} 개관</h2>"
        f"<div class='mm'>{body}</div></div>"
        f"<div class='colbox'><h3>오늘의 칼럼</h3><div class='colbody'>{side}</div></div>"
        f"<div class='pop'><h3>인기 기사</h3><ul>{popular}</ul></div>"
        "</body></html>"
    )


def short_page(i: int) -> str:
    """A brief story: without learning, the repeated column box outscores it."""
    html = page(i)
    for line in article_lines(i)[2:]:
        html = html.replace(f"<p>{line}</p>", "")
    return html


def url(i: int) -> str:
    return f"{HOST}/n/{1000 + i}"


def trained(n: int = 6) -> BoilerplateLearner:
    learner = BoilerplateLearner()
    for i in range(n):
        learner.observe(page(i), url(i))
    return learner


def test_without_learning_the_repeated_blocks_leak() -> None:
    """The control: the generic extractor alone keeps the closing promo, and picks the column box
    when the article is short, so the learned runs below are what removes them."""
    art = extract(page(0), url(0))
    assert art.profile == "generic"
    assert CLOSING in art.body
    assert SIDEBAR[0] in extract(short_page(1), url(1)).body


def test_learned_blocks_are_dropped_and_the_article_kept() -> None:
    learner = trained()
    for i in range(6):
        art = extract(page(i), url(i), learner=learner)
        assert art.body.split("\n") == article_lines(i)  # dateline line kept, closing promo gone
        assert not any(s in art.body for s in SIDEBAR)


def test_a_reporters_repeated_sign_off_still_names_the_author() -> None:
    learner = BoilerplateLearner()
    signed = [page(i).replace(f"<p>{CLOSING}</p>", "<p>한누리 기자 nuri@dalbit.example</p>") for i in range(6)]
    for i, html in enumerate(signed):
        learner.observe(html, url(i))
    assert learner.is_boilerplate(url(0), "한누리 기자 nuri@dalbit.example")
    art = extract(signed[2], url(2), learner=learner)
    assert art.authors == ("한누리",)
    assert art.body.split("\n") == article_lines(2)


def test_learning_moves_the_container_off_a_repeated_sidebar() -> None:
    learner = trained()
    art = extract(short_page(1), url(1), learner=learner)
    assert art.body.split("\n") == article_lines(1)[:2]


def test_a_host_with_few_pages_learns_nothing() -> None:
    learner = trained(learner_min := BoilerplateLearner().min_pages - 1)
    assert learner_min >= 1 and not learner.knows(url(0))
    assert CLOSING in extract(page(0), url(0), learner=learner).body


def test_a_page_counts_once_however_often_it_is_seen() -> None:
    learner = BoilerplateLearner()
    for _ in range(10):
        learner.observe(page(0), url(0))
    assert learner.hosts[host_of(url(0))].pages == 1
    assert CLOSING in extract(page(0), url(0), learner=learner).body


def test_the_same_story_under_many_urls_is_not_erased() -> None:
    learner = BoilerplateLearner()
    for n in range(8):
        learner.observe(page(0), f"{HOST}/n/1000?from={n}")
    art = extract(page(0), url(0), learner=learner)
    assert article_lines(0)[1] in art.body  # most of the body is "repeated": the guard keeps it


def test_other_hosts_and_profiled_pages_are_untouched() -> None:
    learner = trained()
    other = page(0).replace(HOST, "https://other.test")
    assert CLOSING in extract(other, "https://other.test/n/1000", learner=learner).body
    assert not learner.is_boilerplate("https://other.test/x", CLOSING)
    assert learner.is_boilerplate(url(3).replace("www.", "m."), CLOSING)  # www./m. are one host


def test_a_block_must_fill_its_share_of_pages_since_first_seen() -> None:
    learner = BoilerplateLearner()
    for i in range(20):  # the promo appears on pages 0, 7, 14 only: 3 pages, but not "most"
        learner.observe(page(i, closing=i % 7 == 0), url(i))
    assert not learner.is_boilerplate(url(0), CLOSING)
    for i in range(20, 24):  # a sidebar that appears late but then on every page qualifies
        learner.observe(page(i) + "<div>새 코너: 우리 동네 사진관</div>", url(i))
    assert learner.is_boilerplate(url(0), "새 코너: 우리 동네 사진관")


def test_fingerprints_fold_digits_and_spacing() -> None:
    assert fingerprint("댓글  12") == fingerprint("댓글 3")
    assert fingerprint("댓글 3") != fingerprint("답글 3")


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "learn.db")
    trained().save(conn)
    trained().save(conn)  # saving twice replaces, never doubles
    loaded = BoilerplateLearner.load(conn)
    assert loaded.hosts[host_of(url(0))].pages == 6
    assert loaded.is_boilerplate(url(0), CLOSING)
    assert not loaded.is_boilerplate(url(0), article_lines(0)[1])
    assert extract(page(2), url(2), learner=loaded).body.split("\n") == article_lines(2)
    assert BoilerplateLearner.load(sqlite3.connect(":memory:")).hosts == {}


def test_save_forgets_blocks_unseen_for_long(tmp_path: Path) -> None:
    learner = BoilerplateLearner(forget_after=3)
    for i in range(8):
        learner.observe(page(i, closing=i < 3), url(i))
    conn = sqlite3.connect(tmp_path / "learn.db")
    learner.save(conn)
    fps = {fp for (fp,) in conn.execute("SELECT fp FROM boilerplate_block")}
    assert fingerprint(CLOSING) not in fps and fingerprint(SIDEBAR[0]) in fps


def _write(tmp_path: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        path = tmp_path / f"p{i}.html"
        path.write_text(page(i), encoding="utf-8")
        paths.append(path)
    return paths


def test_extract_files_learns_across_the_given_files(tmp_path: Path) -> None:
    rows = list(extract_files(_write(tmp_path, 6)))
    assert [r["body"] for r in rows] == ["\n".join(article_lines(i)) for i in range(6)]
    alone = list(extract_files(_write(tmp_path, 1)))
    assert CLOSING in str(alone[0]["body"])


def test_extract_files_repeating_one_file_learns_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, 1)[0]
    rows = list(extract_files([path] * 8))
    assert all(CLOSING in str(r["body"]) for r in rows)


def test_cli_extract_uses_the_learner(tmp_path: Path) -> None:
    paths = _write(tmp_path, 6)
    result = CliRunner().invoke(main, ["extract", "--json", *map(str, paths)])
    assert result.exit_code == 0, result.output
    bodies = [json.loads(line)["body"] for line in result.output.splitlines()]
    assert bodies == ["\n".join(article_lines(i)) for i in range(6)]
