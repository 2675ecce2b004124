"""The ``transformers`` summarizer on a tiny random-weight BART built and saved in the test.

The model is written with ``save_pretrained`` to a temporary directory and loaded back through
the same code path users take (``--model-path DIR``, ``local_files_only=True``). Its input
limit is 64 tokens, so a real-length article goes through map-reduce counted by its tokenizer.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from newsbrief.errors import InvalidOptions, ModelNotFound
from newsbrief.models import SummaryOptions
from newsbrief.pipeline import prepare, summarize
from newsbrief.summarizers.hf import HFSummarizer, missing_model_message

# Under pytest-xdist (-n) one worker runs the whole module: the model (a module fixture) is
# built once.
pytestmark = pytest.mark.xdist_group("hf")

ARTICLE = "\n".join(
    f"The harbour committee met on day {i} to discuss repairs to the pier. "
    "Members agreed that the channel needs dredging before the summer season."
    for i in range(12)
)


@pytest.fixture(scope="module")
def tiny_bart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch = pytest.importorskip("torch", reason="needs torch (pip install torch==2.13.0)")
    transformers = pytest.importorskip(
        "transformers", reason="needs transformers (pip install 'newsbrief[transformers]')"
    )
    from tokenizers import Tokenizer, models, pre_tokenizers

    words = sorted({w for w in re.findall(r"\w+|[^\w\s]", ARTICLE.lower())})
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    vocab = {tok: i for i, tok in enumerate(specials + words)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=backend,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        model_max_length=64,
    )
    config = transformers.BartConfig(
        vocab_size=len(vocab),
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=64,
        bos_token_id=0,
        pad_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_eos_token_id=2,
    )
    torch.manual_seed(0)
    model = transformers.BartForConditionalGeneration(config)
    path = tmp_path_factory.mktemp("tiny-bart")
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_summarizes_through_map_reduce(tiny_bart: Path) -> None:
    options = SummaryOptions(
        method="transformers",
        config=(
            ("model_path", str(tiny_bart)),
            ("num_beams", 1),
            ("min_new_tokens", 4),
            ("max_tokens", 12),
        ),
    )
    summary = summarize(ARTICLE, options=options)
    assert summary.kind == "abstractive"
    info = summary.info
    assert info["backend"] == "transformers"
    assert info["model"] == tiny_bart.name
    assert info["input_budget_tokens"] == 62
    assert info["chunks"] > 1  # 12 paragraphs of ~25 tokens do not fit 62 tokens
    assert info["calls"] >= info["chunks"] + 1
    assert len(info["timings"]["backend_calls_s"]) == info["calls"]
    assert summary.sentences
    for sentence in summary.sentences:
        assert sentence.text.strip()
        assert sentence.support is not None and 0.0 <= sentence.support <= 1.0


def test_counts_with_the_model_tokenizer(tiny_bart: Path) -> None:
    summarizer = HFSummarizer(model_path=str(tiny_bart))
    assert summarizer.count_tokens("the harbour committee met .") == 5


def test_name_that_is_not_a_directory(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound) as err:
        HFSummarizer(model_path="sshleifer/distilbart-cnn-12-6")
    assert str(err.value) == missing_model_message("sshleifer/distilbart-cnn-12-6")
    assert "huggingface-cli download" in str(err.value)


def test_directory_without_config(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match=r"has no config\.json"):
        HFSummarizer(model_path=str(tmp_path))


def test_model_path_is_required() -> None:
    with pytest.raises(InvalidOptions) as err:
        HFSummarizer()
    assert str(err.value) == (
        "the 'transformers' summarizer needs a local model directory: pass --model-path DIR"
    )


def test_cannot_translate(tiny_bart: Path) -> None:
    summarizer = HFSummarizer(model_path=str(tiny_bart))
    with pytest.raises(InvalidOptions, match="cannot translate; drop --summary-language ru"):
        summarizer.summarize(prepare(ARTICLE), SummaryOptions(summary_language="ru"))


def test_thread_count_is_set_when_the_model_loads(
    tiny_bart: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch

    calls: list[int] = []
    monkeypatch.setattr(torch, "set_num_threads", calls.append)
    summarizer = HFSummarizer(model_path=str(tiny_bart), n_threads="2")
    assert calls == []  # nothing happens until the model is needed
    summarizer.count_tokens("the harbour committee met .")
    assert calls == [2]
