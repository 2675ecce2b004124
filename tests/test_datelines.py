"""Datelines and wire credits are not summary text (issue #14, item 3).

The sentences were written for these tests, in the forms agencies and papers use.
"""

from __future__ import annotations

import pytest

import newsbrief
from newsbrief.datelines import strip_dateline
from newsbrief.features import FEATURES, document_features, scored_texts, sentence_features
from newsbrief.pipeline import prepare

STRIPPED = [
    ("WASHINGTON (CNN) -- The senate passed the budget on Friday.", "The senate passed"),
    ("(CNN) The city council approved the new tram line.", "The city council"),
    ("Marseille, France (CNN) The prosecutor spoke on Wednesday.", "The prosecutor"),
    ("LONDON, England (Reuters) -- Britain's economy grew in March.", "Britain's economy"),
    ("NEW YORK (AP) — Stocks fell sharply on Tuesday.", "Stocks fell"),
    ("WASHINGTON — President Lee signed the bill.", "President Lee"),
    ("(The Hollywood Reporter) The show returns in May.", "The show returns"),
    ("(EW.com) A new season was announced.", "A new season"),
    (
        "By . Jane Doe . PUBLISHED: 12:00 EST, 1 May 2014 . | . UPDATED: 13:00 EST, 1 May 2014 . "
        "The council voted to close the pool.",
        "The council voted",
    ),
    ("By . Daily Mail Reporter . A man was charged with theft.", "A man was charged"),
    ("PARIS, 3 mars (AFP) - Le gouvernement a présenté son budget.", "Le gouvernement"),
    ("Berlin (dpa) - Die Regierung hat den Plan beschlossen.", "Die Regierung"),
    ("MADRID, 3 mar (EFE).- El Gobierno aprobó el plan.", "El Gobierno"),
    ("(ANSA) - ROMA, 3 MAR - Il governo ha approvato il piano.", "Il governo"),
    ("LISBOA, 3 mar (Lusa) - O Governo aprovou o plano.", "O Governo"),
    ("AMSTERDAM (ANP) - Het kabinet heeft het plan goedgekeurd.", "Het kabinet"),
    ("МОСКВА, 3 марта. /ТАСС/. Правительство утвердило план.", "Правительство"),
    ('(CNN) "We will rebuild," the mayor said.', '"We will rebuild'),
]

UNTOUCHED = [
    "Washington (D.C.) is the capital of the United States.",
    "The senator (R-Texas) voted against the bill.",
    "The agency (CNN) said nothing.",
    "CNN reported the story first.",
    "(pictured) John Smith arrived at court on Monday.",
    "NASA — the space agency — launched a probe.",
    "MADRID - Real won the derby.",
    "QPR (4-4-2): Green; Isla, Caulker, Onuoha, Hill.",
    "Shares in the firm rose 3% (Reuters data showed).",
    "LONDON (CNN) --",
]


@pytest.mark.parametrize(("text", "start"), STRIPPED, ids=[t[:28] for t, _ in STRIPPED])
def test_a_dateline_or_credit_is_stripped(text: str, start: str) -> None:
    stripped = strip_dateline(text)
    assert stripped is not None and stripped.startswith(start)
    assert text.endswith(stripped)


@pytest.mark.parametrize("text", UNTOUCHED, ids=[t[:28] for t in UNTOUCHED])
def test_other_openings_are_not_touched(text: str) -> None:
    assert strip_dateline(text) is None


ARTICLE = (
    "LONDON (Reuters) -- The city will close its oldest swimming pool in June after engineers "
    "found cracks in the roof. The pool opened in 1931 and is used by twelve schools. "
    "A new pool will be built on the same site by 2028. Swimmers will use a temporary hall."
)


@pytest.mark.parametrize("method", ["lead", "centrality", "trained"])
def test_no_summary_starts_with_a_dateline(method: str) -> None:
    """Every extractive method shows the lede without its dateline; the index stays."""
    summary = newsbrief.summarize(ARTICLE, method=method, sentences=4, language="en")
    first = summary.sentences[0]
    assert first.index == 0
    assert first.text.startswith("The city will close its oldest swimming pool")


def test_only_the_first_sentence_loses_a_dateline() -> None:
    """A capitals-and-dash line further down (a team sheet, a heading) is article text."""
    doc = prepare(
        "The club named its new coach on Monday after a long search. "
        "ARSENAL -- The Gunners are on course for second place this season.",
        language="en",
    )
    summary = newsbrief.summarize(doc, method="lead", sentences=2)
    assert summary.sentences[1].text.startswith("ARSENAL -- ")


def test_the_features_read_the_lede_without_its_dateline() -> None:
    doc = prepare(ARTICLE, language="en")
    texts = [s.text for s in doc.sentences]
    assert scored_texts(texts)[0].startswith("The city will close")
    assert scored_texts(texts)[1:] == texts[1:]
    expected = sentence_features(scored_texts(texts), language="en", title=None)
    assert (document_features(doc) == expected).all()
    raw = sentence_features(texts, language="en", title=None)
    assert raw[0, FEATURES.index("capitalised")] > expected[0, FEATURES.index("capitalised")]


def test_the_dangles_features() -> None:
    texts = [
        "The bridge reopened on Monday after two years of repairs.",
        "It carries four lanes of traffic and a cycle path.",
        "However, the toll will rise in spring.",
        "Engineers inspected the cables in June.",
    ]
    x = sentence_features(texts, language="en")
    # "However, …" stands alone once its connective is dropped: it does not dangle.
    assert x[:, FEATURES.index("dangles")].tolist() == [0.0, 1.0, 0.0, 0.0]
    assert x[:, FEATURES.index("next_dangles")].tolist() == [1.0, 0.0, 0.0, 0.0]
