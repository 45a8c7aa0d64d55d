"""Encryption of platform credentials with MultiFernet (newest key first)."""

import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class CredentialDecryptionError(Exception):
    """The ciphertext was not made by any configured key, or not for this owner."""


def _cipher() -> MultiFernet:
    keys = settings.CREDENTIAL_ENCRYPTION_KEYS
    if not keys:
        raise RuntimeError("CREDENTIAL_ENCRYPTION_KEYS is empty.")
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def encrypt_secret(*, owner_id: int, secret: dict[str, Any]) -> str:
    # Binding the owner into the plaintext means a row copied to another tenant is useless.
    payload = json.dumps({"owner": owner_id, "secret": secret}, separators=(",", ":"))
    return _cipher().encrypt(payload.encode()).decode()


def decrypt_secret(*, owner_id: int, ciphertext: str) -> dict[str, Any]:
    try:
        payload = json.loads(_cipher().decrypt(ciphertext.encode()))
    except (InvalidToken, ValueError) as exc:
        raise CredentialDecryptionError("The credential cannot be decrypted.") from exc
    if payload.get("owner") != owner_id:
        raise CredentialDecryptionError("The credential belongs to another user.")
    return payload["secret"]


def rotate_ciphertext(ciphertext: str) -> str:
    """Re-encrypt under the newest key (MultiFernet.rotate keeps the plaintext intact)."""
    return _cipher().rotate(ciphertext.encode()).decode()
