"""Rendering a summary as text, bullets, Markdown and JSON."""

from __future__ import annotations

import json

import pytest

from newsbrief.errors import InvalidOptions
from newsbrief.formatting import render, render_article
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
