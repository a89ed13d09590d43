"""User-id hashing: one key for every replica, from the salt, the signing secret or the DB."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.settings import load_settings
from bot.storage.db import make_engine
from bot.storage.hashing import UserHasher, stored_salt, user_hash_key


def test_hash_key_prefers_salt_then_signing_secret_then_database(engine: Engine) -> None:
    """USER_HASH_SALT wins; else a key derived from the signing secret; else the stored salt."""
    salted = user_hash_key(load_settings(user_hash_salt="pepper", slack_signing_secret="s"), engine)
    derived = user_hash_key(load_settings(slack_signing_secret="s"), engine)
    stored = user_hash_key(load_settings(), engine)
    assert salted == b"pepper"
    assert derived not in (b"s", salted) and len(derived) == 32
    assert stored == stored_salt(engine).encode()


def test_stored_salt_is_the_same_for_every_replica(sqlite_url: str, engine: Engine) -> None:
    """A second engine (another replica) reads the salt the first one created."""
    other = make_engine(sqlite_url)
    try:
        assert stored_salt(other) == stored_salt(engine)
    finally:
        other.dispose()


def test_user_hasher_is_keyed_and_hides_its_key() -> None:
    """Different keys hash the same user differently; the key is not in the repr."""
    assert UserHasher(b"a")("U1") != UserHasher(b"b")("U1")
    assert len(UserHasher(b"a")("U1")) == 64
    assert "secret" not in repr(UserHasher(b"secret"))
