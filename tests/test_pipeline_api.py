"""The Python API's entry points: argument types, lengths, HTML vs text in a str, bytes, dir()."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import newsbrief
from newsbrief import Article, Length, SummaryOptions
from newsbrief.errors import EmptyInput, InvalidOptions, NewsbriefError, UndecodableInput
from newsbrief.models import MAX_SENTENCES, MAX_WORDS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "article.html"
TEXT = (
    "The city council voted on Tuesday to close the old central library after 120 years.\n"
    "Council members said the building needed repairs costing $4 million.\n"
    "The library's 80,000 books will move to a new branch near the station.\n"
    "Critics said the council ignored a petition signed by 5,000 residents."
)


def _raises(error: type[NewsbriefError], message: str, call: Any, *args: Any, **kw: Any) -> None:
    with pytest.raises(error) as info:
        call(*args, **kw)
    assert type(info.value) is error
    assert str(info.value) == message


# --- argument types -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param(
            None,
            "source must be an Article, a Document, a str or bytes (got NoneType)",
            id="none",
        ),
        pytest.param(
            {"text": TEXT},
            "source must be an Article, a Document, a str or bytes (got dict)",
            id="dict",
        ),
        pytest.param(
            123, "source must be an Article, a Document, a str or bytes (got int 123)", id="int"
        ),
        pytest.param(
            [TEXT], "source must be an Article, a Document, a str or bytes (got list)", id="list"
        ),
        pytest.param(
            Article(text=None),  # type: ignore[arg-type]
            "the Article's text must be a str (got NoneType)",
            id="article-without-text",
        ),
        pytest.param(
            Article(text=b"bytes"),  # type: ignore[arg-type]
            "the Article's text must be a str (got bytes)",
            id="article-with-bytes-text",
        ),
    ],
)
def test_summarize_refuses_a_source_of_the_wrong_type(source: object, message: str) -> None:
    _raises(InvalidOptions, message, newsbrief.summarize, source, method="lead")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param(None, "source must be an Article, a str or bytes (got NoneType)", id="none"),
        pytest.param({}, "source must be an Article, a str or bytes (got dict)", id="dict"),
    ],
)
def test_prepare_refuses_a_source_of_the_wrong_type(source: object, message: str) -> None:
    _raises(InvalidOptions, message, newsbrief.prepare, source)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"method": 1}, "method must be a str (got int 1)", id="method-int"),
        pytest.param({"method": None}, "method must be a str (got NoneType)", id="method-none"),
        pytest.param(
            {"language": 1},
            "language must be a str (an ISO 639-1 code such as en) or None (got int 1)",
            id="language-int",
        ),
        pytest.param(
            {"options": {"method": "lead"}},
            "options must be a newsbrief.SummaryOptions or None (got dict)",
            id="options-dict",
        ),
        pytest.param(
            {"options": SummaryOptions(method="lead"), "sentences": 2},
            "give either options or the keyword shortcuts, not both (got options and sentences)",
            id="options-and-sentences",
        ),
        pytest.param(
            {"options": SummaryOptions(), "method": "lead", "language": "en"},
            "give either options or the keyword shortcuts, not both "
            "(got options and method, language)",
            id="options-and-method",
        ),
    ],
)
def test_summarize_refuses_other_arguments_of_the_wrong_type(
    kwargs: dict[str, Any], message: str
) -> None:
    _raises(InvalidOptions, message, newsbrief.summarize, TEXT, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            {"length": 3}, "length must be a newsbrief.Length (got int 3)", id="length-int"
        ),
        pytest.param({"format": None}, "format must be a str (got NoneType)", id="format-none"),
        pytest.param(
            {"summary_language": ["fr"]},
            "summary_language must be a str (an ISO 639-1 code such as en) or None (got list)",
            id="summary-language-list",
        ),
    ],
)
def test_summary_options_types(kwargs: dict[str, Any], message: str) -> None:
    _raises(InvalidOptions, message, SummaryOptions, **kwargs)


# --- lengths ------------------------------------------------------------------------------

WHOLE_SENTENCES = f"sentences must be a whole number from 1 to {MAX_SENTENCES}"
WHOLE_WORDS = f"words must be a whole number from 1 to {MAX_WORDS}"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"sentences": "3"}, f"{WHOLE_SENTENCES} (got str '3')", id="sentences-str"),
        pytest.param(
            {"sentences": 2.5}, f"{WHOLE_SENTENCES} (got float 2.5)", id="sentences-fraction"
        ),
        pytest.param(
            {"sentences": 3.0}, f"{WHOLE_SENTENCES} (got float 3.0)", id="sentences-float"
        ),
        pytest.param(
            {"sentences": True}, f"{WHOLE_SENTENCES} (got bool True)", id="sentences-true"
        ),
        pytest.param(
            {"sentences": False}, f"{WHOLE_SENTENCES} (got bool False)", id="sentences-false"
        ),
        pytest.param({"words": 10.7}, f"{WHOLE_WORDS} (got float 10.7)", id="words-fraction"),
        pytest.param({"words": True}, f"{WHOLE_WORDS} (got bool True)", id="words-true"),
        pytest.param({"words": "60"}, f"{WHOLE_WORDS} (got str '60')", id="words-str"),
        pytest.param(
            {"ratio": True}, "ratio must be a number in (0, 1] (got bool True)", id="ratio-true"
        ),
        pytest.param(
            {"ratio": "0.5"}, "ratio must be a number in (0, 1] (got str '0.5')", id="ratio-str"
        ),
        pytest.param(
            {"ratio": [0.5]}, "ratio must be a number in (0, 1] (got list)", id="ratio-list"
        ),
        # The range checks stay as they were.
        pytest.param(
            {"sentences": 0}, f"sentences must be from 1 to {MAX_SENTENCES} (got 0)", id="zero"
        ),
        pytest.param(
            {"sentences": MAX_SENTENCES + 1},
            f"sentences must be from 1 to {MAX_SENTENCES} (got {MAX_SENTENCES + 1})",
            id="too-many-sentences",
        ),
        pytest.param(
            {"words": MAX_WORDS + 1},
            f"words must be from 1 to {MAX_WORDS} (got {MAX_WORDS + 1})",
            id="too-many-words",
        ),
        pytest.param({"ratio": 0}, "ratio must be in (0, 1] (got 0)", id="ratio-zero"),
        pytest.param({"ratio": 1.5}, "ratio must be in (0, 1] (got 1.5)", id="ratio-above-one"),
        pytest.param({"ratio": float("nan")}, "ratio must be in (0, 1] (got nan)", id="ratio-nan"),
    ],
)
def test_summarize_refuses_a_bad_length(kwargs: dict[str, Any], message: str) -> None:
    _raises(InvalidOptions, message, newsbrief.summarize, TEXT, method="lead", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "stored"),
    [
        pytest.param({"sentences": np.int64(2)}, {"sentences": 2}, id="numpy-int"),
        pytest.param({"words": np.int32(40)}, {"words": 40}, id="numpy-int32"),
        pytest.param({"ratio": np.float32(0.5)}, {"ratio": 0.5}, id="numpy-float"),
        pytest.param({"ratio": 1}, {"ratio": 1}, id="int-ratio"),
    ],
)
def test_numpy_numbers_are_plain_numbers_in_a_length(
    kwargs: dict[str, Any], stored: dict[str, Any]
) -> None:
    length = Length(**kwargs)
    assert length.to_dict() == stored
    assert json.loads(json.dumps(length.to_dict())) == stored
    assert all(type(v) in (int, float) for v in length.to_dict().values())


def test_an_integer_length_is_kept_exactly() -> None:
    summary = newsbrief.summarize(TEXT, method="lead", sentences=2)
    assert len(summary.sentences) == 2
    assert summary.length == Length(sentences=2)


# --- HTML or text in a str, and bytes -----------------------------------------------------


def test_html_str_is_extracted_before_summarizing() -> None:
    html = EXAMPLE.read_text(encoding="utf-8")
    summary = newsbrief.summarize(html, method="lead", sentences=3)
    expected = newsbrief.summarize(newsbrief.extract(html), method="lead", sentences=3)
    assert summary.text == expected.text
    assert summary.article == expected.article
    assert summary.article is not None
    assert summary.article.title == "Wrenmouth Reopens Its Ferry Pier After a Two-Year Rebuild"
    assert not any("<" in s.text for s in summary.sentences)
    assert summary.text.startswith("The ferry pier at Wrenmouth reopened on Monday")


def test_html_str_language_is_forced_through_extraction() -> None:
    html = EXAMPLE.read_text(encoding="utf-8")
    doc = newsbrief.prepare(html, language="EN")
    assert doc.language == "en"
    assert doc.article.title == "Wrenmouth Reopens Its Ferry Pier After a Two-Year Rebuild"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(TEXT, id="plain"),
        pytest.param(TEXT + "\nIf a < b and b > c, the vote was 5<6.", id="angle-brackets"),
    ],
)
def test_plain_text_str_is_summarized_as_given(text: str) -> None:
    summary = newsbrief.summarize(text, method="lead", sentences=1)
    assert summary.article is not None
    assert summary.article.text == text
    assert summary.article.title is None
    assert summary.text == TEXT.split("\n")[0]


def test_html_bytes_are_decoded_like_a_file() -> None:
    html = EXAMPLE.read_text(encoding="utf-8")
    from_bytes = newsbrief.summarize(EXAMPLE.read_bytes(), method="lead", sentences=3)
    from_str = newsbrief.summarize(html, method="lead", sentences=3)
    assert from_bytes.text == from_str.text
    assert from_bytes.article == from_str.article


def test_bytes_in_a_declared_charset() -> None:
    paragraphs = [
        "La mairie a voté mardi la fermeture de la bibliothèque. Les élus étaient divisés.",
        "Les 80 000 livres déménageront dans une nouvelle annexe près de la gare en mars.",
        "Une pétition signée par 5 000 habitants demandait de garder l'ancien bâtiment ouvert.",
    ]
    page = (
        '<html><head><meta charset="windows-1252"><title>Bibliothèque</title></head><body>'
        f"<article>{''.join(f'<p>{p}</p>' for p in paragraphs)}</article></body></html>"
    )
    summary = newsbrief.summarize(page.encode("cp1252"), method="lead", sentences=1)
    assert summary.text == "La mairie a voté mardi la fermeture de la bibliothèque."


def test_plain_text_bytes_are_decoded() -> None:
    data = "Le café a rouvert hier. Les habitués étaient ravis de revenir.".encode("latin-1")
    summary = newsbrief.summarize(data, method="lead", sentences=2, language="fr")
    assert summary.text == "Le café a rouvert hier. Les habitués étaient ravis de revenir."


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            UndecodableInput,
            "the input is binary (it contains NUL bytes); give an HTML page or a text file",
            id="binary",
        ),
        pytest.param(b"", EmptyInput, "the article text is empty", id="empty"),
        pytest.param(b" \n ", EmptyInput, "the article text is empty", id="whitespace"),
    ],
)
def test_bad_bytes(data: bytes, error: type[NewsbriefError], message: str) -> None:
    _raises(error, message, newsbrief.summarize, data, method="lead")


# --- the package --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["summarize", "prepare", "extract", *newsbrief.__all__])
def test_dir_lists_the_public_api(name: str) -> None:
    assert name in dir(newsbrief)
    assert getattr(newsbrief, name) is not None


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError, match="module 'newsbrief' has no attribute 'nope'"):
        newsbrief.nope  # type: ignore[attr-defined]  # noqa: B018


def test_import_loads_nothing_heavy() -> None:
    code = (
        "import sys, newsbrief; dir(newsbrief); "
        "print(' '.join(m for m in ('numpy', 'trafilatura', 'sklearn', 'newsbrief.pipeline',"
        " 'newsbrief.summarizers') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == ""
