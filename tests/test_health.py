from __future__ import annotations

from pathlib import Path

from pipelines.health import Health, check_and_record
from pipelines.store import Store


def test_redesign_alarm_fires_only_against_the_sources_own_history(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    good = Health("a", 20, 0.0, 0.05, 0.1, 1500.0)
    assert check_and_record(store, 1, [good]) == []  # no history yet
    assert check_and_record(store, 2, [good]) == []  # same as usual
    broken = Health("a", 20, 0.6, 0.9, 0.1, 300.0)
    warnings = check_and_record(store, 3, [broken])
    assert len(warnings) == 3 and all(w.startswith("a:") for w in warnings)
    other = Health("b", 20, 0.6, 0.9, 0.1, 300.0)  # a source that always looked like this: no alarm
    assert check_and_record(store, 3, [other]) == []
    assert check_and_record(store, 4, [Health("a", 2, 1.0, 1.0, 1.0, 1.0)]) == []  # too few pages to judge
