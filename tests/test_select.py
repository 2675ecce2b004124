"""Sentence choice shared by the extractive methods: prose before headings, rows and labels."""

from __future__ import annotations

import pytest

import newsbrief
from newsbrief.summarizers.select import is_prose

PROSE = [
    "The council approved the budget on Tuesday.",
    '"We will not give up," the mayor said.',
    "Why now?",
    "It rained all week (as forecast.)",
    "Il est parti… enfin…",
    "«Это невозможно!»",
    "Il a dit : « Nous allons changer la loi. »",
    "Der Minister sagte: „Wir werden das Gesetz noch in diesem Jahr ändern.“",
    "Er sagte: ‚Das geht nicht.‘",
    "彼は「明日は雨が降るでしょう。」",
    "Καλημέρα, τι κάνεις;",
    "今天天气很好。",
    "यह एक वाक्य है।",
    "یہ ایک جملہ ہے۔",
    "នេះជាប្រយោគមួយ។",
    # longer than a headline: a sentence that lost its full stop
    "The road was closed in both directions between the Tattershall Road junction in Woodhall"
    " Spa and the Jubilee Way junction in Horncastle for several hours",
]
NOT_PROSE = [
    "| HD | THE HOME DEPOT INC. | 225.86 | -12.99 | -5.44% |",
    "Media playback is not supported on this device",
    "Some of 2019's best tech gadgets",
    "- Arrowhead bottled water",
    "Here is how it works:",
    "13-Inch MacBook Pro With Scissor Keyboard Expected in First Half of 2020",
]


@pytest.mark.parametrize("text", PROSE)
def test_sentences_read_as_prose(text: str) -> None:
    assert is_prose(text)


@pytest.mark.parametrize("text", NOT_PROSE)
def test_headings_rows_and_labels_do_not(text: str) -> None:
    assert not is_prose(text)


PAGE = "\n".join(
    [
        "Media playback is not supported on this device",
        "Quarterly results at a glance",
        "| HD | THE HOME DEPOT INC. | 225.86 | -12.99 | -5.44% |",
        "Home Depot reported third-quarter earnings that topped estimates on Tuesday.",
        "Revenue fell short of what analysts had expected, sending the shares lower.",
        "The company cut its forecast for sales growth for the whole year.",
    ]
)


@pytest.mark.parametrize("method", ["lead", "centrality", "trained"])
def test_prose_comes_before_headings_rows_and_labels(method: str) -> None:
    summary = newsbrief.summarize(PAGE, method=method, sentences=3, language="en")
    assert [s.index for s in summary.sentences] == [3, 4, 5]


@pytest.mark.parametrize("method", ["lead", "centrality", "trained"])
def test_lines_that_are_not_prose_are_used_when_nothing_else_is_left(method: str) -> None:
    headings = "\n".join(
        ["Quarterly results at a glance", "Home Depot shares fall after the earnings report"]
    )
    summary = newsbrief.summarize(headings, method=method, sentences=1, language="en")
    assert len(summary.sentences) == 1
