"""`newscorpus crawl` and `newscorpus demo`: the nightly crawl and the bundled offline demo."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipelines.cli_archive import archive_options, with_archive
from pipelines.cli_common import (
    USER_DICT_HELP,
    _date,
    _guard,
    _print_json,
    _setup_logging,
    common,
    json_option,
    workers_option,
)
from pipelines.commands_report import _write_report
from pipelines.progress import phase_progress
from scraper.config import Config
from scraper.errors import ConfigError

if TYPE_CHECKING:
    from pipelines.crawl import CrawlStats
    from scraper.models import Source


# -- crawl / demo ------------------------------------------------------------------------------

def _summary_table(stats: CrawlStats) -> None:
    from rich.console import Console  # rich loads in ~50 ms: only commands that print tables pay for it
    from rich.table import Table

    data = stats.to_dict()
    table = Table(title=f"crawl run {stats.run_id} — {data['seconds']} s")
    for col in ("source", "fetched", "new", "duplicates", "skipped", "failures"):
        table.add_column(col, justify="left" if col == "source" else "right")
    sources = data["sources"]
    assert isinstance(sources, dict)
    for name, s in sorted(sources.items()):
        table.add_row(name, str(s["pages_fetched"]), str(s["new"]), str(s["duplicates"]), str(s["skipped"]),
                      str(s["failures"]))
    t = data["totals"]
    assert isinstance(t, dict)
    table.add_row("total", str(t["pages_fetched"]), str(t["new"]), str(t["duplicates"]), str(t["skipped"]),
                  str(t["failures"]), style="bold")
    console = Console()
    console.print(table)
    for err in stats.discovery_errors:
        console.print(f"[yellow]discovery:[/] {err[1]}: {err[0]}")
    for warning in stats.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    if stats.interrupted:
        console.print("[yellow]interrupted: the next run continues where this one stopped[/]")


def _load_checked_sources(path: Path) -> list[Source]:
    """sources.toml plus the checks that need other stages (profile names)."""
    from scraper.extract import PROFILES
    from scraper.sources import load_sources

    sources = load_sources(path)
    for s in sources:
        if s.profile is not None and s.profile not in PROFILES:
            raise ConfigError(f"{path}: source {s.id!r}: unknown profile {s.profile!r} "
                              f"(known: {', '.join(sorted(PROFILES))})")
    return sources


def _check_sources(path: Path, as_json: bool) -> int:
    sources = _load_checked_sources(path)
    if as_json:
        _print_json({"sources": len(sources), "ok": True, "ids": [s.id for s in sources]})
        return 0
    for s in sources:
        click.echo(f"{s.id:24} {s.name}  feeds {len(s.feeds)}, sitemaps {len(s.sitemaps)}, "
                   f"listings {len(s.listings)}, profile {s.profile or 'auto'}")
    click.echo(f"{path}: {len(sources)} source(s) OK")
    return 0


def _run_crawl(cfg: Config, sources_path: Path, *, max_pages: int | None, since: date | None, refresh: bool,
               user_dict: Path | None, quiet: bool, as_json: bool, workers: int | None = None) -> int:
    from pipelines import run

    sources = _load_checked_sources(sources_path)
    with phase_progress(quiet) as progress:
        stats = run.crawl(cfg, sources, max_pages=max_pages, since=since, refresh=refresh,
                          user_dict=user_dict, on_progress=progress, workers=workers)
    if as_json:
        _print_json(stats.to_dict())
    elif not quiet:
        _summary_table(stats)
    return stats.exit_code


@click.command()
@common
@json_option
@click.option("--sources", "sources_path", type=click.Path(path_type=Path), default=Path("sources.toml"),
              show_default=True, help="Sources file (TOML, see README).")
@click.option("--max-pages", type=click.IntRange(min=1),
              help="At most N article pages per source (pages a killed run left in the archive count).")
@click.option("--since", help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("--refresh", is_flag=True, help="Refetch pages that are already stored or failed.")
@click.option("--allow-private-hosts", is_flag=True,
              help="Let hosts named in the sources file be private/loopback (demo, tests).")
@click.option("--user-dict", type=click.Path(path_type=Path), help=USER_DICT_HELP)
@click.option("--check", is_flag=True, help="Only validate the sources file and exit (0 ok, 2 invalid).")
@archive_options
@workers_option
def crawl(db: Path, quiet: bool, verbose: bool, as_json: bool, sources_path: Path, max_pages: int | None,
          since: str | None, refresh: bool, allow_private_hosts: bool, user_dict: Path | None, check: bool,
          archive_dir: Path | None, no_archive: bool, archive_all: bool, workers: int | None) -> None:
    """One incremental, resumable crawl run of every source.

    Example: newscorpus crawl --sources sources.toml --since 2026-11-01
    """
    _setup_logging(quiet, verbose)
    if check:
        _guard(lambda: _check_sources(sources_path, as_json))
    cfg = Config(db_path=db)
    cfg = replace(cfg, fetch=replace(cfg.fetch, allow_private_hosts=allow_private_hosts))
    cfg = with_archive(cfg, archive_dir, no_archive, archive_all)
    since_d = _date(since, "--since")
    _guard(lambda: _run_crawl(cfg, sources_path, max_pages=max_pages, since=since_d, refresh=refresh,
                              user_dict=user_dict, quiet=quiet, as_json=as_json, workers=workers))


@click.command()
@common
@json_option
@click.option("--port", type=click.IntRange(1, 65535), help="First port of the demo sites (default: free ports).")
@click.option("--serve-only", is_flag=True, help="Only serve the demo sites until Ctrl-C.")
@click.option("--out", type=click.Path(path_type=Path), default=Path("report.html"), show_default=True,
              help="Where to write the coverage report.")
@archive_options
@workers_option
def demo(db: Path, quiet: bool, verbose: bool, as_json: bool, port: int | None, serve_only: bool,
         out: Path, archive_dir: Path | None, no_archive: bool, archive_all: bool, workers: int | None) -> None:
    """Serve the bundled demo sites on 127.0.0.1 and run the nightly crawl against them.

    Example: newscorpus demo && newscorpus search 바이오
    """
    _setup_logging(quiet, verbose)
    from demo.server import serve

    def body() -> int:

        with serve(port=port) as running:
            if serve_only:
                for site, url in running.base_urls.items():
                    click.echo(f"{site}\t{url}")
                click.echo("serving the demo sites; Ctrl-C to stop", err=True)
                try:
                    import threading

                    threading.Event().wait()
                except KeyboardInterrupt:
                    return 0
            with tempfile.TemporaryDirectory() as tmp:
                sources = Path(tmp, "sources.toml")
                sources.write_text(running.sources_toml(), encoding="utf-8")
                cfg = Config(db_path=db)
                cfg = replace(cfg, fetch=replace(cfg.fetch, allow_private_hosts=True))
                cfg = with_archive(cfg, archive_dir, no_archive, archive_all)
                code = _run_crawl(cfg, sources, max_pages=None, since=None, refresh=False, user_dict=None,
                                  quiet=quiet, as_json=as_json, workers=workers)
        from importlib.resources import files

        _write_report(db, Path(str(files("demo").joinpath("watchlist.toml"))), None, out)
        if not quiet and not as_json:
            click.echo(f"corpus: {db}   report: {out}   try: newscorpus search 바이오 --db {db}")
        return code

    _guard(body)
