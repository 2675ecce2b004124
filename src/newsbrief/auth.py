"""Editors' credentials: API tokens, accounts with argon2-hashed passwords, login sessions.

The library the CLI (``newsbrief token``, ``newsbrief user``) and the web app share; the
web app's per-request decisions live in ``newsbrief.web.auth``. Secrets leave this module
only once, as the return value of the call that made them (``create_token``,
``start_session``); the store keeps their hashes.

    token = create_token(store, "cms")          # "nb_...": shown once, stored as sha256
    user = check_login(store, "ana", password)  # argon2id verify, or NotAuthenticated
    cookie = start_session(store, user, lifetime=timedelta(days=7))
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import threading
import time
from collections import deque
from datetime import timedelta
from typing import TYPE_CHECKING

from newsbrief.errors import InvalidOptions, NotAuthenticated, TooManyAttempts
from newsbrief.storage.credentials import ApiToken, User, utcnow

if TYPE_CHECKING:
    from pwdlib import PasswordHash

    from newsbrief.storage import Store

__all__ = [
    "TOKEN_PREFIX",
    "LoginLimiter",
    "SharedLoginLimiter",
    "add_user",
    "check_login",
    "create_token",
    "end_session",
    "hash_secret",
    "remove_user",
    "revoke_token",
    "session_user",
    "set_password",
    "start_session",
    "token_owner",
]

#: Every API token starts with this, so a leaked one is easy to recognise (and grep for).
TOKEN_PREFIX = "nb_"
#: Shortest password an account may have. Guessing online is throttled (LoginLimiter);
#: this keeps a stolen store's argon2 hashes expensive to search.
MIN_PASSWORD_LENGTH = 10
#: Longest password taken: argon2 hashes any length, but a megabyte one is only a way to
#: make the server hash a megabyte.
MAX_PASSWORD_LENGTH = 1024
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


def hash_secret(raw: str) -> str:
    """Return the sha256 (hex) a token or session cookie is stored as.

    Both are 256 random bits, so a fast hash is safe: there is nothing to search backwards.
    """
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def check_name(kind: str, name: str) -> str:
    """Return ``name`` when it can name a token or account ("cms", "ana.lopez", ...).

    Raises:
        InvalidOptions: empty, over 64 characters, or not letters, digits and ``._@-``.
    """
    if not _NAME.fullmatch(name):
        raise InvalidOptions(
            f"{kind} name {name!r} is not allowed: use 1 to 64 letters, digits, '.', '_', '@' "
            "or '-', starting with a letter or digit"
        )
    return name


# --- API tokens ------------------------------------------------------------------------------


def create_token(store: Store, name: str) -> str:
    """Create an API token called ``name`` and return it: the only time it is ever shown.

    Raises:
        InvalidOptions: a name ``check_name`` refuses.
        Conflict: a token called ``name`` exists (revoke it first).
    """
    check_name("token", name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    store.add_token(name, hash_secret(token))
    return token


def revoke_token(store: Store, name: str) -> None:
    """Revoke the token called ``name``: requests sending it are refused from now on.

    Raises:
        NotFound: no such token.
    """
    store.delete_token(name)


def token_owner(store: Store, token: str) -> ApiToken | None:
    """Return the token record for a token a request sent, or None (unknown or revoked)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return store.token_by_hash(hash_secret(token))


# --- accounts --------------------------------------------------------------------------------


@functools.cache
def _hasher() -> PasswordHash:
    from pwdlib import PasswordHash

    return PasswordHash.recommended()  # argon2id with pwdlib's (OWASP's) parameters


@functools.cache
def _dummy_hash() -> str:
    # Verified against when the account does not exist, so a wrong name takes as long as a
    # wrong password: the time of an answer does not tell which names exist.
    return _hasher().hash(secrets.token_hex(16))


def _check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidOptions(
            f"the password is too short: use at least {MIN_PASSWORD_LENGTH} characters"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidOptions(
            f"the password is too long: use at most {MAX_PASSWORD_LENGTH} characters"
        )
    return password


def add_user(store: Store, name: str, password: str) -> User:
    """Create an editor account with an argon2id-hashed password.

    Raises:
        InvalidOptions: a bad name, or a password shorter than MIN_PASSWORD_LENGTH.
        Conflict: an account called ``name`` exists.
    """
    check_name("account", name)
    return store.add_user(name, _hasher().hash(_check_password(password)))


def set_password(store: Store, name: str, password: str) -> None:
    """Change an account's password; its open sessions end (it must log in again).

    Raises:
        InvalidOptions: a password shorter than MIN_PASSWORD_LENGTH.
        NotFound: no such account.
    """
    store.set_password_hash(name, _hasher().hash(_check_password(password)))


def remove_user(store: Store, name: str) -> None:
    """Remove an account and end its sessions.

    Raises:
        NotFound: no such account.
    """
    store.delete_user(name)


def check_login(store: Store, name: str, password: str) -> User:
    """Return the account ``name`` when ``password`` is its password.

    Raises:
        NotAuthenticated: no such account, or the wrong password (one message for both).
    """
    found = store.password_hash(name) if _NAME.fullmatch(name) else None
    stored = found[1] if found is not None else _dummy_hash()
    ok = len(password) <= MAX_PASSWORD_LENGTH and _hasher().verify(password, stored)
    if found is None or not ok:
        raise NotAuthenticated("wrong account name or password")
    user, _ = found
    return user


# --- sessions --------------------------------------------------------------------------------


def start_session(store: Store, user: User, *, lifetime: timedelta) -> str:
    """Open a login session for ``user``; return the cookie value (stored only hashed)."""
    cookie = secrets.token_urlsafe(32)
    store.add_session(user.id, hash_secret(cookie), expires_at=utcnow() + lifetime)
    return cookie


def session_user(store: Store, cookie: str) -> User | None:
    """Return the account a session cookie belongs to (None: unknown, ended or expired)."""
    if not cookie or len(cookie) > 200:
        return None
    return store.session_user(hash_secret(cookie))


def end_session(store: Store, cookie: str) -> None:
    """End the session a cookie belongs to (logout)."""
    if cookie and len(cookie) <= 200:
        store.delete_session(hash_secret(cookie))


# --- login throttling ------------------------------------------------------------------------


def _too_many(kind: str, seconds: float) -> TooManyAttempts:
    """Return the refusal for an ``account`` or ``client`` whose window ends in ``seconds``."""
    wait = max(1, int(seconds + 0.999))
    return TooManyAttempts(
        f"too many failed logins for this {kind}; try again in {wait} s", retry_after=wait
    )


class LoginLimiter:
    """Refuse logins after too many failures in a window, per account and per client.

    A failure counts against both the account name tried and the client's address; either
    over its limit refuses further attempts (even with the right password) until its oldest
    failure leaves the window. A successful login clears the account's failures. Counts are
    kept in this process's memory; ``SharedLoginLimiter`` keeps them in the store, for the
    workers of ``serve --workers N``.
    """

    def __init__(self, *, per_account: int, per_client: int, window_s: float) -> None:
        self.per_account = per_account
        self.per_client = per_client
        self.window_s = window_s
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures.get(key, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def check(self, *, account: str, client: str) -> None:
        """Raise TooManyAttempts when the account or the client is over its limit."""
        now = time.monotonic()
        with self._lock:
            for key, limit in (
                (("account", account), self.per_account),
                (("client", client), self.per_client),
            ):
                times = self._recent(key, now)
                if len(times) >= limit:
                    raise _too_many(key[0], times[0] + self.window_s - now)

    def failed(self, *, account: str, client: str) -> None:
        """Count a failed login against the account name and the client."""
        now = time.monotonic()
        with self._lock:
            if len(self._failures) > 100_000:  # a flood of names: forget the oldest
                self._failures.clear()
            for key in (("account", account), ("client", client)):
                times = self._recent(key, now)
                times.append(now)
                self._failures[key] = times

    def succeeded(self, *, account: str) -> None:
        """Forget the account's failures (the client's stay counted)."""
        with self._lock:
            self._failures.pop(("account", account), None)


class SharedLoginLimiter:
    """``LoginLimiter`` with its counts in the store, so every worker counts the same failures.

    The window opens at the first failure and lasts ``window_s``; once an account or client
    has its limit of failures in it, logins are refused until it ends. Each call is one
    statement on the store (blocking: call it from a worker thread).
    """

    def __init__(self, store: Store, *, per_account: int, per_client: int, window_s: float) -> None:
        self.store = store
        self.per_account = per_account
        self.per_client = per_client
        self.window_s = window_s

    def check(self, *, account: str, client: str) -> None:
        """Raise TooManyAttempts when the account or the client is over its limit."""
        now = time.time()
        for kind, key, limit in (
            ("account", account, self.per_account),
            ("client", client, self.per_client),
        ):
            count, left = self.store.failures(f"login-{kind}", key, now=now)
            if count >= limit:
                raise _too_many(kind, left)

    def failed(self, *, account: str, client: str) -> None:
        """Count a failed login against the account name and the client."""
        now = time.time()
        for kind, key in (("account", account), ("client", client)):
            self.store.count_failure(f"login-{kind}", key, window_s=self.window_s, now=now)

    def succeeded(self, *, account: str) -> None:
        """Forget the account's failures (the client's stay counted)."""
        self.store.clear_limit("login-account", account)
