"""A crawl killed at any moment resumes: `python -m pipelines crawl` on the demo sites, SIGKILL, run again.

The demo servers run in this process (so every request is logged); the crawl runs in a subprocess
with a slow rate so it can be killed after some articles are stored.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.app import truth_articles
from demo.server import RunningDemo, serve
from scraper.urls import canonical_url

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def demo() -> Iterator[RunningDemo]:
    with serve() as running:
        yield running


def write_sources(demo: RunningDemo, folder: Path, rate: float) -> Path:
    path = folder / "sources.toml"
    path.write_text(demo.sources_toml().replace("rate = 0.05", f"rate = {rate}"), encoding="utf-8")
    return path


def start(sources: Path, db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines", "crawl", "--sources", str(sources), "--db", str(db),
         "--allow-private-hosts", "--json", "--quiet"],
        cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def stored_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return int(con.execute("SELECT count(*) FROM frontier WHERE state='stored'").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def wait_for_stored(proc: subprocess.Popen[str], db: Path, at_least: int, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = stored_count(db)
        if n >= at_least:
            return n
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} pages stored after {timeout} s")


def truth_urls(demo: RunningDemo) -> dict[str, tuple[str, str]]:
    return {canonical_url(demo.base_urls[t.site] + t.path): (t.site, t.path) for t in truth_articles()}


def test_sigkill_then_resume_stores_every_article_once(demo: RunningDemo, tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    sources = write_sources(demo, tmp_path, rate=0.15)
    first = start(sources, db)
    try:
        wait_for_stored(first, db, 16)  # at least one committed batch
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)
    assert first.returncode == -signal.SIGKILL
    con = sqlite3.connect(db)
    before = {r[0] for r in con.execute("SELECT url FROM frontier WHERE state='stored'")}
    truth = truth_urls(demo)
    assert 0 < len(before & set(truth)) < len(truth), "the kill came too late to test anything"
    mark = len(demo.requests_snapshot())

    second = start(write_sources(demo, tmp_path, rate=0.01), db)
    out, err = second.communicate(timeout=180)
    assert second.returncode == 0, err[-2000:]
    summary = json.loads(out)
    assert summary["interrupted"] is False

    rows = [r[0] for r in con.execute("SELECT url FROM articles")]
    assert len(rows) == len(set(rows))
    assert set(rows) == set(truth), (sorted(set(truth) - set(rows))[:5], sorted(set(rows) - set(truth))[:5])
    refetched = [(r.site, r.path) for r in demo.requests_snapshot()[mark:]
                 if canonical_url(demo.base_urls[r.site] + r.path) in before]
    assert not refetched, refetched[:5]


def test_sigterm_finishes_in_flight_pages_and_records_an_interrupted_run(demo: RunningDemo, tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    proc = start(write_sources(demo, tmp_path, rate=0.15), db)
    try:
        wait_for_stored(proc, db, 16)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err[-2000:]
    summary = json.loads(out)
    assert summary["interrupted"] is True
    con = sqlite3.connect(db)
    status, summary_json = con.execute("SELECT status, summary FROM runs").fetchone()
    assert status == "interrupted"
    assert json.loads(summary_json)["interrupted"] is True
    # every page that was fetched ended in a terminal state: nothing is half-stored
    fetched = {canonical_url(demo.base_urls[r.site] + r.path) for r in demo.requests_snapshot() if r.status == 200}
    truth = truth_urls(demo)
    for url in fetched & set(truth):
        state = con.execute("SELECT state FROM frontier WHERE url=?", (url,)).fetchone()
        assert state == ("stored",), (url, state)
    stored = [r[0] for r in con.execute("SELECT url FROM articles")]
    assert 0 < len(stored) < len(truth)
