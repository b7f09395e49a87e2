"""Settings with their defaults, in one place. Stages get only the section they need."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class FetchConfig:
    user_agent: str = "newscorpus-bot/0.1 (+https://github.com/newscorpus/newscorpus)"
    timeout_s: float = 15.0  # connect/read timeout of one request
    min_delay_s: float = 1.0  # per origin, between requests (a source's `rate` replaces it)
    per_host_concurrency: int = 1  # requests in flight to one origin
    global_concurrency: int = 16  # requests in flight over all origins
    max_retries: int = 2  # 3 attempts in total
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    backoff_base_s: float = 1.0  # first retry waits about this long, doubling after
    max_retry_after_s: float = 120.0  # cap on a server's Retry-After
    max_bytes: int = 5 * 1024 * 1024  # body size cap, enforced while streaming
    max_redirects: int = 5
    obey_robots: bool = True
    allow_private_hosts: bool = False  # only for hosts named in sources.toml (demo, tests)


@dataclass(frozen=True, slots=True)
class DedupConfig:
    shingle_size: int = 5  # character n-grams over the normalized body
    num_perm: int = 128  # MinHash permutations
    bands: int = 64  # LSH bands (rows = num_perm // bands = 2): candidates from Jaccard ~0.15
    threshold: float = 0.35  # share of the shorter body in long verbatim runs to call it a copy
    seed: int = 20240611  # MinHash permutations; fixed so signatures agree across processes
    max_candidates: int = 20  # LSH candidates verified per article, most shared bands first
    min_run: int = 16  # characters (Hangul/Latin/digits) for a common run to count as verbatim
    min_shared: int = 100  # characters in verbatim runs, at least, for a copy (short texts)
    contained: float = 0.9  # a body this much inside another is a copy however short it is
    sentence_similarity: float = 0.5  # shared 4-grams / shorter sentence for two sentences to align
    max_conflict_share: float = 0.2  # aligned sentences whose numbers disagree (template twins)
    prepared_cache: int = 2048  # candidates' verifier texts kept in memory (~6 KB each)
    title_similarity: float = 0.8  # headlines this alike (difflib ratio of keys) are evidence of a copy
    title_threshold: float = 0.2  # runs share that suffices for a copy with such a headline
    title_min_shared: int = 60  # and the verbatim characters it needs


@dataclass(frozen=True, slots=True)
class ArchiveConfig:
    enabled: bool = True  # keep every fetched article page in WARC files next to the database
    directory: Path | None = None  # where the WARC files go; None = <database folder>/archive
    max_file_bytes: int = 1024**3  # start a new WARC file once the current one passes this size
    scope: str = "articles"  # "articles" (article pages) or "all" (also feeds, sitemaps, listings)

    def folder(self, db_path: Path) -> Path:
        """The archive folder for a corpus at db_path."""
        return self.directory if self.directory is not None else db_path.parent / "archive"


@dataclass(frozen=True, slots=True)
class Config:
    db_path: Path = Path("corpus.db")
    fetch: FetchConfig = field(default_factory=FetchConfig)
    dedup: DedupConfig = field(default_factory=DedupConfig)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
