"""Encryption at rest, key rotation, blind indexes and the EncryptedText column type."""

import base64

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select, text

from portal.core import crypto
from portal.core.crypto import CryptoError, EncryptedText, KeyRing

INDEX_SECRET = "índice-estável-para-testes-0123456789"


def _key(byte: int) -> str:
    return base64.b64encode(bytes([byte]) * 32).decode()


@pytest.fixture
def ring():
    return KeyRing.from_string(f"k1:{_key(1)}", index_secret=INDEX_SECRET)


def test_round_trip_and_token_format(ring):
    token = ring.encrypt("529.982.247-25")
    assert token.startswith("k1$")
    assert "529" not in token
    assert ring.decrypt(token) == "529.982.247-25"
    assert ring.decrypt(ring.encrypt("")) == ""
    assert ring.decrypt(ring.encrypt("João da Conceição")) == "João da Conceição"


def test_same_plaintext_gives_different_ciphertexts(ring):
    tokens = {ring.encrypt("52998224725") for _ in range(20)}
    assert len(tokens) == 20


def test_tampered_token_is_rejected(ring):
    token = ring.encrypt("52998224725")
    key_id, payload = token.split("$")
    raw = bytearray(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    raw[-1] ^= 0x01  # flip one bit of the authentication tag
    forged = key_id + "$" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(CryptoError, match="adulterado"):
        ring.decrypt(forged)
    raw[-1] ^= 0x01
    raw[15] ^= 0x80  # flip one bit of the ciphertext
    forged = key_id + "$" + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(CryptoError):
        ring.decrypt(forged)
    for garbage in ("", "k1", "k1$", "k1$@@@", "k1$" + "A" * 8):
        with pytest.raises(CryptoError):
            ring.decrypt(garbage)


def test_associated_data_binds_token_to_its_context(ring):
    token = ring.encrypt("52998224725", "clients.cpf")
    assert ring.decrypt(token, "clients.cpf") == "52998224725"
    with pytest.raises(CryptoError):
        ring.decrypt(token, "clients.phone")
    with pytest.raises(CryptoError):
        ring.decrypt(token)


def test_rotation(ring):
    old_token = ring.encrypt("1234567890")
    rotated_ring = KeyRing.from_string(f"k2:{_key(2)},k1:{_key(1)}", index_secret=INDEX_SECRET)
    assert rotated_ring.current_id == "k2"
    # The old key still decrypts during the rotation.
    assert rotated_ring.decrypt(old_token) == "1234567890"
    assert rotated_ring.needs_rotation(old_token)
    new_token = rotated_ring.rotate(old_token)
    assert new_token.startswith("k2$")
    assert not rotated_ring.needs_rotation(new_token)
    assert rotated_ring.rotate(new_token) == new_token
    assert rotated_ring.decrypt(new_token) == "1234567890"
    # A ring that no longer has k1 cannot read values that were never rotated.
    only_new = KeyRing.from_string(f"k2:{_key(2)}", index_secret=INDEX_SECRET)
    assert only_new.decrypt(new_token) == "1234567890"
    with pytest.raises(CryptoError, match="k1"):
        only_new.decrypt(old_token)


def test_with_new_key_and_to_string_round_trip(ring):
    bigger = ring.with_new_key("k2")
    assert bigger.key_ids == ["k2", "k1"]
    reparsed = KeyRing.from_string(bigger.to_string(), index_secret=INDEX_SECRET)
    token = ring.encrypt("x")
    assert reparsed.decrypt(token) == "x"
    assert reparsed.encrypt("x").startswith("k2$")
    assert "k1" in repr(reparsed) and _key(1) not in repr(reparsed)


def test_blind_index_is_stable_across_rotation_and_differs_per_purpose(ring):
    rotated = KeyRing.from_string(f"k9:{_key(9)},k1:{_key(1)}", index_secret=INDEX_SECRET)
    value = "52998224725"
    index = ring.blind_index(value, "cpf")
    assert len(index) == 64 and int(index, 16) >= 0
    assert rotated.blind_index(value, "cpf") == index
    assert ring.blind_index(value, "cpf") == index
    assert ring.blind_index(value, "phone") != index
    assert ring.blind_index("52998224724", "cpf") != index
    other_secret = KeyRing.from_string(f"k1:{_key(1)}", index_secret="outro-segredo-qualquer-1234")
    assert other_secret.blind_index(value, "cpf") != index


def test_generated_ring_works():
    ring = KeyRing.generate("a1")
    assert ring.decrypt(ring.encrypt("segredo")) == "segredo"
    assert ring.has_index_secret
    assert KeyRing.generate().blind_index("x", "cpf") != ring.blind_index("x", "cpf")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "Nenhuma chave"),
        ("k1", "formato"),
        ("k1:" + base64.b64encode(b"short").decode(), "32 bytes"),
        (f"k1:{_key(1)},k1:{_key(2)}", "repetido"),
        (f"k$1:{_key(1)}", "Identificador"),
    ],
)
def test_bad_key_configuration_is_reported_in_portuguese(spec, message):
    with pytest.raises(CryptoError, match=message):
        KeyRing.from_string(spec)


def test_blind_index_requires_index_secret():
    ring = KeyRing.from_string(f"k1:{_key(1)}")
    with pytest.raises(CryptoError, match="índice cego"):
        ring.blind_index("x", "cpf")
    with pytest.raises(CryptoError, match="16 bytes"):
        KeyRing.from_string(f"k1:{_key(1)}", index_secret="curto")


@pytest.fixture
def configured(ring):
    crypto.configure_keyring(ring)
    yield ring
    crypto.configure_keyring(None)


def test_get_keyring_without_configuration_fails():
    crypto.configure_keyring(None)
    with pytest.raises(CryptoError, match="ATHENAS_DATA_KEY"):
        crypto.get_keyring()


def test_encrypted_text_column_round_trip_through_sqlite(configured):
    engine = create_engine("sqlite://")
    metadata = MetaData()
    clients = Table(
        "clients",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("cpf", EncryptedText("clients.cpf")),
        Column("cpf_index", String(64)),
        Column("phone", EncryptedText()),
    )
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(clients),
            [
                {
                    "id": 1,
                    "cpf": "52998224725",
                    "cpf_index": configured.blind_index("52998224725", "cpf"),
                    "phone": "11912345678",
                },
                {"id": 2, "cpf": None, "cpf_index": None, "phone": None},
            ],
        )
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT cpf, phone FROM clients WHERE id = 1")).one()
        assert raw.cpf.startswith("k1$") and "52998224725" not in raw.cpf
        assert "11912345678" not in raw.phone
        assert conn.execute(text("SELECT cpf FROM clients WHERE id = 2")).scalar() is None

        rows = conn.execute(select(clients.c.id, clients.c.cpf, clients.c.phone)).all()
        assert [tuple(r) for r in rows] == [(1, "52998224725", "11912345678"), (2, None, None)]

        # Exact search goes through the blind index.
        wanted = configured.blind_index("52998224725", "cpf")
        found = conn.execute(select(clients.c.id).where(clients.c.cpf_index == wanted)).scalar()
        assert found == 1

    # A value copied into another encrypted column does not decrypt there.
    with engine.begin() as conn:
        conn.execute(text("UPDATE clients SET phone = cpf WHERE id = 1"))
    with engine.connect() as conn, pytest.raises(CryptoError):
        conn.execute(select(clients.c.phone)).all()
