"""How `dedup_docs.clean` holds the verifier's text: Zstandard level 1, or zlib in older rows.

Every indexed article's evidence text is compressed once, on the per-article path, so the codec's
speed counts: on ~4 KB of Korean evidence text Zstandard level 1 takes ~35 µs where zlib level
1 took 75–120 µs, for the same size (about a third of the UTF-8). Rows written by earlier
versions are zlib streams; a Zstandard frame starts with its magic number, a zlib stream never
does, so both read back without a settings change.
"""

from __future__ import annotations

import zlib

import zstandard

from scraper.errors import StoreError

_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class TextPacker:
    """Compress and restore verifier texts (one per index: the codec objects are reused)."""

    def __init__(self) -> None:
        self._compressor = zstandard.ZstdCompressor(level=1)
        self._decompressor = zstandard.ZstdDecompressor()

    def pack(self, text: str) -> bytes:
        return self._compressor.compress(text.encode("utf-8"))

    def unpack(self, blob: bytes) -> str:
        """The text of a `pack` result or of an older zlib row."""
        try:
            if blob[:4] == _ZSTD_MAGIC:
                return self._decompressor.decompress(blob).decode("utf-8")  # type: ignore[no-any-return]
            return zlib.decompress(blob).decode("utf-8")
        except (zstandard.ZstdError, zlib.error, UnicodeDecodeError) as e:
            raise StoreError(
                f"dedup_docs holds an unreadable verifier text ({e}); run `newscorpus dedup --rebuild`"
            ) from e
