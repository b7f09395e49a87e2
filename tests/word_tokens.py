"""Stand-in morphemes for tests that need rows in `tokens` without loading Kiwi."""

from __future__ import annotations


def whitespace_tokens(title: str, body: str) -> tuple[str, str]:
    """Every whitespace word of `title + "\\n" + body` as an NNG morpheme: ('form/NNG ...', 'start:length ...')."""
    text = f"{title}\n{body}"
    forms, offsets, pos = [], [], 0
    for word in text.split():
        pos = text.index(word, pos)
        forms.append(f"{word}/NNG")
        offsets.append(f"{pos}:{len(word)}")
        pos += len(word)
    return " ".join(forms), " ".join(offsets)
