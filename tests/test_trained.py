"""The trained summarizer: weights file, tree export, features, selection, errors, training."""

from __future__ import annotations

import errno
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import newsbrief
from conftest import data_path
from newsbrief import train
from newsbrief.cli import cli
from newsbrief.datasets import Record
from newsbrief.errors import BackendError, InputError, InvalidOptions
from newsbrief.features import FEATURES, sentence_features
from newsbrief.models import Length
from newsbrief.pipeline import prepare
from newsbrief.rouge import greedy_oracle_tokens
from newsbrief.summarizers import get
from newsbrief.summarizers.trained import (
    FORMAT_VERSION,
    MIN_PROBABILITY,
    TrainedSummarizer,
    _Trees,
    choose,
    default_weights_path,
    load_scorer,
)
from newsbrief.train import (
    TrainResult,
    check_output,
    export_hist_gbdt,
    intro_examples,
    mix_trees,
    split_of,
    train_scorer,
    write_weights,
)

ARTICLE = (
    "The city council voted on Tuesday to close the old central library after 120 years.\n"
    "Council members said the building needed repairs costing $4 million.\n"
    "The library's 80,000 books will move to a new branch near the station.\n"
    '"It is a sad day for readers," said Maria Lopez, who has used the library since 1975.\n'
    "The new branch opens in March and will stay open until 10 p.m. on weekdays.\n"
    "Was the decision rushed?\n"
    "Critics said the council ignored a petition signed by 5,000 residents.\n"
    "The council said the petition arrived after the deadline."
)


def test_shipped_weights_are_small_versioned_and_documented() -> None:
    path = default_weights_path()
    assert path.stat().st_size < 5_000_000
    scorer = load_scorer()
    meta = scorer.metadata
    assert meta["format_version"] == FORMAT_VERSION
    assert meta["features"] == list(FEATURES)
    assert meta["data"] == "cnn_dailymail/dev.jsonl.gz"
    assert "sha1('newsbrief:' + id)" in meta["split"]
    assert meta["seed"] == 0
    assert meta["documents"] > 1000
    assert meta["name"] == scorer.name == default_weights_path().stem
    assert meta["intro_data"] == "bbc_news_summary/bbc_news_summary.dev.jsonl"
    assert scorer.single is not None
    assert meta["single"]["intro_sentences"] > 1000


def test_summary_sentences_come_from_the_article_in_order() -> None:
    summary = newsbrief.summarize(ARTICLE, method="trained", sentences=3)
    indices = [s.index for s in summary.sentences]
    assert len(indices) == 3
    assert indices == sorted(indices)
    doc = prepare(ARTICLE)
    for s in summary.sentences:
        assert s.index is not None
        assert doc.sentences[s.index].text == s.text
        assert isinstance(s.score, float)


@pytest.mark.parametrize(
    ("kwargs", "check"),
    [
        ({"sentences": 1}, lambda s: len(s.sentences) == 1),
        ({"sentences": 50}, lambda s: 1 <= len(s.sentences) <= 8),
        ({"words": 30}, lambda s: s.n_words <= 30),
        ({"words": 3}, lambda s: len(s.sentences) == 1),  # the best sentence is always taken
        ({"ratio": 0.25}, lambda s: len(s.sentences) == 2),
    ],
    ids=["one-sentence", "more-than-article", "word-budget", "tiny-word-budget", "ratio"],
)
def test_length_budgets(kwargs: dict[str, float], check: object) -> None:
    summary = newsbrief.summarize(ARTICLE, method="trained", **kwargs)  # type: ignore[arg-type]
    assert callable(check) and check(summary)


def test_trigram_blocking_skips_a_repeated_sentence() -> None:
    text = (
        "The storm destroyed forty homes in the coastal town on Friday night.\n"
        "The storm destroyed forty homes in the coastal town, officials confirmed.\n"
        "Rescue teams worked through the weekend to reach stranded families."
    )
    doc = prepare(text)
    scores = np.array([3.0, 2.0, 1.0])
    assert choose(doc, scores, newsbrief.models.Length(sentences=2)) == [0, 2]


def test_default_is_a_registered_trained_model() -> None:
    assert isinstance(get("trained"), TrainedSummarizer)


def test_tree_export_matches_scikit_learn() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 5))
    y = (x[:, 0] + x[:, 1] * x[:, 2] + rng.normal(size=2000) > 0).astype(float)
    model = HistGradientBoostingClassifier(
        max_depth=3, max_iter=40, max_leaf_nodes=8, random_state=0
    ).fit(x, y)
    a = export_hist_gbdt(model, 3)
    ours = _Trees.from_arrays(a).walk(x)
    np.testing.assert_allclose(ours, model.decision_function(x), atol=1e-9)


def test_features_shape_and_language_fallback() -> None:
    texts = ["Le maire de Lyon a annoncé un plan.", "Le plan coûte 3 millions d'euros."]
    x = sentence_features(texts, language="fr", title="Le plan du maire")
    assert x.shape == (2, len(FEATURES))
    assert np.isfinite(x).all()
    # A language with no word tables still gets finite features.
    y = sentence_features(texts, language="xx")
    assert np.isfinite(y).all()
    assert sentence_features([], language="en").shape == (0, len(FEATURES))
    assert x[:, FEATURES.index("title_similarity")].max() > 0


def test_greedy_oracle_picks_the_sentences_of_the_reference() -> None:
    # The training labels use rouge.greedy_oracle_tokens: the evaluation oracle's own search.
    sents = [["a", "b", "c"], ["x", "y"], ["d", "e", "f"], ["a", "b"], []]
    reference = ["a", "b", "c", "d", "e", "f"]
    assert greedy_oracle_tokens(sents, reference, max_sentences=5) == [0, 2]
    assert greedy_oracle_tokens(sents, reference, max_sentences=1) == [0]
    assert greedy_oracle_tokens([[], []], reference) == []


def test_split_is_stable_and_salted() -> None:
    # sha1("newsbrief:abc") starts with "7", sha1("newsbrief:abe") with "d".
    assert split_of("abc") == "train"
    assert split_of("abe") == "heldout"


def _write(tmp_path: Path, meta: dict[str, object], **arrays: np.ndarray) -> Path:
    result = TrainResult(arrays=dict(arrays), metadata=meta)
    return write_weights(result, tmp_path / "w.npz")


def test_missing_weights_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.npz"
    with pytest.raises(BackendError) as err:
        load_scorer(path)
    assert str(err.value) == f"weights file not found: {path} (rebuild it with `newsbrief train`)"


def test_weights_of_another_format_version(tmp_path: Path) -> None:
    path = _write(tmp_path, {"format_version": 99})
    with pytest.raises(BackendError) as err:
        load_scorer(path)
    assert str(err.value) == (
        f"weights file {path} has format version 99; this newsbrief reads version "
        f"{FORMAT_VERSION} (rebuild it with `newsbrief train`)"
    )


def test_weights_for_other_features(tmp_path: Path) -> None:
    path = _write(tmp_path, {"format_version": FORMAT_VERSION, "features": ["position"]})
    with pytest.raises(BackendError) as err:
        load_scorer(path)
    assert str(err.value) == (
        f"weights file {path} was trained on other features than this newsbrief computes "
        "(rebuild it with `newsbrief train`)"
    )


def test_weights_missing_arrays(tmp_path: Path) -> None:
    meta = {"format_version": FORMAT_VERSION, "features": list(FEATURES), "kind": "linear"}
    path = _write(tmp_path, meta, coef=np.zeros(len(FEATURES)))
    with pytest.raises(BackendError) as err:
        load_scorer(path)
    assert str(err.value) == f"weights file {path} lacks arrays: mean, scale, intercept"


def test_not_a_weights_file(tmp_path: Path) -> None:
    path = tmp_path / "w.npz"
    path.write_text("hello")
    with pytest.raises(BackendError) as err:
        load_scorer(path)
    assert str(err.value).startswith(f"weights file {path} is not a newsbrief weights file: ")


def test_linear_weights_work(tmp_path: Path) -> None:
    n = len(FEATURES)
    coef = np.zeros(n)
    coef[FEATURES.index("position")] = -1.0  # a lead summarizer as a linear model
    meta = {"format_version": FORMAT_VERSION, "features": list(FEATURES), "kind": "linear"}
    # intercept 5: every sentence of ARTICLE is likely summary material (log-odds 5, 4, ...)
    path = _write(
        tmp_path, meta, mean=np.zeros(n), scale=np.ones(n), coef=coef, intercept=np.full(1, 5.0)
    )
    out = TrainedSummarizer(path).summarize(prepare(ARTICLE), newsbrief.models.SummaryOptions())
    assert [s.index for s in out.sentences] == [0, 1, 2]
    assert json.loads(json.dumps(out.info)) == {"model": "w"}


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        (Length(sentences=5), [0, 1]),
        (Length(ratio=1.0), [0, 1]),
        (Length(words=500), [0, 1]),
        (Length(sentences=1), [0]),
    ],
    ids=["sentences", "ratio", "words", "one"],
)
def test_adaptive_length_stops_below_min_probability(
    tmp_path: Path, length: Length, expected: list[int]
) -> None:
    # log-odds 0, -1.5, -2.5, ...: probabilities 0.5, 0.18, 0.08, ... so only two sentences
    # clear MIN_PROBABILITY (0.12), whatever room the budget leaves.
    n = len(FEATURES)
    coef = np.zeros(n)
    coef[FEATURES.index("position")] = -1.0
    coef[FEATURES.index("is_first")] = 0.5
    meta = {"format_version": FORMAT_VERSION, "features": list(FEATURES), "kind": "linear"}
    path = _write(
        tmp_path, meta, mean=np.zeros(n), scale=np.ones(n), coef=coef, intercept=np.full(1, -0.5)
    )
    doc = prepare(ARTICLE)
    assert len(doc.sentences) > 3
    options = newsbrief.models.SummaryOptions(length=length)
    out = TrainedSummarizer(path).summarize(doc, options)
    assert [s.index for s in out.sentences] == expected
    assert out.sentences[-1].score is not None
    assert out.sentences[-1].score >= math.log(MIN_PROBABILITY / (1 - MIN_PROBABILITY))


def test_mixed_trees_score_the_weighted_sum() -> None:
    from sklearn.ensemble import HistGradientBoostingRegressor

    rng = np.random.default_rng(1)
    x = rng.normal(size=(500, 4))
    params = {"max_depth": 3, "max_iter": 20, "max_leaf_nodes": 8, "random_state": 0}
    a = export_hist_gbdt(HistGradientBoostingRegressor(**params).fit(x, x[:, 0]), 3)
    b = export_hist_gbdt(HistGradientBoostingRegressor(**params).fit(x, x[:, 1] ** 2), 3)

    def score(t: dict[str, np.ndarray]) -> np.ndarray:
        return _Trees.from_arrays(t).walk(x)

    mixed = mix_trees(a, b, weight=0.3)
    assert mixed["feature"].shape == (40, 7)
    np.testing.assert_allclose(score(mixed), 0.3 * score(a) + 0.7 * score(b), atol=1e-9)
    with pytest.raises(ValueError, match="different depths"):
        mix_trees(a, {**b, "feature": np.zeros((20, 15), dtype=np.int32)}, weight=0.5)


def test_intro_examples_label_the_sentence_that_restates_the_intro() -> None:
    intro = "The harbour bridge will close for six months from March for repairs."
    body = [
        "Engineers found cracks in two of its steel cables last year.",
        "Drivers will be sent on a detour through the old town.",
        "The bridge will close for six months from March while repairs are made.",
        "Ferries will run every twenty minutes during the works.",
        "Shops near the bridge fear they will lose customers.",
    ]
    x, y = intro_examples([Record(id="1", article=" ".join([intro, *body]), summary="")])
    assert x.shape == (len(body), len(FEATURES))
    assert int(np.argmax(y)) == 2  # the restatement, scored against the removed intro
    assert y[2] > 0.5 > y[0]
    assert x[0, FEATURES.index("position")] == 0.0  # the intro is gone from the article


def test_intro_examples_need_long_enough_articles() -> None:
    with pytest.raises(InvalidOptions, match="no article long enough"):
        intro_examples([Record(id="1", article="One sentence only. And a second one.", summary="")])


def test_train_command_without_intro_data(tmp_path: Path) -> None:
    cnn = tmp_path / "cnn_dailymail" / "dev.jsonl.gz"
    cnn.parent.mkdir()
    cnn.write_bytes(b"")
    result = CliRunner().invoke(cli, ["train", "--data", str(tmp_path), "--out", "x.npz"])
    assert result.exit_code == 1
    bbc = tmp_path / "bbc_news_summary/bbc_news_summary.dev.jsonl"
    assert result.output == (
        f"newsbrief: error: training data not found: {bbc} (give the shared data folder)\n"
    )


def test_train_command_without_data(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["train", "--data", str(tmp_path), "--out", "x.npz"])
    assert result.exit_code == 1
    assert result.output == (
        f"newsbrief: error: training data not found: {tmp_path / 'cnn_dailymail/dev.jsonl.gz'} "
        "(give the shared data folder)\n"
    )


@pytest.fixture
def no_training(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if training starts: every check below must come before it."""

    def fail(*args: Any, **kwargs: Any) -> TrainResult:
        raise AssertionError("training started")

    monkeypatch.setattr(train, "train_scorer", fail)


@pytest.mark.parametrize("limit", ["-3", "0"], ids=["negative", "zero"])
@pytest.mark.usefixtures("no_training")
def test_train_command_refuses_a_limit_below_one(tmp_path: Path, limit: str) -> None:
    out = tmp_path / "x.npz"
    args = ["train", "--data", str(tmp_path), "--out", str(out), "--limit", limit]
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.output) == (
        1,
        f"newsbrief: error: limit must be at least 1 (got {limit})\n",
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("limit", "message"),
    [
        pytest.param(-3, "limit must be at least 1 (got -3)", id="negative"),
        pytest.param(0, "limit must be at least 1 (got 0)", id="zero"),
        pytest.param(
            2.5, "limit must be a whole number of at least 1 or None (got float 2.5)", id="float"
        ),
        pytest.param(
            True, "limit must be a whole number of at least 1 or None (got bool True)", id="bool"
        ),
    ],
)
def test_train_scorer_refuses_a_bad_limit(tmp_path: Path, limit: Any, message: str) -> None:
    with pytest.raises(InvalidOptions) as info:
        train_scorer(tmp_path, limit=limit)
    assert str(info.value) == message


@pytest.mark.parametrize(
    ("where", "message"),
    [
        pytest.param(
            "a-file/x.npz", "{out}: cannot write: {tmp}/a-file is not a folder", id="under-a-file"
        ),
        pytest.param(
            "missing/x.npz", "{out}: cannot write: {tmp}/missing does not exist", id="no-folder"
        ),
    ],
)
@pytest.mark.usefixtures("no_training")
def test_train_command_checks_the_output_before_training(
    tmp_path: Path, where: str, message: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    out = tmp_path / where
    args = ["train", "--data", str(tmp_path), "--out", str(out), "--limit", "5"]
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.output) == (
        1,
        f"newsbrief: error: {message.format(out=out, tmp=tmp_path)}\n",
    )


@pytest.mark.usefixtures("no_training")
def test_train_command_refuses_a_directory_as_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["train", "--data", str(tmp_path), "--out", str(tmp_path)])
    assert result.exit_code == 2  # click's own usage error
    assert f"Invalid value for '--out' / '-o': File '{tmp_path}' is a directory." in (result.output)


def test_check_output(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        check_output(tmp_path)
    assert str(info.value) == (
        f"{tmp_path} is a directory; give the path of the weights file to write"
    )
    assert check_output(tmp_path / "x.npz") == tmp_path / "x.npz"
    assert list(tmp_path.iterdir()) == []  # the trial file is gone


def test_write_weights_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    out = tmp_path / "a-file" / "x.npz"
    with pytest.raises(InputError) as info:
        write_weights(TrainResult(arrays={}, metadata={}), out)
    assert str(info.value) == f"{out}: cannot write (Not a directory)"


def test_write_weights_on_a_full_disk_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "x.npz"
    out.write_bytes(b"old weights")

    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", disk_full)
    with pytest.raises(InputError) as info:
        write_weights(TrainResult(arrays={}, metadata={}), out)
    assert str(info.value) == f"{out}: cannot write (No space left on device)"
    assert out.read_bytes() == b"old weights"
    assert [p.name for p in tmp_path.iterdir()] == ["x.npz"]  # no partial file left


def test_train_help_names_both_data_files() -> None:
    result = CliRunner().invoke(cli, ["train", "--help"])
    assert result.exit_code == 0
    help_text = " ".join(result.output.split())
    assert f"TRAIN part of CNN/DM dev ({train.CNN_DM})" in help_text
    assert f"BBC News Summary articles ({train.BBC})" in help_text
    assert "N at least 1" in help_text


@pytest.mark.parametrize("doc", ["docs/cli.md", "docs/summarizer.md"])
def test_train_docs_name_both_data_files(doc: str) -> None:
    text = " ".join((Path(__file__).resolve().parents[1] / doc).read_text("utf-8").split())
    assert f"`{train.CNN_DM}`" in text
    assert f"`{train.BBC}`" in text
    assert "at least 1" in text


@pytest.mark.slow
def test_training_is_reproducible(tmp_path: Path) -> None:
    data = data_path()
    runner = CliRunner()
    outs = []
    for name in ("a.npz", "b.npz"):
        out = tmp_path / name
        args = ["train", "--data", str(data), "--out", str(out), "--limit", "60"]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        outs.append(load_scorer(out))
    a, b = outs
    assert a.metadata == b.metadata
    for key in a.arrays:
        np.testing.assert_array_equal(a.arrays[key], b.arrays[key])


def test_one_sentence_summaries_use_the_single_head() -> None:
    doc = prepare(ARTICLE)
    summarizer = TrainedSummarizer()
    assert summarizer.scorer.single is not None
    one = summarizer.summarize(doc, newsbrief.models.SummaryOptions(length=Length(sentences=1)))
    three = summarizer.summarize(doc, newsbrief.models.SummaryOptions())
    assert one.info == {"model": "scorer-v4/single"}
    assert three.info == {"model": "scorer-v4"}
    assert len(one.sentences) == 1
