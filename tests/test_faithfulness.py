"""The faithfulness check on hand-written summary sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsbrief import faithfulness
from newsbrief.models import Document
from newsbrief.pipeline import prepare

ARTICLE = (
    "Firefighters in Valencia spent 14 hours fighting a blaze at a chemical plant on Sunday.\n"
    "The fire started shortly after 3am and forced 1,200 residents to leave their homes.\n"
    "Regional president Carlos Mazón said the emergency services had done “an extraordinary "
    "job under terrible conditions”.\n"
    "Nobody was injured, but two firefighters were treated for smoke inhalation.\n"
    "Investigators from the Guardia Civil will examine the site on Monday."
)


@pytest.fixture(scope="module")
def index() -> faithfulness.ArticleIndex:
    return faithfulness.ArticleIndex.of(prepare(ARTICLE))


@pytest.mark.parametrize(
    ("sentence", "supported", "issues"),
    [
        pytest.param(
            "A fire at a chemical plant in Valencia forced 1200 residents from their homes.",
            True,
            [],
            id="paraphrase-with-number",
        ),
        pytest.param(
            "Two firefighters were treated for smoke inhalation, but nobody was injured.",
            True,
            [],
            id="number-word",
        ),
        pytest.param(
            "Carlos Mazón praised the emergency services' extraordinary job.",
            True,
            [],
            id="name-and-paraphrase",
        ),
        pytest.param(
            "Firefighters spent 16 hours fighting the blaze in Valencia.",
            False,
            ["number 16 is not in the article"],
            id="wrong-number",
        ),
        pytest.param(
            "Regional president Ximo Puig said the services did well.",
            False,
            ["name 'puig' is not in the article", "name 'ximo' is not in the article"],
            id="swapped-name",
        ),
        pytest.param(
            'Mazón said the crews did "a heroic job in awful heat".',
            False,
            ["quote 'a heroic job in awful heat' is not in the article"],
            id="invented-quote",
        ),
        pytest.param(
            "Mazón called it “an extraordinary job under terrible conditions”.",
            True,
            [],
            id="real-quote",
        ),
        pytest.param(
            "Shares in the company fell sharply after quarterly results disappointed.",
            False,
            [],
            id="off-topic",
        ),
    ],
)
def test_check(
    index: faithfulness.ArticleIndex, sentence: str, supported: bool, issues: list[str]
) -> None:
    verdict = index.check(sentence)
    assert verdict.supported is supported, verdict
    assert verdict.issues == issues
    assert 0.0 <= verdict.support <= 1.0


def test_evidence_points_at_the_supporting_sentences(index: faithfulness.ArticleIndex) -> None:
    verdict = index.check("Investigators from the Guardia Civil will examine the site.")
    assert verdict.evidence[0] == 4
    assert verdict.support == 1.0


def test_a_fused_sentence_cites_both_sources(index: faithfulness.ArticleIndex) -> None:
    verdict = index.check(
        "The fire forced 1,200 residents out; investigators from the Guardia Civil will examine "
        "the site."
    )
    assert verdict.supported
    assert set(verdict.evidence) >= {1, 4}


def test_off_topic_scores_low(index: faithfulness.ArticleIndex) -> None:
    assert index.check("Shares in the company fell sharply.").support < 0.3


def test_numbers_are_normalised() -> None:
    assert faithfulness.numbers_in("1,200 people and 3.50 dollars, three times") == {
        "1200",
        "3.5",
        "3",
    }


def test_check_summary_returns_one_verdict_per_sentence() -> None:
    doc = prepare(ARTICLE)
    checks = faithfulness.check_summary(["Nobody was injured.", "It rained 40 mm."], doc)
    assert [c.supported for c in checks] == [True, False]
    sentence = checks[0].to_sentence()
    assert sentence.support == 1.0 and sentence.supported and sentence.evidence == (3,)


def test_other_languages_use_their_stop_words() -> None:
    doc = prepare(
        "Le gouvernement français a annoncé un plan de 2 milliards d'euros pour les hôpitaux.\n"
        "La ministre de la Santé a présenté les mesures à Paris."
    )
    assert doc.language == "fr"
    index = faithfulness.ArticleIndex.of(doc)
    assert index.check("Le gouvernement annonce 2 milliards pour les hôpitaux.").supported
    assert not index.check("Le gouvernement annonce 5 milliards pour les hôpitaux.").supported


# Numbers ----------------------------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "article.html"

_WORD_VALUES = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000,
    "dozen": 12,
}  # fmt: skip


@pytest.mark.parametrize(("word", "value"), list(_WORD_VALUES.items()), ids=list(_WORD_VALUES))
def test_every_english_number_word(word: str, value: int) -> None:
    assert faithfulness.numbers_in(f"about {word} people") == {str(value)}
    assert faithfulness.numbers_in(f"{word.capitalize()} people came.") == {str(value)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("forty-six passengers", {"46"}, id="hyphenated"),
        pytest.param("forty six passengers", {"46"}, id="spaced"),
        pytest.param("Twenty-One guns", {"21"}, id="capitalised"),
        pytest.param("two hundred and fifty", {"250"}, id="hundred-and"),
        pytest.param("a hundred and fifty", {"150"}, id="a-hundred-and"),
        pytest.param("three thousand", {"3000"}, id="thousand"),
        pytest.param("two thousand and five", {"2005"}, id="thousand-and"),
        pytest.param("nineteen hundred", {"1900"}, id="teen-hundred"),
        pytest.param("one hundred", {"100"}, id="one-hundred"),
        pytest.param("two million three hundred thousand", {"2300000"}, id="million-thousand"),
        pytest.param("two dozen eggs", {"24"}, id="dozens"),
        pytest.param("two and three", {"2", "3"}, id="and-between-numbers"),
        pytest.param("nineteen eighty-four", {"19", "84"}, id="two-numbers-in-a-row"),
        pytest.param("sixty years, not six", {"60", "6"}, id="two-phrases"),
        pytest.param("a two-year rebuild", {"2"}, id="hyphen-to-a-word"),
        pytest.param("one of them", set(), id="one-alone-is-not-a-count"),
        pytest.param("the twenty-first century", set(), id="ordinal"),
        pytest.param("someone often went", set(), id="inside-other-words"),
    ],
)
def test_compound_number_words_are_one_number(text: str, expected: set[str]) -> None:
    assert faithfulness.numbers_in(text) == expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        pytest.param("£18.6m", "en", {"18.6", "18600000"}, id="currency-m"),
        pytest.param("18.6 million", "en", {"18.6", "18600000"}, id="million"),
        pytest.param("18.6m people", "en", {"18.6", "18600000"}, id="bare-m"),
        pytest.param("$2.5bn", "en", {"2.5", "2500000000"}, id="currency-bn"),
        pytest.param("€2.5 billion", "en", {"2.5", "2500000000"}, id="billion"),
        pytest.param("$2b", "en", {"2", "2000000000"}, id="currency-b"),
        pytest.param("£50k", "en", {"50", "50000"}, id="currency-k"),
        pytest.param("a 45-million-dollar budget", "en", {"45", "45000000"}, id="hyphen-million"),
        pytest.param("2 million", "en", {"2", "2000000"}, id="digits-and-scale-word"),
        pytest.param("18.6%", "en", {"18.6"}, id="percent"),
        pytest.param("18.6 per cent", "en", {"18.6"}, id="per-cent"),
        pytest.param("18.6km", "en", {"18.6"}, id="km"),
        pytest.param("18.6m²", "en", {"18.6"}, id="square-metres"),
        pytest.param("1,400 residents", "en", {"1400"}, id="thousands-comma"),
        pytest.param("1,234,567.89", "en", {"1234567.89"}, id="en-grouped-decimal"),
        pytest.param("3.50 dollars", "en", {"3.5"}, id="trailing-zero"),
        pytest.param("1.200 kg", "en", {"1.2"}, id="en-dot-is-decimal"),
        pytest.param("0.5", "en", {"0.5"}, id="leading-zero"),
        pytest.param("at 10.30am", "en", {"10", "30"}, id="dotted-time"),
        pytest.param("G7 and A320neo", "en", {"7", "320"}, id="digits-after-letters"),
        pytest.param("18,6 millions d'euros", "fr", {"18.6", "18600000"}, id="fr-millions"),
        pytest.param("2 milliards", "fr", {"2", "2000000000"}, id="fr-milliards"),
        pytest.param("2 billions", "fr", {"2", "2000000000000"}, id="fr-billion-is-long-scale"),
        pytest.param("1\u202f200 habitants", "fr", {"1200"}, id="fr-narrow-space-group"),
        pytest.param("18,6 Mio. Euro", "de", {"18.6", "18600000"}, id="de-mio"),
        pytest.param("2,5 Mrd. Euro", "de", {"2.5", "2500000000"}, id="de-mrd"),
        pytest.param("18,6 Millionen", "de", {"18.6", "18600000"}, id="de-millionen"),
        pytest.param("1.200 Einwohner", "de", {"1200"}, id="de-dot-groups"),
        pytest.param("1.234.567,89", "de", {"1234567.89"}, id="de-grouped-decimal"),
        pytest.param("am 12.03.2024", "de", {"12.03.2024"}, id="de-date-as-written"),
        pytest.param("18,6 mil millones", "es", {"18.6", "18600000000"}, id="es-mil-millones"),
        pytest.param("3,5 млн", "ru", {"3.5", "3500000"}, id="ru-mln"),
    ],
)
def test_decimals_with_units_and_scales(text: str, language: str, expected: set[str]) -> None:
    assert faithfulness.numbers_in(text, language) == expected


@pytest.mark.parametrize(
    ("written", "language", "same_as"),
    [
        pytest.param("£18.6m", "en", "18.6 million", id="m-is-million"),
        pytest.param("$4.5bn", "en", "4,500 million", id="bn-is-4500-million"),
        pytest.param("18,6 Mio.", "de", "18,6 Millionen", id="de-mio-is-millionen"),
        pytest.param("18,6 M€", "fr", "18,6 millions", id="fr-m-is-millions"),
    ],
)
def test_one_value_written_two_ways(written: str, language: str, same_as: str) -> None:
    [first] = faithfulness.number_mentions(written, language)
    [second] = faithfulness.number_mentions(same_as, language)
    assert first.readings & second.readings


@pytest.fixture(scope="module")
def example() -> Document:
    return prepare(EXAMPLE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("sentence", "issues"),
    [
        pytest.param("The new pier is built to last for the next 60 years.", [], id="sixty"),
        pytest.param("The first boat left with forty-six passengers.", [], id="forty-six"),
        pytest.param("The first boat left with forty six passengers.", [], id="forty-space-six"),
        pytest.param("The replacement cost £18.6m.", [], id="18.6m"),
        pytest.param("The replacement cost 18.6 million pounds.", [], id="18.6-million"),
        pytest.param("The replacement cost £18,600,000.", [], id="18,600,000"),
        pytest.param("It finished £2.1m over its budget.", [], id="2.1m"),
        pytest.param("Steel piles were driven 14 metres into the rock.", [], id="fourteen"),
        pytest.param("Skarra Island's 1,400 residents depend on the crossing.", [], id="1,400"),
        pytest.param(
            "The new pier is built to last for the next 70 years.",
            ["number 70 is not in the article"],
            id="wrong-tens",
        ),
        pytest.param(
            "The first boat left with forty-seven passengers.",
            ["number 47 is not in the article"],
            id="wrong-compound",
        ),
        pytest.param(
            "The replacement cost £18.7m.",
            ["number 18.7 is not in the article"],
            id="wrong-decimal",
        ),
        pytest.param(
            "The replacement cost £18.6bn.",
            ["number £18.6bn is not in the article"],
            id="wrong-scale",
        ),
        pytest.param(
            "The replacement cost 18.6 billion pounds.",
            ["number 18.6 billion is not in the article"],
            id="wrong-scale-word",
        ),
    ],
)
def test_numbers_in_the_example_article(
    example: Document, sentence: str, issues: list[str]
) -> None:
    [verdict] = faithfulness.check_summary([sentence], example)
    assert verdict.issues == issues
    assert verdict.supported is (not issues), verdict


FRENCH = (
    "La rénovation du port de Wrenmouth a coûté 18,6 millions d'euros au conseil régional.\n"
    "Le chantier a duré deux ans et le quai accueille désormais 1\u202f400 passagers par jour."
)
GERMAN = (
    "Die Sanierung des Hafens von Wrenmouth kostete den Landkreis 18,6 Mio. Euro.\n"
    "Die Bauarbeiten dauerten zwei Jahre, der Anleger dient jetzt 1.200 Einwohnern der Insel."
)


@pytest.mark.parametrize(
    ("article", "language", "sentence", "issues"),
    [
        pytest.param(
            FRENCH,
            "fr",
            "La rénovation du port a coûté 18,6 millions d'euros au conseil régional.",
            [],
            id="fr-same-number",
        ),
        pytest.param(
            FRENCH,
            "fr",
            "La rénovation du port a coûté 18,6 M€ au conseil régional.",
            [],
            id="fr-abbreviated",
        ),
        pytest.param(
            FRENCH,
            "fr",
            "La rénovation du port a coûté 19,6 millions d'euros au conseil régional.",
            ["number 19.6 is not in the article"],
            id="fr-wrong-number",
        ),
        pytest.param(
            GERMAN,
            "de",
            "Die Sanierung des Hafens kostete den Landkreis 18,6 Millionen Euro.",
            [],
            id="de-millionen-for-mio",
        ),
        pytest.param(
            GERMAN,
            "de",
            "Der Anleger dient jetzt 1200 Einwohnern der Insel.",
            [],
            id="de-grouped-thousands",
        ),
        pytest.param(
            GERMAN,
            "de",
            "Die Sanierung des Hafens kostete den Landkreis 18,6 Mrd. Euro.",
            ["number 18,6 Mrd is not in the article"],
            id="de-wrong-scale",
        ),
    ],
)
def test_numbers_in_other_languages(
    article: str, language: str, sentence: str, issues: list[str]
) -> None:
    doc = prepare(article, language=language)
    [verdict] = faithfulness.check_summary([sentence], doc)
    assert verdict.issues == issues
    assert verdict.supported is (not issues), verdict


@pytest.mark.parametrize(
    ("article", "language", "sentence", "supported"),
    [
        pytest.param(FRENCH, "fr", "The rebuild cost €18.6m.", True, id="fr-article-en-summary"),
        pytest.param(FRENCH, "fr", "The rebuild cost €19.6m.", False, id="fr-wrong-number"),
        pytest.param(FRENCH, "fr", "The pier serves 1,400 passengers.", True, id="fr-groups"),
        pytest.param(GERMAN, "de", "The pier serves 1,200 islanders.", True, id="de-groups"),
        pytest.param(GERMAN, "de", "The pier serves 1,300 islanders.", False, id="de-wrong"),
    ],
)
def test_facts_only_reads_the_summary_numbers_in_its_language(
    article: str, language: str, sentence: str, supported: bool
) -> None:
    doc = prepare(article, language=language)
    [verdict] = faithfulness.check_summary([sentence], doc, summary_language="en")
    assert verdict.supported is supported, verdict
    assert verdict.support == (1.0 if supported else 0.0)
