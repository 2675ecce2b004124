"""ROUGE protocol: laws (hypothesis), agreement with rouge-score, non-English text, intervals."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer

from newsbrief.rouge import (
    ROUGE_TYPES,
    Rouge,
    UnicodeTokenizer,
    bootstrap_ci,
    greedy_oracle,
    protocol,
    reference_lines,
)

ascii_words = st.lists(
    st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=8),
    min_size=1,
    max_size=30,
)
# Latin with accents, Cyrillic and Greek letters: what the default tokenizer throws away.
unicode_words = st.lists(
    st.text(alphabet="abcdeéèàçœßабвгдежзийклмнопрстуфхцчшщыэюяαβγδ", min_size=1, max_size=8),
    min_size=1,
    max_size=30,
)


def _f1(scores: dict[str, object], name: str) -> float:
    return scores[name].fmeasure  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize("language", ["en", "fr"])
@settings(max_examples=60, deadline=None)
@given(words=ascii_words)
def test_identical_text_scores_one(language: str, words: list[str]) -> None:
    text = " ".join(words)
    scores = Rouge(language).score([text], [text])
    assert _f1(scores, "rouge1") == pytest.approx(1.0)
    assert _f1(scores, "rougeLsum") == pytest.approx(1.0)
    if len(words) >= 2:
        assert _f1(scores, "rouge2") == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(words=unicode_words)
def test_identical_unicode_text_scores_one(words: list[str]) -> None:
    text = " ".join(words)
    scores = Rouge("ru").score([text], [text])
    assert _f1(scores, "rouge1") == pytest.approx(1.0)
    assert _f1(scores, "rougeLsum") == pytest.approx(1.0)


@settings(max_examples=60, deadline=None)
@given(a=unicode_words, b=unicode_words, language=st.sampled_from(["en", "fr", "ru"]))
def test_f1_is_symmetric(a: list[str], b: list[str], language: str) -> None:
    x, y = " ".join(a), " ".join(b)
    rouge = Rouge(language)
    forward, backward = rouge.score([x], [y]), rouge.score([y], [x])
    for name in ROUGE_TYPES:
        assert _f1(forward, name) == pytest.approx(_f1(backward, name))
        assert 0.0 <= _f1(forward, name) <= 1.0


@settings(max_examples=40, deadline=None)
@given(words=ascii_words)
def test_disjoint_vocabularies_score_zero(words: list[str]) -> None:
    summary = " ".join(words)
    reference = " ".join("zz" + w for w in words)  # no token in common, even after stemming
    scores = Rouge("en").score([summary], [reference + " qq"])
    if set(summary.split()) & set(reference.split()):
        return
    for name in ROUGE_TYPES:
        assert _f1(scores, name) == 0.0


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            ["running", "runs", "ran", "the", "cats", "cat", "U.S.", "it's", "$5", "2024", "—"]
        ),
        min_size=1,
        max_size=20,
    ),
    other=st.lists(st.sampled_from(["run", "cat", "running", "dogs", "the", "us"]), max_size=20),
)
def test_english_matches_rouge_score_with_stemming(words: list[str], other: list[str]) -> None:
    reference = " ".join(words) + "\n" + " ".join(other)
    summary = " ".join(other + words[:3])
    ours = Rouge("en").score([summary], reference.split("\n"))
    theirs = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True).score(reference, summary)
    for name in ROUGE_TYPES:
        assert _f1(ours, name) == pytest.approx(theirs[name].fmeasure, abs=1e-12)


@pytest.mark.parametrize(
    ("language", "summary", "reference"),
    [
        (
            "fr",
            "Le président a annoncé une réforme des retraites très contestée.",
            "Une réforme des retraites contestée a été annoncée par le président.",
        ),
        (
            "ru",
            "Президент объявил о новой пенсионной реформе в понедельник.",
            "В понедельник президент объявил о пенсионной реформе.",
        ),
    ],
    ids=["french", "russian"],
)
def test_non_english_text_scores_above_zero(language: str, summary: str, reference: str) -> None:
    ours = Rouge(language).score([summary], [reference])
    assert _f1(ours, "rouge1") > 0.5
    assert _f1(ours, "rouge2") > 0.1


def test_default_tokenizer_is_why_non_english_needs_ours() -> None:
    # rouge-score keeps only [a-z0-9]: Russian vanishes and French words fall apart.
    scorer = rouge_scorer.RougeScorer(["rouge1"])
    russian = "Президент объявил о реформе."
    assert scorer.score(russian, russian)["rouge1"].fmeasure == 0.0
    assert Rouge("ru").score([russian], [russian])["rouge1"].fmeasure == 1.0
    from rouge_score import tokenize

    assert tokenize.tokenize("réforme élysée", None) == ["r", "forme", "lys", "e"]
    assert UnicodeTokenizer().tokenize("réforme élysée") == ["réforme", "élysée"]


def test_unicode_tokenizer_keeps_letters_and_drops_punctuation() -> None:
    tokens = UnicodeTokenizer().tokenize("L'Élysée a dit « non » — Москва, 2024_x ! ﬁn")
    assert tokens == ["l", "élysée", "a", "dit", "non", "москва", "2024", "x", "fin"]


def test_single_line_reference_is_split_into_sentences_for_lsum() -> None:
    assert reference_lines("First one here. Second one there.", "en") == [
        "First one here.",
        "Second one there.",
    ]
    assert reference_lines("a\n\nb\n", "en") == ["a", "b"]


def test_protocol_names_implementation_tokenizer_and_stemming() -> None:
    english, french = protocol("en"), protocol("fr")
    assert english.startswith("rouge-score 0.1.2; rouge1, rouge2, rougeLsum; language: en; ")
    assert "stemming: Porter (>3 chars)" in english
    assert "tokenizer: unicode (NFKC, lowercase, [^\\W_]+ runs); stemming: none" in french
    assert "1000 resamples, seed 0" in french
    assert Rouge("de").protocol() == protocol("de")


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), min_size=1, max_size=200)
)
def test_bootstrap_interval_contains_the_mean(values: list[float]) -> None:
    iv = bootstrap_ci(values, resamples=300)
    assert iv.low - 1e-12 <= iv.mean <= iv.high + 1e-12
    assert min(values) - 1e-12 <= iv.low <= iv.high <= max(values) + 1e-12


def test_bootstrap_is_reproducible_and_narrows_with_more_data() -> None:
    values = [0.1, 0.9, 0.4, 0.5, 0.3, 0.7] * 5
    assert bootstrap_ci(values) == bootstrap_ci(values)
    small, large = bootstrap_ci(values), bootstrap_ci(values * 20)
    assert small.mean == pytest.approx(large.mean)
    assert (large.high - large.low) < (small.high - small.low) / 3


def test_bootstrap_of_nothing_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"^cannot bootstrap an empty sample$"):
        bootstrap_ci([])


SENTENCES = [
    "The weather was mild in the morning.",
    "Officials said the bridge would reopen on Friday after repairs.",
    "A local bakery sold out of bread.",
    "Repairs to the bridge cost two million dollars, officials said.",
]


def test_oracle_picks_the_sentences_that_make_the_reference() -> None:
    reference = (
        "The bridge will reopen on Friday after repairs.\nThe repairs cost two million dollars."
    )
    assert greedy_oracle(SENTENCES, reference) == [1, 3]
    assert greedy_oracle(SENTENCES, reference, max_sentences=1) == [1]
    # A word budget of 12 leaves room for one of the two 10-word sentences only.
    assert len(greedy_oracle(SENTENCES, reference, max_words=12)) == 1


def test_oracle_stops_when_no_sentence_helps() -> None:
    assert greedy_oracle(SENTENCES, "Bakery sold out.", max_sentences=3) == [2]
    assert greedy_oracle(SENTENCES, "zzz qqq", max_sentences=3) == []
    assert greedy_oracle([], "anything") == []


def test_oracle_beats_or_matches_any_single_sentence() -> None:
    reference = "Officials said repairs to the bridge cost two million dollars."
    rouge = Rouge("en")
    picked = greedy_oracle(SENTENCES, reference, max_sentences=1)
    best = max(
        SENTENCES,
        key=lambda s: (
            _f1(rouge.score([s], [reference]), "rouge1")
            + _f1(rouge.score([s], [reference]), "rouge2")
        ),
    )
    assert [SENTENCES[i] for i in picked] == [best]
