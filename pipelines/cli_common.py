"""Options and error handling shared by every `newscorpus` command (one line on stderr, exit 2)."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from scraper.errors import ConfigError, CorpusError, InputError, StoreError

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
