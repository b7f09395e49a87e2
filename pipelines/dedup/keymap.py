"""An in-memory multimap from 64-bit bucket keys to article ids: the recent tier's lookup side.

A lookup asks for an article's 64 (or 16) bucket keys, and nearly all of them are in no other
article. So the map answers "surely not here" first, from a Bloom filter over every key it
holds (bloom.py: a few vectorised numpy operations for all keys at once), and only the few
keys that pass are looked up for real. Behind the filter it is a small log-structured merge
tree:

* new keys go to an unsorted buffer of `flush_at` keys (numpy arrays, scanned on lookup);
* a full buffer becomes a *run*: the keys sorted, their owners alongside;
* runs of similar size are merged (a binary counter, linear-time merges of sorted arrays), so
  there are O(log n) of them;
* a key that passes the filter costs one ``searchsorted`` per run.

Memory: 16 bytes a key in the runs (8.0M keys, 100k articles, ≈ 128 MB), the same again for a
moment while the largest runs merge, plus the filter (20 MB for 8M keys). Pairs are not
deduplicated here: the tier adds each article once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from .bloom import BloomFilter, Hashed

FLUSH_AT = 4096  # keys held unsorted before they become a sorted run (64 articles of 64 keys)

_Int64s = npt.NDArray[np.int64]


def _merge_sorted(a: tuple[_Int64s, _Int64s], b: tuple[_Int64s, _Int64s]) -> tuple[_Int64s, _Int64s]:
    """Two sorted runs as one, in linear time (b's keys are placed among a's by binary search)."""
    (ka, oa), (kb, ob) = a, b
    at = np.searchsorted(ka, kb, side="right") + np.arange(kb.size)
    keys = np.empty(ka.size + kb.size, dtype=np.int64)
    owners = np.empty_like(keys)
    rest = np.ones(keys.size, dtype=bool)
    rest[at] = False
    keys[at], owners[at] = kb, ob
    keys[rest], owners[rest] = ka, oa
    return keys, owners


class KeyMap:
    """bucket key -> article ids, for cheap adds and lookups that mostly find nothing."""

    def __init__(self, expected: int, flush_at: int = FLUSH_AT) -> None:
        """`expected`: keys the map will hold at most (sizes the filter; more only cost speed)."""
        self._bloom = BloomFilter.for_keys(expected)
        self._fresh_keys = np.empty(max(1, flush_at), dtype=np.int64)  # unsorted, the first `_n`
        self._fresh_owners = np.empty_like(self._fresh_keys)
        self._n = 0
        self._runs: list[tuple[_Int64s, _Int64s]] = []  # (sorted keys, owners), largest first

    def __len__(self) -> int:
        """Keys held (with repeats)."""
        return self._n + sum(int(keys.size) for keys, _ in self._runs)

    def items(self) -> tuple[_Int64s, _Int64s]:
        """Every (key, owner) held, with repeats, as two arrays (in no particular order)."""
        keys = np.concatenate([self._fresh_keys[: self._n], *(keys for keys, _ in self._runs)])
        owners = np.concatenate([self._fresh_owners[: self._n], *(owners for _, owners in self._runs)])
        return keys, owners

    def clear(self) -> None:
        self._bloom.clear()
        self._n = 0
        self._runs.clear()

    def add(self, owner: int, keys: Sequence[int]) -> None:
        """File `owner` under each of `keys`."""
        if keys:
            array = np.asarray(keys, dtype=np.int64)
            self.add_many(array, np.full(array.size, owner, dtype=np.int64))

    def add_many(self, keys: _Int64s, owners: _Int64s) -> None:
        """File ``owners[i]`` under ``keys[i]`` for every i."""
        if not keys.size:
            return
        self._bloom.add(keys)
        room = self._fresh_keys.size - self._n
        if keys.size > room:  # a bulk load, or a buffer about to overflow: sort it all into a run
            keys = np.concatenate((self._fresh_keys[: self._n], keys))
            owners = np.concatenate((self._fresh_owners[: self._n], owners))
            self._n = 0
            order = np.argsort(keys)
            self._push(keys[order], owners[order])
            return
        self._fresh_keys[self._n : self._n + keys.size] = keys
        self._fresh_owners[self._n : self._n + keys.size] = owners
        self._n += keys.size

    def _push(self, keys: _Int64s, owners: _Int64s) -> None:
        """Add a sorted run; merge the newest runs while the newer is at least half the older."""
        runs = self._runs
        runs.append((keys, owners))
        while len(runs) > 1 and runs[-1][0].size * 2 >= runs[-2][0].size:
            newer = runs.pop()
            runs.append(_merge_sorted(runs.pop(), newer))

    def lookup(self, keys: Iterable[int] | Hashed) -> list[tuple[int, int]]:
        """(key, owner) for every owner filed under any of `keys` (hashed already, or not)."""
        out: list[tuple[int, int]] = []
        if not self._n and not self._runs:
            return out
        probe = keys if isinstance(keys, Hashed) else Hashed.of(np.fromiter(keys, dtype=np.int64))
        wanted = probe.keys[self._bloom.may_hold(probe)]
        if not wanted.size:
            return out
        if self._n:
            fresh = self._fresh_keys[: self._n]
            for i in np.flatnonzero(np.isin(fresh, wanted)).tolist():
                out.append((int(fresh[i]), int(self._fresh_owners[i])))
        for run_keys, run_owners in self._runs:
            lo = np.searchsorted(run_keys, wanted, side="left")
            hi = np.searchsorted(run_keys, wanted, side="right")
            for i in np.flatnonzero(hi > lo).tolist():
                key = int(wanted[i])
                out.extend((key, o) for o in run_owners[lo[i] : hi[i]].tolist())
        return out
