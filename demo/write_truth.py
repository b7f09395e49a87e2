"""Write demo/truth/<site>/<n>.json, one file per truth article: `python -m demo.write_truth`.

The files are generated from the same data the demo sites render, so they never drift by hand;
review the diff after changing the stories or templates.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

from demo.app import TruthArticle, truth_articles

TRUTH_DIR = Path(__file__).parent / "truth"


def truth_record(t: TruthArticle) -> dict[str, object]:
    rec = asdict(t)
    rec["url"] = rec.pop("path")
    rec.pop("site")
    return rec


def write_truth(out_dir: Path = TRUTH_DIR) -> int:
    """Replace out_dir with the current truth; returns the number of files written."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    counters: dict[str, int] = {}
    for t in truth_articles():
        n = counters[t.site] = counters.get(t.site, 0) + 1
        path = out_dir / t.site / f"{n:03d}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(truth_record(t), ensure_ascii=False, sort_keys=True, indent=1)
        path.write_text(text + "\n", encoding="utf-8")
    return sum(counters.values())


def main() -> int:
    n = write_truth()
    sys.stderr.write(f"wrote {n} truth files to {TRUTH_DIR}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
