"""Every summary has a cost ceiling: the article-length limits, the time limit, the sparse path.

Memory is measured in a subprocess (``resource.getrusage``), never in the test process.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import newsbrief
from newsbrief import chunking, features, limits
from newsbrief.errors import InvalidOptions, SummaryTimeout
from newsbrief.limits import check_deadline, check_time_limit, deadline
from newsbrief.models import Document
from newsbrief.summarizers import centrality, select

SRC = Path(__file__).resolve().parents[1] / "src"


def _text(n_sentences: int, words_per_sentence: int = 8, vocabulary: int = 5000) -> str:
    """Return plain text of ``n_sentences`` short sentences, five to a paragraph."""
    rng = np.random.default_rng(0)
    ids = rng.integers(0, vocabulary, size=(n_sentences, words_per_sentence))
    sentences = [" ".join(f"w{i}" for i in row).capitalize() + "." for row in ids]
    return "\n".join(" ".join(sentences[i : i + 5]) for i in range(0, n_sentences, 5))


def test_text_past_the_character_limit_is_cut_at_a_paragraph_and_reported(monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_ARTICLE_CHARS", 2_000)
    text = _text(200)
    summary = newsbrief.summarize(text, sentences=3, language="en")
    cut = summary.info["cut"]
    assert cut["limit"] == "max_article_chars"
    assert cut["total_chars"] == len(text)
    assert 1_000 <= cut["kept_chars"] <= 2_000
    assert cut["total_sentences"] is None
    doc = newsbrief.prepare(text, language="en")
    assert doc.cut is not None and len(doc.sentences) == cut["kept_sentences"]
    assert text[: cut["kept_chars"] + 1].endswith("\n")  # a paragraph break
    assert all(s.end <= cut["kept_chars"] for s in doc.sentences)
    assert all(s.index < cut["kept_sentences"] for s in summary.sentences)
    assert summary.to_dict()["info"]["cut"] == cut


def test_text_past_the_sentence_limit_keeps_its_first_sentences(monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_ARTICLE_SENTENCES", 50)
    text = _text(120)
    summary = newsbrief.summarize(text, method="centrality", ratio=1.0, language="en")
    cut = summary.info["cut"]
    assert cut == {
        "limit": "max_article_sentences",
        "kept_chars": cut["kept_chars"],
        "total_chars": len(text),
        "kept_sentences": 50,
        "total_sentences": 120,
    }
    assert max(s.index for s in summary.sentences if s.index is not None) < 50


def test_a_document_given_whole_is_bounded_too(monkeypatch) -> None:
    doc = newsbrief.prepare(_text(120), language="en")
    assert isinstance(doc, Document) and doc.cut is None
    monkeypatch.setattr(limits, "MAX_ARTICLE_SENTENCES", 40)
    summary = newsbrief.summarize(doc, method="trained", sentences=3)
    assert summary.info["cut"]["kept_sentences"] == 40
    assert summary.info["cut"]["total_sentences"] == 120


def test_an_article_within_the_limits_reports_no_cut() -> None:
    summary = newsbrief.summarize(_text(40), sentences=3, language="en")
    assert "cut" not in summary.info


def test_the_limits_cut_no_article_of_the_evaluation_sets() -> None:
    # The quality tables cannot move: the longest articles of the data sets stay whole.
    assert limits.MAX_ARTICLE_CHARS > 63_937  # XSum's longest article, in characters
    assert limits.MAX_ARTICLE_SENTENCES > 1_309  # XSum's longest, in sentences


#: The child's peak resident memory. On Linux, ``getrusage``'s ``ru_maxrss`` of a child starts
#: from its parent's peak at fork (1.1 GB when pytest has run the whole suite), while VmHWM
#: belongs to the child's own address space; ``ru_maxrss`` elsewhere.
_PEAK = """
import resource
def peak_mb():
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""


def _peak_of(code: str, timeout: float = 120) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _PEAK + code],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
        env={"PYTHONPATH": str(SRC), "OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize("method", ["trained", "centrality", "lead"])
def test_two_megabytes_of_short_sentences_cost_a_bounded_amount_of_memory(method: str) -> None:
    # Before the limits: ~20,000 sentences took 35-80 s and ~11 GB (dense 20,000^2 matrices).
    code = f"""
import json, resource, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from test_limits import _text
import newsbrief
text = _text(40_000)
assert len(text) > 1_800_000, len(text)
summary = newsbrief.summarize(text, method={method!r}, ratio=1.0, language="en")
print(json.dumps({{"rss_mb": peak_mb(), "kept": summary.info["cut"]["kept_sentences"]}}))
"""
    result = _peak_of(code)
    assert result["kept"] <= limits.MAX_ARTICLE_SENTENCES
    assert result["rss_mb"] < 400, result


def test_the_sparse_features_agree_with_the_dense_ones(monkeypatch) -> None:
    texts = [s.text for s in newsbrief.prepare(_text(150, vocabulary=400)).sentences]
    monkeypatch.setattr(features, "DENSE_CELLS", 10**12)
    dense = features.sentence_features(texts, language="en", title="W1 w2 and w3")
    monkeypatch.setattr(features, "DENSE_CELLS", 0)
    sparse = features.sentence_features(texts, language="en", title="W1 w2 and w3")
    ranks = [features.FEATURES.index(name) for name in ("centroid_rank",)]
    others = [i for i in range(len(features.FEATURES)) if i not in ranks]
    np.testing.assert_allclose(sparse[:, others], dense[:, others], rtol=1e-9, atol=1e-12)
    # A rank may differ only between values equal to rounding.
    assert not np.allclose(dense[:, 13], 0)  # the title was matched


def test_centrality_similarity_sparse_agrees_with_dense(monkeypatch) -> None:
    doc = newsbrief.prepare(_text(150, vocabulary=400))
    tokens = [s.text.lower().split() for s in doc.sentences]
    monkeypatch.setattr(centrality, "DENSE_CELLS", 10**12)
    dense = centrality.similarity_matrix(tokens)
    monkeypatch.setattr(centrality, "DENSE_CELLS", 0)
    sparse = centrality.similarity_matrix(tokens)
    np.testing.assert_allclose(sparse, dense, rtol=1e-9, atol=1e-12)


def test_a_summary_past_its_time_limit_raises_summary_timeout() -> None:
    with pytest.raises(SummaryTimeout) as info:
        newsbrief.summarize(_text(60), language="en", time_limit=1e-9)
    assert info.value.code == "summary_timeout" and info.value.http_status == 503
    assert str(info.value).startswith("the summary took longer than its time limit of 1e-09 s")


def test_the_default_time_limit_does_not_stop_an_ordinary_summary() -> None:
    summary = newsbrief.summarize(_text(60), language="en")
    assert summary.sentences


@pytest.mark.parametrize("value", [0, -1, math.nan, math.inf, "3", True])
def test_time_limits_must_be_positive_finite_numbers(value: object) -> None:
    with pytest.raises(InvalidOptions, match="time_limit must be"):
        check_time_limit(value)
    with pytest.raises(InvalidOptions, match="time_limit must be"):
        newsbrief.summarize("One sentence here.", time_limit=value)  # type: ignore[arg-type]


def test_an_outer_earlier_deadline_wins() -> None:
    with deadline(1e-9), deadline(1000):
        time.sleep(0.001)
        with pytest.raises(SummaryTimeout, match="1e-09 s"):
            check_deadline("inner")
    check_deadline("outside")  # no deadline in force: nothing raised


def test_map_reduce_calls_in_threads_see_the_deadline() -> None:
    calls: list[str] = []

    def generate(text: str, stage: str, part: tuple[int, int] | None) -> str:
        calls.append(stage)
        time.sleep(0.05)
        return text[:10]

    paragraphs = [["word " * 40] for _ in range(8)]
    with deadline(0.01), pytest.raises(SummaryTimeout, match="map-reduce part"):
        chunking.map_reduce(
            paragraphs, budget=60, count=lambda t: len(t.split()), generate=generate, parallel=2
        )
    assert len(calls) < 8  # the parts not started when the deadline passed were not sent


_GRAMS = st.sets(st.tuples(st.sampled_from("abcd"), st.sampled_from("abcd")), max_size=6)


@settings(max_examples=200, deadline=None)
@given(chosen=st.lists(_GRAMS.filter(bool), max_size=6), candidate=_GRAMS)
def test_the_trigram_index_finds_what_the_pairwise_check_finds(
    chosen: list[set[tuple[str, ...]]], candidate: set[tuple[str, ...]]
) -> None:
    index = select._Chosen()
    for grams in chosen:
        index.add(grams)
    assert index.repeats(candidate) == select.is_near_duplicate(candidate, chosen)
