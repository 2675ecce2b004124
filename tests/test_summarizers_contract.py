"""One contract suite, run against every registered offline extractive summarizer.

Methods are discovered from the registry, so a method registered later is tested here with no
change to this file. Abstractive methods and those needing a network, a model file or an extra
install (``offline=False``) are left out; ``test_exclusions_are_explained`` lists why.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbrief import summarizers
from newsbrief.coherence import drop_connective
from newsbrief.models import Document, Length, SummaryOptions
from newsbrief.pipeline import prepare
from newsbrief.summarizers.select import _trigrams, is_near_duplicate


def _exclusion(name: str) -> str | None:
    """Return why ``name`` is outside this suite, or None when the contract applies."""
    info = summarizers.describe(name)
    if info.name != name:
        return f"{name!r} is an alias of {info.name!r}, which is tested under its own name"
    if info.kind != "extractive":
        return f"{name!r} is {info.kind}: its sentences are not taken from the article"
    if not info.offline:
        return f"{name!r} needs a network, a model file or an extra install (offline=False)"
    return None


def _methods() -> list[object]:
    return [pytest.param(name, id=name) for name in summarizers.available() if not _exclusion(name)]


METHODS = _methods()


def test_exclusions_are_explained() -> None:
    """Only aliases, abstractive and non-offline methods stay out; the built-ins are all in."""
    tested = {p.values[0] for p in METHODS}
    assert {"lead", "centrality", "trained"} <= tested
    for name in set(summarizers.available()) - tested:
        assert _exclusion(name) is not None, name


#: Written for these tests (not news text): distinct sentences sharing some vocabulary.
ARTICLE_EN = "\n".join(
    [
        "The river town of Alder Bend voted on Monday to rebuild its old stone bridge.",
        "The bridge was closed last spring after engineers found cracks in two of its arches.",
        "Since then, drivers have taken a detour of twenty minutes through the hills.",
        "The council will pay for the work with a loan and a grant from the regional fund.",
        "Local shop owners say the detour has cost them a third of their customers.",
        "Work on the bridge is expected to start in June and to last about eight months.",
        "A temporary footbridge will let people walk across the river during the works.",
        "The mayor said the town could not afford to lose its bridge for good.",
        "Some residents asked for a new bridge instead of repairing the old stone one.",
        "The council said a new bridge would cost twice as much and take three years.",
    ]
)

ARTICLES = {
    "fr": (
        "Le conseil municipal de Vallon a voté lundi la rénovation du vieux pont de pierre. "
        "Le pont est fermé depuis le printemps, après la découverte de fissures dans deux arches.\n"
        "Depuis, les automobilistes font un détour de vingt minutes par les collines. "
        "Les commerçants disent avoir perdu un tiers de leurs clients à cause du détour.\n"
        "Les travaux du pont doivent commencer en juin et durer environ huit mois. "
        "Une passerelle provisoire permettra de traverser la rivière à pied pendant les travaux."
    ),
    "de": (
        "Der Stadtrat von Erlenbach hat am Montag beschlossen, die alte Steinbrücke zu sanieren. "
        "Die Brücke ist seit dem Frühjahr gesperrt, weil Ingenieure Risse in zwei Bögen fanden.\n"
        "Seitdem fahren Autofahrer einen Umweg von zwanzig Minuten über die Hügel. "
        "Die Ladenbesitzer sagen, der Umweg habe sie ein Drittel ihrer Kunden gekostet.\n"
        "Die Arbeiten an der Brücke sollen im Juni beginnen und etwa acht Monate dauern. "
        "Ein provisorischer Steg soll es erlauben, den Fluss während der Arbeiten zu überqueren."
    ),
    "ru": (
        "Городской совет Ольховки в понедельник решил отремонтировать старый каменный мост. "
        "Мост закрыт с весны, после того как инженеры нашли трещины в двух арках.\n"
        "С тех пор водители делают крюк в двадцать минут через холмы. "
        "Владельцы магазинов говорят, что из-за объезда потеряли треть покупателей.\n"
        "Работы на мосту начнутся в июне и продлятся около восьми месяцев. "
        "Временный пешеходный мостик позволит переходить реку во время работ."
    ),
    "es": (
        "El ayuntamiento de Aliseda votó el lunes reparar el viejo puente de piedra. "
        "El puente está cerrado desde la primavera, cuando los ingenieros hallaron grietas.\n"
        "Desde entonces, los conductores dan un rodeo de veinte minutos por las colinas. "
        "Los comerciantes dicen que el rodeo les ha costado un tercio de sus clientes.\n"
        "Las obras del puente empezarán en junio y durarán unos ocho meses. "
        "Una pasarela provisional permitirá cruzar el río a pie durante las obras."
    ),
}


def _doc(text: str = ARTICLE_EN, language: str = "en") -> Document:
    return prepare(text, language=language)


def _run(name: str, doc: Document, length: Length | None = None) -> list[tuple[int, str, float]]:
    options = SummaryOptions(method=name, length=length or Length.of())
    out = summarizers.get(name).summarize(doc, options)
    return [(s.index, s.text, s.score) for s in out.sentences]  # type: ignore[misc]


def _check_from_article(doc: Document, picked: list[tuple[int, str, float]]) -> None:
    indices = [i for i, _, _ in picked]
    assert indices == sorted(set(indices)), "sentences must be in article order, no repeats"
    for index, text, score in picked:
        assert isinstance(index, int) and 0 <= index < len(doc.sentences)
        # The article's sentence, or (the sentence before it left out) the same without its
        # leading connective ("However, ...": newsbrief.coherence.drop_connective).
        whole = doc.sentences[index].text
        assert text == whole or (
            index - 1 not in indices and text == drop_connective(whole, doc.language)
        )
        assert score is not None and math.isfinite(score)


@pytest.mark.parametrize("name", METHODS)
def test_sentences_come_from_the_article_in_order(name: str) -> None:
    doc = _doc()
    picked = _run(name, doc)
    assert 1 <= len(picked) <= 3
    _check_from_article(doc, picked)


@pytest.mark.parametrize("name", METHODS)
@pytest.mark.parametrize("n", [1, 2, 5, 10, 50])
def test_sentence_count_is_respected(name: str, n: int) -> None:
    doc = _doc()
    picked = _run(name, doc, Length(sentences=n))
    # At most n; a method may choose fewer (adaptive length), never none.
    assert 1 <= len(picked) <= min(n, len(doc.sentences))
    _check_from_article(doc, picked)


@pytest.mark.parametrize("name", METHODS)
@pytest.mark.parametrize("budget", [5, 30, 60, 1000])
def test_word_budget_is_respected(name: str, budget: int) -> None:
    doc = _doc()
    picked = _run(name, doc, Length(words=budget))
    assert picked, "a summary is never empty"
    n_words = sum(len(text.split()) for _, text, _ in picked)
    # The best sentence is always taken, even when it alone is over the budget.
    assert n_words <= budget or len(picked) == 1
    _check_from_article(doc, picked)


@pytest.mark.parametrize("name", METHODS)
@pytest.mark.parametrize("ratio", [0.1, 0.3, 1.0])
def test_ratio_is_respected(name: str, ratio: float) -> None:
    doc = _doc()
    picked = _run(name, doc, Length(ratio=ratio))
    assert 1 <= len(picked) <= math.ceil(ratio * len(doc.sentences))
    _check_from_article(doc, picked)


@pytest.mark.parametrize("name", METHODS)
def test_repeated_paragraphs_are_not_picked_twice(name: str) -> None:
    lines = ARTICLE_EN.split("\n")
    # Every paragraph twice (a page that repeats its teaser), plus a near copy of the first.
    text = "\n".join([*lines, *lines, lines[0].replace("Monday", "Tuesday")])
    doc = _doc(text)
    picked = _run(name, doc, Length(sentences=6))
    _check_from_article(doc, picked)
    texts = [t for _, t, _ in picked]
    assert len(set(texts)) == len(texts)
    grams = [_trigrams(t) for t in texts]
    for i, g in enumerate(grams):
        assert not is_near_duplicate(g, grams[:i])


@pytest.mark.parametrize("name", METHODS)
def test_one_sentence_article(name: str) -> None:
    doc = _doc("A single sentence makes up this whole article.")
    picked = _run(name, doc, Length(sentences=3))
    assert [(i, t) for i, t, _ in picked] == [(0, "A single sentence makes up this whole article.")]


@pytest.mark.parametrize("name", METHODS)
def test_deterministic(name: str) -> None:
    first = _run(name, _doc(), Length(sentences=4))
    summarizers._INSTANCES.clear()  # a fresh instance must agree too
    assert _run(name, _doc(), Length(sentences=4)) == first


@pytest.mark.parametrize("name", METHODS)
@pytest.mark.parametrize("language", list(ARTICLES))
def test_other_languages(name: str, language: str) -> None:
    doc = _doc(ARTICLES[language], language)
    assert doc.language == language and len(doc.sentences) == 6
    picked = _run(name, doc, Length(sentences=2))
    assert 1 <= len(picked) <= 2
    _check_from_article(doc, picked)


_SENTENCE = st.lists(
    st.sampled_from(["bridge", "river", "town", "council", "work", "money", "shop", "road"]),
    min_size=3,
    max_size=12,
).map(lambda ws: " ".join(ws).capitalize() + ".")


@pytest.mark.parametrize("name", METHODS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    paragraphs=st.lists(st.lists(_SENTENCE, min_size=1, max_size=4), min_size=1, max_size=6),
    n=st.integers(min_value=1, max_value=8),
)
def test_laws_on_generated_articles(name: str, paragraphs: list[list[str]], n: int) -> None:
    doc = _doc("\n".join(" ".join(p) for p in paragraphs))
    picked = _run(name, doc, Length(sentences=n))
    # Laws: at least one and at most n sentences, each taken from the article, in order.
    assert 1 <= len(picked) <= n
    _check_from_article(doc, picked)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("lead", "unknown setting(s) for the 'lead' summarizer: colour, size (it takes none)"),
        ("centrality", "unknown setting(s) for the 'centrality' summarizer: colour, size ("),
        ("default", "unknown setting(s) for the 'trained' summarizer: colour, size (it takes: "),
    ],
)
def test_unknown_settings_are_refused_by_name(name: str, message: str) -> None:
    from newsbrief.errors import InvalidOptions

    with pytest.raises(InvalidOptions) as err:
        summarizers.get(name, size="big", colour="red")
    assert str(err.value).startswith(message)
