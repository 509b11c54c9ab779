"""Encryption of file bytes (proposal documents, imported files) with the key ring."""

import base64

import pytest

from portal.core.crypto import CryptoError, KeyRing

SECRET = "índice-estável-para-testes-0123456789"


def _ring(spec: str) -> KeyRing:
    return KeyRing.from_string(spec, index_secret=SECRET)


def _key(byte: int) -> str:
    return base64.b64encode(bytes([byte]) * 32).decode()


def test_bytes_round_trip_keeps_key_id_and_hides_content():
    ring = _ring(f"k1:{_key(1)}")
    payload = b"%PDF-1.7 RG do cliente 529.982.247-25"
    blob = ring.encrypt_bytes(payload, "doc-abc")
    assert blob.startswith(b"k1$")
    assert b"529.982.247-25" not in blob
    assert ring.decrypt_bytes(blob, "doc-abc") == payload
    assert ring.encrypt_bytes(payload, "doc-abc") != blob  # fresh nonce every time


def test_bytes_bound_to_their_context_and_tamper_evident():
    ring = _ring(f"k1:{_key(1)}")
    blob = ring.encrypt_bytes(b"conteudo", "doc-1")
    with pytest.raises(CryptoError, match="adulterado"):
        ring.decrypt_bytes(blob, "doc-2")
    flipped = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(CryptoError, match="adulterado"):
        ring.decrypt_bytes(flipped, "doc-1")
    with pytest.raises(CryptoError, match="formato"):
        ring.decrypt_bytes(b"sem-separador", "doc-1")


def test_old_key_still_decrypts_after_a_new_key_becomes_current():
    old = _ring(f"k1:{_key(1)}")
    blob = old.encrypt_bytes(b"arquivo antigo")
    new = _ring(f"k2:{_key(2)},k1:{_key(1)}")
    assert new.key_id_of_bytes(blob) == "k1"
    assert new.decrypt_bytes(blob) == b"arquivo antigo"
    assert new.key_id_of_bytes(new.encrypt_bytes(b"x")) == "k2"
    with pytest.raises(CryptoError, match="não está configurada"):
        _ring(f"k2:{_key(2)}").decrypt_bytes(blob)
