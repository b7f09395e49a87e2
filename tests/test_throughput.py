"""The throughput plumbing: streamed Kiwi ingest, one-pass token encoding, --workers, the crawl's hand-off queue."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines import run
from pipelines.crawl_queue import ByteBoundedQueue
from pipelines.store import fts_forms
from pipelines.tokenize import Tokenizer, encode_kiwi, encode_tokens, nouns, reuse_body
from scraper.config import Config

PARAS = [
    "인천시는 12일 송도 컨벤시아에서 바이오 특화단지 기업 설명회를 열고 입주 지원 방안을 소개했다.",
    "설명회에는 바이오 기업과 연구기관 관계자 80여 명이 참석해 세제 감면 계획을 들었다.",
    "시흥시는 배곧 해안공원에서 가을 걷기 축제를 연다고 13일 밝혔다.",
    "축제는 오는 주말 이틀 동안 열리며 가족 단위 참가자를 위한 체험 부스가 운영된다.",
    "시는 내년까지 공동 연구 장비 센터를 세우고 중소 기업의 시제품 생산을 돕기로 했다.",
]


def _articles() -> list[dict[str, str]]:
    """Originals, exact copies under other headlines (and in the same batch as their donor), near copies."""
    out = []
    for i in range(12):
        body = "\n".join(PARAS[(i + k) % len(PARAS)] for k in range(3)) + f"\n기사 번호 {i}번의 마지막 문장이다."
        out.append({"url": f"https://a.example.kr/news/{i}", "title": f"송도 바이오 소식 {i}", "body": body,
                    "source": "a"})
        if i % 3 == 0:  # an exact copy with a longer headline: its body offsets must shift
            out.append({"url": f"https://b.example.kr/view/{i}", "title": f"[종합] 인천 송도 바이오 특화단지 소식 {i}",
                        "body": body, "source": "b"})
        if i % 4 == 1:  # a near copy: one paragraph rewritten
            near = body.replace(PARAS[(i + 1) % len(PARAS)], "관계자는 지원 방안을 차례로 설명했다.")
            out.append({"url": f"https://c.example.kr/{i}", "title": f"바이오 {i}", "body": near, "source": "c"})
    return out


def _tokens(db: Path) -> list[tuple[object, ...]]:
    con = sqlite3.connect(db)
    try:
        return con.execute(
            "SELECT a.url, a.cluster_id, a.duplicate_of IS NULL, t.morphemes, t.offsets, t.nouns"
            " FROM articles a JOIN tokens t ON t.article_id = a.id ORDER BY a.url").fetchall()
    finally:
        con.close()


def _import(tmp_path: Path, name: str, tokenizer: Tokenizer, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(run, "Tokenizer", lambda *args, **kwargs: tokenizer)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in _articles()), encoding="utf-8")
    db = tmp_path / f"{name}.db"
    result = run.import_file(Config(db_path=db), src)
    assert result.stats.stored == len(_articles())
    return db


def test_streamed_ingest_stores_what_the_token_objects_would(tmp_path: Path, tokenizer: Tokenizer,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    db = _import(tmp_path, "threads", tokenizer, monkeypatch)
    rows = _tokens(db)
    assert len(rows) == len(_articles())
    con = sqlite3.connect(db)
    copies = 0
    for url, title, body, morphemes, offsets, noun_text, dup in con.execute(
            "SELECT a.url, a.title, a.body, t.morphemes, t.offsets, t.nouns, a.duplicate_of"
            " FROM articles a JOIN tokens t ON t.article_id = a.id"):
        copies += url.startswith("https://b.")
        if url.startswith("https://b."):
            assert dup is not None, url
        # the reference: Kiwi on the whole text, through Token objects and the documented encoder
        text = f"{title}\n{body}"
        doc = tokenizer.tokenize_many([text])[0]
        assert (morphemes, offsets) == encode_tokens(doc), url
        assert noun_text == " ".join(nouns(doc)), url
        fts = con.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ? AND rowid ="
                          " (SELECT id FROM articles WHERE url = ?)", ('"송도"', url)).fetchone()[0]
        assert fts == ("송도" in text), url
    assert copies == 4


def test_no_kiwi_thread_gives_the_same_corpus(tmp_path: Path, tokenizer: Tokenizer,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    single = Tokenizer(num_workers=0)
    assert single.workers == 0 and tokenizer.workers >= 1
    assert _tokens(_import(tmp_path, "single", single, monkeypatch)) == \
        _tokens(_import(tmp_path, "threads", tokenizer, monkeypatch))


def test_encode_kiwi_matches_the_documented_layout(tokenizer: Tokenizer) -> None:
    title, body = "송도 바이오 특화단지", "\n".join(PARAS[:2])
    text = f"{title}\n{body}"
    raw = next(iter(tokenizer.stream([text])))
    enc = encode_kiwi(raw, len(title))
    doc = tokenizer.tokenize_many([text])[0]
    assert (enc.morphemes, enc.offsets) == encode_tokens(doc)
    assert enc.nouns == " ".join(nouns(doc))
    assert (enc.title_forms, enc.body_forms) == fts_forms(title, enc.morphemes, enc.offsets)
    # a copy under a longer title reuses the body morphemes, shifted by the title difference
    other = "[종합] " + title
    title_doc = encode_kiwi(next(iter(tokenizer.stream([other]))), len(other))
    copy = reuse_body(title_doc, len(other), enc.morphemes, enc.offsets, len(title))
    full = tokenizer.tokenize_many([f"{other}\n{body}"])[0]
    body_part = [t for t in full.tokens if t.start > len(other)]
    assert copy.offsets.split()[-len(body_part):] == [f"{t.start}:{t.length}" for t in body_part]
    assert copy.body_forms == " ".join(t.form for t in body_part)


def test_byte_bounded_queue_waits_only_when_full_and_drains_after_close() -> None:
    async def scenario() -> tuple[list[list[int]], int, int]:
        q: ByteBoundedQueue[int] = ByteBoundedQueue(limit=100)
        for i in range(3):
            await q.put(i, 30)  # 90 bytes: no wait
        assert q.waits == 0
        blocked = asyncio.create_task(q.put(3, 30))  # 120 > 100: must wait for room
        await asyncio.sleep(0.01)
        assert not blocked.done()
        first = await q.get_batch(2)
        await asyncio.wait_for(blocked, 1)
        second = await q.get_batch(10)
        await q.put(4, 500)  # larger than the limit: let in because the queue is empty
        await q.close()
        rest = [await q.get_batch(10), await q.get_batch(10)]
        return [first, second, *rest], q.waits, q.high_water

    batches, waits, high = asyncio.run(asyncio.wait_for(scenario(), 5))
    assert batches == [[0, 1], [2, 3], [4], []]
    assert waits == 1 and high == 500


@pytest.mark.parametrize("value", ["-1", "x"])
def test_workers_option_rejects_bad_values(tmp_path: Path, value: str) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"url": "https://x.example.kr/1", "title": "t", "body": "본문이다."}) + "\n")
    proc = subprocess.run([sys.executable, "-m", "pipelines", "import", str(src), "--db", str(tmp_path / "c.db"),
                           "--workers", value], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not (tmp_path / "c.db").exists()
