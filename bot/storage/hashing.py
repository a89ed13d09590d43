"""Salted hashes of Slack user ids: the only form in which a user is ever stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import Engine, select

from bot.settings import Settings
from bot.storage.models import UserHashSalt
from bot.storage.sql import upsert_insert

_DERIVATION_LABEL = b"ecsbot user-id hash v1"


class UserHasher:
    """HMAC-SHA256 of a user id under a fixed key, as 64 hex characters."""

    def __init__(self, key: bytes) -> None:
        if not key:
            raise ValueError("the user hash key must not be empty")
        self._key = key

    def __call__(self, user_id: str) -> str:
        """The hash of `user_id`; the same on every replica that shares the key."""
        return hmac.new(self._key, user_id.encode("utf-8"), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "UserHasher(key=***)"


def user_hash_key(settings: Settings, engine: Engine) -> bytes:
    """The key: USER_HASH_SALT, else one derived from the signing secret, else one kept in the DB.

    Every replica must hash a user alike, or one person's changed vote would land in a
    second row on another replica; so the key is never a per-process random value. The
    signing secret is run through HMAC rather than used as is, so the secret itself never
    keys anything stored. Rotating the source changes every hash: set USER_HASH_SALT to keep
    hashes stable across secret rotations.
    """
    if settings.user_hash_salt is not None:
        return settings.user_hash_salt.get_secret_value().encode("utf-8")
    if settings.slack_signing_secret is not None:
        secret = settings.slack_signing_secret.get_secret_value().encode("utf-8")
        return hmac.new(secret, _DERIVATION_LABEL, hashlib.sha256).digest()
    return stored_salt(engine).encode("utf-8")


def stored_salt(engine: Engine) -> str:
    """The database's random salt, created by whichever replica asks first."""
    with engine.begin() as connection:
        insert = upsert_insert(connection, UserHashSalt).values(id=1, salt=secrets.token_hex(32))
        connection.execute(insert.on_conflict_do_nothing(index_elements=["id"]))
        return connection.execute(
            select(UserHashSalt.salt).where(UserHashSalt.id == 1)
        ).scalar_one()


def make_user_hasher(settings: Settings, engine: Engine) -> UserHasher:
    """The hasher every replica configured like this one agrees on."""
    return UserHasher(user_hash_key(settings, engine))
