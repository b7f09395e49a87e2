"""Backfill history from WARC archives at scale, then merge it into the corpus.

    WARC files → tasks (engine_local: process pool | engine_ray: Ray) → Parquet shards → merge → corpus.db

Modules: warc_input (read records), filters (which pages), task (one task → one shard, the
function every engine runs), shard (the Parquet layout), driver (plan and run tasks), merge
(shards → store through the Ingestor), api (what the CLI calls). Nothing here imports Ray
unless `--engine ray` is asked for.
"""
