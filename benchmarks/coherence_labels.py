"""Can training with the coherence rule in the loop win back the ROUGE the rule costs?

docs/summarizer.md (step 5 and "What did not help") reports these runs. The data is the TRAIN
part of CNN/DM dev (``newsbrief.train.split_of``), cut again by ``sha1("val:" + id)``: first
hex digit 0-3 is the validation part (scored), the rest is fitted on, as for every tuning
choice of the ``trained`` summarizer. Nothing here reads the HELD-OUT part.

Variants, each fitted with the shipped recipe (``newsbrief.train.GBDT_PARAMS``, seed 0) and
scored with the shipped ``choose`` (3 sentences, adaptive length) and ``newsbrief.rouge``:

- labels: the greedy oracle (``y``, the shipped labels); a **coherent oracle** (``cy``) that
  adds a dangling sentence only together with its antecedents (``coherence.antecedents``), so
  its summaries obey the selection law; the same with connectives dropped first (``csy``:
  a sentence with a standalone form is tokenised and judged in that form);
- features: scorer-v3's (the lede read with its dateline, no "dangles" column:
  ``v3_features``; scorer-v4 added both, see ``benchmarks/lede_features.py``), or ``+ dangles``
  (whether the sentence opens with an opener, and whether the next one does) computed without
  (``flags``) or with dropped connectives (``sflags``);
- selection: ``DANGLING_PENALTY`` 0 / 0.3 / 0.6, with or without dropping connectives.

Since datelines are stripped (``newsbrief.datelines``), the "connectives dropped" rows also
show the lede without its dateline (+0.02 R1 for scorer-v3's recipe on this split,
``benchmarks/lede_features.py``); the "rule only" rows show it as it is.

Each row prints R1, R2, the share of summary sentences that dangle, and how often the first
sentence is in the summary. Also printed: the share of oracle sentences that open with an
opener and how often the lede is the best single sentence and left out. About 3 minutes per
fitted variant on an idle 2-core machine (much longer on a loaded one). Usage::

    python benchmarks/coherence_labels.py                     # every variant
    python benchmarks/coherence_labels.py --only y-None,csy-sflags
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

import newsbrief.summarizers.trained as trained
from newsbrief.coherence import (
    antecedents,
    dangling_count,
    dangling_flags,
    standalone_forms,
    summary_texts,
)
from newsbrief.datasets import Record, iter_records
from newsbrief.errors import NewsbriefError
from newsbrief.features import FEATURES, sentence_features
from newsbrief.models import Length
from newsbrief.pipeline import prepare
from newsbrief.rouge import Rouge, f_measure, greedy_oracle_tokens, ngrams
from newsbrief.train import CNN_DM, GBDT_PARAMS, rouge_tokens, sentence_rouge, split_of

DATA = Path(os.environ.get("NEWSBRIEF_DATA", Path(__file__).resolve().parents[2] / "shared/data"))
VARIANTS = (
    "y-None",
    "y-flags",
    "cy-None",
    "cy-flags",
    "cy-sflags",
    "csy-None",
    "csy-sflags",
)


def is_validation(record_id: str) -> bool:
    """The validation part of TRAIN (docs/summarizer.md): sha1("val:" + id) starts with 0-3."""
    return hashlib.sha1(("val:" + record_id).encode("utf-8")).hexdigest()[0] in "0123"


def coherent_oracle(
    toks: Sequence[Sequence[str]], ref: Sequence[str], flags: Sequence[bool], limit: int = 5
) -> list[int]:
    """The greedy ROUGE-1+2 oracle, adding a dangling sentence only with its antecedents."""
    grams_ref = [ngrams(ref, 1), ngrams(ref, 2)]
    totals = [sum(grams_ref[0].values()), sum(grams_ref[1].values())]
    grams = [[ngrams(t, 1), ngrams(t, 2)] for t in toks]
    chosen: list[int] = []
    picked: list[Counter[tuple[str, ...]]] = [Counter(), Counter()]
    best = 0.0
    while len(chosen) < limit:
        pick: list[int] | None = None
        pick_score = best
        for i in range(len(toks)):
            if i in chosen or not toks[i]:
                continue
            need = antecedents(i, flags, chosen)
            if need is None or len(chosen) + 1 + len(need) > limit:
                continue
            trial = [picked[0].copy(), picked[1].copy()]
            for j in [i, *need]:
                trial[0].update(grams[j][0])
                trial[1].update(grams[j][1])
            score = sum(
                f_measure(
                    sum(min(c, grams_ref[k][g]) for g, c in trial[k].items() if g in grams_ref[k]),
                    sum(trial[k].values()),
                    totals[k],
                )
                for k in (0, 1)
            )
            if score > pick_score:
                pick, pick_score = [i, *need], score
        if pick is None:
            break
        chosen += pick
        for j in pick:
            picked[0].update(grams[j][0])
            picked[1].update(grams[j][1])
        best = pick_score
    return sorted(chosen)


#: scorer-v3's features: the shipped list before "dangles" and "next_dangles" were added.
V3_FEATURES = FEATURES.index("dangles")


def v3_features(texts: Sequence[str]) -> Any:
    """The features this comparison was made with (scorer-v3's): the lede read as it is."""
    return sentence_features(texts, language="en")[:, :V3_FEATURES]


def example(record: Record) -> dict[str, Any] | None:
    """Featurise and label one article (all label kinds)."""
    try:
        doc = prepare(record.article, language="en")
    except NewsbriefError:  # an article without text is skipped, as in training
        return None
    texts = [s.text for s in doc.sentences]
    forms = standalone_forms(texts, "en")
    flags = dangling_flags(texts, "en")
    sflags = dangling_flags(texts, "en", forms)
    toks = [rouge_tokens(t) for t in texts]
    stoks = [rouge_tokens(f) if f else t for f, t in zip(forms, toks, strict=True)]
    ref = rouge_tokens(record.summary)
    labels = {}
    for name, chosen in (
        ("y", greedy_oracle_tokens(toks, ref, max_sentences=5)),
        ("cy", coherent_oracle(toks, ref, flags)),
        ("csy", coherent_oracle(stoks, ref, sflags)),
    ):
        labels[name] = np.zeros(len(toks))
        labels[name][chosen] = 1
    return {
        "doc": doc,
        "x": v3_features(texts),
        "soft": sentence_rouge(toks, ref),
        "summary": record.summary,
        "val": is_validation(record.id),
        "flags": flags,
        "sflags": sflags,
        "forms": forms,
        **labels,
    }


def extra(e: dict[str, Any], which: str) -> Any:
    """The ``+ dangles`` columns: the sentence opens with an opener; the next one does."""
    f = np.asarray(e[which], dtype=np.float64)
    return np.column_stack([f, np.append(f[1:], 0.0)])


def features(e: dict[str, Any], which: str) -> Any:
    return e["x"] if which == "None" else np.hstack([e["x"], extra(e, which)])


def _no_forms(texts: Sequence[str], language: str | None) -> list[str | None]:
    return [None] * len(texts)


def score(val: list[dict[str, Any]], scores: list[Any], penalty: float, drop: bool) -> str:
    """R1, R2, dangling % and lede % of 3-sentence summaries chosen from ``scores``."""
    trained.DANGLING_PENALTY = penalty
    rouge = Rouge("en")
    min_score = trained.min_score()
    r1 = r2 = 0.0
    dangling = shown = lede = 0
    for e, s in zip(val, scores, strict=True):
        doc = e["doc"]
        # Without dropping, a connective opener dangles as before (the rule of the first version).
        forms = e["forms"] if drop else [None] * len(e["forms"])
        trained.standalone_forms = standalone_forms if drop else _no_forms  # type: ignore[assignment]
        chosen = trained.choose(doc, s, Length(sentences=3), min_score=min_score)
        texts = summary_texts(chosen, [x.text for x in doc.sentences], forms)
        result = rouge.score(texts, e["summary"])
        r1 += result["rouge1"].fmeasure
        r2 += result["rouge2"].fmeasure
        dangling += dangling_count(zip(chosen, texts, strict=True), "en")
        shown += len(texts)
        lede += 0 in chosen
    n = len(val)
    return (
        f"R1 {100 * r1 / n:.2f} R2 {100 * r2 / n:.2f} dangling {100 * dangling / shown:.1f} % "
        f"lede {100 * lede / n:.1f} %"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(VARIANTS), help="labels-features variants")
    parser.add_argument("--limit", type=int, help="first N TRAIN articles (a quick look)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    from sklearn.ensemble import HistGradientBoostingClassifier

    records = [r for r in iter_records(DATA / CNN_DM) if split_of(r.id) == "train"]
    if args.limit:
        records = records[: args.limit]
    with ProcessPoolExecutor(args.workers) as pool:
        data = [e for e in pool.map(example, records, chunksize=20) if e is not None]
    fit = [e for e in data if not e["val"]]
    val = [e for e in data if e["val"]]
    print(f"CNN/DM TRAIN: {len(fit)} fitted, {len(val)} validation", flush=True)
    y = np.concatenate([e["y"] for e in val])
    opener = np.concatenate([e["flags"] for e in val])
    print(f"oracle sentences that open with an opener: {100 * (y * opener).sum() / y.sum():.1f} %")
    best_lede = [e for e in val if int(np.argmax(e["soft"])) == 0]
    print(
        f"lede in the oracle: {100 * np.mean([e['y'][0] for e in val]):.1f} %, in the coherent "
        f"oracle {100 * np.mean([e['cy'][0] for e in val]):.1f} %; the lede is the best single "
        f"sentence in {100 * len(best_lede) / len(val):.1f} % of the articles",
        flush=True,
    )
    for variant in args.only.split(","):
        labels, which = variant.split("-")
        x = np.vstack([features(e, which) for e in fit])
        model = HistGradientBoostingClassifier(**GBDT_PARAMS, random_state=0)
        model.fit(x, np.concatenate([e[labels] for e in fit]))
        scores = [model.decision_function(features(e, which)) for e in val]
        for drop in (False, True):
            for penalty in (0.0, 0.3, 0.6):
                row = score(val, scores, penalty, drop)
                how = "connectives dropped" if drop else "rule only"
                print(f"{variant} penalty {penalty} {how}: {row}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
