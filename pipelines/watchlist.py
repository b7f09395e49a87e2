"""Load and validate a watchlist TOML (entities with aliases/exclude/kind, top-level keywords)."""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from scraper.errors import ConfigError

KINDS = frozenset({"organisation", "programme", "place", "person"})
BUNDLED = Path(__file__).parent / "data" / "watchlist.toml"


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    aliases: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    kind: str = "organisation"

    def matches(self, text: str) -> bool:
        """True when a name/alias occurs and no exclude term does."""
        if any(x in text for x in self.exclude):
            return False
        return any(a in text for a in (self.name, *self.aliases))


@dataclass(frozen=True, slots=True)
class Watchlist:
    entities: tuple[Entity, ...]
    keywords: tuple[str, ...] = ()


def _strings(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where} must be a list of non-empty strings")
    return tuple(unicodedata.normalize("NFC", v.strip()) for v in value)


def load_watchlist(path: Path | None) -> Watchlist:
    path = path or BUNDLED
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"watchlist {path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read watchlist {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"watchlist {path} is not valid TOML: {exc}") from None
    entities = []
    for i, raw in enumerate(data.get("entities", []), 1):
        where = f"{path}: entities[{i}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"].strip():
            raise ConfigError(f"{where} needs a non-empty name")
        kind = raw.get("kind", "organisation")
        if kind not in KINDS:
            raise ConfigError(f"{where}: kind must be one of {', '.join(sorted(KINDS))}, not {kind!r}")
        entities.append(Entity(
            name=unicodedata.normalize("NFC", raw["name"].strip()),
            aliases=_strings(raw.get("aliases", []), f"{where}.aliases"),
            exclude=_strings(raw.get("exclude", []), f"{where}.exclude"),
            kind=kind,
        ))
    keywords = _strings(data.get("keywords", []), f"{path}: keywords")
    if not entities and not keywords:
        raise ConfigError(f"watchlist {path} has no entities and no keywords")
    return Watchlist(tuple(entities), keywords)
