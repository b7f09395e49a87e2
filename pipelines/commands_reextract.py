"""`newscorpus reextract`: the CLI wrapper of pipelines.reextract."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from pipelines.cli_common import _date, _guard, _print_json, _setup_logging, common, json_option
from pipelines.progress import phase_progress
from scraper.config import Config


@click.command()
@common
@json_option
@click.option("--source", help="Only articles of this source id.")
@click.option("--since", help="Only articles published on or after this date (YYYY-MM-DD); undated ones too.")
@click.option("--archive-dir", type=click.Path(path_type=Path),
              help="Folder of the raw archive (default: archive/ beside the database).")
@click.option("--no-restore", is_flag=True, help="Leave article rows deleted since the crawl deleted.")
@click.option("--user-dict", type=click.Path(path_type=Path), help="Extra Kiwi user dictionary (word<TAB>TAG).")
def reextract(db: Path, quiet: bool, verbose: bool, as_json: bool, source: str | None, since: str | None,
              archive_dir: Path | None, no_restore: bool, user_dict: Path | None) -> None:
    """Re-run extraction, tokenization and dedup from the raw archive, updating rows in place (no network).

    Example: newscorpus reextract --source gyeongin --since 2026-01-01
    """
    _setup_logging(quiet, verbose)
    since_d = _date(since, "--since")
    cfg = Config(db_path=db)
    if archive_dir is not None:
        cfg = replace(cfg, archive=replace(cfg.archive, directory=archive_dir))

    def body() -> int:
        from pipelines.reextract import reextract as run_reextract

        with phase_progress(quiet) as progress:
            stats = run_reextract(cfg, source=source, since=since_d, user_dict=user_dict, restore=not no_restore,
                                  on_progress=progress)
        if as_json:
            _print_json(stats.to_dict())
            return stats.exit_code
        for article_id, url, reason in stats.errors + stats.failed:
            click.echo(f"newscorpus: article {article_id} ({url}): {reason}", err=True)
        if not quiet:
            click.echo(f"re-extracted {stats.considered} archived article(s) in {stats.seconds:.1f} s: "
                       f"{stats.updated} updated ({stats.retokenized} with a new text), {stats.restored} restored, "
                       f"{stats.unchanged} unchanged, "
                       f"{len(stats.failed)} failed extraction, {len(stats.errors)} archive error(s); "
                       f"{stats.not_archived} not archived"
                       + (f"; clusters rebuilt ({stats.clusters})" if stats.clusters_rebuilt else ""))
        return stats.exit_code

    _guard(body)
