"""The commands that read the corpus: search, stats, clusters, dedup, export."""

from __future__ import annotations

from pathlib import Path

import click

from pipelines.cli_common import _date, _guard, _print_json, _setup_logging, common, json_option
from pipelines.progress import phase_progress
from scraper.config import Config

# -- queries -----------------------------------------------------------------------------------

@click.command()
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


@click.command()
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


@click.command()
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


@click.command()
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



@click.command()
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
