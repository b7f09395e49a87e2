"""Load a watchlist TOML and find its entities and keywords in stored Kiwi morphemes.

Why morphemes and not substrings: in Korean a name is glued to what follows it, so a substring
test reports "인천시" inside "인천시장" (the mayor) and "바이오" inside the company "오바이오". A term
matches here only when it covers whole morphemes of the stored analysis: either its own Kiwi
analysis occurs as consecutive morpheme forms, or its surface text starts and ends on morpheme
boundaries. Particles stay outside the match ("송도에서" matches 송도), spacing is free
("바이오특화단지" matches "바이오 특화단지"), and the char spans come from the stored offsets, so
the report can highlight them.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from scraper.errors import ConfigError
from scraper.models import TokenizedDoc

KINDS = frozenset({"organisation", "programme", "place", "person"})
BUNDLED = Path(__file__).parent / "data" / "watchlist.toml"
# Punctuation and symbols are skipped on both sides: "인천-경기(시흥)" also matches "인천 경기 시흥".
_SKIP_TAGS = frozenset({"SF", "SP", "SS", "SSO", "SSC", "SE", "SO", "SW", "SB"})


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    aliases: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    kind: str = "organisation"

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.name, *(a for a in self.aliases if a != self.name))


@dataclass(frozen=True, slots=True)
class Watchlist:
    entities: tuple[Entity, ...]
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Span:
    """One match: character offsets into title + "\\n" + body, and the term that matched."""

    start: int
    end: int
    term: str


@dataclass(frozen=True, slots=True)
class ArticleMatches:
    """What one article mentions: entity name -> spans, keyword -> spans (empty ones are left out)."""

    entities: dict[str, tuple[Span, ...]]
    keywords: dict[str, tuple[Span, ...]]

    @property
    def any(self) -> bool:
        return bool(self.entities or self.keywords)


class Analyser(Protocol):
    def tokenize_many(self, texts: list[str]) -> list[TokenizedDoc]: ...


def _norm(form: str) -> str:
    return unicodedata.normalize("NFC", form).casefold()


@dataclass(frozen=True, slots=True)
class _Term:
    text: str
    forms: tuple[str, ...]
    surface: re.Pattern[str]


class Matcher:
    """A watchlist compiled against one Kiwi analyser (the terms are analysed once)."""

    def __init__(self, watchlist: Watchlist, analyser: Analyser) -> None:
        self.watchlist = watchlist
        texts = sorted({t for e in watchlist.entities for t in (*e.terms, *e.exclude)} | set(watchlist.keywords))
        docs = analyser.tokenize_many(texts) if texts else []
        self._terms = {text: _compile(text, doc) for text, doc in zip(texts, docs, strict=True)}

    @property
    def term_forms(self) -> frozenset[str]:
        """Every morpheme form of every watched term (left out of the co-occurring nouns)."""
        return frozenset(f for t in self._terms.values() for f in t.forms)

    def find(self, text: str, doc: TokenizedDoc) -> ArticleMatches:
        """Entities and keywords in one analysed text (title + "\\n" + body and its stored tokens).

        An exclude term anywhere in the article cancels that entity for the article.
        """
        tokens = [(_norm(t.form), t.start, t.start + t.length) for t in doc.tokens if t.tag not in _SKIP_TAGS]
        starts = {t.start for t in doc.tokens}
        ends = {t.start + t.length for t in doc.tokens}
        entities: dict[str, tuple[Span, ...]] = {}
        for entity in self.watchlist.entities:
            if any(_spans(self._terms[x], text, tokens, starts, ends) for x in entity.exclude):
                continue
            spans = _merge([s for t in entity.terms for s in _spans(self._terms[t], text, tokens, starts, ends)])
            if spans:
                entities[entity.name] = spans
        keywords: dict[str, tuple[Span, ...]] = {}
        for kw in self.watchlist.keywords:
            spans = _merge(_spans(self._terms[kw], text, tokens, starts, ends))
            if spans:
                keywords[kw] = spans
        return ArticleMatches(entities, keywords)


def _compile(text: str, doc: TokenizedDoc) -> _Term:
    forms = tuple(_norm(t.form) for t in doc.tokens if t.tag not in _SKIP_TAGS)
    pieces = [re.escape(p) for p in text.split()]
    return _Term(text, forms, re.compile(r"\s*".join(pieces), re.IGNORECASE))


def _spans(term: _Term, text: str, tokens: list[tuple[str, int, int]], starts: set[int],
           ends: set[int]) -> list[Span]:
    found: list[Span] = []
    n = len(term.forms)
    if n:
        first = term.forms[0]
        for i, (form, start, _end) in enumerate(tokens):
            if form == first and tuple(f for f, _, _ in tokens[i:i + n]) == term.forms:
                found.append(Span(start, tokens[i + n - 1][2], term.text))
    # The term analysed on its own can split differently from the same words in context.
    for m in term.surface.finditer(text):
        if m.start() in starts and m.end() in ends:
            found.append(Span(m.start(), m.end(), term.text))
    return found


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    """Sorted, without spans nested in or overlapping an earlier one (the longer match wins)."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if out and s.start < out[-1].end:
            continue
        out.append(s)
    return tuple(out)


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where} must be a list of non-empty strings")
    return tuple(unicodedata.normalize("NFC", v.strip()) for v in value)


def load_watchlist(path: Path | None) -> Watchlist:
    """Read and validate a watchlist; None means the bundled bio-cluster watchlist."""
    path = path or BUNDLED
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"watchlist {path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read watchlist {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"watchlist {path} is not valid TOML: {exc}") from None
    raw_entities = data.get("entities", [])
    if not isinstance(raw_entities, list):
        raise ConfigError(f"{path}: entities must be an array of tables ([[entities]])")
    entities = []
    names: set[str] = set()
    for i, raw in enumerate(raw_entities, 1):
        where = f"{path}: entities[{i}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
            raise ConfigError(f"{where} needs a non-empty name")
        unknown = set(raw) - {"name", "aliases", "exclude", "kind"}
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        kind = raw.get("kind", "organisation")
        if kind not in KINDS:
            raise ConfigError(f"{where}: kind must be one of {', '.join(sorted(KINDS))}, not {kind!r}")
        name = unicodedata.normalize("NFC", raw["name"].strip())
        if name in names:
            raise ConfigError(f"{where}: duplicate entity name {name!r}")
        names.add(name)
        entities.append(Entity(
            name=name,
            aliases=_strings(raw.get("aliases", []), f"{where}.aliases"),
            exclude=_strings(raw.get("exclude", []), f"{where}.exclude"),
            kind=kind,
        ))
    keywords = _strings(data.get("keywords", []), f"{path}: keywords")
    if not entities and not keywords:
        raise ConfigError(f"watchlist {path} has no entities and no keywords")
    return Watchlist(tuple(entities), keywords)
