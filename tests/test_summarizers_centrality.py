"""The centrality summarizer's own behaviour (the shared contract is in the contract suite)."""

from __future__ import annotations

import numpy as np
import pytest

from newsbrief.errors import InvalidOptions
from newsbrief.models import Length, SummaryOptions
from newsbrief.pipeline import prepare
from newsbrief.summarizers.centrality import CentralitySummarizer, pagerank, sentence_vectors


def test_pagerank_of_a_symmetric_ring_is_uniform() -> None:
    n = 5
    sim = np.zeros((n, n))
    for i in range(n):
        sim[i, (i + 1) % n] = sim[(i + 1) % n, i] = 1.0
    scores = pagerank(sim, np.full(n, 1 / n), 0.85)
    assert np.allclose(scores, 1 / n)


def test_pagerank_handles_isolated_sentences() -> None:
    sim = np.zeros((3, 3))
    sim[0, 1] = sim[1, 0] = 0.5
    scores = pagerank(sim, np.full(3, 1 / 3), 0.85)
    assert np.isclose(scores.sum(), 1.0) and np.all(scores > 0)
    assert scores[2] < scores[0]


def test_sentence_vectors_give_cosine_similarity() -> None:
    x = sentence_vectors([["a", "b"], ["a", "b"], ["c"], []])
    sim = x @ x.T
    assert np.isclose(sim[0, 1], 1.0)
    assert sim[0, 2] == 0 and sim[3].sum() == 0


def test_the_central_sentence_wins_without_position_prior() -> None:
    text = (
        "Rain fell in the north today.\n"
        "Farmers hope the wheat harvest will recover.\n"
        "Rain, wheat, harvest and farmers: the north waits for the recovery.\n"
        "The wheat harvest in the north depends on rain, farmers say.\n"
        "Officials met in the capital."
    )
    doc = prepare(text, language="en")
    scores = CentralitySummarizer(position_prior=0).scores(doc)
    assert np.isclose(scores.sum(), 1.0)
    assert int(np.argmax(scores)) in (2, 3)
    assert int(np.argmin(scores)) == 4


def test_exact_sentence_count() -> None:
    text = "\n".join(f"Sentence number {w} talks about the {w} bridge plan." for w in "abcdefgh")
    doc = prepare(text, language="en")
    for n in (1, 3, 8):
        out = CentralitySummarizer().summarize(doc, SummaryOptions(length=Length(sentences=n)))
        assert len(out.sentences) == n


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"position_prior": -1.0}, "position_prior must be >= 0 (got -1.0)"),
        ({"damping": 1.0}, "damping must be in (0, 1) (got 1.0)"),
        ({"damping": 0}, "damping must be in (0, 1) (got 0)"),
    ],
)
def test_bad_settings(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(InvalidOptions) as exc:
        CentralitySummarizer(**kwargs)
    assert str(exc.value) == message
