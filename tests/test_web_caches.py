"""The web app's in-memory caches: bounded by bytes, keyed on normalised options."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsbrief.models import Article, Length
from newsbrief.storage import Store, length_key
from newsbrief.web.cache import ENTRY_OVERHEAD, ByteLRU, ResponseCache, summary_cache_key
from newsbrief.web.render import SpanCache
from web_support import Client, make_app

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app_store(tmp_path: Path) -> Iterator[tuple[Any, Store, Client]]:
    app, store, client = make_app(tmp_path, demo=True)
    yield app, store, client
    store.close()


# --- keys -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spellings",
    [
        ["ratio=1.0", "ratio=1.00", "ratio=1.000", "ratio=1", "ratio=1e0", "ratio=10e-1"],
        ["ratio=0.5", "ratio=.5", "ratio=0.50000", "ratio=5E-1"],
        ["", "sentences=3", "sentences=03", "method=default", "method=", "format=json"],
        ["words=60", "words=060", "words=60&format=json&method=default"],
        ["sentences=2&summary_language=", "summary_language=&sentences=2"],
    ],
    ids=["ratio-1", "ratio-half", "default-length", "words", "blank-language"],
)
def test_the_same_options_give_the_same_key(spellings: list[str]) -> None:
    keys = {summary_cache_key(1, query, "default") for query in spellings}
    assert len(keys) == 1 and None not in keys


def test_different_options_give_different_keys() -> None:
    queries = [
        "sentences=2",
        "words=2",
        "ratio=0.2",
        "ratio=0.2000001",
        "sentences=2&format=bullets",
        "sentences=2&method=lead",
        "sentences=2&summary_language=fr",
    ]
    keys = [summary_cache_key(1, query, "default") for query in queries]
    assert len(set(keys)) == len(queries)
    assert summary_cache_key(1, "", "default") != summary_cache_key(2, "", "default")


@pytest.mark.parametrize(
    "query",
    [
        "sentences=+3",
        "sentences=%203",
        "sentences=0",
        "sentences=101",
        "words=5001",
        "sentences=٣",
        "ratio=nan",
        "ratio=inf",
        "ratio=0",
        "ratio=1.5",
        "ratio=0x1",
        "format=",
        "format=JSON",
        "method=no-such-method",
        "sentences=3&sentences=4",
        "sentences=3&ratio=0.5",
        "callback=x",
    ],
)
def test_queries_the_route_may_refuse_get_no_key(query: str) -> None:
    assert summary_cache_key(1, query, "default") is None


def test_the_store_key_spells_every_ratio_exactly() -> None:
    assert length_key(Length(ratio=0.25)) == "ratio=0.25"
    assert length_key(Length(ratio=1.0)) == "ratio=1"
    # Six significant digits made these one key, for summaries that can differ.
    assert length_key(Length(ratio=0.1234561)) != length_key(Length(ratio=0.1234564))


def test_a_blank_format_is_refused_even_after_a_cached_answer(
    app_store: tuple[Any, Store, Client],
) -> None:
    """The memory key read a blank format as json, so the fast path served what the route
    refuses (422)."""
    client = app_store[2]
    assert client.get("/api/articles/1/summary").status_code == 200
    assert client.get("/api/articles/1/summary").json()["cached"] is True
    r = client.get("/api/articles/1/summary?format=")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "validation_error"


def test_spellings_of_one_ratio_share_one_entry(app_store: tuple[Any, Store, Client]) -> None:
    app, _, client = app_store
    state = app.state.newsbrief
    first = client.get("/api/articles/1/summary?ratio=1.0")
    assert first.status_code == 200 and first.json()["cached"] is False
    for zeros in range(1, 50):
        r = client.get(f"/api/articles/1/summary?ratio=1.{'0' * zeros}")
        assert r.json()["cached"] is True
    assert len(state.summaries) == 1


# --- bounded by bytes -------------------------------------------------------------------------


def test_byte_lru_evicts_by_bytes() -> None:
    cache: ByteLRU[str, bytes] = ByteLRU(10 * (ENTRY_OVERHEAD + 100), size_of=len)
    for i in range(30):
        cache.put(f"k{i}", b"x" * 100)
    assert len(cache) == 10
    assert cache.nbytes == 10 * (ENTRY_OVERHEAD + 100)
    assert cache.get("k19") is None and cache.get("k29") == b"x" * 100
    cache.put("k29", b"y" * 50)  # replacing an entry counts its new size only
    assert cache.nbytes == 9 * (ENTRY_OVERHEAD + 100) + ENTRY_OVERHEAD + 50


def test_byte_lru_keeps_no_entry_over_its_item_limit() -> None:
    cache = ResponseCache(max_bytes=80_000)
    cache.put("small", b"s" * 1000)
    cache.put("huge", b"h" * 10_001)  # over 80,000 / 8 with its overhead
    assert cache.get("huge") is None and cache.get("small") is not None


def test_the_span_cache_is_bounded_by_bytes() -> None:
    paragraph = "The council approved the plan on Tuesday. Officials said more was needed."
    cache = SpanCache(max_bytes=400_000)  # a rendering here is ~37 KB
    for i in range(40):
        text = "\n".join(f"{paragraph} Item {i}." for _ in range(40))
        rendered = cache.get(str(i), Article(text=text, language="en"))
        assert rendered.n_sentences == 120
    assert 300_000 < cache.nbytes <= 400_000
    assert 8 <= len(cache) <= 10


#: Run in a subprocess: ask for ``n`` distinct long summaries (words=5000, 4999, ...) of one long
#: article through the app, in-process, with a 2 MB memory budget; print the growth of the
#: resident set and what the cache holds.
MEMORY_SCRIPT = textwrap.dedent(
    """
    import asyncio, json, os, random, sys
    import httpx
    from newsbrief.settings import Settings
    from newsbrief.storage import open_store
    from newsbrief.web.app import create_app

    def rss_kb():  # the resident set now (a peak would hide what is kept after the work)
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024

    n, folder = int(sys.argv[1]), sys.argv[2]
    store = open_store(f"sqlite:///{folder}/m.sqlite3")
    app = create_app(Settings(summary_memory_bytes=2_000_000), store=store)
    rng = random.Random(1)
    words = ("council budget transport school park district official mayor river bridge "
             "train station market worker teacher doctor road museum library garden").split()
    def sentence():
        return " ".join(rng.choice(words) for _ in range(14)).capitalize() + "."
    text = "\\n".join(" ".join(sentence() for _ in range(3)) for _ in range(400))

    async def main() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
            r = await c.post("/api/articles", json={"text": text})
            article = r.json()["id"]
            for words in (4000, 4001):  # warm up: the first computations allocate for good
                await c.get(f"/api/articles/{article}/summary?method=lead&words={words}")
            before = rss_kb()
            for i in range(n):
                r = await c.get(f"/api/articles/{article}/summary?method=lead&words={5000 - i}")
                assert r.status_code == 200, r.text
            after = rss_kb()
        state = app.state.newsbrief
        print(json.dumps({"growth_kb": after - before, "entries": len(state.summaries),
                          "cache_bytes": state.summaries.nbytes, "answer_bytes": len(r.content)}))

    asyncio.run(main())
    """
)


@pytest.mark.slow
def test_many_large_variants_stay_within_the_memory_budget(tmp_path: Path) -> None:
    """200 distinct ~90 KB summaries: ~18 MB of answers if all were kept, the budget is 2 MB.

    Before the byte bound (4,096 entries, any size) the resident set grew by 19.6 MB here;
    with it, by 5.2 MB.
    """
    if not Path("/proc/self/statm").exists():
        pytest.skip("reads the resident set from /proc (Linux)")
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, "200", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    report = json.loads(out.stdout)
    assert report["answer_bytes"] > 80_000  # each answer is large ...
    assert report["cache_bytes"] <= 2_000_000  # ... but memory keeps what the budget holds
    assert report["entries"] <= 2_000_000 // 80_000
    assert report["growth_kb"] < 12_000, report


def test_the_cache_module_imports_no_other_web_module() -> None:
    """web/cache.py imported middleware, which imported errors, which imported state, which
    imported cache: a circle that only worked in one import order."""
    code = (
        "import sys, newsbrief.web.cache; "
        "print(sorted(m for m in sys.modules if m.startswith('newsbrief.web.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['newsbrief.web.cache']"
    for module in ["errors", "middleware", "state", "render", "api", "pages"]:
        # Each one imports on its own, whatever was imported before.
        subprocess.run([sys.executable, "-c", f"import newsbrief.web.{module}"], check=True)
