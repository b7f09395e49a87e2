"""The vocabulary of articles_fts: every term the index holds, so a prefix query can be expanded.

FTS5 answers `바이*` without a prefix index by merging the whole doclist of every term that starts
with `바이` into one list in memory, then ranking it: on a 1M-article corpus that costs ~50 ms for a
stem found in a quarter of the articles, whatever the rank window. Rewriting the prefix as an OR of
the terms it covers (`"바이오" OR "바이러스"`) lets FTS5 walk the doclists incrementally like any other
query. FTS5 has no cheap way to list its terms (fts5vocab counts every doclist it passes), so the
store keeps them in `fts_terms` as it indexes: one `INSERT OR IGNORE` per distinct term of an
article, which writes nothing once a term is known.

Terms are split and folded the way the table's tokenizer (`unicode61 remove_diacritics 0`) does it:
runs of letters, numbers and private-use characters, lower-cased. The table only grows (a term
whose last article is gone expands to an OR branch that matches nothing), and a database whose
vocabulary predates the table is filled from the index itself (`fill_from_index`).
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterable

SCHEMA = "CREATE TABLE IF NOT EXISTS fts_terms (term TEXT PRIMARY KEY) WITHOUT ROWID"
# A prefix covering more terms than this is left to FTS5's own prefix search (one merge is then
# cheaper than a very wide OR).
MAX_EXPANSION = 64


def _split(word: str) -> list[str]:
    """unicode61's split of one folded word: runs of L*, N* and Co characters."""
    parts: list[str] = []
    run: list[str] = []
    for ch in word:
        cat = unicodedata.category(ch)
        if cat[0] in "LN" or cat == "Co":
            run.append(ch)
        elif run:
            parts.append("".join(run))
            run = []
    if run:
        parts.append("".join(run))
    return parts


def terms_of(*texts: str) -> set[str]:
    """The distinct FTS terms of the given indexed texts (morpheme forms joined by spaces)."""
    out: set[str] = set()
    for text in texts:
        for word in set(text.split()):
            folded = word.lower()
            if folded.isalnum():  # letters and numbers only: one term (the common case)
                out.add(folded)
            else:
                out.update(_split(folded))
    return out


def add(conn: sqlite3.Connection, terms: Iterable[str]) -> None:
    """Record terms (no commit: the caller's transaction)."""
    conn.executemany("INSERT OR IGNORE INTO fts_terms (term) VALUES (?)", ((t,) for t in terms))


def fill_from_index(conn: sqlite3.Connection) -> int:
    """Add every term articles_fts holds (reads the whole index once); no commit. Returns the count."""
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms_vocab USING fts5vocab(main, articles_fts, row)")
    try:
        conn.execute("INSERT OR IGNORE INTO fts_terms (term) SELECT term FROM temp.fts_terms_vocab")
    finally:
        conn.execute("DROP TABLE temp.fts_terms_vocab")
    return int(conn.execute("SELECT count(*) FROM fts_terms").fetchone()[0])


def expand(conn: sqlite3.Connection, prefix: str, limit: int = MAX_EXPANSION) -> list[str] | None:
    """The known terms starting with `prefix` (folded like the index), or None when there are more than `limit`."""
    folded = prefix.lower()
    rows = conn.execute(
        "SELECT term FROM fts_terms WHERE term >= ? AND term < ? ORDER BY term LIMIT ?",
        (folded, folded + "\U0010ffff", limit + 1),
    ).fetchall()
    return None if len(rows) > limit else [str(r[0]) for r in rows]
