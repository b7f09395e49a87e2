"""The recent tier's in-memory key map (keymap.py) against a plain dict of lists."""

from __future__ import annotations

import sqlite3

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_dedup import LONG_RELEASE, doc, store
from test_dedup_tiers import LIBRARY, TITLE, copy_of

from pipelines.dedup import Deduper
from pipelines.dedup.keymap import KeyMap
from scraper.config import DedupConfig

keys64 = st.integers(-(2**63), 2**63 - 1)
small_keys = st.integers(0, 40)  # few distinct keys: many owners per key, across runs
batches = st.lists(
    st.tuples(st.booleans(), st.lists(st.one_of(small_keys, keys64), max_size=12, unique=True)), max_size=60
)


@settings(max_examples=150, deadline=None)
@given(batches=batches, flush_at=st.integers(1, 30), probe=st.lists(st.one_of(small_keys, keys64), max_size=20))
def test_lookups_match_a_plain_multimap(batches: list[tuple[bool, list[int]]], flush_at: int, probe: list[int]) -> None:
    km = KeyMap(200, flush_at=flush_at)
    expected: dict[int, list[int]] = {}
    for owner, (bulk, keys) in enumerate(batches, 1):
        if bulk:
            km.add_many(np.array(keys, dtype=np.int64), np.full(len(keys), owner, dtype=np.int64))
        else:
            km.add(owner, keys)
        for k in keys:
            expected.setdefault(k, []).append(owner)
    assert len(km) == sum(map(len, expected.values()))
    wanted = list(dict.fromkeys(probe + list(expected)[:5]))
    assert sorted(km.lookup(wanted)) == sorted((k, o) for k in wanted for o in expected.get(k, []))
    assert km.lookup([]) == []
    km.clear()
    assert len(km) == 0 and km.lookup(wanted) == []


def test_runs_stay_few_as_the_map_grows() -> None:
    km = KeyMap(32_000, flush_at=64)
    rng = np.random.default_rng(3)
    for owner in range(1, 2001):
        km.add(owner, rng.integers(-(2**63), 2**63 - 1, size=16).tolist())
    assert len(km) == 32_000
    assert len(km._runs) <= 12  # a binary counter: about log2(32000 / 64) runs at most


def test_a_rollback_nobody_reported_is_noticed_when_its_sequence_number_comes_back() -> None:
    conn = sqlite3.connect(":memory:")
    d = Deduper(conn, DedupConfig())
    store(d, 1, doc(LONG_RELEASE), title=TITLE)
    conn.commit()
    store(d, 2, doc(LIBRARY), title="도서관 재개관")
    conn.rollback()  # no forget_uncommitted: the mirror still holds article 2's keys
    store(d, 3, doc(LONG_RELEASE[:3]), title="다른 글")  # reuses dedup_pending.seq 2
    assert d.check("도서관 다시 문 열어", copy_of(LIBRARY)).method == "new"
    assert d._index.pending() == 2
