"""Compare the trained summarizer with lead, centrality and the greedy oracle on held-out data.

Every method goes through ``newsbrief.evaluate.evaluate`` (the same pipeline and ROUGE protocol
as ``newsbrief evaluate``) on the same articles:

- ``cnndm``: the HELD-OUT part of CNN/DM dev (sha1("newsbrief:" + id) starts with c-f; the
  trained model never saw it), 3 sentences;
- ``xsum``: XSum dev (never trained on), 1 sentence;
- ``orangesum``: OrangeSum abstract dev (French, never trained on), 2 sentences by default.

Usage::

    python benchmarks/train_eval.py                       # all three sets
    python benchmarks/train_eval.py --dataset cnndm --limit 300
    python benchmarks/train_eval.py --dataset orangesum --sentences 1

Prints one table per data set (R1/R2/RLsum F1 with 95% bootstrap intervals, mean words,
the share of summary sentences that dangle — open with a pronoun or connective while the
article sentence before them is left out, ``newsbrief.coherence`` —, articles per CPU-second of
summarizing from plain text), then the scorer's load time.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # per-core speed, as the CLI runs

from newsbrief.datasets import Record, iter_records
from newsbrief.evaluate import Evaluation, evaluate
from newsbrief.models import Length, SummaryOptions
from newsbrief.train import split_of

DATA = Path(os.environ.get("NEWSBRIEF_DATA", Path(__file__).resolve().parents[2] / "shared/data"))

#: name -> (file under the data folder, language, default sentences, held-out filter on?)
SETS: dict[str, tuple[str, str, int, bool]] = {
    "cnndm": ("cnn_dailymail/dev.jsonl.gz", "en", 3, True),
    "xsum": ("xsum/test_subset.dev.jsonl", "en", 1, False),
    "orangesum": ("orangesum/test_abstract.dev.jsonl", "fr", 2, False),
}
METHODS = ("lead", "centrality", "trained", "oracle")


def records(name: str, limit: int | None) -> Iterator[Record]:
    """Yield the benchmark records of data set ``name`` (held-out part only for CNN/DM)."""
    path, _, _, heldout_only = SETS[name]
    n = 0
    for record in iter_records(DATA / path):
        if heldout_only and split_of(record.id) != "heldout":
            continue
        yield record
        n += 1
        if limit is not None and n >= limit:
            return


def row(ev: Evaluation) -> str:
    cells = []
    for name in ("rouge1", "rouge2", "rougeLsum"):
        iv = ev.f1[name]
        cells.append(f"{iv.mean * 100:5.2f} [{iv.low * 100:5.2f}, {iv.high * 100:5.2f}]")
    speed = f"{ev.articles_per_cpu_second:8.0f}" if ev.method != "oracle" else "       -"
    return (
        f"| {ev.method:<10} | "
        + " | ".join(cells)
        + f" | {ev.summary_words:5.1f} | {ev.dangling * 100:10.1f} | {speed} |"
    )


def run(name: str, methods: list[str], sentences: int | None, limit: int | None) -> None:
    _, language, default_sentences, _ = SETS[name]
    k = sentences or default_sentences
    data = list(records(name, limit))
    print(f"\n{name}: {len(data)} articles, {k} sentence(s), language {language}")
    print(
        "| method     | ROUGE-1 [95% CI]     | ROUGE-2 [95% CI]     | ROUGE-Lsum [95% CI]  "
        "| words | dangling % | art/CPU-s |"
    )
    print("|---|---|---|---|---|---|---|")
    protocol = ""
    for method in methods:
        options = SummaryOptions(method=method, length=Length(sentences=k), language=language)
        ev = evaluate(data, options=options, language=language)
        protocol = ev.protocol
        print(row(ev), flush=True)
    print(f"protocol: {protocol}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=[*SETS, "all"], default="all")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--sentences", type=int, help="summary length (default: per data set)")
    parser.add_argument("--limit", type=int, help="first N articles of each set")
    args = parser.parse_args(argv)
    names = list(SETS) if args.dataset == "all" else [args.dataset]
    for name in names:
        run(name, args.methods.split(","), args.sentences, args.limit)

    from newsbrief.summarizers.trained import load_scorer

    t0 = time.perf_counter()
    scorer = load_scorer()
    print(f"\nscorer {scorer.name} loaded in {(time.perf_counter() - t0) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
