"""API token format and checking: ``cy_<prefix>_<secret>``; only a digest is kept."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "cy"  # noqa: S105  (a public marker, not a secret)


def token_generate() -> tuple[str, str, str]:
    """Return (raw token, prefix, digest)."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    raw = f"{TOKEN_PREFIX}_{prefix}_{secret}"
    return raw, prefix, token_digest(raw)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def token_split(raw: str) -> str | None:
    """The prefix of a well-formed token, or None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) != 12:
        return None
    return parts[1]


def token_matches(raw: str, digest: str) -> bool:
    return hmac.compare_digest(token_digest(raw), digest)
