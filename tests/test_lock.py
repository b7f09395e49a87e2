from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.lock import run_lock
from scraper.errors import StoreError


def test_second_run_on_the_same_db_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    with run_lock(db), pytest.raises(StoreError, match="another newscorpus run"), run_lock(db):
        pass
    with run_lock(db):  # released after the first run ends
        pass
