"""Extraction speed: our `extract` vs `trafilatura.extract` on the same pages, same process.

Usage: .venv/bin/python benchmarks/extract.py [--reps N] [--stress] [PAGES_DIR ...]

Pages: every demo truth article (rendered through demo.app), the golden fixtures in
tests/fixtures/sites, and ../shared/dev/pages/*.html when present. Prints pages/s of both and
the ratio (ours / trafilatura).

--stress also times hostile pages (a 20 MB page, with and without the boilerplate learner
observing it, and 20 000 nested <div>s) in seconds and as a multiple of parsing the page once.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scraper.errors import ExtractError  # noqa: E402
from scraper.extract import extract  # noqa: E402


def _charset(headers: object, default: str) -> str:
    items = headers.items() if isinstance(headers, dict) else (headers or [])  # type: ignore[union-attr]
    for key, value in items:
        if str(key).lower() == "content-type" and "charset=" in str(value):
            return str(value).split("charset=", 1)[1].split(";")[0].strip()
    return default


def demo_pages() -> list[tuple[str, str]]:
    try:
        from demo.app import load_sites, truth_articles  # type: ignore[import-not-found]
    except ImportError:
        return []
    sites = load_sites()
    by_id = sites if isinstance(sites, dict) else {getattr(s, "id", getattr(s, "name", "")): s for s in sites}
    pages = []
    for truth in truth_articles():
        t = truth if isinstance(truth, dict) else {"site": truth.site, "path": truth.path}
        site = by_id[t["site"]]
        resp = site.handle(t["path"], {})
        charset = _charset(getattr(resp, "headers", {}), getattr(site, "charset", "utf-8"))
        pages.append((resp.body.decode(charset, "replace"), f"http://127.0.0.1{t['path']}"))
    return pages


def file_pages(dirs: list[Path]) -> list[tuple[str, str]]:
    pages = []
    for d in dirs:
        for path in sorted(d.glob("**/*.html")):
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("cp949", "replace")
            pages.append((text, path.resolve().as_uri()))
    return pages


def _rate(fn: object, pages: list[tuple[str, str]], reps: int) -> float:
    for html, url in pages:  # one untimed pass: first-call costs (regex compilation, caches) are not per page
        fn(html, url)  # type: ignore[operator]
    start = time.perf_counter()
    for _ in range(reps):
        for html, url in pages:
            fn(html, url)  # type: ignore[operator]
    return reps * len(pages) / (time.perf_counter() - start)


def _ours(html: str, url: str) -> None:
    with contextlib.suppress(ExtractError):
        extract(html, url)


PROSE = "가온시는 바이오 인재를 기르는 실습 과정을 새로 열었다고 밝혔다. 참여 기업은 다섯 곳이다."


def _stress_page(body: str) -> str:
    head = "<head><title>가온시 실습 과정 개설 - 가온일보</title></head>"
    return f"<html>{head}<body><h1>가온시 실습 과정 개설</h1>{body}</body></html>"


def stress() -> None:
    from selectolax.lexbor import LexborHTMLParser

    from scraper.extract import BoilerplateLearner

    filler = "<div class='side'><ul>" + "<li><a href='/x'>다른 기사 제목</a></li>" * 20 + "</ul></div>"
    huge = _stress_page(f"<div class='story'>{f'<p>{PROSE}</p>' * 5}</div>" + filler * (20_000_000 // len(filler) + 1))
    deep = _stress_page("<div>" * 20_000 + f"<p>{PROSE}</p>" * 3 + "</div>" * 20_000)
    cases = [("20 MB page", huge, {}), ("20 MB page, learner observing", huge, {"observe": True}),
             ("20 000 nested <div>", deep, {})]
    for name, html, kw in cases:
        start = time.perf_counter()
        LexborHTMLParser(html)
        parse = time.perf_counter() - start
        if kw.get("observe"):
            kw = {"learner": BoilerplateLearner(), "observe": True}
        start = time.perf_counter()
        _ours_kw(html, "https://example.kr/a/1", kw)
        took = time.perf_counter() - start
        print(f"{name:32} {len(html) / 1e6:5.1f} MB  extract {took:6.2f} s  = {took / parse:4.1f}x parsing it once")


def _ours_kw(html: str, url: str, kw: dict[str, object]) -> None:
    with contextlib.suppress(ExtractError):
        extract(html, url, **kw)  # type: ignore[arg-type]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--stress", action="store_true", help="also time a 20 MB page and a deeply nested one")
    args = ap.parse_args()
    dev = next((d for d in (ROOT.parent / "shared/dev/pages", ROOT.parent.parent / "shared/dev/pages") if d.is_dir()),
               None)  # ../shared from a checkout, ../../shared from a worktree
    dirs = args.dirs or [p for p in (ROOT / "tests/fixtures/sites", dev) if p is not None and p.is_dir()]
    pages = demo_pages() + file_pages(dirs)
    if not pages:
        sys.exit("no pages to benchmark")
    ours = _rate(_ours, pages, args.reps)
    print(f"pages: {len(pages)} x {args.reps}")
    print(f"newscorpus extract: {ours:8.1f} pages/s")
    try:
        import trafilatura
    except ImportError:
        print("trafilatura not installed (pip install newscorpus[bench]); no ratio")
    else:
        theirs = _rate(lambda h, u: trafilatura.extract(h, url=u, include_comments=False, include_tables=False),
                       pages, args.reps)
        print(f"trafilatura:        {theirs:8.1f} pages/s")
        print(f"ratio:              {ours / theirs:8.1f}x")
    if args.stress:
        stress()


if __name__ == "__main__":
    main()
