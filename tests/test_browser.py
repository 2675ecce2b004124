"""The reader site in a real browser: Debian's Chromium driven by Playwright, the app under uvicorn.

Opens the home page, an article, clicks "Get a summary", checks the bullets, follows a bullet
to its highlighted sentence, clicks "Next Article", saves a screenshot; then loads an article
full of script injections and checks that nothing ran. The summary panel is also driven through
slow, failing and never-answered requests (``page.route`` holds or fakes the API's answers, and
``page.clock`` stands in for the 150 s timeout), and its button label and scrolling are checked.
Needs ``apt-get install chromium`` and ``pip install playwright`` (no ``playwright install``:
the system Chromium is used).

Set ``NEWSBRIEF_SCREENSHOT=docs/screenshot.png`` to refresh the README's screenshot.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsbrief import summarizers
from newsbrief.settings import Settings
from newsbrief.storage import open_store
from newsbrief.web.app import create_app
from web_support import chromium, free_port, playwright_api, uvicorn_server, xss_article

#: The title of the oldest demo article (01-en-street-trees.txt), listed last on the home page.
FIRST_DEMO_TITLE = "Volunteers count every street tree before the town replants"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("test_browser"),  # one Chromium (a module fixture) under -n
]


@pytest.fixture(scope="module")
def sync_api() -> Any:
    return playwright_api()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """Run the real app under uvicorn on a free loopback port; yield (base URL, XSS id)."""
    folder = tmp_path_factory.mktemp("browser")
    store = open_store(f"sqlite:///{folder / 'site.sqlite3'}")
    xss, _ = store.add_article(xss_article(), source="html")
    port = free_port()
    app = create_app(Settings(port=port, demo=True), store=store)
    with uvicorn_server(app, port, lifespan="on") as base:
        yield base, xss.id
    store.close()


@pytest.fixture(scope="module")
def browser(sync_api: Any) -> Iterator[Any]:
    with chromium(sync_api) as browser:
        yield browser


def summary_button(page: Any, position: str) -> Any:
    """The summary button above ("top") or below ("bottom") the text, whatever its label."""
    return page.locator(f'.summary-button[aria-controls="summary-{position}"]')


def open_first_demo(browser: Any, base: str, **options: Any) -> Any:
    """A new page on the oldest demo article (enough sentences for a Long summary)."""
    page = browser.new_page(viewport={"width": 1000, "height": 900}, **options)
    page.goto(base + "/")
    page.get_by_role("link", name=FIRST_DEMO_TITLE).click()
    page.wait_for_url("**/articles/*")
    return page


def test_read_summarize_and_move_on(
    browser: Any, server: tuple[str, int], sync_api: Any, tmp_path: Path
) -> None:
    base, _ = server
    expect = sync_api.expect
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))

    page.goto(base + "/")
    expect(page.get_by_role("heading", name="Articles", exact=True)).to_be_visible()
    page.get_by_role("link", name=FIRST_DEMO_TITLE).click()
    expect(page.locator("h1")).to_have_text(FIRST_DEMO_TITLE)
    page_url = page.url

    button = summary_button(page, "top")
    expect(button).to_have_accessible_name("No time to read? Get a summary")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    panel = page.locator("#summary-top")
    expect(panel).to_be_visible()
    bullets = panel.locator(".summary-bullets li a")
    expect(bullets).to_have_count(3)
    assert page.url == page_url  # in place, no reload
    expect(panel.get_by_role("heading", name="Automatically generated summary")).to_be_visible()
    expect(panel.locator(".summary-method-name")).to_have_text(summarizers.resolve("default"))

    # Follow the second bullet: its sentence is highlighted and scrolled into view.
    href = bullets.nth(1).get_attribute("href")
    assert href and href.startswith("#s-")
    bullets.nth(1).click()
    sentence = page.locator(href)
    expect(sentence).to_have_class("s highlight")
    expect(sentence).to_be_in_viewport()
    assert sentence.inner_text() == bullets.nth(1).inner_text()

    # The length choice re-fetches in place.
    panel.get_by_role("button", name="Long").click()
    expect(bullets).to_have_count(5)
    panel.get_by_role("button", name="Short").click()
    expect(bullets).to_have_count(1)
    panel.get_by_role("button", name="Medium").click()
    expect(bullets).to_have_count(3)
    bullets.nth(1).click()

    shot = tmp_path / "article.png"
    page.locator("#summary-top").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if target := os.environ.get("NEWSBRIEF_SCREENSHOT"):
        shutil.copy(shot, target)

    # The button below the text opens its own panel there, from the same cached answer.
    bottom = summary_button(page, "bottom")
    bottom.click()
    expect(bottom).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#summary-bottom .summary-bullets li a")).to_have_count(3)
    expect(page.locator("#summary-bottom")).to_be_in_viewport()

    page.get_by_role("link", name="Next Article").click()
    expect(page.locator("h1")).to_have_text(
        "Cómo funciona la regularización de cuotas de los autónomos"
    )
    expect(page.locator("h1")).to_have_attribute("lang", "es")
    assert errors == []
    page.close()


def test_no_script_injection_runs(browser: Any, server: tuple[str, int], sync_api: Any) -> None:
    base, xss_id = server
    expect = sync_api.expect
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{base}/articles/{xss_id}")
    expect(page.locator("h1")).to_contain_text("<script>alert(1)</script> Breaking")
    page.get_by_role("button", name="No time to read? Get a summary").first.click()
    panel = page.locator("#summary-top")
    expect(panel.locator(".summary-bullets li")).to_have_count(3)
    expect(panel.locator(".summary-bullets")).to_contain_text("<script>alert('text')</script>")
    for link in panel.locator(".summary-bullets a").all():
        link.click()
    page.goto(base + "/")
    page.goto(f"{base}/articles/{xss_id}/summary?length=long")
    page.wait_for_timeout(300)  # give any onerror handler a chance to fire
    assert dialogs == []
    injected = page.evaluate(
        "document.querySelectorAll('main img, main script, main a[href^=\"javascript:\"]').length"
    )
    assert injected == 0
    page.close()


def test_summary_button_without_javascript(
    browser: Any, server: tuple[str, int], sync_api: Any
) -> None:
    base, _ = server
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "/articles/1")
    page.get_by_role("button", name="No time to read? Get a summary").last.click()
    page.wait_for_url(f"{base}/articles/1/summary?length=medium")
    sync_api.expect(page.locator(".summary-bullets li")).to_have_count(3)
    first = page.locator(".summary-bullets a").first
    href = first.get_attribute("href") or ""
    first.click()
    page.wait_for_url(f"{base}{href}")
    context.close()


def test_readable_on_a_phone(browser: Any, server: tuple[str, int]) -> None:
    base, _ = server
    page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True)
    for path in ("/", "/articles/1", "/add", "/feeds"):
        page.goto(base + path)
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 360, f"{path} is {overflow}px wide on a 360px screen"
    page.close()


def test_the_header_fits_on_one_line_on_a_phone(browser: Any, server: tuple[str, int]) -> None:
    base, _ = server
    page = browser.new_page(viewport={"width": 360, "height": 740}, is_mobile=True)
    for path in ("/", "/articles/1"):
        page.goto(base + path)
        tops = page.evaluate(
            "[...document.querySelectorAll('.site-header nav a')]"
            ".map(a => a.getBoundingClientRect().top + a.getBoundingClientRect().height / 2)"
        )
        assert len(tops) == 5
        assert max(tops) - min(tops) < 4, f"{path}: the header wraps ({tops})"
    page.close()


def test_the_api_page_lists_the_operations_and_tries_one(
    browser: Any, server: tuple[str, int], sync_api: Any
) -> None:
    """/docs renders the OpenAPI 3.1 schema (Swagger UI 4 could not) and "Try it out" works."""
    import httpx

    base, _ = server
    expect = sync_api.expect
    schema = httpx.get(base + "/openapi.json").json()
    operations = sum(len(methods) for methods in schema["paths"].values())
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(base + "/docs")
    expect(page.locator(".opblock")).to_have_count(operations)
    expect(page.get_by_text("Unable to render this definition")).to_have_count(0)
    # The editors' operations show a lock, and the page an Authorize button for the token.
    locked = sum(
        1 for methods in schema["paths"].values() for op in methods.values() if op.get("security")
    )
    assert locked >= 5
    expect(page.locator(".opblock .authorization__btn")).to_have_count(locked)
    page.locator(".auth-wrapper .authorize").click()
    expect(page.locator(".auth-container")).to_contain_text("apiToken")
    page.locator(".auth-btn-wrapper .btn-done").click()

    operation = page.locator(".opblock-get", has=page.locator('[data-path="/api/articles"]'))
    operation.locator(".opblock-summary").first.click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200")
    expect(operation.locator(".live-responses-table .microlight").first).to_contain_text(
        FIRST_DEMO_TITLE
    )
    assert errors == []
    page.close()


# --- the summary panel when requests are slow, fail or never answer -------------------------


def summary_request(sentences: int) -> Any:
    """A URL matcher for page.route: the panel's request for `sentences` sentences."""
    return lambda url: "/api/articles/" in url and f"sentences={sentences}" in url


def test_an_older_slower_answer_does_not_replace_the_newer_one(
    browser: Any, server: tuple[str, int], sync_api: Any
) -> None:
    expect = sync_api.expect
    page = open_first_demo(browser, server[0])
    held: list[Any] = []
    page.route(summary_request(5), lambda route: held.append(route))  # answered when told
    summary_button(page, "top").click()
    panel = page.locator("#summary-top")
    bullets = panel.locator(".summary-bullets li")
    expect(bullets).to_have_count(3)

    panel.get_by_role("button", name="Long").click()
    panel.get_by_role("button", name="Short").click()
    expect(bullets).to_have_count(1)
    page.wait_for_timeout(2000)
    assert len(held) == 1
    with page.expect_response(lambda response: "sentences=5" in response.url):
        held[0].continue_()  # the Long answer arrives now, after Short's
    page.wait_for_timeout(1000)
    expect(bullets).to_have_count(1)
    expect(panel.get_by_role("button", name="Short")).to_have_attribute("aria-pressed", "true")
    expect(panel.get_by_role("button", name="Long")).to_have_attribute("aria-pressed", "false")
    expect(panel).not_to_have_attribute("aria-busy", "true")
    expect(panel.locator(".summary-status")).to_have_text("")
    # The late answer was still good: Long now shows it at once.
    panel.get_by_role("button", name="Long").click()
    expect(bullets).to_have_count(5)
    page.close()


@pytest.mark.parametrize(
    ("status", "content_type", "body", "shown"),
    [
        pytest.param(
            502,
            "text/html",
            "<html><body><h1>502 Bad Gateway</h1></body></html>",
            "Could not make a summary (HTTP 502).",
            id="proxy-html-502",
        ),
        pytest.param(
            504,
            "application/json",
            '{"error": {"code": "backend_timeout", "message": "the model took too long"}}',
            "Could not make a summary: the model took too long",
            id="api-json-504",
        ),
    ],
)
def test_an_error_reply_is_shown_with_retry(
    browser: Any,
    server: tuple[str, int],
    sync_api: Any,
    status: int,
    content_type: str,
    body: str,
    shown: str,
) -> None:
    expect = sync_api.expect
    page = open_first_demo(browser, server[0])
    medium = summary_request(3)
    page.route(
        medium, lambda route: route.fulfill(status=status, content_type=content_type, body=body)
    )
    summary_button(page, "top").click()
    panel = page.locator("#summary-top")
    expect(panel.locator(".summary-status")).to_have_text(shown)
    expect(panel).not_to_have_attribute("aria-busy", "true")
    expect(panel.locator(".summary-bullets li")).to_have_count(0)
    retry = panel.get_by_role("button", name="Retry")
    expect(retry).to_be_visible()

    page.unroute(medium)
    retry.focus()
    page.keyboard.press("Enter")
    expect(panel.locator(".summary-bullets li")).to_have_count(3)
    expect(panel.locator(".summary-status")).to_have_text("")
    expect(retry).to_be_hidden()
    expect(panel).to_be_focused()  # not lost to the page's top with the hidden button
    page.close()


def test_a_request_that_never_answers_times_out(
    browser: Any, server: tuple[str, int], sync_api: Any
) -> None:
    expect = sync_api.expect
    page = open_first_demo(browser, server[0])
    page.clock.install()  # setTimeout under the test's control: no 150 s wait
    page.reload()
    page.route(summary_request(3), lambda route: None)  # never answered
    summary_button(page, "top").click()
    panel = page.locator("#summary-top")
    status = panel.locator(".summary-status")
    expect(status).to_have_text("Making the summary…")
    expect(panel).to_have_attribute("aria-busy", "true")

    page.clock.run_for(149_000)
    expect(status).to_have_text("Making the summary…")
    page.clock.run_for(2_000)
    expect(status).to_have_text("Could not make a summary: no answer within 150 seconds.")
    expect(panel).not_to_have_attribute("aria-busy", "true")

    page.unroute_all(behavior="ignoreErrors")
    panel.get_by_role("button", name="Retry").click()
    expect(panel.locator(".summary-bullets li")).to_have_count(3)
    expect(status).to_have_text("")
    page.close()


def test_a_failed_length_change_keeps_the_shown_length_pressed(
    browser: Any, server: tuple[str, int], sync_api: Any
) -> None:
    expect = sync_api.expect
    page = open_first_demo(browser, server[0])
    summary_button(page, "top").click()
    panel = page.locator("#summary-top")
    bullets = panel.locator(".summary-bullets li")
    expect(bullets).to_have_count(3)
    medium = panel.get_by_role("button", name="Medium")
    long = panel.get_by_role("button", name="Long")

    requests_for_long = summary_request(5)
    page.route(requests_for_long, lambda route: route.fulfill(status=502, body="Bad Gateway"))
    long.click()
    expect(panel.locator(".summary-status")).to_have_text(
        "Could not make a summary (HTTP 502). Still showing the Medium summary."
    )
    expect(bullets).to_have_count(3)
    expect(medium).to_have_attribute("aria-pressed", "true")
    expect(long).to_have_attribute("aria-pressed", "false")

    page.unroute(requests_for_long)
    panel.get_by_role("button", name="Retry").click()  # retries Long, the length that failed
    expect(bullets).to_have_count(5)
    expect(long).to_have_attribute("aria-pressed", "true")
    expect(medium).to_have_attribute("aria-pressed", "false")
    page.close()


@pytest.mark.parametrize("motion", ["reduce", "no-preference"])
def test_the_bottom_panel_opened_at_the_fold_scrolls_into_view(
    browser: Any, server: tuple[str, int], sync_api: Any, motion: str
) -> None:
    expect = sync_api.expect
    page = open_first_demo(browser, server[0], reduced_motion=motion)
    # Put the bottom button on the last line of the window: its panel opens below the fold.
    scrolled = page.evaluate(
        """() => {
            const button = document.querySelector('[aria-controls="summary-bottom"]');
            window.scrollBy(0, button.getBoundingClientRect().bottom - window.innerHeight + 2);
            const y = window.scrollY;
            button.click();
            return window.scrollY - y;
        }"""
    )
    if motion == "reduce":
        assert scrolled > 0  # at once, no animation
    panel = page.locator("#summary-bottom")
    expect(panel.get_by_role("heading", name="Automatically generated summary")).to_be_in_viewport(
        ratio=1
    )
    expect(panel.locator(".summary-bullets li")).to_have_count(3)
    expect(panel).to_be_in_viewport(ratio=1)
    page.close()


def test_the_button_says_hide_while_its_panel_is_open(
    browser: Any, server: tuple[str, int], sync_api: Any
) -> None:
    expect = sync_api.expect
    page = open_first_demo(browser, server[0])
    top, bottom = summary_button(page, "top"), summary_button(page, "bottom")
    panel = page.locator("#summary-top")

    top.click()
    expect(top).to_have_accessible_name("No time to read? Hide summary")
    expect(top).to_have_attribute("aria-expanded", "true")
    expect(panel).to_be_visible()
    expect(bottom).to_have_accessible_name("No time to read? Get a summary")
    expect(bottom).to_have_attribute("aria-expanded", "false")

    top.click()
    expect(top).to_have_accessible_name("No time to read? Get a summary")
    expect(top).to_have_attribute("aria-expanded", "false")
    expect(panel).to_be_hidden()
    page.close()
