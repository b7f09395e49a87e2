"""Turn response bytes into text, getting Korean legacy encodings right.

Order (first that applies wins):
1. the source's `encoding` override;
2. the body is valid UTF-8 → UTF-8 (a non-ASCII body that decodes strictly as UTF-8 is UTF-8
   whatever its label says);
3. a non-UTF-8 label from the Content-Type header, else from `<meta charset>` /
   `<meta http-equiv>` / the XML declaration → that codec, bad bytes replaced;
4. strict CP949 → CP949 (Korean servers often label EUC-KR pages as UTF-8 or not at all);
5. UTF-8 with at most a few bad bytes (a page cut mid-character) → UTF-8;
6. charset-normalizer's best guess; 7. UTF-8 with replacement.

EUC-KR is always decoded as CP949 (its superset): real "EUC-KR" pages use the extended
Hangul syllables (e.g. 똠, 햏) that strict EUC-KR cannot decode.
"""

from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.\-]+)["']""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_SNIFF_BYTES = 4096
_FEW_BAD_BYTES = 3

# Labels that mean "Korean, some flavour of KS X 1001": decode all as cp949.
_KOREAN_LABELS = frozenset(
    {
        "euc-kr",
        "euc_kr",
        "euckr",
        "ks_c_5601-1987",
        "ks_c_5601",
        "ksc5601",
        "ksc_5601",
        "korean",
        "x-windows-949",
        "windows-949",
        "ms949",
        "uhc",
        "cp949",
        "x-euc-kr",
        "iso-ir-149",
        "csksc56011987",
    }
)


def normalize_label(label: str | None) -> str | None:
    """A Python codec name for an HTTP/HTML charset label, or None if unknown."""
    if not label:
        return None
    low = label.strip().strip("\"'").lower()
    if low in _KOREAN_LABELS:
        return "cp949"
    try:
        name = codecs.lookup(low).name
    except LookupError:
        return None
    return "cp949" if name == "euc_kr" else name


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, normalized."""
    if not content_type:
        return None
    m = _HEADER_CHARSET.search(content_type)
    return normalize_label(m.group(1)) if m else None


def declared_charset(body: bytes) -> str | None:
    """The charset a document declares about itself (meta tag or XML declaration)."""
    head = body[:_SNIFF_BYTES]
    m = _XML_DECL.search(head) or _META_CHARSET.search(head)
    return normalize_label(m.group(1).decode("ascii", "replace")) if m else None


def _strict(body: bytes, codec: str) -> str | None:
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_body(body: bytes, content_type: str | None = None, override: str | None = None) -> tuple[str, str]:
    """Decode a response body; returns (text, codec name used)."""
    if override:
        codec = normalize_label(override) or override
        return body.decode(codec, errors="replace"), codec
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8"
    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    label = header_charset(content_type)
    if label is None or label == "utf-8":
        label = declared_charset(body) or label
    if label is not None and label not in ("utf-8", "ascii"):
        try:
            return body.decode(label, errors="replace"), label
        except LookupError:
            pass
    text = _strict(body, "cp949")
    if text is not None:
        return text, "cp949"
    lossy = body.decode("utf-8", errors="replace")
    if lossy.count("\ufffd") <= _FEW_BAD_BYTES:
        return lossy, "utf-8"
    from charset_normalizer import from_bytes  # the last resort; importing it costs ~25 ms of start-up

    best = from_bytes(body).best()
    if best is not None:
        codec = normalize_label(best.encoding) or best.encoding
        try:
            return body.decode(codec, errors="replace"), codec
        except LookupError:
            pass
    return lossy, "utf-8"
