"""Protection of personal data at rest: AES-256-GCM encryption and blind indexes.

* A :class:`KeyRing` holds the data keys. The first key is the *current* one (used to
  encrypt); every key can decrypt, so old values stay readable during a rotation.
  Its textual form is ``"k1:BASE64KEY,k0:BASE64KEY"`` (``ATHENAS_DATA_KEY``); the caller
  reads the environment and passes the string to :meth:`KeyRing.from_string`.
* Tokens are text: ``"<key_id>$<base64url(nonce + ciphertext + tag)>"``. The key id is
  stored with every value, which is what makes :meth:`KeyRing.rotate` possible.
* Exact search over encrypted columns uses a *blind index*: an HMAC-SHA256 of the
  (already normalised) value under a key derived with HKDF from a separate, stable
  ``index_secret``. Rotating data keys therefore never changes the indexes, and each
  ``purpose`` (``"cpf"``, ``"phone"`` …) gets its own key, so equal values in different
  columns do not produce equal indexes.
* :class:`EncryptedText` is the SQLAlchemy column type; it finds the ring configured at
  start-up through :func:`configure_keyring` / :func:`get_keyring`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from collections.abc import Iterable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import Dialect
from sqlalchemy.types import Text, TypeDecorator

__all__ = [
    "CryptoError",
    "EncryptedText",
    "KeyRing",
    "configure_keyring",
    "get_keyring",
]

_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_NONCE_SIZE = 12
_KEY_SIZE = 32
_MIN_INDEX_SECRET = 16
_TOKEN_SEPARATOR = "$"  # noqa: S105 - not a secret


class CryptoError(ValueError):
    """Bad key configuration, unknown key id or a token that fails authentication."""


def _b64decode(text: str) -> bytes:
    text = text.strip()
    padded = text + "=" * (-len(text) % 4)
    try:
        return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError) as exc:
        raise CryptoError("Chave de criptografia com base64 inválido.") from exc


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _as_bytes(value: str | bytes | None) -> bytes | None:
    if value is None:
        return None
    return value.encode("utf-8") if isinstance(value, str) else value


class KeyRing:
    """Ordered data keys (first = current) plus the stable blind-index secret."""

    def __init__(
        self,
        keys: Iterable[tuple[str, bytes]],
        index_secret: str | bytes | None = None,
    ) -> None:
        self._keys: dict[str, AESGCM] = {}
        self._raw: dict[str, bytes] = {}
        for key_id, key in keys:
            if not _KEY_ID.fullmatch(key_id):
                raise CryptoError(
                    f"Identificador de chave inválido: {key_id!r} "
                    "(use letras, números, '_' ou '-', até 32 caracteres)."
                )
            if key_id in self._keys:
                raise CryptoError(f"Identificador de chave repetido: {key_id!r}.")
            if len(key) != _KEY_SIZE:
                raise CryptoError(f"A chave {key_id!r} deve ter 32 bytes (AES-256).")
            self._keys[key_id] = AESGCM(key)
            self._raw[key_id] = key
        if not self._keys:
            raise CryptoError("Nenhuma chave de criptografia configurada.")
        self.current_id: str = next(iter(self._keys))
        secret = _as_bytes(index_secret)
        if secret is not None and len(secret) < _MIN_INDEX_SECRET:
            raise CryptoError("O segredo do índice cego deve ter pelo menos 16 bytes.")
        self._index_secret = secret
        self._index_keys: dict[str, bytes] = {}

    # ------------------------------------------------------------------ building

    @classmethod
    def from_string(cls, spec: str, index_secret: str | bytes | None = None) -> KeyRing:
        """Parse ``"k1:BASE64KEY,k0:BASE64KEY"`` (standard or URL-safe base64)."""
        keys: list[tuple[str, bytes]] = []
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            key_id, sep, encoded = part.partition(":")
            if not sep:
                raise CryptoError(
                    "Configuração de chaves inválida: use o formato 'id:BASE64,id:BASE64'."
                )
            keys.append((key_id.strip(), _b64decode(encoded)))
        return cls(keys, index_secret)

    @classmethod
    def generate(cls, key_id: str = "k1", index_secret: str | bytes | None = None) -> KeyRing:
        """A ring with one fresh random key (and a fresh index secret if none is given)."""
        secret = index_secret if index_secret is not None else os.urandom(_KEY_SIZE)
        return cls([(key_id, AESGCM.generate_key(bit_length=256))], secret)

    def with_new_key(self, key_id: str) -> KeyRing:
        """A copy whose new random key becomes current; old keys still decrypt."""
        keys = [(key_id, AESGCM.generate_key(bit_length=256)), *self._raw.items()]
        return KeyRing(keys, self._index_secret)

    def to_string(self) -> str:
        """The ``ATHENAS_DATA_KEY`` form of this ring (handle as a secret)."""
        return ",".join(f"{kid}:{_b64encode(key)}" for kid, key in self._raw.items())

    @property
    def key_ids(self) -> list[str]:
        return list(self._keys)

    def __repr__(self) -> str:  # never print key material
        return f"KeyRing(current={self.current_id!r}, keys={self.key_ids!r})"

    # ------------------------------------------------------------- encryption

    def encrypt(self, plaintext: str, associated_data: str | bytes | None = None) -> str:
        """Encrypt with the current key and a random 96-bit nonce."""
        if not isinstance(plaintext, str):
            raise TypeError("Somente texto pode ser cifrado.")
        nonce = os.urandom(_NONCE_SIZE)
        sealed = self._keys[self.current_id].encrypt(
            nonce, plaintext.encode("utf-8"), _as_bytes(associated_data)
        )
        return f"{self.current_id}{_TOKEN_SEPARATOR}{_b64encode(nonce + sealed)}"

    def decrypt(self, token: str, associated_data: str | bytes | None = None) -> str:
        """Decrypt a token produced by :meth:`encrypt` with any key of the ring."""
        key_id, payload = self._split(token)
        aead = self._keys.get(key_id)
        if aead is None:
            raise CryptoError(f"Chave de criptografia {key_id!r} não está configurada.")
        try:
            data = _b64decode(payload)
        except CryptoError as exc:
            raise CryptoError("Dado cifrado corrompido.") from exc
        if len(data) <= _NONCE_SIZE:
            raise CryptoError("Dado cifrado corrompido.")
        try:
            plain = aead.decrypt(data[:_NONCE_SIZE], data[_NONCE_SIZE:], _as_bytes(associated_data))
        except InvalidTag as exc:
            raise CryptoError("Dado cifrado adulterado ou chave incorreta.") from exc
        return plain.decode("utf-8")

    # ---------------------------------------------------------- binary payloads

    def encrypt_bytes(self, plaintext: bytes, associated_data: str | bytes | None = None) -> bytes:
        """Encrypt a file's bytes with the current key: ``b"<key_id>$" + nonce + ciphertext``.

        Same idea as :meth:`encrypt` (key id kept for rotation), without base64 overhead.
        """
        if not isinstance(plaintext, bytes | bytearray | memoryview):
            raise TypeError("Somente bytes podem ser cifrados com encrypt_bytes.")
        nonce = os.urandom(_NONCE_SIZE)
        sealed = self._keys[self.current_id].encrypt(nonce, bytes(plaintext), _as_bytes(associated_data))
        return self.current_id.encode("ascii") + _TOKEN_SEPARATOR.encode("ascii") + nonce + sealed

    def decrypt_bytes(self, blob: bytes, associated_data: str | bytes | None = None) -> bytes:
        """Decrypt what :meth:`encrypt_bytes` produced, with any key of the ring."""
        key_id = self.key_id_of_bytes(blob)
        aead = self._keys.get(key_id)
        if aead is None:
            raise CryptoError(f"Chave de criptografia {key_id!r} não está configurada.")
        data = blob[len(key_id) + 1 :]
        if len(data) <= _NONCE_SIZE:
            raise CryptoError("Dado cifrado corrompido.")
        try:
            return aead.decrypt(data[:_NONCE_SIZE], data[_NONCE_SIZE:], _as_bytes(associated_data))
        except InvalidTag as exc:
            raise CryptoError("Dado cifrado adulterado ou chave incorreta.") from exc

    @staticmethod
    def key_id_of_bytes(blob: bytes) -> str:
        """The key id at the head of an encrypted file."""
        head, sep, _rest = bytes(blob[:34]).partition(_TOKEN_SEPARATOR.encode("ascii"))
        try:
            key_id = head.decode("ascii")
        except UnicodeDecodeError:
            key_id = ""
        if not sep or not _KEY_ID.fullmatch(key_id):
            raise CryptoError("Dado cifrado em formato inválido.")
        return key_id

    def key_id_of(self, token: str) -> str:
        return self._split(token)[0]

    def needs_rotation(self, token: str) -> bool:
        """True when the token was not encrypted with the current key."""
        return self.key_id_of(token) != self.current_id

    def rotate(self, token: str, associated_data: str | bytes | None = None) -> str:
        """Re-encrypt with the current key (returns the token unchanged if already current)."""
        if not self.needs_rotation(token):
            return token
        return self.encrypt(self.decrypt(token, associated_data), associated_data)

    @staticmethod
    def _split(token: str) -> tuple[str, str]:
        if not isinstance(token, str):
            raise CryptoError("Dado cifrado inválido.")
        key_id, sep, payload = token.partition(_TOKEN_SEPARATOR)
        if not sep or not key_id or not payload:
            raise CryptoError("Dado cifrado em formato inválido.")
        return key_id, payload

    # ------------------------------------------------------------ blind index

    @property
    def has_index_secret(self) -> bool:
        return self._index_secret is not None

    def _index_key(self, purpose: str) -> bytes:
        key = self._index_keys.get(purpose)
        if key is None:
            if self._index_secret is None:
                raise CryptoError("Segredo do índice cego não configurado.")
            key = HKDF(
                algorithm=hashes.SHA256(),
                length=32,
                salt=None,
                info=b"athenas/blind-index/v1/" + purpose.encode("utf-8"),
            ).derive(self._index_secret)
            self._index_keys[purpose] = key
        return key

    def blind_index(self, value: str, purpose: str) -> str:
        """Hex HMAC-SHA256 of ``value`` for exact search; normalise ``value`` first."""
        if not purpose:
            raise CryptoError("Informe a finalidade do índice cego.")
        return hmac.new(self._index_key(purpose), value.encode("utf-8"), hashlib.sha256).hexdigest()


# ----------------------------------------------------------- process-wide ring

_current_ring: KeyRing | None = None


def configure_keyring(ring: KeyRing | None) -> None:
    """Install the ring used by :class:`EncryptedText` (called by the app factory)."""
    global _current_ring
    _current_ring = ring


def get_keyring() -> KeyRing:
    if _current_ring is None:
        raise CryptoError("Chaves de criptografia não configuradas (ATHENAS_DATA_KEY).")
    return _current_ring


# ------------------------------------------------------------ SQLAlchemy type


class EncryptedText(TypeDecorator[str]):
    """Text column stored as an AES-GCM token; ``None`` stays ``NULL``.

    ``context`` (e.g. ``"clients.cpf"``) is bound as associated data, so a token copied
    into another column fails to decrypt. Equality filters on this column cannot work
    (every encryption differs): search through a blind-index column instead.
    """

    impl = Text
    cache_ok = True

    def __init__(self, context: str | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return get_keyring().encrypt(value, self.context)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return get_keyring().decrypt(value, self.context)
