"""Token estimates, splitting at boundaries, and map-reduce over long articles."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llm_server import FakeLLM, serve
from newsbrief import chunking, prompts
from newsbrief.errors import BackendError
from newsbrief.models import SummaryOptions
from newsbrief.pipeline import prepare
from newsbrief.summarizers.llm import LLMSummarizer


def words(text: str) -> int:
    """A stand-in tokenizer: one token per word."""
    return len(text.split())


def test_estimate_tokens() -> None:
    assert chunking.estimate_tokens("") == 0
    assert chunking.estimate_tokens("abc") == 2
    assert chunking.estimate_tokens("x" * 30) == 12
    assert chunking.estimate_tokens("é" * 10) == 10  # accented and non-Latin: one token each
    assert chunking.estimate_tokens("Привет") == 6


def test_paragraphs_stay_whole_when_they_fit() -> None:
    paragraphs = [["a b c.", "d e."], ["f g h."], ["i j k l."]]
    chunks = chunking.split_chunks(paragraphs, budget=9, count=words)
    assert chunks == ["a b c. d e.\nf g h.", "i j k l."]


def test_long_paragraph_is_split_at_sentences() -> None:
    paragraphs = [["one two three.", "four five six.", "seven eight nine."]]
    assert chunking.split_chunks(paragraphs, budget=6, count=words) == [
        "one two three. four five six.",
        "seven eight nine.",
    ]


def test_sentence_longer_than_budget_is_cut_between_words_and_counted() -> None:
    stats = chunking.ChunkStats()
    chunks = chunking.split_chunks([["a b c d e f g."]], budget=3, count=words, stats=stats)
    assert chunks == ["a b c", "d e f", "g."]
    assert stats.split_sentences == 1


def test_budget_must_be_positive() -> None:
    with pytest.raises(ValueError, match="chunk budget must be at least 1 token"):
        chunking.split_chunks([["a."]], budget=0, count=words)


@given(
    st.lists(
        st.lists(st.text(alphabet="abc .", min_size=1, max_size=30), min_size=1, max_size=5),
        min_size=1,
        max_size=8,
    ),
    st.integers(min_value=1, max_value=20),
)
def test_every_word_lands_in_exactly_one_chunk_in_order(
    paragraphs: list[list[str]], budget: int
) -> None:
    chunks = chunking.split_chunks(paragraphs, budget=budget, count=words)
    expected = [w for p in paragraphs for s in p for w in s.split()]
    assert [w for c in chunks for w in c.split()] == expected
    assert all(words(c) <= budget for c in chunks)


def test_map_reduce_single_call_when_it_fits() -> None:
    seen: list[str] = []

    def generate(text: str, stage: prompts.Stage, part: tuple[int, int] | None) -> str:
        seen.append(stage)
        return "summary"

    reply, stats = chunking.map_reduce(
        [["a b."], ["c d."]], budget=10, count=words, generate=generate
    )
    assert reply == "summary"
    assert (stats.chunks, stats.calls, stats.levels) == (1, 1, 0)
    assert seen == ["single"]


def test_map_reduce_recurses_until_notes_fit() -> None:
    calls: list[tuple[str, tuple[int, int] | None]] = []

    def generate(text: str, stage: prompts.Stage, part: tuple[int, int] | None) -> str:
        calls.append((stage, part))
        return " ".join(text.split()[:2]) if stage == "map" else "final"

    paragraphs = [[f"w{i}a w{i}b w{i}c w{i}d."] for i in range(8)]  # 32 words
    reply, stats = chunking.map_reduce(paragraphs, budget=5, count=words, generate=generate)
    assert reply == "final"
    # level 1: 8 chunks -> 16 words of notes; level 2: 4 chunks -> 8 words; level 3: 2 -> 4.
    assert stats.chunks == 8
    assert stats.levels == 3
    assert stats.calls == 8 + 4 + 2 + 1
    assert calls[0] == ("map", (1, 8))
    assert calls[-1] == ("reduce", None)


def test_map_reduce_gives_up_when_notes_do_not_shrink() -> None:
    def generate(text: str, stage: prompts.Stage, part: tuple[int, int] | None) -> str:
        return text + " more words"

    with pytest.raises(BackendError) as err:
        chunking.map_reduce([["a b c d."], ["e f g h."]], budget=4, count=words, generate=generate)
    assert str(err.value) == (
        "the article did not fit the model's context after 1 map-reduce levels (notes still "
        "12 tokens for a budget of 4); use a model with a larger context window"
    )


@pytest.fixture
def server() -> Iterator[FakeLLM]:
    with serve() as state:
        yield state


def long_article(paragraphs: int) -> str:
    return "\n".join(
        f"Paragraph {i} reports that the harbour committee met on day {i}. "
        f"Members discussed repairs to pier {i} and the cost of dredging the channel. "
        "The chair said a decision would follow after the public consultation ended."
        for i in range(paragraphs)
    )


def test_long_article_is_summarized_map_reduce_over_http(server: FakeLLM) -> None:
    doc = prepare(long_article(60))
    article_tokens = chunking.estimate_tokens(doc.article.text)
    summarizer = LLMSummarizer(
        llm_url=server.url, llm_model="tiny", llm_context=1024, max_tokens=128
    )
    budget = summarizer.input_budget(prompts.spec_for(SummaryOptions(), "en"), doc)
    assert article_tokens > 3 * budget  # the article really is too long for one request

    out = summarizer.summarize(doc, SummaryOptions())
    stages = [r["messages"][-1]["content"].split(".")[0] for r in server.requests]
    maps = [s for s in stages if s.startswith("Below is one part")]
    reduces = [s for s in stages if s.startswith("Below are notes")]
    assert len(maps) == out.info["chunks"] >= 4
    assert len(reduces) == 1
    assert out.info["calls"] == len(server.requests) == len(maps) + 1
    assert out.info["map_reduce_levels"] == 1
    # Every chunk sent fits the budget, and together the chunks carry the whole article.
    # (map calls run two at a time, so the server may see them out of order)
    bodies = [r["messages"][-1]["content"] for r in server.requests[:-1]]
    bodies.sort(key=lambda b: int(re.search(r"\(part (\d+) of", b).group(1)))  # type: ignore[union-attr]
    texts = [b.split("\n\n", 1)[1] for b in bodies]
    assert all(chunking.estimate_tokens(t) <= budget for t in texts)
    assert " ".join(texts).split() == doc.article.text.split()
    assert out.sentences  # the reduce reply became the summary
