"""The lead baseline: first sentences, in order, stopping when a word budget is full."""

from __future__ import annotations

import newsbrief

TEXT = (
    "The council approved the new budget on Tuesday after a long debate. "
    "Spending on schools will rise by four percent next year, officials said. "
    "Short one here. "
    "The mayor called the vote a turning point for the city and its residents."
)


def test_lead_takes_first_sentences() -> None:
    summary = newsbrief.summarize(TEXT, method="lead", sentences=2)
    assert [s.index for s in summary.sentences] == [0, 1]


def test_lead_word_budget_stops_at_first_overflow() -> None:
    # 12 words fit the first sentence only; the short third sentence must not be pulled in.
    summary = newsbrief.summarize(TEXT, method="lead", words=15)
    assert [s.index for s in summary.sentences] == [0]


def test_lead_word_budget_is_never_empty() -> None:
    summary = newsbrief.summarize(TEXT, method="lead", words=1)
    assert [s.index for s in summary.sentences] == [0]
