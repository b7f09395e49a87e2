"""The second candidate channel: articles whose headline is like the new one's.

The body LSH (64 bands of 2 rows over character 5-grams) proposes pairs from a body Jaccard of
about 0.15. Heavily trimmed copies fall below that: in the labelled dev set a release cut to a
third and split into one-sentence lines shares an estimated Jaccard of 0.19 with its original
and, by chance, no band. Such copies nearly always keep the release's headline or change one
word of it, and the verifier already accepts a copy on less verbatim text when the headlines are
alike (`verify.similar_titles`). So headlines get an LSH index of their own, and its candidates
go through exactly the same verifier — the channel only *proposes* pairs, it never decides one.

* Shingles: character 3-grams of the headline key (Hangul, Latin, digits). A one-word change in
  a 12-syllable headline ("…축제 성료" / "…축제 폐막") leaves 3-gram Jaccard ≈ 0.67; the alike
  headline pairs of the dev set range 0.36–1.0.
* 16 bands of 2 rows (32 permutations): P(candidate) = 1-(1-J²)¹⁶ is 0.89 at J = 0.36, 0.97 at
  0.45 and > 0.999 at 0.67. Two rows per band keep a bucket specific (a pair of 3-grams), so
  stock words ("축제", "개최") do not fill one bucket with a whole beat.
* Headline keys shorter than 6 characters get no keys: `similar_titles` ignores them anyway.
* Only candidates whose headline passes `similar_titles` are verified, and only with the
  headline bar (`title_threshold`, `title_min_shared`) — the same rule body-LSH candidates with
  alike headlines already meet. Template twins still need agreeing numbers.
* Bounded cost: per bucket only the `PER_BUCKET` most recent articles are read (copies of one
  release appear within days; a headline that recurs daily, such as a column's name, must not
  make every lookup scan its whole history), and at most `MAX_CANDIDATES` articles sharing the
  most buckets are compared by headline.
"""

from __future__ import annotations

from .minhash import MinHasher, band_keys

SHINGLE = 3
BANDS = 16
ROWS = 2
SEED = 20251126
MIN_KEY = 6  # headline key characters: as `verify._MIN_TITLE`
PER_BUCKET = 32  # most recent articles read from one bucket
MAX_CANDIDATES = 8  # articles, sharing the most buckets, whose headlines are compared
SETTINGS = f"title-char{SHINGLE}/perm{BANDS * ROWS}/bands{BANDS}/seed{SEED}"


class HeadlineHasher:
    """Bucket keys of a headline key for the headline LSH index."""

    def __init__(self) -> None:
        self._hasher = MinHasher(BANDS * ROWS, SHINGLE, SEED)

    def keys(self, title_key: str) -> tuple[int, ...]:
        """`BANDS` signed 64-bit bucket keys, or none for a headline too short to be evidence."""
        if len(title_key) < MIN_KEY:
            return ()
        return tuple(band_keys(self._hasher.signature(title_key), BANDS))
