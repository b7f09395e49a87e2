"""Kiwi morphological analysis, batched.

One Kiwi model per process (loading it takes about a second and ~100 MB); callers build a Tokenizer
once and pass it around (no module-level instance).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

from scraper.models import Token, TokenizedDoc

log = logging.getLogger(__name__)

NOUN_TAGS = frozenset({"NNG", "NNP", "SL", "SH"})
# Query analysis keeps only these: content morphemes that the index also has (particles and endings
# would make "바이오가" require "가" and miss "바이오는").
CONTENT_PREFIXES = ("NN", "VV", "VA", "XR", "SL", "SH", "SN", "MAG", "NR", "NP")


class Tokenizer:
    """Wraps one kiwipiepy.Kiwi instance."""

    def __init__(self, user_dict: Path | None = None, num_workers: int | None = None) -> None:
        from kiwipiepy import Kiwi  # imported lazily: the model load is the expensive part

        self._kiwi = Kiwi(num_workers=num_workers)
        bundled = Path(__file__).parent / "data" / "user_dict.tsv"
        for path in (bundled, user_dict):
            if path is not None:
                self._load_user_dict(path)

    def _load_user_dict(self, path: Path) -> None:
        """Add `word<TAB>TAG[<TAB>score]` lines; a missing/bad file is a ConfigError."""
        from scraper.errors import ConfigError

        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(f"cannot read user dictionary {path}: {exc.strerror}") from exc
        for n, line in enumerate(lines, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split("\t")
            try:
                score = float(parts[2]) if len(parts) > 2 else 0.0
                self._kiwi.add_user_word(parts[0], parts[1] if len(parts) > 1 else "NNP", score)
            except (ValueError, IndexError) as exc:
                raise ConfigError(f"{path}:{n}: bad user dictionary line: {line!r}") from exc

    def tokenize_many(self, texts: Sequence[str]) -> list[TokenizedDoc]:
        """Analyse many texts in one batched Kiwi call."""
        if not texts:
            return []
        results: Iterable[list[object]] = self._kiwi.tokenize(list(texts))
        return [
            TokenizedDoc(tuple(Token(t.form, t.tag, t.start, t.len) for t in toks))  # type: ignore[attr-defined]
            for toks in results
        ]

    def query_terms(self, text: str) -> list[str]:
        """Morpheme forms of a search query, analysed exactly like indexed text."""
        doc = self.tokenize_many([text])[0]
        return [t.form for t in doc.tokens if t.tag.startswith(CONTENT_PREFIXES)]


def analysed_text(title: str, body: str) -> str:
    """The text whose morphemes are stored: offsets in `tokens` point into this string."""
    return f"{title}\n{body}"


def nouns(doc: TokenizedDoc) -> list[str]:
    return [t.form for t in doc.tokens if t.tag in NOUN_TAGS]


def encode_tokens(doc: TokenizedDoc) -> tuple[str, str]:
    """The documented `tokens` layout: 'form/TAG' joined by spaces, and 'start:length' joined by spaces."""
    morphemes = " ".join(f"{t.form.replace(' ', '_')}/{t.tag}" for t in doc.tokens)
    offsets = " ".join(f"{t.start}:{t.length}" for t in doc.tokens)
    return morphemes, offsets


def decode_tokens(morphemes: str, offsets: str) -> TokenizedDoc:
    toks = []
    for m, o in zip(morphemes.split(), offsets.split(), strict=True):
        form, _, tag = m.rpartition("/")
        start, _, length = o.partition(":")
        toks.append(Token(form.replace("_", " "), tag, int(start), int(length)))
    return TokenizedDoc(tuple(toks))
