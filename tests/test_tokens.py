"""Shared word helpers: words, stop-words, stems."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newsbrief.tokens import stem, stopwords, words


def test_words_lowercases_and_keeps_non_ascii() -> None:
    assert words("L'Élysée a dit NON, à 20h30 — «déjà» !") == [
        "l", "élysée", "a", "dit", "non", "à", "20h30", "déjà",
    ]  # fmt: skip
    assert words("Москва_2024 и Köln") == ["москва", "2024", "и", "köln"]
    assert words("  ... !!") == []


@given(st.text(max_size=200))
def test_words_are_lowercase_alphanumeric(text: str) -> None:
    for w in words(text):
        assert w and w == w.lower() and all(ch.isalnum() for ch in w)


@pytest.mark.parametrize(
    ("language", "word"),
    [("en", "the"), ("es", "los"), ("fr", "les"), ("de", "und"), ("ru", "и"), ("it", "della"),
     ("pt", "não")],
)  # fmt: skip
def test_stopwords_per_language(language: str, word: str) -> None:
    sw = stopwords(language)
    assert word in sw
    assert "parliament" not in sw and "président" not in sw
    assert all(w == w.lower() and " " not in w for w in sw)


def test_stopwords_unknown_language_is_empty() -> None:
    assert stopwords("xx") == frozenset()
    assert stopwords("EN") == stopwords("en")


@pytest.mark.parametrize(
    ("language", "tokens", "expected"),
    [
        ("en", ["running", "elections"], ["run", "elect"]),
        ("fr", ["élections", "présidentielles"], ["élect", "présidentiel"]),
        ("de", ["häuser", "wahlen"], ["haus", "wahl"]),
        ("ru", ["выборы", "президента"], ["выбор", "президент"]),
        ("xx", ["running"], ["running"]),
    ],
)
def test_stem(language: str, tokens: list[str], expected: list[str]) -> None:
    assert stem(tokens, language) == expected
