"""Loading and validating sources.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.errors import ConfigError
from scraper.sources import load_sources, named_hosts

GOOD = """
[[sources]]
id = "incheon-daily"
name = "인천데일리"
homepage = "https://www.incheon-daily.example/"
feeds = ["/rss/allArticle.xml", "https://cdn.incheon-daily.example/rss/gn_rss_allArticle.xml"]
listings = ["/news/articleList.html?view_type=sm&page={page}"]
article_pattern = '/news/articleView\\.html\\?idxno=\\d+'
rate = 2
encoding = "euc-kr"
profile = "ndsoft"
max_listing_pages = 3

[[sources]]
id = "demo_local"
name = "데모"
homepage = "http://127.0.0.1:8765/"
sitemaps = ["http://127.0.0.1:8765/sitemap.xml"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file_loads(tmp_path: Path) -> None:
    first, second = load_sources(write(tmp_path, GOOD))
    assert first.id == "incheon-daily" and first.name == "인천데일리"
    assert first.feeds[0] == "https://www.incheon-daily.example/rss/allArticle.xml"
    assert first.listings == ("https://www.incheon-daily.example/news/articleList.html?view_type=sm&page={page}",)
    assert first.article_pattern is not None and first.article_pattern.search("/news/articleView.html?idxno=12")
    assert first.rate == 2.0 and isinstance(first.rate, float)
    assert first.encoding == "euc-kr" and first.profile == "ndsoft" and first.max_listing_pages == 3
    assert second.rate is None and second.article_pattern is None and second.max_listing_pages == 20
    assert named_hosts([first, second]) == {
        ("www.incheon-daily.example", 443),
        ("cdn.incheon-daily.example", 443),
        ("127.0.0.1", 8765),
    }


ONE = '[[sources]]\nid = "a"\nname = "가"\nhomepage = "https://a.example/"\n'


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("rate = 0\n", "field 'rate'"),
        ("rate = -1.5\n", "field 'rate'"),
        ('rate = "fast"\n', "field 'rate'"),
        ("rate = true\n", "field 'rate'"),
        ('article_pattern = "([a-"\n', "field 'article_pattern': bad regular expression"),
        ('listings = ["/list?page=1"]\n', "field 'listings': listing template"),
        ('feeds = "/rss.xml"\n', "field 'feeds': must be a list"),
        ('feeds = ["ftp://a.example/rss"]\n', "field 'feeds'"),
        ('encoding = "klingon-8"\n', "field 'encoding': unknown encoding"),
        ('feed = ["/rss.xml"]\n', "unknown field 'feed'"),
        ("max_listing_pages = 0\n", "field 'max_listing_pages'"),
    ],
)
def test_bad_fields_name_file_source_and_field(tmp_path: Path, extra: str, expected: str) -> None:
    path = write(tmp_path, ONE + extra)
    with pytest.raises(ConfigError) as info:
        load_sources(path)
    message = str(info.value)
    assert str(path) in message and "source #1 (a)" in message and expected in message
    assert "\n" not in message


@pytest.mark.parametrize("field", ["id", "name", "homepage"])
def test_missing_required_field(tmp_path: Path, field: str) -> None:
    lines = [line for line in ONE.splitlines() if not line.startswith(field)]
    with pytest.raises(ConfigError, match=f"field '{field}': missing"):
        load_sources(write(tmp_path, "\n".join(lines) + "\n"))


def test_bad_homepage_and_duplicate_id(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"field 'homepage'.*not an absolute http"):
        load_sources(write(tmp_path, ONE.replace("https://a.example/", "a.example")))
    with pytest.raises(ConfigError, match=r"source #2.*duplicate id 'a' \(see #1\)"):
        load_sources(write(tmp_path, ONE + ONE))


def test_missing_file_and_toml_syntax_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_sources(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match=r"invalid TOML: .*line 3"):
        load_sources(write(tmp_path, ONE.replace('name = "가"', 'name = "가')))
    with pytest.raises(ConfigError, match="no \\[\\[sources\\]\\]"):
        load_sources(write(tmp_path, "title = 'x'\n"))
