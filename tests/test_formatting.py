"""Rendering a summary as text, bullets, Markdown and JSON."""

from __future__ import annotations

import json

import pytest

from newsbrief.errors import InvalidOptions
from newsbrief.formatting import render, render_article, summary_dict
from newsbrief.models import FORMATS, Article, Length, Summary, SummarySentence

ARTICLE = Article(
    text="Première phrase.\nDeuxième phrase.",
    title="Un titre",
    site="Le Journal",
    url="https://journal.example/a",
    date="2025-01-12",
)
SUMMARY = Summary(
    sentences=[
        SummarySentence("Première phrase.", index=0, score=1.0),
        SummarySentence("Deuxième phrase.", index=1, score=0.5),
    ],
    method="lead",
    language="fr",
    article=ARTICLE,
    length=Length.of(sentences=2),
    timings={"prepare_s": 0.001},
)


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("text", "Première phrase. Deuxième phrase."),
        ("headline", "Première phrase. Deuxième phrase."),
        ("bullets", "• Première phrase.\n• Deuxième phrase."),
        (
            "markdown",
            "# Un titre\n\n- Première phrase.\n- Deuxième phrase.\n\n"
            "*Source: [Le Journal](https://journal.example/a) · 2025-01-12 · summarized by `lead`*",
        ),
    ],
)
def test_render(fmt: str, expected: str) -> None:
    assert render(SUMMARY, fmt) == expected


def test_render_json_keeps_unicode_and_fills_the_detected_language() -> None:
    out = render(SUMMARY, "json")
    data = json.loads(out)
    assert "Première" in out  # ensure_ascii=False
    assert data["article"]["language"] == "fr"  # the article had none; the detected one
    assert data["sentences"] == [
        {"text": "Première phrase.", "index": 0, "score": 1.0},
        {"text": "Deuxième phrase.", "index": 1, "score": 0.5},
    ]
    assert data["length"] == {"sentences": 2}


def test_render_article() -> None:
    assert render_article(ARTICLE) == "Un titre\n\nPremière phrase.\nDeuxième phrase."
    assert json.loads(render_article(ARTICLE, "json"))["site"] == "Le Journal"


def test_unknown_format() -> None:
    with pytest.raises(InvalidOptions) as info:
        render(SUMMARY, "pdf")
    assert str(info.value) == f"unknown format 'pdf'; choose one of: {', '.join(FORMATS)}"


def test_chinese_sentences_are_joined_without_spaces() -> None:
    """Chinese writes no space between sentences: the text format must not add one."""
    import newsbrief
    from newsbrief.textutil import article_from_text

    text = "馆长说：“读者的要求很多。”不过，周末的安排不会改变。新的时间表将在网站上公布。"
    summary = newsbrief.summarize(article_from_text(text), method="lead", sentences=3)
    assert len(summary.sentences) == 3
    assert render(summary, "text") == text
    assert render(summary, "bullets").splitlines()[1] == "• 不过，周末的安排不会改变。"
    assert summary.to_dict()["words"] == 33  # characters (not the quotes), as Chinese counts


CHECKED = Summary(
    sentences=[
        SummarySentence("The ferry runs every forty minutes.", support=0.9, supported=True),
        SummarySentence("Fares will double next year.", support=0.1, supported=False),
        SummarySentence("Two new boats joined the fleet.", support=0.8, supported=True),
    ],
    method="llm",
    language="en",
    kind="abstractive",
)
FLAGGED = (
    "1 of 3 sentences could not be found in the article by the faithfulness check: "
    "marked (not found in the article)."
)


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (
            "text",
            "The ferry runs every forty minutes. Fares will double next year. (not found in the "
            f"article) Two new boats joined the fleet.\n\n{FLAGGED}",
        ),
        (
            "bullets",
            "• The ferry runs every forty minutes.\n"
            "• Fares will double next year. (not found in the article)\n"
            f"• Two new boats joined the fleet.\n\n{FLAGGED}",
        ),
        (
            "markdown",
            "- The ferry runs every forty minutes.\n"
            "- Fares will double next year. *(not found in the article)*\n"
            "- Two new boats joined the fleet.\n\n"
            f"*Source: summarized by `llm`*\n\n*{FLAGGED}*",
        ),
    ],
)
def test_unsupported_sentences_are_marked_in_words(fmt: str, expected: str) -> None:
    """What only the JSON said (``supported: false``) is written out in the formats people read."""
    assert render(CHECKED, fmt) == expected


def test_nothing_flagged_adds_nothing() -> None:
    assert "not found" not in render(SUMMARY, "text") + render(SUMMARY, "bullets")


def test_headline_is_one_short_line() -> None:
    long = Summary(
        sentences=[
            SummarySentence(
                "The harbour authority said on Tuesday that the island ferry will run every "
                "forty minutes from June instead of every hour, after two new boats joined.",
                index=0,
                score=1.0,
            )
        ],
        method="lead",
        language="en",
    )
    assert render(long, "headline") == (
        "The harbour authority said on Tuesday that the island ferry will run every forty "
        "minutes from June instead of every…"
    )


@pytest.mark.parametrize("fmt", ["bullets", "markdown", "headline"])
def test_summary_dict_carries_the_format(fmt: str) -> None:
    """The API's ``summary`` follows the format asked for; the sentences stay as they are."""
    out = summary_dict(SUMMARY, fmt)
    assert out["summary"] == render(SUMMARY, fmt)
    assert out["sentences"] == SUMMARY.to_dict()["sentences"]
    assert summary_dict(SUMMARY, "json")["summary"] == SUMMARY.text


def test_json_outputs_leave_the_marks_to_the_sentences() -> None:
    """The API's and batch's ``summary`` has no marks: each sentence carries ``supported``."""
    out = summary_dict(CHECKED, "bullets")
    assert "not found" not in out["summary"]
    assert [s["supported"] for s in out["sentences"]] == [True, False, True]
