"""MinHash signatures of character shingles and their LSH band keys.

Our own few lines of numpy instead of datasketch's MinHash: the hash of a shingle must be the
same in every process (no Python ``hash()``), and hashing all shingles of a body in one
vectorised pass keeps a signature well under a millisecond.

Shingles are character n-grams of the body's key (Hangul, Latin, digits only). Korean has no
reliable word boundary without a morphological analyser, and spacing varies between outlets
("2조 2000억 원" / "2조2000억원"), so characters are the robust unit.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

_MASK32 = np.uint64(0xFFFFFFFF)
_EMPTY = np.uint32(0xFFFFFFFF)

Signature = npt.NDArray[np.uint32]


class MinHasher:
    """Deterministic MinHash over character n-grams (multiply-shift hash family)."""

    def __init__(self, num_perm: int, shingle_size: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        self._a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
        self._b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)

    def shingle_hashes(self, text_key: str) -> npt.NDArray[np.uint64]:
        """64-bit hashes of the distinct character n-grams of `text_key`."""
        n = self.shingle_size
        codes = np.frombuffer(text_key.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
        if codes.size == 0:
            return np.zeros(0, dtype=np.uint64)
        if codes.size < n:
            codes = np.concatenate([codes, np.zeros(n - codes.size, dtype=np.uint64)])
        h = np.zeros(codes.size - n + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for i in range(n):
                h = h * np.uint64(1_000_003) + codes[i : codes.size - n + 1 + i]
            h = _mix(h)
        return np.unique(h)

    def signature(self, text_key: str) -> Signature:
        """MinHash signature (num_perm unsigned 32-bit values) of a text key."""
        hashes = self.shingle_hashes(text_key)
        if hashes.size == 0:
            return np.full(self.num_perm, _EMPTY, dtype=np.uint32)
        with np.errstate(over="ignore"):
            perm = (hashes[None, :] * self._a[:, None] + self._b[:, None]) >> np.uint64(32)
        return (perm.min(axis=1) & _MASK32).astype(np.uint32)


_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """splitmix64 finaliser: spreads the polynomial hash over all 64 bits.

    Array arithmetic on uint64 wraps silently (only scalar arithmetic warns), so no errstate:
    entering one costs more than the mixing of a 64-element array.
    """
    h = (h ^ (h >> _S30)) * _M1
    h = (h ^ (h >> _S27)) * _M2
    return h ^ (h >> _S31)


def band_keys(sig: Signature, bands: int) -> list[int]:
    """One signed 64-bit bucket key per band; the band number is part of the key.

    Each band's rows are folded with a fixed odd multiplier and the band number, then mixed
    (splitmix64): deterministic, vectorised, and collisions between different bands' rows are
    as unlikely as any other 64-bit collision.
    """
    return band_keys_many(sig[None, :], bands)[0].tolist()  # type: ignore[no-any-return]


def band_keys_many(sigs: npt.NDArray[np.uint32], bands: int) -> npt.NDArray[np.int64]:
    """`band_keys` of every row of a (n, num_perm) array at once: an (n, bands) array."""
    rows = sigs.shape[1] // bands
    grid = sigs[:, : rows * bands].reshape(sigs.shape[0], bands, rows).astype(np.uint64)
    acc = np.arange(1, bands + 1, dtype=np.uint64) * _GOLDEN  # broadcasts against (n, bands)
    for r in range(rows):
        acc = _mix(acc ^ grid[:, :, r]) + np.uint64(r + 1)
    return _mix(acc).view(np.int64)


def signature_to_blob(sig: Signature) -> bytes:
    return sig.astype("<u4").tobytes()


def signature_from_blob(blob: bytes) -> Signature:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def estimated_jaccard(a: Signature, b: Signature) -> float:
    return float(np.mean(a == b))
