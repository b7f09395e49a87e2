"""A blocked Bloom filter over 64-bit bucket keys, probed and filled a whole key array at a time.

Each key sets a few bits of one 64-bit word (one cache miss a key instead of one a bit), the
bits taken from a fixed table of 65,536 patterns (one table lookup instead of a hash per bit).
At 16 bits per key about two keys in a thousand are false positives; it never misses a key
it holds. A filter is plain bytes (`to_bytes`/`from_bytes`), so the dedup index can keep one
for each band table in SQLite (filters.py).
"""

from __future__ import annotations

import sys
from functools import cache

import numpy as np
import numpy.typing as npt

BITS_PER_KEY = 16  # filter bits per key it is sized for: about two false positives in a thousand
PATTERN_BITS = 5  # bits set per key (fewer when a pattern repeats a bit), all in one word
_WORD = np.uint64(0x9E3779B97F4A7C15)  # odd multipliers of the multiply-shift hashes
_PATTERN = np.uint64(0xC2B2AE3D27D4EB4F)
_PATTERN_SHIFT = np.uint64(48)  # the top 16 bits of a product pick the pattern
_MIN_WORDS = 64

_Int64s = npt.NDArray[np.int64]
_Words = npt.NDArray[np.uint64]


@cache
def _patterns() -> _Words:
    """65,536 fixed words with up to `PATTERN_BITS` bits set."""
    bits = np.random.default_rng(0x5EED).integers(0, 64, size=(1 << 16, PATTERN_BITS), dtype=np.uint64)
    return np.bitwise_or.reduce(np.uint64(1) << bits, axis=1)  # type: ignore[no-any-return]


class BloomFilter:
    """Set-membership with false positives only; a power-of-two number of 64-bit words."""

    def __init__(self, words: _Words) -> None:
        if words.size < _MIN_WORDS or words.size & (words.size - 1):
            raise ValueError(f"a Bloom filter needs a power of two of at least {_MIN_WORDS} words, not {words.size}")
        self._words = words
        self._shift = np.uint64(64 - words.size.bit_length() + 1)
        self._patterns = _patterns()

    @classmethod
    def for_keys(cls, expected: int) -> BloomFilter:
        """An empty filter with at least `BITS_PER_KEY` bits for each of `expected` keys."""
        words = max(_MIN_WORDS, 1 << int(max(1, expected) * BITS_PER_KEY // 64).bit_length())
        return cls(np.zeros(words, dtype=np.uint64))

    @classmethod
    def from_bytes(cls, data: bytes) -> BloomFilter:
        """A filter from `to_bytes` output: a read-only view of `data`, copied on the first `add`."""
        words = np.frombuffer(data, dtype="<u8")
        return cls(words if sys.byteorder == "little" else words.astype(np.uint64))

    def to_bytes(self) -> memoryview:
        """The words, little-endian, without a copy where that is the native order (a BLOB for SQLite)."""
        words = self._words if sys.byteorder == "little" else self._words.astype("<u8")
        return memoryview(words).cast("B")

    @property
    def bits(self) -> int:
        return int(self._words.size) * 64

    def _where(self, keys: _Int64s) -> tuple[_Words, _Words]:
        """Each key's word and the bits it sets there (array products wrap silently)."""
        k = keys.view(np.uint64)
        return (k * _WORD) >> self._shift, self._patterns[(k * _PATTERN) >> _PATTERN_SHIFT]

    def add(self, keys: _Int64s) -> None:
        if not self._words.flags.writeable:  # loaded from bytes: own the words before changing them
            self._words = self._words.copy()
        if keys.size:
            word, bits = self._where(keys)
            np.bitwise_or.at(self._words, word, bits)  # unbuffered: two keys may share a word

    def may_hold(self, keys: _Int64s) -> npt.NDArray[np.bool_]:
        """For each key: False if it was surely never added."""
        word, bits = self._where(keys)
        return (self._words[word] & bits) == bits  # type: ignore[no-any-return]

    def clear(self) -> None:
        self._words = np.zeros(self._words.size, dtype=np.uint64)  # fresh (lazily zeroed) pages, no write
