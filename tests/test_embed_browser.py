"""The embeddable button in a real browser, across three loopback origins.

- origin B: newsbrief under uvicorn, started with ``--embed-origin`` A;
- origin A: a publisher's pages (the article, a Spanish and an Arabic one, one with hostile
  CSS under a strict CSP), each embedding ``<newsbrief-summary>`` from B;
- origin C: another site's page embedding the element, which must get no summary and no CORS.

Chromium (Debian's) driven by Playwright, as in test_browser.py. Each state is saved as a
screenshot under the test's folder; ``NEWSBRIEF_EMBED_SCREENSHOTS=DIR`` copies them to DIR
(``docs/embed.png`` is the open panel: ``NEWSBRIEF_EMBED_SCREENSHOTS=docs``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsbrief.settings import Settings
from newsbrief.storage import open_store
from newsbrief.web import i18n
from newsbrief.web.app import create_app
from web_support import chromium, free_port, page_server, playwright_api, uvicorn_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("test_embed_browser"),  # one Chromium (a module fixture) under -n
]

EN = [
    "The harbour board approved a plan to dredge the old canal before the summer season.",
    "Work starts in March and should take eleven weeks, the board said on Tuesday.",
    "Boats will use the northern channel while the dredgers are at work in the canal.",
    "Residents asked for quieter machines at night, and the contractor agreed to that.",
    "The canal was last dredged in 1998, when silt had closed it to larger boats.",
    "A public meeting on the timetable is planned for next month at the town hall.",
    "The board expects the canal to reopen to all boats by the first week of June.",
]
ES = [
    "El ayuntamiento aprobó el martes un plan para limpiar el viejo canal del puerto.",
    "Las obras empezarán en marzo y durarán unas once semanas, según la junta del puerto.",
    "Los barcos usarán el canal del norte mientras las dragas trabajen en el canal viejo.",
    "Los vecinos pidieron máquinas más silenciosas por la noche y la empresa aceptó.",
    "El canal se limpió por última vez en 1998, cuando el lodo lo cerró a los barcos grandes.",
]
AR = [
    "وافق مجلس الميناء يوم الثلاثاء على خطة لتنظيف القناة القديمة قبل موسم الصيف.",
    "تبدأ الأعمال في شهر مارس وتستمر نحو أحد عشر أسبوعا بحسب ما قال المجلس.",
    "ستستخدم القوارب القناة الشمالية أثناء عمل الجرافات في القناة القديمة.",
    "طلب السكان آلات أكثر هدوءا في الليل ووافقت الشركة المنفذة على ذلك.",
    "نظفت القناة آخر مرة في عام ألف وتسعمئة وثمانية وتسعين عندما أغلقها الطمي.",
]
#: The element's requests, as page.route patterns.
SUMMARY_REQUESTS = "**/api/embed/summary?*"


def article_page(
    script: str, sentences: list[str], *, lang: str, title: str, head: str = ""
) -> bytes:
    paragraphs = "".join(f"<p>{s}</p>" for s in sentences)
    return (
        f"<!doctype html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<script src='{script}' defer></script>{head}</head><body>"
        f"<article><h1>{title}</h1><newsbrief-summary></newsbrief-summary>{paragraphs}"
        f"<newsbrief-summary></newsbrief-summary></article></body></html>"
    ).encode()


class Servers:
    """The three origins and the store behind newsbrief."""

    def __init__(
        self, newsbrief: str, publisher: str, other: str, store: Any, pages: dict[str, Any]
    ) -> None:
        self.newsbrief = newsbrief
        self.pages = pages  # the publisher's: a test may add one
        self.publisher = publisher
        self.other = other
        self.store = store


@pytest.fixture(scope="module")
def sync_api() -> Any:
    sync_api = playwright_api()
    # A first-time page is fetched, extracted and summarized (the model loads on first use)
    # on a shared machine: more than Playwright's default 5 s.
    sync_api.expect.set_options(timeout=30_000)
    return sync_api


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    folder = tmp_path_factory.mktemp("embed")
    store = open_store(f"sqlite:///{folder / 'site.sqlite3'}")
    port = free_port()
    newsbrief = f"http://127.0.0.1:{port}"
    script = newsbrief + "/embed.js"
    html = {"content-type": "text/html; charset=utf-8"}
    strict = {
        **html,
        # Only newsbrief may run script or be fetched; the page's CSS comes from itself.
        "content-security-policy": (
            f"default-src 'none'; script-src {newsbrief}; connect-src {newsbrief}; "
            "style-src 'self'; require-trusted-types-for 'script'"
        ),
    }
    hostile_css = b"button { display: none !important; } * { font-size: 40px; color: red; }"
    pages = {
        "/news/canal": (html, article_page(script, EN, lang="en", title="Canal dredging")),
        "/es/canal": (html, article_page(script, ES, lang="es", title="El canal")),
        "/ar/canal": (html, article_page(script, AR, lang="ar", title="القناة")),
        "/hostile/canal": (
            strict,
            article_page(
                script,
                EN,
                lang="en",
                title="Canal dredging",
                head="<link rel='stylesheet' href='/hostile.css'>",
            ),
        ),
        "/hostile.css": ({"content-type": "text/css"}, hostile_css),
        # Chromium asks every origin for one; a 404 would be a console error of its own.
        "/favicon.ico": (
            {"content-type": "image/svg+xml"},
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        ),
    }
    with page_server(pages) as publisher, page_server(dict(pages)) as other:
        app = create_app(
            Settings(port=port, embed_origins=(publisher,), allow_private_networks=True),
            store=store,
        )
        with uvicorn_server(app, port):
            yield Servers(newsbrief, publisher, other, store, pages)
    store.close()


@pytest.fixture(scope="module")
def browser(sync_api: Any) -> Iterator[Any]:
    with chromium(sync_api) as browser:
        yield browser


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The folder of this module's screenshots; copied to $NEWSBRIEF_EMBED_SCREENSHOTS."""
    folder = tmp_path_factory.mktemp("embed-screenshots")
    yield folder
    if target := os.environ.get("NEWSBRIEF_EMBED_SCREENSHOTS"):
        for shot in folder.glob("*.png"):
            name = "embed.png" if shot.name == "open.png" else f"embed-{shot.name}"
            if name == "embed.png" or not target.rstrip("/").endswith("docs"):
                shutil.copy(shot, Path(target) / name)


class Watched:
    """A page with its console errors, uncaught exceptions and the element's requests."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.summary_responses: list[Any] = []
        self.failed: list[str] = []
        page.on("requestfailed", lambda r: self.failed.append(r.url))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on(
            "response",
            lambda r: "/api/embed/summary" in r.url and self.summary_responses.append(r),
        )


def open_page(browser: Any, url: str, **options: Any) -> Watched:
    page = browser.new_page(viewport=options.pop("viewport", {"width": 900, "height": 900}))
    watched = Watched(page)
    page.goto(url)
    return watched


def element(page: Any, index: int = 0) -> Any:
    return page.locator("newsbrief-summary").nth(index)


def test_publisher_page_gets_bullets_from_its_own_text(
    browser: Any, servers: Servers, sync_api: Any, shots: Path
) -> None:
    expect = sync_api.expect
    watched = open_page(browser, servers.publisher + "/news/canal")
    page = watched.page
    top = element(page, 0)
    button = top.locator(".button")
    expect(button).to_have_accessible_name("No time to read? Get a summary")
    expect(button).to_have_attribute("aria-expanded", "false")
    top.screenshot(path=str(shots / "closed.png"))
    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(button).to_have_accessible_name("No time to read? Hide summary")
    panel = top.locator(".panel")
    expect(panel.get_by_role("heading", name="Automatically generated summary")).to_be_visible()
    bullets = panel.locator("li")
    expect(bullets).to_have_count(3)
    assert all(text in EN for text in bullets.all_inner_texts())
    expect(panel.locator(".status")).to_have_text("")
    expect(panel.locator(".method")).to_contain_text("(extractive)")
    panel.get_by_text("How was this made?").click()
    expect(panel.locator(".how")).to_contain_text("copied word for word from the article")
    page.evaluate("window.scrollTo(0, 0)")
    top.screenshot(path=str(shots / "open.png"))

    panel.get_by_role("button", name="Long").click()
    expect(bullets).to_have_count(5)
    expect(panel.get_by_role("button", name="Long")).to_have_attribute("aria-pressed", "true")
    panel.get_by_role("button", name="Short").click()
    expect(bullets).to_have_count(1)
    assert bullets.inner_text() in EN
    requests = len(watched.summary_responses)

    # The element below the article shares the answers: no new request.
    bottom = element(page, 1)
    bottom.get_by_role("button", name="No time to read? Get a summary").click()
    expect(bottom.locator(".panel li")).to_have_count(3)
    assert len(watched.summary_responses) == requests == 3
    for response in watched.summary_responses:
        assert response.headers["access-control-allow-origin"] == servers.publisher
    stored = servers.store.find_article_by_url(servers.publisher + "/news/canal")
    assert stored is not None and stored.source == "embed"
    assert watched.errors == []
    page.close()


def test_host_css_and_csp_do_not_reach_it(browser: Any, servers: Servers, sync_api: Any) -> None:
    expect = sync_api.expect
    watched = open_page(browser, servers.publisher + "/hostile/canal")
    page = watched.page
    assert page.locator("h1").evaluate("e => getComputedStyle(e).fontSize") == "40px"
    top = element(page, 0)
    button = top.get_by_role("button", name="No time to read? Get a summary")
    expect(button).to_be_visible()
    size = button.locator(".a").evaluate("e => getComputedStyle(e).fontSize")
    assert size == "16px"
    button.click()
    expect(top.locator(".panel li")).to_have_count(3)
    colour = top.locator(".panel li").first.evaluate("e => getComputedStyle(e).color")
    assert colour == "rgb(27, 29, 33)"
    # Its own styles are not the page's: the page's h1 keeps them.
    assert page.locator("h1").evaluate("e => getComputedStyle(e).color") == "rgb(255, 0, 0)"
    assert watched.errors == []  # no CSP violation, no Trusted Types violation, no exception
    page.close()


def test_an_unlisted_origin_gets_no_summary_and_no_cors(
    browser: Any, servers: Servers, sync_api: Any, shots: Path
) -> None:
    expect = sync_api.expect
    watched = open_page(browser, servers.other + "/news/canal")
    page = watched.page
    top = element(page, 0)
    top.get_by_role("button", name="No time to read? Get a summary").click()
    status = top.get_by_role("status")
    expect(status).to_have_text("Could not make a summary: the server could not be reached.")
    expect(top.get_by_role("button", name="Retry")).to_be_visible()
    top.screenshot(path=str(shots / "refused.png"))
    # The browser refused to hand the answer over (no CORS): what the server said to it.
    assert watched.summary_responses == []
    assert watched.failed and all("/api/embed/summary" in url for url in watched.failed)
    answer = httpx.get(
        servers.newsbrief + "/api/embed/summary",
        params={"url": servers.other + "/news/canal"},
        headers={"Origin": servers.other},
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "origin_not_allowed"
    assert not [h for h in answer.headers if h.startswith("access-control-")]
    assert not [e for e in watched.errors if "newsbrief" in e.lower() and "cors" not in e.lower()]
    assert servers.store.find_article_by_url(servers.other + "/news/canal") is None
    page.close()


def test_unreachable_server_then_retry(
    browser: Any, servers: Servers, sync_api: Any, shots: Path
) -> None:
    expect = sync_api.expect
    watched = open_page(browser, servers.publisher + "/news/canal")
    page = watched.page
    page.route(SUMMARY_REQUESTS, lambda route: route.abort("connectionrefused"))
    top = element(page, 0)
    top.get_by_role("button", name="No time to read? Get a summary").click()
    status = top.get_by_role("status")
    expect(status).to_have_text("Could not make a summary: the server could not be reached.")
    top.screenshot(path=str(shots / "error.png"))
    page.unroute(SUMMARY_REQUESTS)
    top.get_by_role("button", name="Retry").click()
    expect(top.locator(".panel li")).to_have_count(3)
    expect(top.get_by_role("button", name="Retry")).to_be_hidden()
    assert not [e for e in watched.errors if "ERR_CONNECTION_REFUSED" not in e]
    page.close()


def test_loading_state(browser: Any, servers: Servers, sync_api: Any, shots: Path) -> None:
    expect = sync_api.expect
    watched = open_page(browser, servers.publisher + "/news/canal")
    page = watched.page
    held: list[Any] = []
    page.route(SUMMARY_REQUESTS, lambda route: held.append(route))
    top = element(page, 0)
    top.get_by_role("button", name="No time to read? Get a summary").click()
    expect(top.get_by_role("status")).to_have_text("Making the summary…")
    expect(top.locator(".panel")).to_have_attribute("aria-busy", "true")
    top.screenshot(path=str(shots / "loading.png"))
    page.wait_for_timeout(50)
    assert held
    held[0].continue_()
    expect(top.locator(".panel li")).to_have_count(3)
    expect(top.locator(".panel")).not_to_have_attribute("aria-busy", "true")
    page.close()


@pytest.mark.parametrize(
    ("path", "language", "sentences"),
    [("/es/canal", "es", ES), ("/ar/canal", "ar", AR)],
    ids=["spanish", "arabic"],
)
def test_labels_in_the_pages_language(
    browser: Any,
    servers: Servers,
    sync_api: Any,
    shots: Path,
    path: str,
    language: str,
    sentences: list[str],
) -> None:
    expect = sync_api.expect
    t = i18n.labels(language)
    watched = open_page(browser, servers.publisher + path)
    page = watched.page
    top = element(page, 0)
    button = top.get_by_role("button", name=f"{t('question')} {t('get')}")
    expect(button).to_be_visible()
    box = top.locator(".box")
    expect(box).to_have_attribute("lang", language)
    expect(box).to_have_attribute("dir", t.dir)
    assert box.evaluate("e => getComputedStyle(e).direction") == t.dir
    button.click()
    panel = top.locator(".panel")
    expect(panel.get_by_role("heading", name=t("heading"))).to_be_visible()
    expect(panel.locator("li")).to_have_count(3)
    assert all(text in sentences for text in panel.locator("li").all_inner_texts())
    expect(panel.get_by_role("button", name=t("long"))).to_be_visible()
    expect(panel.locator(".how summary")).to_have_text(t("how"))
    top.screenshot(path=str(shots / f"open-{language}.png"))
    assert watched.errors == []
    page.close()


def test_keyboard_only(browser: Any, servers: Servers, sync_api: Any) -> None:
    expect = sync_api.expect
    watched = open_page(browser, servers.publisher + "/news/canal")
    page = watched.page
    top = element(page, 0)
    page.keyboard.press("Tab")  # the first thing to focus on the page is the top button
    button = top.locator(".button")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(top.locator(".panel li")).to_have_count(3)
    expect(top.locator(".panel")).to_be_focused()
    page.keyboard.press("Tab")  # Short
    page.keyboard.press("Tab")  # Medium
    page.keyboard.press("Tab")  # Long
    expect(top.get_by_role("button", name="Long")).to_be_focused()
    page.keyboard.press("Space")
    expect(top.locator(".panel li")).to_have_count(5)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(button).to_be_focused()
    expect(button).to_have_accessible_name("No time to read? Hide summary")
    page.keyboard.press("Enter")
    expect(top.locator(".panel")).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    assert watched.errors == []
    page.close()


def test_no_language_overflows_on_a_phone(browser: Any, servers: Servers, sync_api: Any) -> None:
    """Every language's labels (the longest translation among them), the open panel and its
    "How was this made?" note included, fit a 360 px wide screen."""
    expect = sync_api.expect
    script = servers.newsbrief + "/embed.js"
    url = servers.publisher + "/news/canal"
    blocks = "".join(
        f"<div lang='{code}'><newsbrief-summary url='{url}'></newsbrief-summary></div>"
        for code in i18n.languages()
    )
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<script src='{script}' defer></script></head><body style='margin:8px'>{blocks}"
        "</body></html>"
    ).encode()
    # Served by the publisher (CORS is for its origin alone, and Chromium lets only a page
    # from a private address call a loopback one).
    servers.pages["/all-languages"] = ({"content-type": "text/html; charset=utf-8"}, html)
    page = browser.new_page(viewport={"width": 360, "height": 800})
    watched = Watched(page)
    page.goto(servers.publisher + "/all-languages")
    elements = page.locator("newsbrief-summary")
    expect(elements).to_have_count(len(i18n.languages()))
    for i in range(len(i18n.languages())):
        elements.nth(i).locator(".button").click()
    for i in range(len(i18n.languages())):
        expect(elements.nth(i).locator(".panel li")).to_have_count(3)
        elements.nth(i).locator(".how summary").click()
    wide = page.evaluate(
        """() => [...document.querySelectorAll('newsbrief-summary')].flatMap(el => {
            const box = el.shadowRoot.querySelector('.box');
            const lang = el.parentElement.lang;
            const bad = [...box.querySelectorAll('*')].filter(n =>
                n.getBoundingClientRect().right > window.innerWidth + 0.5 ||
                n.getBoundingClientRect().left < -0.5);
            return bad.map(n => lang + ':' + n.tagName + '.' + n.className);
        })"""
    )
    assert wide == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert watched.errors == []
    page.close()


def test_site_article_page_fits_a_phone_in_the_longest_translation(
    browser: Any, servers: Servers, sync_api: Any
) -> None:
    """The reader site's own summary box speaks the article's language, the longest one too."""
    from newsbrief.models import Article

    expect = sync_api.expect
    longest = max(
        i18n.languages(), key=lambda code: sum(len(v) for v in i18n.strings()[code].values())
    )
    t = i18n.labels(longest)
    stored, _ = servers.store.add_article(
        # Its own text: the publisher's page, stored by now, would be this very article.
        Article(text="\n".join(reversed(EN)), title="Canal dredging", language=longest),
        source="text",
    )
    assert stored.article.language == longest
    page = browser.new_page(viewport={"width": 360, "height": 800})
    watched = Watched(page)
    page.goto(f"{servers.newsbrief}/articles/{stored.id}")
    button = page.locator('.summary-button[aria-controls="summary-top"]')
    expect(button).to_have_accessible_name(f"{t('question')} {t('get')}")
    button.click()
    expect(button).to_have_accessible_name(f"{t('question')} {t('hide')}")
    panel = page.locator("#summary-top")
    expect(panel.locator(".summary-bullets li")).to_have_count(3)
    panel.locator(".how summary").click()
    expect(panel.locator(".summary-method-kind")).to_have_text(t("extractive"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert watched.errors == []
    page.close()


def test_unsupported_sentences_are_marked_in_words(
    browser: Any, servers: Servers, sync_api: Any
) -> None:
    """An abstractive answer (faked here: no model runs in this test) marks what the
    faithfulness check could not support with words, and names the fallback it used."""
    expect = sync_api.expect
    answer = {
        "method": "llm",
        "kind": "abstractive",
        "language": "en",
        "sentences": [
            {"text": "The canal will be dredged.", "index": None, "supported": True},
            {"text": "It will cost 60 million.", "index": None, "supported": False},
        ],
        "info": {},
    }
    watched = open_page(browser, servers.publisher + "/news/canal")
    page = watched.page
    page.route(
        SUMMARY_REQUESTS,
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            headers={"access-control-allow-origin": servers.publisher},
            body=json.dumps(answer),
        ),
    )
    top = element(page, 0)
    top.locator(".button").click()
    items = top.locator(".panel li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_have_text("The canal will be dredged.")
    expect(items.nth(1)).to_have_text("It will cost 60 million. (not found in the article)")
    expect(items.nth(1)).to_have_class("unsupported")
    expect(top.locator(".method")).to_have_text("Method: llm (abstractive)")
    top.locator(".how summary").click()
    expect(top.locator(".how")).to_contain_text("A model wrote it in its own words")
    assert watched.errors == []
    page.close()


@pytest.mark.parametrize(("motion", "animation"), [("reduce", "none"), ("no-preference", "nb-in")])
def test_reduced_motion_is_respected(
    browser: Any, servers: Servers, sync_api: Any, motion: str, animation: str
) -> None:
    expect = sync_api.expect
    page = browser.new_page(reduced_motion=motion)
    page.goto(servers.publisher + "/news/canal")
    top = element(page, 0)
    top.locator(".button").click()
    expect(top.locator(".panel li")).to_have_count(3)
    name = top.locator(".panel").evaluate("e => getComputedStyle(e).animationName")
    assert name == animation
    page.close()


def test_a_new_url_attribute_shows_that_pages_summary(
    browser: Any, servers: Servers, sync_api: Any
) -> None:
    expect = sync_api.expect
    watched = open_page(browser, servers.publisher + "/news/canal")
    page = watched.page
    top = element(page, 0)
    top.locator(".button").click()
    items = top.locator(".panel li")
    expect(items).to_have_count(3)
    assert all(text in EN for text in items.all_inner_texts())
    top.evaluate("(el, url) => el.setAttribute('url', url)", servers.publisher + "/es/canal")
    expect(items.first).to_have_text(re.compile("|".join(re.escape(s) for s in ES)))
    assert all(text in ES for text in items.all_inner_texts())
    assert watched.errors == []
    page.close()
