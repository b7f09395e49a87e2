"""Which live band segments may hold a key: their Bloom filters, probed together (dedup schema 6).

A key that passes one filter for the whole band index still has to be looked up in every live
segment (up to ~9 at 1M articles, one descent each), and a copy brings dozens of such keys.
So each segment has its own filter for each tier (written with it: segments.py), and
`SegmentFilters` holds those of the live segments as one `BloomSet` a tier: a few array
operations tell, for all of an article's keys at once, which segments may hold which key.
A copy's keys are then looked up in the segment that holds its original, and a key no segment
holds (nearly all) is looked up nowhere.

The filters change only when the segments do, at a merge (a new segment; a compaction replaces
some), which bumps ``dedup_meta.merges`` (the *generation*). `sync` reloads what changed: the
filters of segments still live are kept, new ones read from ``dedup_segment_filters``, gone
ones dropped. A lookup routed at one generation is only trusted if the generation is the same
after it (`DedupIndex` checks): another connection's compaction may have replaced a segment in
between. A live segment without a stored filter (an index of schema 5) gets one built from its
chunks and stored when the index is opened (`ensure_stored`); should one still be missing when
the filters are loaded, it is built in memory. A generation of another epoch (the index was
rebuilt: segment numbers start again) drops every filter held.
"""

from __future__ import annotations

import logging
import sqlite3

import numpy as np

from .bloom import BloomFilter, BloomSet, Hashed
from .mapping import unmapped
from .segments import FILTERS, REGISTRY, TIERS, Tier, build_filter, store_filter
from .segments import live as live_segments

log = logging.getLogger(__name__)


class SegmentFilters:
    """The live segments' filters of each tier, loaded lazily and kept in step with merges."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._segs: list[int] = []  # the live segments, in the order of each tier's set
        self._seg_array = np.zeros(0, dtype=np.int64)
        self._sets: dict[Tier, BloomSet] = {tier: BloomSet([]) for tier in TIERS}
        self.generation: str | None = None  # the generation the loaded filters belong to

    def ensure_stored(self) -> None:
        """Build and store (no commit) the filter of every live segment and tier that has none."""
        missing = self._conn.execute(
            f"SELECT s.seg, t.value FROM {REGISTRY} AS s, json_each(?) AS t WHERE NOT EXISTS "
            f"(SELECT 1 FROM {FILTERS} AS f WHERE f.seg = s.seg AND f.tier = t.value) ORDER BY s.seg",
            ("[" + ",".join(f'"{tier.chunks}"' for tier in TIERS) + "]",),
        ).fetchall()
        by_name = {tier.chunks: tier for tier in TIERS}
        with unmapped(self._conn):
            for seg, name in missing:
                log.info("dedup: building the Bloom filter of segment %d of %s", seg, name)
                pairs, bloom = build_filter(self._conn, int(seg), by_name[str(name)])
                store_filter(self._conn, int(seg), by_name[str(name)], pairs, bloom)
        self.generation = None  # loaded lazily, from what is stored now

    def forget(self) -> None:
        """Drop every filter (after a rollback: a rolled-back segment's number may be reused)."""
        self._segs, self._sets = [], {tier: BloomSet([]) for tier in TIERS}
        self._seg_array = np.zeros(0, dtype=np.int64)
        self.generation = None

    def sync(self, generation: str) -> None:
        """Hold the filters of the segments live at `generation` (the one stored now)."""
        if generation == self.generation:
            return
        if generation.split(".")[0] != (self.generation or "").split(".")[0]:
            self.forget()  # another index (rebuilt): its segment numbers start again
        live = [seg for seg, _ in live_segments(self._conn)]
        still = set(live)
        for tier, old in self._sets.items():
            # the kept filters are copied out of the old set: for a moment both are held
            kept = {seg: old.part(i) for i, seg in enumerate(self._segs) if seg in still}
            self._sets[tier] = BloomSet([kept.pop(seg, None) or self._load(seg, tier) for seg in live])
        self._segs, self.generation = live, generation
        self._seg_array = np.array(live, dtype=np.int64)

    def _load(self, seg: int, tier: Tier) -> BloomFilter:
        row = self._conn.execute(f"SELECT bits FROM {FILTERS} WHERE seg = ? AND tier = ?", (seg, tier.chunks))
        found = row.fetchone()
        try:
            if found is not None:
                return BloomFilter.from_bytes(bytes(found[0]))
            log.warning("dedup: segment %d has no stored filter of %s; building one", seg, tier.chunks)
        except ValueError as e:  # a damaged row: the chunks still say what the segment holds
            log.warning(
                "dedup: the stored filter of segment %d of %s is unreadable (%s); building one", seg, tier.chunks, e
            )
        with unmapped(self._conn):
            return build_filter(self._conn, seg, tier)[1]

    def route(self, tier: Tier, keys: Hashed) -> list[tuple[int, int]]:
        """(segment, key) for each key and live segment whose filter may hold it (sync first)."""
        if not self._segs or not keys.keys.size:
            return []
        hits = np.flatnonzero(self._sets[tier].may_hold(keys))  # (segment, key) in row-major order
        if not hits.size:  # nearly always: no segment holds any of the keys
            return []
        seg, key = np.divmod(hits, keys.keys.size)
        return list(zip(self._seg_array[seg].tolist(), keys.keys[key].tolist(), strict=True))
