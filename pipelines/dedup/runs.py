"""Verbatim runs shared by two texts: a cheap upper bound, and the exact order-preserving tiling.

The verifier's main measure is how many characters of one text lie in common runs of at least
``min_run`` characters that keep their order in both texts — the tiling `difflib` produces
(longest common block first, then recursively left and right of it). `difflib` finds that
tiling by scanning every pair of equal characters, 17–40 ms for two 2,000-character Korean
bodies, because a handful of syllables (다, 는, 의) occur hundreds of times.

Every run of ``min_run`` or more characters contains a common ``min_run``-character window, so
both steps here start from the positions whose window hashes agree:

* `coverage_bound` counts the characters of each text covered by such windows. Each verbatim
  run is covered, so ``min(cover_a, cover_b)`` is never below the tiled total: a pair whose
  bound is too low cannot be a copy, and is rejected without further work.
* `shared_runs` joins agreeing windows on one diagonal into maximal common substrings and tiles
  them like `difflib` does (longest first; ties to the earliest start in ``a``, then ``b``),
  ignoring anything shorter than ``min_run``. Blocks shorter than ``min_run`` never decide
  where a longer one is cut — `difflib` only picks them in ranges without a longer match — so
  the total equals `difflib`'s sum of blocks of at least ``min_run`` characters.
"""

from __future__ import annotations

from difflib import SequenceMatcher

import numpy as np
import numpy.typing as npt

Hashes = npt.NDArray[np.uint64]


def window_hashes(text: str, width: int) -> Hashes:
    """64-bit hash of the `width`-character window starting at each position of `text`."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if width <= 0 or codes.size < width:
        return np.zeros(0, dtype=np.uint64)
    count = codes.size - width + 1
    h = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for i in range(width):
            h = h * np.uint64(0x100000001B3) + codes[i : i + count]
        h = (h ^ (h >> np.uint64(29))) * np.uint64(0xBF58476D1CE4E5B9)
        return h ^ (h >> np.uint64(32))


def _covered(starts: npt.NDArray[np.intp], width: int, size: int) -> int:
    """Characters of a `size`-character text inside any window starting at `starts`."""
    if starts.size == 0:
        return 0
    edges = np.zeros(size + 1, dtype=np.int32)
    edges[starts] += 1  # window starts are distinct positions, so plain fancy indexing adds
    edges[starts + width] -= 1
    return int(np.count_nonzero(np.cumsum(edges[:-1])))


def _member(values: Hashes, sorted_set: Hashes) -> npt.NDArray[np.bool_]:
    """Which of `values` occur in `sorted_set` (sorted; repeats do no harm)."""
    if sorted_set.size == 0:
        return np.zeros(values.size, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)
    return np.asarray(sorted_set[at] == values)


def coverage_bound(wa: Hashes, wb: Hashes, width: int, sorted_b: Hashes | None = None) -> int:
    """Upper bound of `shared_runs`: the less covered text's characters in agreeing windows.

    `sorted_b` is ``np.sort(wb)`` if the caller has it already (a cached candidate).
    """
    if wa.size == 0 or wb.size == 0:
        return 0
    in_b = _member(wa, np.sort(wb) if sorted_b is None else sorted_b)
    if not in_b.any():
        return 0
    cover_a = _covered(np.flatnonzero(in_b), width, wa.size + width - 1)
    if cover_a == 0:
        return 0
    cover_b = _covered(np.flatnonzero(_member(wb, np.sort(wa[in_b]))), width, wb.size + width - 1)
    return min(cover_a, cover_b)


_TABLE_BITS = 18  # 256 K-entry presence table: ~1 % of unrelated windows pass it, harmlessly


def presence_table(windows: Hashes) -> npt.NDArray[np.bool_]:
    """A lossy set of `windows` (low bits of each hash): no false negatives, rare false positives."""
    table = np.zeros(1 << _TABLE_BITS, dtype=bool)
    table[(windows & np.uint64((1 << _TABLE_BITS) - 1)).astype(np.intp)] = True
    return table


def covered_by(table: npt.NDArray[np.bool_], texts: list[str], width: int) -> list[int]:
    """For each of `texts`: characters inside a `width`-window that may also occur in the new text.

    `table` is `presence_table` of the new text's windows. The result bounds `shared_runs` from
    above, like `coverage_bound`: a false positive of the table can only raise it. One hashing
    pass and one table gather serve all candidates, instead of numpy calls per pair; a
    separator that never occurs in a text keeps windows from spanning two candidates.
    """
    if not texts:
        return []
    joined = "\x00".join(texts)
    w = window_hashes(joined, width)
    if w.size == 0:
        return [0] * len(texts)
    hit = np.flatnonzero(table[(w & np.uint64((1 << _TABLE_BITS) - 1)).astype(np.intp)])
    edges = np.zeros(len(joined) + 1, dtype=np.int32)
    edges[hit] += 1
    edges[hit + width] -= 1
    inside = (np.cumsum(edges) > 0).astype(np.int32)  # one spare slot: an empty last text starts there
    starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
    sums = np.add.reduceat(inside, starts)
    return [int(x) if len(t) else 0 for x, t in zip(sums.tolist(), texts, strict=True)]


def _maximal_runs(a: str, b: str, wa: Hashes, wb: Hashes, width: int) -> list[tuple[int, int, int]] | None:
    """(start in a, start in b, length) of every maximal common substring of ≥ `width` characters.

    None if a hash collision is detected (the caller then falls back to difflib).
    """
    order = np.argsort(wb, kind="stable")
    sorted_b = wb[order]
    lo = np.searchsorted(sorted_b, wa, side="left")
    hi = np.searchsorted(sorted_b, wa, side="right")
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return []
    ia = np.repeat(np.arange(wa.size), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    jb = order[np.repeat(lo, counts) + offsets]
    diag = jb - ia
    by_diag = np.lexsort((ia, diag))
    ia, diag = ia[by_diag], diag[by_diag]
    # a new run starts where the diagonal changes or the window positions are not consecutive
    starts = np.ones(total, dtype=bool)
    starts[1:] = (diag[1:] != diag[:-1]) | (ia[1:] != ia[:-1] + 1)
    first = np.flatnonzero(starts)
    last = np.append(first[1:], total) - 1
    runs: list[tuple[int, int, int]] = []
    for f, e in zip(first.tolist(), last.tolist(), strict=True):
        i = int(ia[f])
        j = i + int(diag[f])
        length = int(ia[e]) - i + width
        if a[i : i + length] != b[j : j + length]:
            return None
        runs.append((i, j, length))
    return runs


def shared_runs(a: str, b: str, wa: Hashes, wb: Hashes, width: int) -> int:
    """Characters of `a` in order-preserving common runs of at least `width` characters.

    Equal to summing `difflib.SequenceMatcher(None, a, b, autojunk=False)` matching blocks of
    size ≥ `width`; `wa`/`wb` are `window_hashes(a, width)` and `window_hashes(b, width)`.
    """
    runs = _maximal_runs(a, b, wa, wb, width)
    if runs is None:
        return difflib_runs(a, b, width)
    total = 0
    ranges = [(0, len(a), 0, len(b))]
    while ranges and runs:
        alo, ahi, blo, bhi = ranges.pop()
        best: tuple[int, int, int] | None = None
        for i, j, length in runs:
            skip = max(alo - i, blo - j, 0)
            size = min(i + length, ahi) - i - skip
            size = min(size, min(j + length, bhi) - j - skip)
            if size < width:
                continue
            if best is None or size > best[2] or (size == best[2] and (i + skip, j + skip) < best[:2]):
                best = (i + skip, j + skip, size)
        if best is None:
            continue
        i, j, size = best
        total += size
        ranges.append((alo, i, blo, j))
        ranges.append((i + size, ahi, j + size, bhi))
    return total


def difflib_runs(a: str, b: str, width: int) -> int:
    """The reference measure: difflib's matching blocks of at least `width` characters."""
    blocks = SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return sum(bl.size for bl in blocks if bl.size >= width)
