"""Language detection: one case per language (our own sentences), fallbacks, real data."""

from __future__ import annotations

import gzip
import json
from itertools import islice

import pytest
from tests.conftest import data_path

from newsbrief.language import DEFAULT_LANGUAGE, SAMPLE_CHARS, _sample, detect_language

#: Written for these tests: two short news-like sentences per language.
SAMPLES = {
    "en": "The city council approved the new budget on Tuesday. Critics said it cuts too much "
    "from schools and libraries.",
    "es": "El ayuntamiento aprobó el martes el nuevo presupuesto. Los críticos dicen que recorta "
    "demasiado en escuelas y bibliotecas.",
    "fr": "Le conseil municipal a adopté mardi le nouveau budget. Selon ses détracteurs, il "
    "réduit trop les moyens des écoles et des bibliothèques.",
    "de": "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen. Kritiker sagen, er "
    "kürze zu viel bei Schulen und Bibliotheken.",
    "ru": "Городской совет во вторник утвердил новый бюджет. Критики считают, что он слишком "
    "сильно урезает расходы на школы и библиотеки.",
    "it": "Il consiglio comunale ha approvato martedì il nuovo bilancio. Secondo i critici "
    "taglia troppo alle scuole e alle biblioteche.",
    "pt": "A câmara municipal aprovou na terça-feira o novo orçamento. Os críticos dizem que "
    "corta demasiado nas escolas e nas bibliotecas.",
    "nl": "De gemeenteraad heeft dinsdag de nieuwe begroting goedgekeurd. Critici zeggen dat "
    "er te veel wordt bezuinigd op scholen en bibliotheken.",
}


@pytest.mark.parametrize("language", list(SAMPLES))
def test_detects_language(language: str) -> None:
    assert detect_language(SAMPLES[language]) == language


@pytest.mark.parametrize("text", ["", "   ", "12345 67 89", "OK.", "!!! ??? ..."])
def test_too_little_text_falls_back(text: str) -> None:
    assert detect_language(text) == DEFAULT_LANGUAGE
    assert detect_language(text, default="fr") == "fr"


def test_sample_is_bounded_and_cut_at_a_space() -> None:
    text = "mot " * 1000
    sample = _sample(text)
    assert len(sample) <= SAMPLE_CHARS
    assert not sample.endswith("mo")
    assert _sample("short text") == "short text"


def test_long_text_is_judged_by_its_start() -> None:
    assert detect_language(SAMPLES["de"] * 3 + SAMPLES["en"] * 50) == "de"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("parts", "language"),
    [
        (("cnn_dailymail", "dev.jsonl.gz"), "en"),
        (("xsum", "test_subset.dev.jsonl"), "en"),
        (("orangesum", "test_abstract.dev.jsonl"), "fr"),
    ],
    ids=["cnn_dailymail", "xsum", "orangesum"],
)
def test_real_articles(parts: tuple[str, str], language: str) -> None:
    path = data_path(*parts)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        articles = [json.loads(line)["article"] for line in islice(f, 200)]
    right = sum(detect_language(a) == language for a in articles)
    assert right >= 198  # measured: 200 of 200 for each set
