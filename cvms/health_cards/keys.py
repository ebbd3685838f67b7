"""The keys of SMART Health Cards: the one that signs ours, the public keys we publish at
``/.well-known/jwks.json`` (the signing key and retired ones, so older cards still verify), and the
key sets of the issuers a verifier trusts.

The signing key comes from ``CVMS_SHC_SIGNING_KEY`` (a private JWK as JSON, or a PEM) or from the
file ``CVMS_SHC_KEY_FILE``; outside production, with neither set, one is made on first use under
``.var/`` and kept there, never in the repository.
"""

import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jwcrypto import jwk
from jwcrypto.common import JWException

ALG = "ES256"
#: What jwcrypto and cryptography raise for a key they cannot read.
_KEY_ERRORS = (JWException, UnsupportedAlgorithm, ValueError, TypeError)


@dataclass(frozen=True)
class Issuer:
    """An issuer a verifier trusts: its ``iss`` and its public keys by kid."""

    url: str
    keys: dict[str, jwk.JWK]


def signing_key() -> jwk.JWK:
    """The private key that signs this site's cards (ES256, P-256)."""
    return _signing_key(settings.CVMS_SHC_SIGNING_KEY, settings.CVMS_SHC_KEY_FILE, settings.PRODUCTION)


def public_jwk(key: jwk.JWK) -> dict:
    """The published form of ``key``: no private part, kid the RFC 7638 thumbprint, for ES256 signatures."""
    public = key.export_public(as_dict=True)
    public.update({"kid": key.thumbprint(), "use": "sig", "alg": ALG})
    return public


def published_jwks() -> dict:
    """What ``/.well-known/jwks.json`` answers: the signing key first, then the retired keys."""
    keys = [public_jwk(signing_key())]
    seen = {keys[0]["kid"]}
    for key in _previous_keys(settings.CVMS_SHC_PREVIOUS_KEYS):
        if key["kid"] not in seen:
            seen.add(key["kid"])
            keys.append(key)
    return {"keys": keys}


def trusted_issuers() -> dict[str, Issuer]:
    """The issuers a card may come from, by ``iss``: this site, with every key it publishes, and
    those of ``CVMS_SHC_TRUSTED_ISSUERS``, each with its key set given inline or as a file."""
    issuers = _other_issuers(settings.CVMS_SHC_TRUSTED_ISSUERS)
    ours = Issuer(url=settings.CVMS_SHC_ISSUER, keys=_by_kid(published_jwks(), settings.CVMS_SHC_ISSUER))
    return {**issuers, ours.url: ours}


def check_keys() -> None:
    """Load every key the settings name; raises ImproperlyConfigured naming the setting at fault."""
    if settings.PRODUCTION and not settings.CVMS_SHC_ISSUER.startswith("https://"):
        raise ImproperlyConfigured("CVMS_SHC_ISSUER must be an https:// address in production (by default it is "
                                   "SITE_URL).")
    signing_key()
    published_jwks()
    trusted_issuers()


@functools.lru_cache(maxsize=8)
def _signing_key(inline: str, key_file: str, production: bool) -> jwk.JWK:
    if inline:
        key = _private_key(inline, "CVMS_SHC_SIGNING_KEY")
    elif key_file:
        try:
            text = Path(key_file).read_text()
        except OSError as error:
            raise ImproperlyConfigured(f"CVMS_SHC_KEY_FILE cannot be read: {error}") from None
        key = _private_key(text, "CVMS_SHC_KEY_FILE")
    elif production:
        raise ImproperlyConfigured("Set CVMS_SHC_SIGNING_KEY or CVMS_SHC_KEY_FILE: production signs health cards "
                                   "with a key of its own (see the README).")
    else:
        key = _private_key(_development_key(Path(settings.BASE_DIR) / ".var" / "shc-signing-key.json"),
                           "the development signing key")
    return key


def _private_key(text: str, where: str) -> jwk.JWK:
    text = text.strip()
    try:
        key = jwk.JWK.from_pem(text.encode()) if text.startswith("-----") else jwk.JWK.from_json(text)
    except _KEY_ERRORS as error:
        raise ImproperlyConfigured(f"{where} must be a private EC P-256 key as a JWK or PEM: {error}") from None
    if not key.has_private or key.get("kty") != "EC" or key.get("crv") != "P-256":
        raise ImproperlyConfigured(f"{where} must be a private EC P-256 key (ES256 signatures).")
    return key


def _development_key(path: Path) -> str:
    """A P-256 key stored at ``path``, made on first use; two processes starting together keep one."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = jwk.JWK.generate(kty="EC", crv="P-256").export_private()
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(text)
    return path.read_text()


@functools.lru_cache(maxsize=8)
def _previous_keys(text: str) -> tuple[dict, ...]:
    if not text:
        return ()
    return tuple(_public_keys(_json(text, "CVMS_SHC_PREVIOUS_KEYS"), "CVMS_SHC_PREVIOUS_KEYS"))


@functools.lru_cache(maxsize=8)
def _other_issuers(text: str) -> dict[str, Issuer]:
    if not text:
        return {}
    where = "CVMS_SHC_TRUSTED_ISSUERS"
    document = _json(text, where)
    if not isinstance(document, dict):
        raise ImproperlyConfigured(f"{where} must be a JSON object of issuer URL to key set (or key set file).")
    issuers = {}
    for url, keys in document.items():
        if isinstance(keys, str):
            try:
                keys = _json(Path(keys).read_text(), f"{where} ({url})")
            except OSError as error:
                raise ImproperlyConfigured(f"{where}: the key set file of {url} cannot be read: {error}") from None
        issuers[url] = Issuer(url=url, keys=_by_kid(keys, f"{where} ({url})"))
    return issuers


def _json(text: str, where: str):
    try:
        return json.loads(text)
    except ValueError as error:
        raise ImproperlyConfigured(f"{where} must be JSON: {error}") from None


def _public_keys(document, where: str) -> list[dict]:
    """The public keys of a key set (``{"keys": [...]}``) or a list of keys, each with its kid."""
    published = []
    for _entry, key in _keys_of(document, where):
        if key.get("kty") != "EC" or key.get("crv") != "P-256":
            raise ImproperlyConfigured(f"{where} holds a key that is not EC P-256.")
        published.append(public_jwk(key))
    return published


def _by_kid(document, where: str) -> dict[str, jwk.JWK]:
    """Keys by the kid they are published under; SMART Health Cards name a key by its thumbprint, so
    a key whose kid is not its thumbprint is left out."""
    return {entry["kid"]: key for entry, key in _keys_of(document, where)
            if entry.get("kid") == key.thumbprint() and key.get("kty") == "EC" and key.get("crv") == "P-256"}


def _keys_of(document, where: str):
    keys = document.get("keys") if isinstance(document, dict) else document
    if not isinstance(keys, list):
        raise ImproperlyConfigured(f"{where} must be a key set ({{\"keys\": [...]}}) or a list of keys.")
    for entry in keys:
        try:
            yield entry, jwk.JWK(**entry)
        except _KEY_ERRORS as error:
            raise ImproperlyConfigured(f"{where} holds a key that cannot be read: {error}") from None
