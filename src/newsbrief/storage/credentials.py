"""Who may write: API tokens, editor accounts and their sessions, as the store keeps them.

The store only ever sees hashes: sha256 of a token or session cookie (256 random bits each,
so a fast hash cannot be searched backwards), and the argon2 hash of a password
(``newsbrief.auth`` makes them). ``CredentialsMixin`` adds the queries to ``SQLStore``;
``CredentialStore`` is the part of the ``Store`` protocol they form.
"""

from __future__ import annotations

import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy as sa

from newsbrief.errors import Conflict, NotFound
from newsbrief.storage.schema import api_tokens, sessions, site_keys, users


@dataclass(frozen=True)
class ApiToken:
    """A named API token (the token itself is never stored, only its hash)."""

    id: int
    name: str
    created_at: datetime


@dataclass(frozen=True)
class User:
    """An editor account (its password hash is read only by ``password_hash``)."""

    id: int
    name: str
    created_at: datetime


class CredentialStore(Protocol):
    """The store's side of authentication (``newsbrief.auth`` is the library over it)."""

    def add_token(self, name: str, token_hash: str) -> ApiToken:
        """Store a new token's hash under ``name``; raise Conflict if the name is taken."""
        ...

    def list_tokens(self) -> list[ApiToken]:
        """Return every token, oldest first."""
        ...

    def delete_token(self, name: str) -> None:
        """Revoke the token called ``name``; raise NotFound."""
        ...

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        """Return the token whose hash is ``token_hash``, if any."""
        ...

    def add_user(self, name: str, password_hash: str) -> User:
        """Create an editor account; raise Conflict if the name is taken."""
        ...

    def list_users(self) -> list[User]:
        """Return every editor account, oldest first."""
        ...

    def password_hash(self, name: str) -> tuple[User, str] | None:
        """Return the account called ``name`` and its password hash, if it exists."""
        ...

    def set_password_hash(self, name: str, password_hash: str) -> None:
        """Replace an account's password hash and end its sessions; raise NotFound."""
        ...

    def delete_user(self, name: str) -> None:
        """Remove an account and its sessions; raise NotFound."""
        ...

    def add_session(self, user_id: int, token_hash: str, *, expires_at: datetime) -> None:
        """Record a login session (the cookie's hash) until ``expires_at``."""
        ...

    def session_user(self, token_hash: str) -> User | None:
        """Return the user of the unexpired session whose hash is ``token_hash``."""
        ...

    def delete_session(self, token_hash: str) -> None:
        """End a session (nothing happens when there is none)."""
        ...

    def has_editors(self) -> bool:
        """Return True when at least one editor account or API token exists."""
        ...

    def site_key(self, name: str) -> str:
        """Return the random key stored as ``name``, creating it on first use."""
        ...


class _Connections(Protocol):
    """What the mixin needs of ``SQLStore``."""

    url: str

    def _read(self) -> AbstractContextManager[sa.Connection]: ...

    def _write(self) -> AbstractContextManager[sa.Connection]: ...

    def _insert(self, table: sa.Table) -> Any: ...


def utcnow() -> datetime:
    """Return the current time in UTC (``storage.base`` imports this module: no cycle)."""
    return datetime.now(UTC)


def _user(row: sa.Row[Any]) -> User:
    return User(id=row.id, name=row.name, created_at=row.created_at)


def _token(row: sa.Row[Any]) -> ApiToken:
    return ApiToken(id=row.id, name=row.name, created_at=row.created_at)


def _insert_unique(store: _Connections, table: sa.Table, values: dict[str, Any]) -> int:
    """Insert a row and return its id; raise Conflict when its unique name is taken."""
    try:
        with store._write() as conn:
            key = conn.execute(table.insert().values(**values)).inserted_primary_key
    except sa.exc.IntegrityError:
        kind = "an API token" if table is api_tokens else "an editor account"
        raise Conflict(f"{kind} called {values['name']!r} already exists") from None
    assert key is not None
    return int(key[0])


class CredentialsMixin:
    """``CredentialStore`` over SQLAlchemy Core (mixed into ``SQLStore``)."""

    def add_token(self: _Connections, name: str, token_hash: str) -> ApiToken:
        """Store a new token's hash under ``name``.

        Raises:
            Conflict: a token called ``name`` exists.
        """
        now = utcnow()
        values = {"name": name, "token_hash": token_hash, "created_at": now}
        new_id = _insert_unique(self, api_tokens, values)
        return ApiToken(id=new_id, name=name, created_at=now)

    def list_tokens(self: _Connections) -> list[ApiToken]:
        """Return every token, oldest first."""
        with self._read() as conn:
            rows = conn.execute(sa.select(api_tokens).order_by(api_tokens.c.id)).all()
        return [_token(r) for r in rows]

    def delete_token(self: _Connections, name: str) -> None:
        """Revoke the token called ``name``.

        Raises:
            NotFound: no such token.
        """
        with self._write() as conn:
            deleted = conn.execute(api_tokens.delete().where(api_tokens.c.name == name)).rowcount
        if not deleted:
            raise NotFound(f"no API token called {name!r}")

    def token_by_hash(self: _Connections, token_hash: str) -> ApiToken | None:
        """Return the token whose hash is ``token_hash``, if any."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(api_tokens).where(api_tokens.c.token_hash == token_hash)
            ).first()
        if row is None:
            return None
        # The index lookup found it; compare the whole hash in constant time all the same.
        return _token(row) if secrets.compare_digest(row.token_hash, token_hash) else None

    def add_user(self: _Connections, name: str, password_hash: str) -> User:
        """Create an editor account.

        Raises:
            Conflict: an account called ``name`` exists.
        """
        now = utcnow()
        values = {"name": name, "password_hash": password_hash, "created_at": now}
        new_id = _insert_unique(self, users, values)
        return User(id=new_id, name=name, created_at=now)

    def list_users(self: _Connections) -> list[User]:
        """Return every editor account, oldest first."""
        with self._read() as conn:
            rows = conn.execute(sa.select(users).order_by(users.c.id)).all()
        return [_user(r) for r in rows]

    def password_hash(self: _Connections, name: str) -> tuple[User, str] | None:
        """Return the account called ``name`` and its password hash, if it exists."""
        with self._read() as conn:
            row = conn.execute(sa.select(users).where(users.c.name == name)).first()
        return None if row is None else (_user(row), str(row.password_hash))

    def set_password_hash(self: _Connections, name: str, password_hash: str) -> None:
        """Replace an account's password hash and end all its sessions.

        Raises:
            NotFound: no such account.
        """
        with self._write() as conn:
            user_id = conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()
            if user_id is None:
                raise NotFound(f"no editor account called {name!r}")
            conn.execute(
                users.update().where(users.c.id == user_id).values(password_hash=password_hash)
            )
            conn.execute(sessions.delete().where(sessions.c.user_id == user_id))

    def delete_user(self: _Connections, name: str) -> None:
        """Remove an account and its sessions.

        Raises:
            NotFound: no such account.
        """
        with self._write() as conn:
            user_id = conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()
            if user_id is None:
                raise NotFound(f"no editor account called {name!r}")
            # Explicitly: SQLite enforces the ON DELETE CASCADE only with foreign keys on.
            conn.execute(sessions.delete().where(sessions.c.user_id == user_id))
            conn.execute(users.delete().where(users.c.id == user_id))

    def add_session(
        self: _Connections, user_id: int, token_hash: str, *, expires_at: datetime
    ) -> None:
        """Record a login session until ``expires_at``; expired sessions are dropped here."""
        now = utcnow()
        with self._write() as conn:
            conn.execute(sessions.delete().where(sessions.c.expires_at <= now))
            conn.execute(
                sessions.insert().values(
                    token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires_at
                )
            )

    def session_user(self: _Connections, token_hash: str) -> User | None:
        """Return the user of the unexpired session whose hash is ``token_hash``."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(users, sessions.c.token_hash.label("session_hash"))
                .join(sessions, sessions.c.user_id == users.c.id)
                .where(sessions.c.token_hash == token_hash, sessions.c.expires_at > utcnow())
            ).first()
        if row is None or not secrets.compare_digest(row.session_hash, token_hash):
            return None
        return _user(row)

    def delete_session(self: _Connections, token_hash: str) -> None:
        """End a session (nothing happens when there is none)."""
        with self._write() as conn:
            conn.execute(sessions.delete().where(sessions.c.token_hash == token_hash))

    def has_editors(self: _Connections) -> bool:
        """Return True when at least one editor account or API token exists."""
        with self._read() as conn:
            return bool(
                conn.execute(
                    sa.select(
                        sa.or_(
                            sa.exists().where(users.c.id.is_not(None)),
                            sa.exists().where(api_tokens.c.id.is_not(None)),
                        )
                    )
                ).scalar()
            )

    def site_key(self: _Connections, name: str) -> str:
        """Return the random key stored as ``name``, creating it on first use.

        Every worker (process) sharing the store reads the same key; two creating it at once
        both keep the first one written.
        """
        with self._read() as conn:
            value = conn.execute(
                sa.select(site_keys.c.value).where(site_keys.c.name == name)
            ).scalar()
        if value is not None:
            return str(value)
        stmt = (
            self._insert(site_keys)
            .values(name=name, value=secrets.token_hex(32))
            .on_conflict_do_nothing(index_elements=["name"])
        )
        with self._write() as conn:
            conn.execute(stmt)
            value = conn.execute(
                sa.select(site_keys.c.value).where(site_keys.c.name == name)
            ).scalar_one()
        return str(value)
