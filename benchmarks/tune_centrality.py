"""Re-tune centrality's two settings on TRAIN only and print the sweep.

``centrality``'s ``DAMPING`` and ``POSITION_PRIOR`` were first set on 400 CNN/DM dev articles
chosen without regard to the train/held-out split (90 of them were held out, 21 in the
quality gate's sample). This sweep uses only articles of the TRAIN part (``split_of(id) ==
"train"``): the first ``--limit`` of them ordered by sha1("newsbrief-tune:" + id) (the file
is ordered by source, so its first articles are not a fair sample). Each setting summarizes
every article with 3 sentences through ``newsbrief.evaluate.evaluate`` (the pipeline and ROUGE
protocol of ``newsbrief evaluate`` and the quality gate); the highest mean ROUGE-1 wins.

Usage::

    python benchmarks/tune_centrality.py [--limit 400]
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

DATA = Path(os.environ.get("NEWSBRIEF_DATA", Path(__file__).resolve().parents[2] / "shared/data"))
CNN_DM = "cnn_dailymail/dev.jsonl.gz"
SAMPLE_SALT = "newsbrief-tune:"
DAMPINGS = (0.5, 0.7, 0.85)
PRIORS = (0.0, 0.5, 1.0, 2.0, 3.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=400, help="TRAIN articles to tune on")
    args = parser.parse_args(argv)
    if not (DATA / CNN_DM).exists():
        print(f"no {CNN_DM} under {DATA} (set NEWSBRIEF_DATA)", file=sys.stderr)
        return 1

    from newsbrief.datasets import iter_records
    from newsbrief.evaluate import evaluate
    from newsbrief.models import Length, SummaryOptions
    from newsbrief.summarizers.centrality import DAMPING, POSITION_PRIOR
    from newsbrief.train import split_of

    train = [r for r in iter_records(DATA / CNN_DM) if split_of(r.id) == "train"]
    train.sort(key=lambda r: hashlib.sha1((SAMPLE_SALT + r.id).encode("utf-8")).hexdigest())
    records = train[: args.limit]
    print(f"{len(records)} TRAIN articles of {CNN_DM}, 3 sentences, ROUGE F1 (newsbrief evaluate)")
    print(f"shipped: DAMPING {DAMPING}, POSITION_PRIOR {POSITION_PRIOR}\n")
    results = {}
    for damping, prior in itertools.product(DAMPINGS, PRIORS):
        options = SummaryOptions(
            method="centrality",
            length=Length(sentences=3),
            language="en",
            config=(("damping", damping), ("position_prior", prior)),
        )
        ev = evaluate(records, options=options, language="en")
        results[damping, prior] = ev.f1["rouge1"].mean * 100
        print(
            f"damping {damping:<4}  prior {prior:<3}  R1 {results[damping, prior]:6.2f}  "
            f"R2 {ev.f1['rouge2'].mean * 100:6.2f}  RLsum {ev.f1['rougeLsum'].mean * 100:6.2f}",
            flush=True,
        )
    best = max(results, key=lambda k: results[k])
    print(f"\nbest: damping {best[0]}, prior {best[1]} (R1 {results[best]:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
