"""The raw-archive options shared by `crawl` and `demo` (--archive-dir, --no-archive, --archive-all)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from scraper.config import Config

F = TypeVar("F", bound=Callable[..., Any])


def archive_options(fn: F) -> F:
    fn = click.option("--archive-all", is_flag=True,
                      help="Also archive feeds, sitemaps and listing pages, not only article pages.")(fn)
    fn = click.option("--no-archive", is_flag=True, help="Do not keep the fetched pages in the raw archive.")(fn)
    fn = click.option("--archive-dir", type=click.Path(path_type=Path),
                      help="Folder of the raw archive's WARC files (default: archive/ beside the database).")(fn)
    return fn


def with_archive(cfg: Config, archive_dir: Path | None, no_archive: bool, archive_all: bool) -> Config:
    """cfg with the archive options applied (CLI flags over the defaults)."""
    archive = replace(cfg.archive, enabled=not no_archive, scope="all" if archive_all else cfg.archive.scope,
                      directory=archive_dir if archive_dir is not None else cfg.archive.directory)
    return replace(cfg, archive=archive)
