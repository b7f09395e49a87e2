"""`newscorpus report`: the coverage report of a watchlist, as HTML, Markdown or JSON."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import click

from pipelines.cli_common import _guard, _setup_logging, common, json_option
from scraper.errors import InputError


def _write_report(db: Path, watchlist: Path | None, since: date | None, out: Path | None,
                  fmt: str = "html") -> str | None:
    """Build the coverage report, record the run, write `out` (or return the text when out is None)."""
    from pipelines import run
    from pipelines.normalize import KST
    from pipelines.report import build_report
    from pipelines.report_render import render_html, render_markdown
    from pipelines.tokenize import Tokenizer
    from pipelines.watchlist import Matcher, load_watchlist

    wl = load_watchlist(watchlist)
    store = run.open_existing(db)
    now = datetime.now(KST)
    report = build_report(store, Matcher(wl, Tokenizer()), since=since, now=now)
    if fmt == "json":
        text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    else:
        text = render_markdown(report) if fmt == "md" else render_html(report)
    if out is not None:
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {out}: {exc.strerror}") from None
    store.record_report(now, report.since)
    store.close()
    return None if out is not None else text


@click.command()
@common
@json_option
@click.option("--watchlist", type=click.Path(path_type=Path), help="Watchlist TOML (default: the bundled one).")
@click.option("--since", help="Only articles published on or after a date (YYYY-MM-DD) or N days ago (7d).")
@click.option("--format", "fmt", type=click.Choice(["html", "md", "json"]), default="html", show_default=True,
              help="html: one self-contained page; md: an e-mail digest; json: for another tool.")
@click.option("--out", type=click.Path(path_type=Path),
              help="Output file (default: report.html for html, stdout for md and json).")
def report(db: Path, quiet: bool, verbose: bool, as_json: bool, watchlist: Path | None, since: str | None,
           fmt: str, out: Path | None) -> None:
    """Coverage report for a watchlist: outlets per day, stories and their copies, entity excerpts.

    Example: newscorpus report --watchlist watch.toml --since 7d --out report.html
    """
    _setup_logging(quiet, verbose)

    def body() -> int:
        from pipelines.normalize import KST
        from pipelines.report import parse_since

        since_d = parse_since(since, datetime.now(KST).date()) if since else None
        chosen = "json" if as_json else fmt
        target = out if out is not None or chosen != "html" else Path("report.html")
        text = _write_report(db, watchlist, since_d, target, chosen)
        if text is not None:
            sys.stdout.write(text)
        elif not quiet:
            click.echo(f"wrote {target}", err=True)
        return 0

    _guard(body)
