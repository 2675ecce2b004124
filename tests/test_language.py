"""Language detection: one case per language (our own sentences), fallbacks, real data."""

from __future__ import annotations

import gzip
import json
from itertools import islice

import numpy as np
import pytest

from conftest import data_path
from newsbrief import language
from newsbrief.language import (
    DEFAULT_LANGUAGE,
    MIN_LETTERS,
    SAMPLE_CHARS,
    _sample,
    detect_language,
)

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


def test_automaton_is_no_deeper_than_the_vectorised_walk_assumes() -> None:
    """The windowed walk is exact only if no n-gram of the model is longer than _DFA_DEPTH."""
    model = language._model()
    assert model is not None, "py3langid's model layout changed: the fast path is off"
    seen = np.zeros(len(model.rowbase), dtype=bool)
    seen[0] = True
    frontier, depth = np.array([0]), 0
    while True:
        reached = np.unique(model.nextmove[model.rowbase[frontier][:, None] + np.arange(256)])
        frontier = reached[~seen[reached]]
        if not len(frontier):
            break
        seen[frontier] = True
        depth += 1
    assert depth <= language._DFA_DEPTH
    assert seen.all()  # every state is reachable, so the depth above covers the whole model


#: Our own texts in more scripts and shapes than the news sets have.
_ODD_TEXTS = [
    "Der Stadtrat hat am Dienstag den neuen Haushalt beschlossen. 日本語のテキストです。",
    "ΤΟ ΔΗΜΟΤΙΚΟ ΣΥΜΒΟΥΛΙΟ ΕΓΚΡΙΝΕ ΤΟΝ ΝΕΟ ΠΡΟΫΠΟΛΟΓΙΣΜΟ ΤΗΝ ΤΡΙΤΗ",
    "Gemeenteraad keurt begroting goed – critici: te veel bezuinigd op scholen!",
    "a b c d e f g h i j",
    "₿ 42 — «ça va?» said the ünïcödé têxt ＦＵＬＬＷＩＤＴＨ",
]


@pytest.mark.parametrize("text", list(SAMPLES.values()) + _ODD_TEXTS)
def test_vectorised_scores_match_py3langid(text: str) -> None:
    model = language._model()
    assert model is not None
    expected_lang, expected_prob = language._identifier().classify(text)
    scores = language._scores(model, text)
    assert scores is not None
    assert model.classes[int(scores.argmax())] == expected_lang
    assert float(scores.max()) == pytest.approx(expected_prob, abs=1e-5)


@pytest.mark.slow
def test_vectorised_scores_match_py3langid_on_real_articles() -> None:
    texts: list[str] = []
    for parts in [
        ("cnn_dailymail", "dev.jsonl.gz"),
        ("xsum", "test_subset.dev.jsonl"),
        ("orangesum", "test_abstract.dev.jsonl"),
    ]:
        path = data_path(*parts)
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            texts += [_sample(json.loads(line)["article"]) for line in islice(f, 200)]
    model = language._model()
    assert model is not None
    for text in texts:
        lang, prob = language._identifier().classify(text)
        scores = language._scores(model, text)
        assert scores is not None
        assert (model.classes[int(scores.argmax())], round(float(scores.max()), 4)) == (
            lang,
            round(prob, 4),
        ), text[:80]


def test_text_without_model_features_falls_back() -> None:
    model = language._model()
    assert model is not None
    assert language._scores(model, "") is None
    assert language._classify("") == (DEFAULT_LANGUAGE, 0.0)


def test_library_classify_is_used_when_the_model_layout_is_unknown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(language, "_model", lambda: None)
    assert detect_language(SAMPLES["fr"]) == "fr"
    assert detect_language(SAMPLES["ru"]) == "ru"


def test_model_layout_change_turns_the_fast_path_off(monkeypatch: pytest.MonkeyPatch) -> None:
    class Older:
        nb_ptc = nb_pc = nb_classes = None  # no automaton attributes

    language._model.cache_clear()
    monkeypatch.setattr(language, "_identifier", lambda: Older())
    try:
        assert language._model() is None
    finally:
        language._model.cache_clear()


@pytest.mark.parametrize("letters", [0, 1, MIN_LETTERS - 1, MIN_LETTERS, MIN_LETTERS + 5])
def test_letter_threshold_counts_letters_of_any_script(letters: int) -> None:
    # Digits, "_", punctuation and spaces between the letters do not count.
    text = " 1_. ".join("ж" if i % 2 else "é" for i in range(letters)) + " 12345 ___ ..."
    assert bool(language._ENOUGH_LETTERS.search(text)) == (letters >= MIN_LETTERS)
