"""Kiwi morphological analysis, batched.

One Kiwi model per process (loading it takes about a second and ~100 MB); callers build a Tokenizer
once and pass it around (no module-level instance).
"""

from __future__ import annotations

import itertools
import logging
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol

from scraper.models import Token, TokenizedDoc

log = logging.getLogger(__name__)

NOUN_TAGS = frozenset({"NNG", "NNP", "SL", "SH"})
# Query analysis keeps only these: content morphemes that the index also has (particles and endings
# would make "바이오가" require "가" and miss "바이오는").
CONTENT_PREFIXES = ("NN", "VV", "VA", "XR", "SL", "SH", "SN", "MAG", "NR", "NP")

# Kiwi's options, set explicitly; each measured against the default Kiwi() on our demo stories and
# synthetic articles by benchmarks/kiwi_options.py (benchmarks/README.md, "Kiwi options"). All are
# Kiwi's defaults: no alternative was both worth its cost and harmless to edited news copy.
MODEL_TYPE = "cong"  # 'cong-global': ×0.33–0.41 speed, 5–7 % of nouns differ, splits 인천경제청
SPACE_TOLERANCE = 0  # 2: no token of the corpus changed (only glues spaced-out syllables like "바이 오")
ANALYSIS_OPTIONS: MappingProxyType[str, Any] = MappingProxyType({
    "typos": None,  # 'basic': ×0.47–0.51 speed, changed 0 of 63 demo stories, fixed 1 of 9 planted typos
    "normalize_coda": False,  # True: no token changed (it is for chat text like '먹었엌ㅋㅋ')
    "split_complex": False,  # True: changes 81–90 % of articles (이어지 → 잇+어+지), for no search gain
    "z_coda": True,  # False: no token changed, speed within the noise (×0.84–1.12)
})


class KiwiToken(Protocol):
    """What kiwipiepy's Token gives us (read straight from its C object, no copy)."""

    form: str
    tag: str
    start: int
    len: int


@dataclass(frozen=True, slots=True)
class EncodedDoc:
    """One article's morphemes as stored: the `tokens` row and the FTS5 text, built in one pass."""

    morphemes: str  # 'form/TAG' joined by spaces (spaces inside a form become '_')
    offsets: str  # 'start:length' joined by spaces, offsets into title + "\n" + body
    nouns: str  # forms with a NOUN_TAGS tag, joined by spaces
    title_forms: str  # forms of morphemes starting before the title's end
    body_forms: str  # forms of morphemes starting after it


class Tokenizer:
    """Wraps one kiwipiepy.Kiwi instance.

    `num_workers`: Kiwi's analysis threads. None or -1 = one per core, 0 = none (everything on the
    calling thread, one text at a time), N = N threads analysing while the caller goes on.
    """

    def __init__(self, user_dict: Path | None = None, num_workers: int | None = None) -> None:
        from kiwipiepy import Kiwi  # imported lazily: the model load is the expensive part

        with warnings.catch_warnings():  # kiwipiepy warns that 0 no longer means "all cores": we mean 0
            warnings.simplefilter("ignore", DeprecationWarning)
            self._kiwi = Kiwi(num_workers=-1 if num_workers is None else num_workers, model_type=MODEL_TYPE)
        self._kiwi.global_config.space_tolerance = SPACE_TOLERANCE
        self._no_threads = num_workers == 0
        self._workers: int | None = None  # Kiwi's thread count, asked once (the call is slow)
        # words go in before the first analysis: adding one after it rebuilds the model (~4 s, measured)
        bundled = Path(__file__).parent / "data" / "user_dict.tsv"
        for path in (bundled, user_dict):
            if path is not None:
                self._load_user_dict(path)

    @property
    def workers(self) -> int:
        """Kiwi's analysis threads (0: none). Asking Kiwi waits for its model, which loads in the background."""
        # Kiwi reports 1 thread for num_workers=0, but then has no batched (threaded) call
        if self._workers is None:
            self._workers = 0 if self._no_threads else int(self._kiwi.num_workers)
        return self._workers

    def wait_loaded(self) -> None:
        """Block until Kiwi's model has loaded. The first question to Kiwi waits for it *holding the GIL*
        (seconds), so a caller with an event loop (the crawl) asks before starting it."""
        _ = self.workers

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
        results: Iterable[list[object]] = (  # without threads Kiwi has no batched call
            (self._kiwi.tokenize(t, **ANALYSIS_OPTIONS) for t in texts) if self.workers == 0
            else self._kiwi.tokenize(list(texts), **ANALYSIS_OPTIONS))
        return [
            TokenizedDoc(tuple(Token(t.form, t.tag, t.start, t.len) for t in toks))  # type: ignore[attr-defined]
            for toks in results
        ]

    def stream(self, texts: Iterable[str]) -> Iterator[Sequence[KiwiToken]]:
        """Kiwi's tokens for each text, in order, pulled lazily from `texts`.

        With worker threads Kiwi reads about 16 texts per thread ahead and analyses them without the
        GIL, so whatever produces `texts` (dedup, inserts) runs while earlier texts are analysed.
        """
        if self.workers == 0:
            return (self._kiwi.tokenize(text, **ANALYSIS_OPTIONS) for text in texts)
        result: Iterator[Sequence[KiwiToken]] = self._kiwi.tokenize(texts, **ANALYSIS_OPTIONS)
        return result

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


def encode_kiwi(tokens: Iterable[KiwiToken | Any], title_len: int) -> EncodedDoc:
    """The `tokens` row and FTS5 text of one analysed `title + "\n" + body`, in one pass over Kiwi's tokens.

    Same strings as encode_tokens / nouns / store.fts_forms, without building a Token per morpheme.
    """
    morphemes: list[str] = []
    offsets: list[str] = []
    noun_forms: list[str] = []
    title_forms: list[str] = []
    body_forms: list[str] = []
    for t in tokens:
        form, tag, start = t.form, t.tag, t.start
        morphemes.append(f"{form.replace(' ', '_')}/{tag}")
        offsets.append(f"{start}:{t.len}")
        if tag in NOUN_TAGS:
            noun_forms.append(form)
        if start < title_len:
            title_forms.append(form)
        elif start > title_len:
            body_forms.append(form)
    return EncodedDoc(" ".join(morphemes), " ".join(offsets), " ".join(noun_forms), " ".join(title_forms),
                      " ".join(body_forms))


class LazyTokenizer(Tokenizer):
    """A Tokenizer that loads Kiwi (seconds) only when a first text needs it: merges of pretokenized
    shards and re-extractions that change nothing never pay for the model."""

    def __init__(self, user_dict: Path | None = None, num_workers: int | None = None) -> None:
        self._user_dict, self._num_workers = user_dict, num_workers
        self._real: Tokenizer | None = None

    def _load(self) -> Tokenizer:
        if self._real is None:
            self._real = Tokenizer(self._user_dict, self._num_workers)
        return self._real

    @property
    def workers(self) -> int:
        return self._load().workers

    def tokenize_many(self, texts: Sequence[str]) -> list[TokenizedDoc]:
        return self._load().tokenize_many(texts) if texts else []

    def stream(self, texts: Iterable[str]) -> Iterator[Sequence[KiwiToken]]:
        it = iter(texts)
        for first in it:  # pulling the first text runs the caller's work up to it; Kiwi loads after
            yield from self._load().stream(itertools.chain((first,), it))
            return

    def query_terms(self, text: str) -> list[str]:
        return self._load().query_terms(text)


class _Morpheme(NamedTuple):
    """A stored Token in the shape encode_kiwi reads (Kiwi's own tokens have `len`)."""

    form: str
    tag: str
    start: int
    len: int


def encode_doc(doc: TokenizedDoc, title_len: int) -> EncodedDoc:
    """encode_kiwi for our own Token records (e.g. the morphemes of a backfill shard)."""
    return encode_kiwi((_Morpheme(t.form, t.tag, t.start, t.length) for t in doc.tokens), title_len)


def reuse_body(title: EncodedDoc, title_len: int, morphemes: str, offsets: str, donor_title_len: int
               ) -> EncodedDoc:
    """A copy's tokens: its own title's morphemes (analysed alone), then the donor's body morphemes.

    `morphemes`/`offsets` are the donor's stored row; its body starts after `donor_title_len`, the
    copy's after `title_len`, so the body offsets are shifted by the difference.
    """
    shift = title_len - donor_title_len
    body_m: list[str] = []
    body_o: list[str] = []
    noun_forms: list[str] = []
    body_forms: list[str] = []
    for m, o in zip(morphemes.split(), offsets.split(), strict=True):
        start, _, length = o.partition(":")
        begin = int(start)
        if begin <= donor_title_len:
            continue
        form, _, tag = m.rpartition("/")
        form = form.replace("_", " ")
        body_m.append(m)
        body_o.append(f"{begin + shift}:{length}")
        if tag in NOUN_TAGS:
            noun_forms.append(form)
        body_forms.append(form)
    return EncodedDoc(_cat(title.morphemes, " ".join(body_m)), _cat(title.offsets, " ".join(body_o)),
                      _cat(title.nouns, " ".join(noun_forms)), title.title_forms, " ".join(body_forms))


def _cat(a: str, b: str) -> str:
    return f"{a} {b}" if a and b else a or b


def decode_tokens(morphemes: str, offsets: str) -> TokenizedDoc:
    toks = []
    for m, o in zip(morphemes.split(), offsets.split(), strict=True):
        form, _, tag = m.rpartition("/")
        start, _, length = o.partition(":")
        toks.append(Token(form.replace("_", " "), tag, int(start), int(length)))
    return TokenizedDoc(tuple(toks))
