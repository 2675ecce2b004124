"""The faithfulness check on hand-written summary sentences."""

from __future__ import annotations

import pytest

from newsbrief import faithfulness
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
