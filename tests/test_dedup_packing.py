"""The verifier text's storage form (packing.py): Zstandard now, zlib rows from older versions."""

from __future__ import annotations

import sqlite3
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipelines.dedup.index import DedupIndex
from pipelines.dedup.packing import TextPacker
from scraper.errors import StoreError


@given(st.text())
def test_pack_round_trips(text: str) -> None:
    packer = TextPacker()
    assert packer.unpack(packer.pack(text)) == text


def test_older_zlib_rows_and_new_rows_read_back_together() -> None:
    conn = sqlite3.connect(":memory:")
    index = DedupIndex(conn, "s")
    old_text, new_text = "도청 보도자료 문장\n둘째 문장", "시청 새 문장"
    conn.execute(
        "INSERT INTO dedup_docs (article_id, body_hash, signature, clean, settings_version) "
        "VALUES (1, 'h', x'', ?, 'v')",
        (zlib.compress(old_text.encode("utf-8"), 1),),
    )
    index.add_doc(2, "h2", b"", new_text, [5], "v")
    blob = conn.execute("SELECT clean FROM dedup_docs WHERE article_id = 2").fetchone()[0]
    assert blob[:4] == b"\x28\xb5\x2f\xfd"  # a Zstandard frame
    assert index.stored_texts([1, 2]) == {1: old_text, 2: new_text}


def test_an_unreadable_row_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="unreadable verifier text"):
        TextPacker().unpack(b"\x28\xb5\x2f\xfd not a frame")
    with pytest.raises(StoreError, match="dedup --rebuild"):
        TextPacker().unpack(b"plain bytes")
