"""Prompts per format and language, and parsing replies back into sentences."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from llm_server import FakeLLM, Reply, completion, serve
from newsbrief import prompts
from newsbrief.models import Length, SummaryOptions
from newsbrief.pipeline import prepare
from newsbrief.summarizers.llm import LLMSummarizer

SPANISH = (
    "El Gobierno de España aprobó este martes un plan de 300 millones de euros para las "
    "escuelas rurales.\nLa ministra de Educación dijo que las obras empezarán en septiembre.\n"
    "Los sindicatos de profesores celebraron la decisión, aunque pidieron más personal."
)


def user_prompt(options: SummaryOptions, language: str = "en", **kw: object) -> str:
    spec = prompts.spec_for(options, language)
    return prompts.messages("ARTICLE TEXT", spec, article_language=language, **kw)[-1]["content"]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param("text", "Write one paragraph of 3 sentences.", id="prose"),
        pytest.param(
            "bullets",
            "Write exactly 3 key points, one per line, each starting with '- '.",
            id="bullets",
        ),
        pytest.param("markdown", "Write exactly 3 key points", id="markdown-is-bullets"),
        pytest.param("json", "Write exactly 3 key points", id="json-is-bullets"),
        pytest.param(
            "headline", "Write a single one-line headline (at most 15 words)", id="headline"
        ),
    ],
)
def test_prompt_per_format(fmt: str, expected: str) -> None:
    text = user_prompt(SummaryOptions(format=fmt))
    assert expected in text
    assert "Write in English, the language of the article." in text
    assert text.endswith("Article:\nARTICLE TEXT")


def test_points_follow_the_length() -> None:
    assert "exactly 5 key points" in user_prompt(
        SummaryOptions(format="bullets", length=Length(sentences=5))
    )
    assert "exactly 1 key point," in user_prompt(
        SummaryOptions(format="bullets", length=Length(sentences=1))
    )
    words = user_prompt(SummaryOptions(length=Length(words=60)))
    assert "Write one paragraph of 3 sentences. Use at most 60 words in total." in words


def test_summary_in_the_article_language_by_default() -> None:
    text = user_prompt(SummaryOptions(), "ru")
    assert "Write in Russian, the language of the article." in text


def test_summary_language_asks_for_a_translation() -> None:
    text = user_prompt(SummaryOptions(summary_language="en"), "es")
    assert (
        "The article is in Spanish; write the summary in English, translating faithfully." in text
    )


def test_map_and_reduce_prompts() -> None:
    spec = prompts.spec_for(SummaryOptions(format="bullets"), "fr")
    map_msg = prompts.messages("X", spec, article_language="fr", stage="map", part=(2, 5))
    assert "one part (part 2 of 5) of a longer news article" in map_msg[-1]["content"]
    assert "Write in French." in map_msg[-1]["content"]
    reduce_msg = prompts.messages("N", spec, article_language="fr", stage="reduce")
    assert "Write exactly 3 key points" in reduce_msg[-1]["content"]
    assert reduce_msg[-1]["content"].endswith("Notes:\nN")
    assert map_msg[0] == {"role": "system", "content": prompts.SYSTEM}


def test_title_is_given_to_the_model() -> None:
    text = user_prompt(SummaryOptions(), title="Budget passed")
    assert "Title: Budget passed\n\nArticle:\nARTICLE TEXT" in text


@pytest.mark.parametrize(
    ("style", "reply", "expected"),
    [
        pytest.param(
            "bullets",
            "Here are the key points:\n- **First** point.\n* Second point.\n3. Third point.\n",
            ["First point.", "Second point.", "Third point."],
            id="bullets-markers-and-preamble",
        ),
        pytest.param(
            "prose",
            "The plan was approved. It costs 300 million euros.",
            ["The plan was approved.", "It costs 300 million euros."],
            id="prose-split",
        ),
        pytest.param(
            "headline",
            '"Spain funds rural schools"\nextra line',
            ["Spain funds rural schools"],
            id="headline-first-line-unquoted",
        ),
        pytest.param("bullets", "  \n\n", [], id="blank"),
    ],
)
def test_parse_reply(style: prompts.Style, reply: str, expected: list[str]) -> None:
    spec = prompts.PromptSpec(style=style, points=3, language="en")
    assert prompts.parse_reply(reply, spec) == expected


@pytest.fixture
def server() -> Iterator[FakeLLM]:
    with serve() as state:
        yield state


def test_english_summary_of_a_spanish_article_end_to_end(server: FakeLLM) -> None:
    doc = prepare(SPANISH)
    assert doc.language == "es"
    server.script(
        Reply(body=completion("Spain approved a 300 million euro plan for rural schools."))
    )
    summarizer = LLMSummarizer(llm_url=server.url, llm_model="tiny")
    out = summarizer.summarize(doc, SummaryOptions(summary_language="en", format="headline"))
    prompt = server.requests[0]["messages"][-1]["content"]
    assert "The article is in Spanish; write the summary in English" in prompt
    assert "Write a single one-line headline" in prompt
    assert out.info["summary_language"] == "en"
    assert [s.text for s in out.sentences] == [
        "Spain approved a 300 million euro plan for rural schools."
    ]
    # The number is in the article, so the translated sentence is not flagged for it.
    assert out.info["faithfulness"]["issues"] == [[]]


@pytest.mark.parametrize(
    ("style", "points", "words", "texts", "kept", "cut"),
    [
        pytest.param(
            "bullets", 2, None,
            ["One. Two more.", "Three.", "Four."],
            ["One.", "Three."], ["Two more.", "Four."],
            id="bullets-one-sentence-each-and-at-most-points",
        ),
        pytest.param(
            "prose", 3, None,
            ["A.", "B.", "C.", "D.", "E."],
            ["A.", "B.", "C."], ["D.", "E."],
            id="prose-at-most-points",
        ),
        pytest.param(
            "prose", 3, 6,
            ["one two three four.", "five six seven.", "eight."],
            ["one two three four.", "eight."], ["five six seven."],
            id="word-budget-skips-what-does-not-fit",
        ),
        pytest.param(
            "prose", 3, 2,
            ["one two three four.", "five."],
            ["one two three four."], ["five."],
            id="word-budget-keeps-the-first-sentence",
        ),
        pytest.param(
            "headline", 1, None,
            ["Ferry pier reopens after rebuild. Residents cheer.", "Another line."],
            ["Ferry pier reopens after rebuild."], ["Residents cheer.", "Another line."],
            id="headline-first-sentence",
        ),
        pytest.param("bullets", 3, None, [], [], [], id="nothing"),
    ],
)  # fmt: skip
def test_fit_to_spec(
    style: prompts.Style,
    points: int,
    words: int | None,
    texts: list[str],
    kept: list[str],
    cut: list[str],
) -> None:
    spec = prompts.PromptSpec(style=style, points=points, language="en", words=words)
    assert prompts.fit_to_spec(texts, spec) == (kept, cut)


def test_a_runaway_headline_is_cut_and_marked() -> None:
    words = [f"w{i}" for i in range(60)]
    spec = prompts.PromptSpec(style="headline", points=1, language="en")
    kept, cut = prompts.fit_to_spec([" ".join(words)], spec)
    assert kept == [" ".join(words[: prompts.HEADLINE_MAX_WORDS]) + "…"]
    assert cut == [" ".join(words[prompts.HEADLINE_MAX_WORDS :])]


def test_a_reply_longer_than_asked_is_cut_end_to_end(server: FakeLLM) -> None:
    server.script(
        Reply(
            body=completion(
                "- Spain approved a plan for rural schools. It was debated for months.\n"
                "- The plan costs 300 million euros.\n- Teachers welcomed it.\n- Unions did too."
            )
        )
    )
    summarizer = LLMSummarizer(llm_url=server.url, llm_model="tiny")
    out = summarizer.summarize(
        prepare(SPANISH), SummaryOptions(format="bullets", length=Length(sentences=2))
    )
    assert [s.text for s in out.sentences] == [
        "Spain approved a plan for rural schools.",
        "The plan costs 300 million euros.",
    ]
    assert out.info["cut"] == {"sentences": 3, "words": 11}
