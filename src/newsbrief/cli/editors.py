"""``newsbrief token`` and ``newsbrief user``: who may write on a server (docs/cli.md).

Both work on the store ``newsbrief serve`` uses (the same ``--database``/``--data-dir``);
a running server sees a new or revoked token or account at its next request.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from newsbrief import auth
from newsbrief.errors import InvalidOptions

F = TypeVar("F", bound=Callable[..., Any])


def store_options(func: F) -> F:
    """Add serve's ``--database`` and ``--data-dir`` to a command."""
    func = click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Folder of the default SQLite file (as for newsbrief serve).",
    )(func)
    return click.option(
        "--database",
        metavar="URL",
        help="The server's database: sqlite:////abs/path.sqlite3 or postgresql://user:pw@host/db "
        "(default: the SQLite file in the data directory, as for newsbrief serve).",
    )(func)


@contextmanager
def opened(database: str | None, data_dir: Path | None) -> Iterator[Any]:
    from newsbrief.storage import open_store

    store = open_store(database, data_dir=data_dir)
    try:
        yield store
    finally:
        store.close()


def _when(value: Any) -> str:
    return str(value.strftime("%Y-%m-%d %H:%M UTC"))


@click.group("token")
def token_cmd() -> None:
    """Create, list and revoke API tokens (Authorization: Bearer <token>)."""


@token_cmd.command("create")
@click.argument("name")
@store_options
def token_create(name: str, database: str | None, data_dir: Path | None) -> None:
    """Create a token called NAME and print it (the last line: the token alone).

    It is shown this once; the store keeps only its hash. Revoke it and create another if
    it is lost.
    """
    with opened(database, data_dir) as store:
        token = auth.create_token(store, name)
    click.echo(f"Created API token {name!r}. Copy it now: it is not shown again.")
    click.echo(token)


@token_cmd.command("list")
@store_options
def token_list(database: str | None, data_dir: Path | None) -> None:
    """List the tokens by name (the tokens themselves are not stored)."""
    with opened(database, data_dir) as store:
        tokens = store.list_tokens()
    if not tokens:
        click.echo("No API tokens. Create one with: newsbrief token create NAME")
        return
    for token in tokens:
        click.echo(f"{token.name}\tcreated {_when(token.created_at)}")


@token_cmd.command("revoke")
@click.argument("name")
@store_options
def token_revoke(name: str, database: str | None, data_dir: Path | None) -> None:
    """Revoke the token called NAME: requests sending it are refused from now on."""
    with opened(database, data_dir) as store:
        auth.revoke_token(store, name)
    click.echo(f"Revoked API token {name!r}.")


def read_password(confirm: bool = True) -> str:
    """Prompt for a password (hidden, twice) on a terminal; else read one line from stdin."""
    if sys.stdin.isatty():
        value: str = click.prompt("Password", hide_input=True, confirmation_prompt=confirm)
        return value
    line = sys.stdin.readline()
    if not line:
        raise InvalidOptions("no password given: type it at the prompt, or send it on stdin")
    return line.rstrip("\r\n")


@click.group("user")
def user_cmd() -> None:
    """Manage editor accounts (who may log in on the site)."""


@user_cmd.command("add")
@click.argument("name")
@store_options
def user_add(name: str, database: str | None, data_dir: Path | None) -> None:
    """Create the editor account NAME; the password is prompted for, or read from stdin."""
    auth.check_name("account", name)
    password = read_password()
    with opened(database, data_dir) as store:
        auth.add_user(store, name, password)
    click.echo(f"Created editor account {name!r}.")


@user_cmd.command("list")
@store_options
def user_list(database: str | None, data_dir: Path | None) -> None:
    """List the editor accounts."""
    with opened(database, data_dir) as store:
        users = store.list_users()
    if not users:
        click.echo("No editor accounts. Create one with: newsbrief user add NAME")
        return
    for user in users:
        click.echo(f"{user.name}\tcreated {_when(user.created_at)}")


@user_cmd.command("passwd")
@click.argument("name")
@store_options
def user_passwd(name: str, database: str | None, data_dir: Path | None) -> None:
    """Change NAME's password (prompted, or from stdin); its logins end."""
    password = read_password()
    with opened(database, data_dir) as store:
        auth.set_password(store, name, password)
    click.echo(f"Changed the password of {name!r}; its open logins have ended.")


@user_cmd.command("remove")
@click.argument("name")
@store_options
def user_remove(name: str, database: str | None, data_dir: Path | None) -> None:
    """Remove the editor account NAME and end its logins."""
    with opened(database, data_dir) as store:
        auth.remove_user(store, name)
    click.echo(f"Removed editor account {name!r}.")
