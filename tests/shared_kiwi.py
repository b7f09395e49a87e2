"""One Kiwi model for the whole test session: make the pipeline's Tokenizer factories hand it out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def handing_out(tokenizer: Any, *targets: tuple[Any, str]) -> Iterator[None]:
    """While inside, each `(module, name)` factory returns `tokenizer` (e.g. `(run, "Tokenizer")`)."""
    saved = [(module, name, getattr(module, name)) for module, name in targets]
    for module, name, _ in saved:
        setattr(module, name, lambda *args, **kwargs: tokenizer)
    try:
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
