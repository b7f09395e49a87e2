"""`newscorpus backfill` and `newscorpus merge`: the CLI over pipelines.backfill.api."""

from __future__ import annotations

import os
from pathlib import Path

import click

from pipelines.cli_common import _guard, _print_json, _setup_logging, common, json_option
from pipelines.progress import phase_progress
from scraper.config import Config


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="WARC_OR_GLOB...")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Folder the Parquet shards are written to (created if missing).")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: a process pool on this machine; ray: Ray tasks (pip install 'newscorpus[scale]').")
@click.option("--address", help="Ray cluster to join (e.g. 10.0.0.5:6379 or auto); default: a private local Ray.")
@click.option("--workers", type=click.IntRange(1, 4096), default=None,
              help="Worker processes (local) or CPUs of the private Ray. Default: all cores.")
@click.option("--hosts", "hosts_file", type=click.Path(path_type=Path),
              help="Keep only these hosts: one a line, optionally `host source_id`; # comments.")
@click.option("--min-hangul", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Share of Hangul among a body's letters for a page to count as Korean.")
@click.option("--records-per-task", type=click.IntRange(1), default=5000, show_default=True,
              help="Files over --split-mb are cut into tasks of this many records.")
@click.option("--split-mb", type=click.FloatRange(0), default=256, show_default=True,
              help="Files larger than this are cut into several tasks.")
@click.option("--user-dict", type=click.Path(path_type=Path), help="Extra Kiwi user dictionary (word<TAB>TAG).")
@common
@json_option
def backfill(inputs: tuple[str, ...], out: Path, engine: str, address: str | None, workers: int | None,
             hosts_file: Path | None, min_hangul: float, records_per_task: int, split_mb: float,
             user_dict: Path | None, db: Path, quiet: bool, verbose: bool, as_json: bool) -> None:
    """Extract, dedup-hash and tokenize Korean news pages from WARC files into Parquet shards.

    Runs in parallel tasks (one per file, or per chunk of a big file); `newscorpus merge` then
    stores the shards. --db is not used (shards are written to --out).

    Example: newscorpus backfill 'crawls/*.warc.gz' --out shards/ --engine ray --workers 8
    """
    _setup_logging(quiet, verbose)

    def body() -> int:
        from pipelines.backfill.api import run_backfill
        from pipelines.backfill.driver import Plan, expand_inputs
        from pipelines.backfill.filters import HostFilter, load_hosts
        from pipelines.backfill.task import TaskSettings
        from scraper.errors import InputError

        if out.exists() and not out.is_dir():
            raise InputError(f"--out {out} is a file, not a folder")
        files = expand_inputs(inputs)
        hosts = load_hosts(hosts_file) if hosts_file else HostFilter()
        settings = TaskSettings(out_dir=str(out), hosts=hosts, dedup=Config().dedup,
                                user_dict=str(user_dict) if user_dict else None, min_hangul=min_hangul)
        plan = Plan(split_bytes=int(split_mb * 1024 * 1024), records_per_task=records_per_task)
        with phase_progress(quiet) as progress:
            stats = run_backfill(files, settings, engine=engine, workers=workers or os.cpu_count() or 1,
                                 address=address, plan=plan,
                                 on_progress=lambda done, total: progress("backfill", done, total))
        if as_json:
            _print_json(stats.to_dict())
        else:
            for _file, err in sorted(stats.failures):
                click.echo(f"newscorpus: {err}", err=True)
            if not quiet:
                _backfill_table(stats.to_dict())
        return stats.exit_code

    _guard(body)


def _backfill_table(data: dict[str, object]) -> None:
    from rich.console import Console  # imported here: commands that print no table skip loading rich
    from rich.table import Table

    table = Table(title=f"backfill ({data['engine']}, {data['workers']} workers) — {data['seconds']} s")
    table.add_column("")
    table.add_column("count", justify="right")
    for key in ("files", "tasks", "records", "pages_kept", "shards_written"):
        table.add_row(key.replace("_", " "), str(data[key]))
    skipped = data["skipped"]
    assert isinstance(skipped, dict)
    for reason, n in skipped.items():
        table.add_row(f"skipped: {reason}", str(n))
    Console().print(table)


@click.command()
@click.argument("shards_dir", type=click.Path(path_type=Path))
@click.option("--user-dict", type=click.Path(path_type=Path), help="Extra Kiwi user dictionary (word<TAB>TAG).")
@common
@json_option
def merge(shards_dir: Path, user_dict: Path | None, db: Path, quiet: bool, verbose: bool, as_json: bool) -> None:
    """Merge backfill shards into the corpus with the nightly crawl's dedup rules (idempotent).

    Example: newscorpus merge shards/ --db corpus.db
    """
    _setup_logging(quiet, verbose)

    def body() -> int:
        from pipelines.backfill.api import merge_folder

        with phase_progress(quiet) as progress:
            result = merge_folder(Config(db_path=db), shards_dir, user_dict=user_dict,
                                  on_progress=lambda done, total: progress("merge", done, total))
        stats = result.stats
        if as_json:
            _print_json({"run_id": result.run_id, **stats.to_dict()})
        else:
            for _shard, err in stats.failures:
                click.echo(f"newscorpus: {err}", err=True)
            if not quiet:
                click.echo(f"merged {stats.merged} shard(s) ({stats.already_merged} already merged): "
                           f"{stats.new} new, {stats.duplicates} duplicates, {stats.already_stored} already stored")
        return stats.exit_code

    _guard(body)
