"""Telling articles apart: canonical URLs, content fingerprints and content hashes.

Three questions, three tools:
- *Is this the same URL?* `canonical_url` removes what varies between links to one page (tracking
  parameters, fragments, host case, default ports, a trailing slash).
- *Is this the same text at another URL* (the same wire copy run by two outlets)? `fingerprint`
  is a 64-bit SimHash over word shingles; `near_duplicate` compares two by Hamming distance, so a
  copy with a changed credit line or an extra sentence still matches, while two articles on the
  same event written separately do not.
- *Did the publisher edit an article we have?* Same URL or GUID with a different `content_hash`
  is an update, not a new article.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from briefings.models import Article

_DATA = Path(__file__).resolve().parents[1] / "data" / "ingest_tracking.toml"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_WORD = re.compile(r"\w+")
_COMBINING = re.compile("[\u0300-\u036f]")  # the accents NFKD splits off Latin letters
SHINGLE = 3  # words per shingle
NEAR_DUPLICATE_BITS = 10  # Hamming distance at or under which two fingerprints are the same text
_MIN_SHINGLES = 8  # texts shorter than this carry too little to fingerprint


@cache
def _tracking() -> tuple[tuple[str, ...], frozenset[str]]:
    raw = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    return tuple(p.lower() for p in raw["prefixes"]), frozenset(n.lower() for n in raw["names"])


def is_tracking_param(name: str) -> bool:
    """Whether a query parameter only records where a click came from."""
    prefixes, names = _tracking()
    lowered = name.lower()
    return lowered in names or lowered.startswith(prefixes)


def canonical_url(url: str) -> str:
    """The URL in a stable form: lower-case scheme and host, no default port, fragment, tracking
    parameters or trailing slash, and the remaining query parameters sorted."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    if parts.username or parts.password:
        netloc = f"{parts.username or ''}{':' + parts.password if parts.password else ''}@{netloc}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def normalise_text(text: str) -> str:
    """Case-folded words without accents or punctuation, for comparing texts across outlets."""
    stripped = _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return " ".join(_WORD.findall(stripped))


def fingerprint(text: str) -> str:
    """A 64-bit SimHash of the text's word shingles, as 16 hex digits ("" for too short a text)."""
    words = normalise_text(text).split()
    shingles = [" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]
    if len(shingles) < _MIN_SHINGLES:
        return ""
    import numpy as np  # here, not at the top: a poll with nothing new fingerprints nothing

    digests = b"".join(hashlib.blake2b(s.encode(), digest_size=8).digest() for s in shingles)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(len(shingles), 8), axis=1)
    majority = bits.sum(axis=0, dtype=np.int64) * 2 > len(shingles)  # per bit: more ones than zeros
    value = int.from_bytes(np.packbits(majority).tobytes(), "big")
    return f"{value:016x}"


def hamming(fp_a: str, fp_b: str) -> int:
    """Bits that differ between two fingerprints."""
    return (int(fp_a, 16) ^ int(fp_b, 16)).bit_count()


def near_duplicate(fp_a: str, fp_b: str, max_bits: int = NEAR_DUPLICATE_BITS) -> bool:
    """Whether two fingerprints are the same text, give or take small edits. Empty never matches."""
    if not fp_a or not fp_b:
        return False
    return hamming(fp_a, fp_b) <= max_bits


def content_hash(title: str, text: str) -> str:
    """Hash of what a reader sees; a changed hash under a known URL or GUID means the article was edited."""
    normal = " ".join(title.split()) + "\n" + "\n".join(" ".join(line.split()) for line in text.split("\n"))
    return hashlib.sha256(normal.encode()).hexdigest()


def article_keys(article: Article) -> list[str]:
    """Keys under which the store finds an article again: its canonical URL, and its GUID in its feed.

    Any key in common means the same article (an update if `content_hash` differs). GUIDs are only
    unique within a feed, so they are scoped by feed name. Wire copies at other URLs share no key;
    `near_duplicate` on `article.fingerprint` finds those.
    """
    keys = [f"url:{canonical_url(article.url)}"]
    if article.guid:
        keys.append(f"guid:{article.feed}:{article.guid}")
    return keys
