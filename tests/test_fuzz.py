"""Fuzz the library entry points with hypothesis: arbitrary Unicode, tiny and huge inputs.

Every call either returns its domain object or raises a ``NewsbriefError`` (never another
exception), and what it returns keeps its laws. Bounded so CI stays fast: a fixed number of
examples per test and no per-example deadline (the shared machine is slow at times); the run
time of the whole file is recorded in docs/benchmarks.md.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import newsbrief
from newsbrief import datasets
from newsbrief.batch import BatchItem, parse_item
from newsbrief.datasets import Line
from newsbrief.errors import DataFormatError, NewsbriefError
from newsbrief.models import Article, Document, Summary

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

#: Any code point, surrogates and controls included, weighted towards text-like strings.
ANY_TEXT = st.text(alphabet=st.characters(codec=None), max_size=400)
WORDY = st.lists(
    st.one_of(
        st.sampled_from(["The", "council", "said", "on", "Monday", ".", "!", "?", "\n", " "]),
        st.text(alphabet=st.characters(codec=None), min_size=1, max_size=8),
    ),
    max_size=120,
).map(" ".join)
TEXTS = st.one_of(ANY_TEXT, WORDY)
#: Huge inputs: a short piece repeated up to 300,000 characters (past MAX_ARTICLE_CHARS).
HUGE = st.tuples(WORDY.filter(lambda t: t.strip()), st.integers(1, 300_000)).map(
    lambda pair: (pair[0] * (pair[1] // max(len(pair[0]), 1) + 1))[: pair[1]]
)


def _check_summary(summary: Summary) -> None:
    assert isinstance(summary, Summary)
    indices = [s.index for s in summary.sentences]
    assert indices == sorted(indices)  # article order
    assert all(i is not None and i >= 0 for i in indices)
    json.dumps(summary.to_dict())  # answerable as JSON (nothing unencodable)
    summary.text.encode("utf-8")


@FUZZ
@given(text=TEXTS, method=st.sampled_from(["default", "lead", "centrality"]))
def test_summarize_any_text(text: str, method: str) -> None:
    try:
        summary = newsbrief.summarize(text, method=method, sentences=2)
    except NewsbriefError:
        return
    _check_summary(summary)


@settings(FUZZ, max_examples=8)
@given(text=HUGE)
def test_summarize_huge_and_tiny_text(text: str) -> None:
    try:
        summary = newsbrief.summarize(text, sentences=3)
    except NewsbriefError:
        return
    _check_summary(summary)
    if len(text) > newsbrief.limits.MAX_ARTICLE_CHARS:
        assert summary.article is not None
        assert summary.info["cut"]["total_chars"] == len(summary.article.text)


@FUZZ
@given(body=TEXTS, title=TEXTS)
def test_extract_any_page(body: str, title: str) -> None:
    page = (
        f"<html><head><title>{title}</title></head><body><article><p>{body}</p>"
        + (f"<p>{body}</p>" * 3)
        + "</article></body></html>"
    )
    try:
        article = newsbrief.extract(page, min_chars=1)
    except NewsbriefError:
        return
    assert isinstance(article, Article)
    article.text.encode("utf-8")


@FUZZ
@given(data=st.binary(max_size=600))
def test_extract_any_bytes(data: bytes) -> None:
    try:
        article = newsbrief.extract(data, min_chars=1)
    except NewsbriefError:
        return
    article.text.encode("utf-8")


@FUZZ
@given(text=TEXTS, language=st.one_of(st.none(), st.sampled_from(["en", "fr", "zh", "ru"])))
def test_prepare_any_text(text: str, language: str | None) -> None:
    try:
        doc = newsbrief.prepare(text, language=language)
    except NewsbriefError:
        return
    assert isinstance(doc, Document) and doc.sentences
    assert [s.index for s in doc.sentences] == list(range(len(doc.sentences)))
    assert all(0 <= s.start < s.end <= len(doc.article.text) for s in doc.sentences)


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXTS),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXTS, inner, max_size=4)),
    max_leaves=10,
)
RECORDS = st.dictionaries(
    st.sampled_from(["id", "article", "html", "url", "title", "language", "x"]),
    JSON_VALUES,
    max_size=6,
)


@FUZZ
@given(
    line=st.one_of(
        RECORDS.map(json.dumps), RECORDS.map(lambda r: json.dumps(r, ensure_ascii=False)), TEXTS
    )
)
def test_batch_line_parsing(line: str) -> None:
    try:
        item = parse_item(Line(1, line), path="in.jsonl")
    except DataFormatError as exc:
        assert str(exc).startswith("in.jsonl:1: ")
        return
    assert isinstance(item, BatchItem) and item.id
    item.id.encode("utf-8")  # an id can always be written back


@settings(FUZZ, max_examples=40)
@given(lines=st.lists(st.binary(max_size=80).map(lambda b: b.replace(b"\n", b"")), max_size=8))
def test_batch_input_lines_any_bytes(
    lines: list[bytes], tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "in.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    bad: list[DataFormatError] = []
    try:
        read = list(datasets.iter_lines(path, on_bad_line=bad.append))
    except NewsbriefError:  # an empty file
        assert not any(line.strip() for line in lines)
        return
    assert len(read) + len(bad) <= len(lines)
    assert all(isinstance(line, Line) and "\n" not in line.text for line in read)
