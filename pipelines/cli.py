"""The `newscorpus` command: a thin click layer over pipelines.run and the query modules.

Exit codes: 0 ok, 1 partial failure (some pages/lines failed, nothing lost), 2 usage or input error
(one line on stderr, no traceback). Data goes to stdout (--json: one JSON document); logs and
progress go to stderr.

This module holds the command group, `extract` and `import`; the other commands live in
`commands_*.py` (crawl/demo, queries, report, reextract, backfill) and the shared options and
error handling in `cli_common.py`.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from pipelines.cli_common import (
    USER_DICT_HELP,
    _guard,
    _print_json,
    _setup_logging,
    common,
    json_option,
    workers_option,
)
from pipelines.progress import phase_progress
from scraper.config import Config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newscorpus")
def main() -> None:
    """Build a clean, deduplicated, searchable corpus of Korean news.

    Example: newscorpus crawl --sources sources.toml && newscorpus search 바이오
    """


# -- extract / import --------------------------------------------------------------------------

@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--url", help="The page URL (helps profile detection); default: the file's canonical link.")
@json_option
@click.option("--quiet", "-q", is_flag=True, help="Only errors on stderr.")
def extract(files: tuple[Path, ...], url: str | None, as_json: bool, quiet: bool) -> None:
    """Extract articles from saved HTML files (no database).

    Given several pages of one site, text blocks repeated across them (sidebars, footers) are learned
    and left out of pages no extraction profile knows.

    Example: newscorpus extract page.html --url https://www.example.kr/news/articleView.html?idxno=1 --json
    """
    from pipelines.extract_files import extract_files

    def body() -> int:

        failed = 0
        for result in extract_files(files, url):
            failed += "error" in result
            if as_json:
                click.echo(json.dumps(result, ensure_ascii=False))
            else:
                _print_extracted(result)
        if failed and not quiet:
            click.echo(f"{failed} of {len(files)} file(s) could not be extracted", err=True)
        return 1 if failed else 0

    _guard(body)


def _print_extracted(result: dict[str, object]) -> None:
    click.echo(f"== {result['file']}")
    if "error" in result:
        click.echo(f"error: {result['error']}")
        return
    for key in ("title", "author", "published", "profile", "url"):
        click.echo(f"{key}: {result.get(key) or ''}")
    click.echo("")
    click.echo(str(result.get("body", "")))
    click.echo("")


@main.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@common
@json_option
@click.option("--user-dict", type=click.Path(path_type=Path), help=USER_DICT_HELP)
@workers_option
def import_(file: Path, db: Path, quiet: bool, verbose: bool, as_json: bool, user_dict: Path | None,
            workers: int | None) -> None:
    """Import already-fetched articles from JSONL (url, title, body; published, author, source).

    Example: newscorpus import articles.jsonl --db corpus.db
    """
    _setup_logging(quiet, verbose)

    def body() -> int:
        from pipelines import run

        with phase_progress(quiet) as progress:
            done = [0]

            def tick(n: int) -> None:
                done[0] += n
                progress("import", done[0], 0)

            result = run.import_file(Config(db_path=db), file, user_dict=user_dict, on_progress=tick,
                                     workers=workers)
        stats = result.stats
        if as_json:
            _print_json({"run_id": result.run_id, **stats.to_dict()})
        else:
            for n, err in stats.bad_lines:
                click.echo(f"newscorpus: {file}:{n}: {err}", err=True)
            for n, warn in stats.warnings:
                if not quiet:
                    click.echo(f"newscorpus: {file}:{n}: warning: {warn}", err=True)
            if not quiet:
                click.echo(f"imported {stats.stored} article(s) ({stats.duplicates} duplicates, "
                           f"{stats.already_stored} already stored), {len(stats.bad_lines)} bad line(s)")
        return stats.exit_code

    _guard(body)



from pipelines import commands_backfill, commands_crawl, commands_query, commands_report  # noqa: E402 - registered last
from pipelines.commands_reextract import reextract  # noqa: E402

main.add_command(reextract)
main.add_command(commands_backfill.backfill)
main.add_command(commands_backfill.merge)
for command in (commands_crawl.crawl, commands_crawl.demo, commands_query.search, commands_query.stats,
                commands_query.clusters, commands_query.dedup, commands_query.export, commands_report.report):
    main.add_command(command)
