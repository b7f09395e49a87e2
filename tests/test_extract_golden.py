"""Golden-file tests: one synthetic page per profile (our own invented text) with its truth JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scraper.extract import PROFILES, extract

FIXTURES = Path(__file__).parent / "fixtures" / "sites"
CASES = sorted(FIXTURES.glob("*/*.html"))
BOILERPLATE = (
    "무단전재",
    "무단 전재",
    "재배포",
    "저작권자",
    "Copyright",
    "많이 본",
    "최신뉴스",
    "관련기사",
    "▲",
    "▶",
    "사진 확대",
    "구독",
    "공유하기",
    "$$",
)


def _load(path: Path) -> tuple[str, dict[str, object]]:
    truth = json.loads(path.with_suffix(".json").read_text("utf-8"))
    return path.read_bytes().decode(str(truth["encoding"])), truth


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
@pytest.mark.parametrize("named", [False, True], ids=["detected", "named"])
def test_extract_matches_golden(path: Path, named: bool) -> None:
    html, truth = _load(path)
    profile = truth["profile"] if named and truth["profile"] in PROFILES else None
    article = extract(html, str(truth["url"]), profile=profile, source="fixture")
    got = {
        "title": article.title,
        "body": article.body,
        "published": article.published.isoformat() if article.published else None,
        "authors": list(article.authors),
        "captions": list(article.captions),
        "profile": article.profile,
    }
    expected = {k: truth[k] for k in got}
    assert got == expected
    assert article.source == "fixture"
    for marker in BOILERPLATE:
        assert marker not in article.body


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_profile_has_a_fixture(name: str) -> None:
    assert list((FIXTURES / name).glob("*.html")), f"profile {name} has no golden fixture"


def test_profiles_are_named_by_their_key() -> None:
    assert all(key == prof.name for key, prof in PROFILES.items())


@pytest.mark.parametrize("path", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_profile_is_detected_from_the_markup_alone(path: Path) -> None:
    """A saved page without its URL (newscorpus extract on a file) still gets its profile."""
    html, truth = _load(path)
    article = extract(html, path.resolve().as_uri())
    assert (article.profile, article.body) == (truth["profile"], truth["body"])
