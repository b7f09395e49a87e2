"""The `newscorpus` command: a thin click layer over pipelines.run and the query modules.

Exit codes: 0 ok, 1 partial failure (some pages/lines failed, nothing lost), 2 usage or input error
(one line on stderr, no traceback). Data goes to stdout (--json: one JSON document); logs and
progress go to stderr.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipelines.cli_archive import archive_options, with_archive
from pipelines.progress import phase_progress
from scraper.config import Config
from scraper.errors import ConfigError, CorpusError, InputError, StoreError

if TYPE_CHECKING:
    from pipelines.crawl import CrawlStats
    from scraper.models import Source

F = TypeVar("F", bound=Callable[..., Any])
DEFAULT_DB = Path("corpus.db")

USER_DICT_HELP = "Extra Kiwi user dictionary: word<TAB>TAG[<TAB>score] lines."


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"newscorpus: error: {message}", err=True)
    sys.exit(code)


def _setup_logging(quiet: bool, verbose: bool) -> None:
    level = logging.DEBUG if verbose else (logging.ERROR if quiet else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("httpx").setLevel(logging.DEBUG if verbose else logging.WARNING)


def common(fn: F) -> F:
    """--db, --quiet and -v on every command."""
    fn = click.option("-v", "--verbose", is_flag=True, help="Debug logging (one line per request).")(fn)
    fn = click.option("--quiet", "-q", is_flag=True, help="No progress bars and only errors on stderr.")(fn)
    fn = click.option("--db", "db", type=click.Path(path_type=Path), default=DEFAULT_DB, show_default=True,
                      help="Corpus database.")(fn)
    return fn


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print one JSON document on stdout.")(fn)


def workers_option(fn: F) -> F:
    """--workers N: Kiwi analysis threads (tokenization is the CPU-heavy stage)."""
    return click.option(
        "--workers", type=click.IntRange(min=0), default=None,
        help="Kiwi analysis threads (default: one per CPU core; 0 = no extra thread).")(fn)


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{name} must be a date like 2026-10-01, not {value!r}")
    return None


def _guard(fn: Callable[[], int | None]) -> None:
    """Run a command body: our errors become one line and exit 2; the body's return is the exit code."""
    try:
        code = fn()
    except (ConfigError, InputError, StoreError) as exc:
        _fail(str(exc))
    except CorpusError as exc:
        _fail(str(exc), 1)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(code or 0)


def _print_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newscorpus")
def main() -> None:
    """Build a clean, deduplicated, searchable corpus of Korean news.

    Example: newscorpus crawl --sources sources.toml && newscorpus search 바이오
    """


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


@main.command()
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


@main.command()
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


# -- queries -----------------------------------------------------------------------------------

@main.command()
@click.argument("query")
@common
@json_option
@click.option("--since", help="Published on or after (YYYY-MM-DD).")
@click.option("--until", help="Published on or before (YYYY-MM-DD).")
@click.option("--source", help="Only this source id.")
@click.option("--author", help="Only articles whose byline contains this name.")
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--include-duplicates", is_flag=True, help="Also show copies of the same story.")
@click.option("--order", type=click.Choice(["rank", "newest"]), default="rank", show_default=True)
def search(query: str, db: Path, quiet: bool, verbose: bool, as_json: bool, since: str | None,
           until: str | None, source: str | None, author: str | None, limit: int, include_duplicates: bool,
           order: str) -> None:
    """Morpheme-aware full-text search ("phrases", OR, NOT/-word, prefix*).

    Example: newscorpus search "바이오 특화단지" --since 2026-10-01
    """
    _setup_logging(quiet, verbose)
    from pipelines.search import search as do_search
    from pipelines.tokenize import Tokenizer

    since_d, until_d = _date(since, "--since"), _date(until, "--until")

    def body() -> int:
        from pipelines import run

        store = run.open_existing(db)
        hits = do_search(store, Tokenizer(), query, since=since_d, until=until_d, source=source, author=author,
                         limit=limit, include_duplicates=include_duplicates, order=order)
        if as_json:
            _print_json({"query": query, "count": len(hits), "results": [h.to_dict() for h in hits]})
            return 0
        if not hits:
            click.echo("no results")
        for h in hits:
            click.echo(f"{h.published or 'undated':25} {h.source or '':12} {h.title}")
            click.echo(f"    {h.snippet}")
            click.echo(f"    {h.url}")
        return 0

    _guard(body)


@main.command()
@common
@json_option
def stats(db: Path, quiet: bool, verbose: bool, as_json: bool) -> None:
    """Counts per source and day, duplicates, last runs.

    Example: newscorpus stats --json
    """
    _setup_logging(quiet, verbose)
    from pipelines.stats import corpus_stats

    def body() -> int:
        from pipelines import run

        data = corpus_stats(run.open_existing(db))
        if as_json:
            _print_json(data)
            return 0
        from rich.console import Console
        from rich.table import Table

        console = Console()
        console.print(f"articles {data['articles']}, unique {data['unique_articles']}, "
                      f"duplicates {data['duplicates']}, clusters with copies {data['clusters_with_copies']}")
        table = Table("source", "articles", "unique", "duplicates", "last published")
        for s in data["sources"]:  # type: ignore[attr-defined]
            table.add_row(s["source"], str(s["articles"]), str(s["unique"]), str(s["duplicates"]), s["last"] or "")
        console.print(table)
        runs = Table("run", "kind", "started", "status", "fetched", "new", "dups", "failures")
        for r in data["runs"]:  # type: ignore[attr-defined]
            runs.add_row(str(r["id"]), r["kind"], r["started_at"], r["status"], str(r["pages_fetched"]),
                         str(r["articles_new"]), str(r["duplicates"]), str(r["failures"]))
        console.print(runs)
        last = data["runs"][0] if data["runs"] else None  # type: ignore[index]
        for warning in ((last or {}).get("summary") or {}).get("warnings", []):
            console.print(f"[yellow]warning (last run):[/] {warning}")
        return 0

    _guard(body)


@main.command()
@common
@json_option
@click.option("--min-size", type=click.IntRange(min=1), default=2, show_default=True)
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
def clusters(db: Path, quiet: bool, verbose: bool, as_json: bool, min_size: int, limit: int) -> None:
    """Duplicate clusters: canonical article, members and outlets.

    Example: newscorpus clusters --min-size 3 --json
    """
    _setup_logging(quiet, verbose)
    from pipelines.stats import list_clusters

    def body() -> int:
        from pipelines import run

        data = list_clusters(run.open_existing(db), min_size=min_size, limit=limit)
        if as_json:
            _print_json(data)
            return 0
        for c in data:
            click.echo(f"cluster {c['cluster_id']} ({c['size']} articles, {', '.join(c['sources'])}): {c['title']}")  # type: ignore[arg-type]
            for m in c["members"]:  # type: ignore[attr-defined]
                mark = "*" if m["canonical"] else " "
                when = m["published"] or "undated"
                click.echo(f"  {mark} {m['id']:>6} {m['source'] or '':12} {when:25} {m['title']}")
        if not data:
            click.echo("no clusters")
        return 0

    _guard(body)


@main.command()
@common
@json_option
@click.option("--rebuild", is_flag=True, help="Recompute every duplicate decision and cluster with current settings.")
def dedup(db: Path, quiet: bool, verbose: bool, as_json: bool, rebuild: bool) -> None:
    """Duplicate decisions: show the settings in use, or --rebuild all clusters.

    Example: newscorpus dedup --rebuild --json
    """
    _setup_logging(quiet, verbose)

    def body() -> int:
        from pipelines import run

        if not rebuild:
            cfg = Config(db_path=db)
            store = run.open_existing(db)
            row = store.conn.execute("SELECT count(*), coalesce(sum(size - 1), 0) FROM clusters").fetchone()
            data = {"settings": {k: getattr(cfg.dedup, k) for k in cfg.dedup.__dataclass_fields__},
                    "clusters": row[0], "duplicates": row[1]}
            if as_json:
                _print_json(data)
            else:
                click.echo(f"{row[0]} clusters, {row[1]} duplicates; settings: {data['settings']}")
                click.echo("run with --rebuild to recompute every cluster with these settings")
            return 0
        with phase_progress(quiet) as progress:
            stats = run.rebuild(Config(db_path=db), on_progress=progress)
        if as_json:
            _print_json(stats.to_dict())
        elif not quiet:
            click.echo(f"rebuilt {stats.clusters} clusters over {stats.articles} articles "
                       f"({stats.duplicates} duplicates, settings {stats.settings_version})")
        return 0

    _guard(body)


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


@main.command()
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


@main.command()
@common
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default="jsonl",
              show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="Output file (default: stdout; parquet needs it).")
@click.option("--include-duplicates", is_flag=True, help="Also export copies, not only canonical articles.")
def export(db: Path, quiet: bool, verbose: bool, fmt: str, out: Path | None, include_duplicates: bool) -> None:
    """Export the corpus with tokens (unique articles unless --include-duplicates).

    Example: newscorpus export --format csv --out corpus.csv
    """
    _setup_logging(quiet, verbose)
    from pipelines.export import export as do_export

    def body() -> int:
        from pipelines import run

        n = do_export(run.open_existing(db), fmt, out, include_duplicates=include_duplicates)
        if out and not quiet:
            click.echo(f"wrote {n} rows to {out}", err=True)
        return 0

    _guard(body)


from pipelines import commands_backfill  # noqa: E402 - registered last: they import the helpers above
from pipelines.commands_reextract import reextract  # noqa: E402

main.add_command(reextract)
main.add_command(commands_backfill.backfill)
main.add_command(commands_backfill.merge)
