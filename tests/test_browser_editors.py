"""Editors in a real browser: Chromium logs in, adds and deletes an article, logs out; a page on
another loopback origin that submits forms to the site by itself changes nothing.

The app runs under uvicorn on loopback with one editor account, so writes need a login; the
other origin is the same address on another port (same site, so a ``SameSite=Lax`` cookie
would go with its form: the ``Origin``/``Sec-Fetch-Site`` check and the CSRF token stop it).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

from newsbrief import auth
from newsbrief.settings import Settings
from newsbrief.storage import Store, open_store
from newsbrief.web.app import create_app
from web_support import chromium, free_port, page_server, playwright_api, uvicorn_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("test_browser_editors"),  # one Chromium (a module fixture) under -n
]

PASSWORD = "correct horse battery staple"
TEXT = (
    "The harbour authority opened a new ferry line between the two towns on Monday.\n"
    "Boats will run every forty minutes from June, and fares stay the same for now."
)


@pytest.fixture(scope="module")
def sync_api() -> Any:
    return playwright_api()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    """The app under uvicorn on a free loopback port, with the editor "ana"."""
    folder = tmp_path_factory.mktemp("editors")
    store = open_store(f"sqlite:///{folder / 'site.sqlite3'}")
    auth.add_user(store, "ana", PASSWORD)
    port = free_port()
    app = create_app(Settings(port=port, demo=True), store=store)
    with uvicorn_server(app, port, lifespan="on") as base:
        yield base, store
    store.close()


#: Submits the page's form as soon as it loads.
SUBMIT = "<script>document.forms[0].submit()</script>"


@contextlib.contextmanager
def attacker(target: str) -> Iterator[str]:
    """Serve, on another loopback port, pages whose forms post to ``target`` on their own."""
    pages = {
        "/add.html": f'<form method="post" action="{target}/add">'
        '<input type="hidden" name="csrf_token" value="guessed">'
        f'<input type="hidden" name="text" value="{TEXT} Planted by another site.">'
        "</form>",
        "/delete.html": f'<form method="post" action="{target}/articles/1/delete"></form>',
    }

    html = {"content-type": "text/html; charset=utf-8"}
    with page_server(
        {
            path: (html, f"<!doctype html><body>{body}{SUBMIT}".encode())
            for path, body in pages.items()
        }
    ) as base:
        yield base


def test_an_editor_logs_in_adds_deletes_and_logs_out(
    sync_api: Any, site: tuple[str, Store]
) -> None:
    base, store = site
    expect = sync_api.expect
    with chromium(sync_api) as browser:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "/add")
        expect(page).to_have_url(base + "/login?next=/add")
        page.get_by_label("Account name").fill("ana")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(base + "/add")
        expect(page.get_by_role("button", name="Log out ana")).to_be_visible()

        page.get_by_label("Title (optional)").fill("Ferry line opens")
        page.get_by_label("Article text").fill(TEXT)
        page.get_by_role("button", name="Add text").click()
        page.wait_for_url("**/articles/*")
        article_id = int(page.url.rsplit("/", 1)[1])
        assert store.get_article(article_id).article.title == "Ferry line opens"
        before = store.list_articles().total

        # Another site's pages post forms to this one while the editor is logged in.
        with attacker(base) as evil:
            for name in ("add.html", "delete.html"):
                attack = context.new_page()  # the same cookies: logged in
                attack.goto(f"{evil}/{name}")
                attack.wait_for_load_state("load")
                expect(attack.locator("body")).to_contain_text("refused")
                attack.close()
        assert store.list_articles().total == before
        store.get_article(1)  # still there

        page.get_by_role("link", name="Edit or delete").click()
        page.get_by_role("button", name="Delete the article").click()
        expect(page).to_have_url(base + "/?deleted=1")
        expect(page.get_by_role("status")).to_have_text("Article deleted.")
        assert store.list_articles().total == before - 1

        page.get_by_role("button", name="Log out ana").click()
        expect(page).to_have_url(base + "/")
        expect(page.get_by_role("link", name="Editors: log in")).to_be_visible()
        page.goto(base + "/add")
        expect(page).to_have_url(base + "/login?next=/add")
        browser.close()
