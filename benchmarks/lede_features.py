"""Datelines, a "dangles" feature and the lede: what scorer-v4 was chosen from (#14, item 3).

docs/summarizer.md ("What helped") reports these runs. The data is the TRAIN part of CNN/DM dev
cut again by ``sha1("val:" + id)`` (``coherence_labels.is_validation``): 0-3 is the validation
part (scored), the rest is fitted on. Nothing here reads the HELD-OUT part.

Variants (labels : features), each fitted with the shipped recipe (``newsbrief.train.
GBDT_PARAMS``, seed 0) and scored with the shipped ``choose`` (3 sentences, adaptive length,
``DANGLING_PENALTY`` 0 and 0.3, connectives dropped) and ``newsbrief.rouge``:

- ``y:v3``: scorer-v3's recipe (greedy oracle labels; the lede read with its dateline, no
  "dangles" columns); every summary is shown both with and without the lede's dateline;
- ``y:dl``: features and labels read the lede without its dateline (``features.scored_texts``);
- ``y:dl+dangles``: and the "dangles" / "next_dangles" columns: **scorer-v4's recipe**;
- ``cy:dangles`` / ``cy:dl+dangles``: coherent-oracle labels (connectives dropped first,
  ``coherence_labels.coherent_oracle``) instead of the greedy oracle;
- ``y:dl+dangles+lede``: plus four document-level lede columns for every sentence (the lede's
  centroid similarity, the sentence's minus the lede's, the lede's PageRank and its words);
- ``y:dl+bbc``: plus the BBC News Summary articles (extractive summaries, which hold the lede
  in 57 % of them) fitted with the CNN/DM ones, with their titles (``bbc-titles``) or without.

With ``--exhaustive``, each variant's summaries are also picked by an exhaustive search
(``exhaustive``: the subset of up to 3 of the best 8 sentences, and the antecedents they need,
with the highest summed probability under the law and trigram blocking), to see whether greedy
selection leaves ROUGE behind (#14, idea 4).

Each row prints R1, R2, the share of dangling summary sentences, how often the lede is in the
summary, and how often it is left out when it is the best single sentence (highest own
ROUGE-1+2 against the highlights), then the ``trained`` summaries of the English demos
(indices of the Medium summary's sentences). About a minute per variant on an idle 2-core
machine, after about a minute to prepare the articles. Usage::

    python benchmarks/lede_features.py
    python benchmarks/lede_features.py --only y:v3,y:dl+dangles
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import sys
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import coherence_labels as cl

import newsbrief.summarizers.trained as trained
from newsbrief.coherence import (
    dangling_count,
    dangling_flags,
    standalone_forms,
    summary_texts,
)
from newsbrief.datasets import Record, iter_records
from newsbrief.demo import demo_articles
from newsbrief.errors import NewsbriefError
from newsbrief.features import FEATURES, scored_texts, sentence_features
from newsbrief.models import Article, Document, Length
from newsbrief.pipeline import prepare
from newsbrief.rouge import Rouge, greedy_oracle_tokens
from newsbrief.summarizers.select import best_first
from newsbrief.train import (
    BBC,
    CNN_DM,
    GBDT_PARAMS,
    ORACLE_MAX_SENTENCES,
    rouge_tokens,
    sentence_rouge,
    split_of,
)

VARIANTS = (
    "y:v3",
    "y:dl",
    "y:dl+dangles",
    "cy:dangles",
    "cy:dl+dangles",
    "y:dl+dangles+lede",
    "y:dl+bbc-titles",
    "y:dl+bbc",
)
#: Columns of scorer-v3's features (the list before "dangles" was added).
V3 = FEATURES.index("dangles")


def example(record: Record) -> dict[str, Any] | None:
    """Featurise and label one CNN/DM article, its lede read with and without its dateline."""
    try:
        doc = prepare(record.article, language="en")
    except NewsbriefError:
        return None
    raw = [s.text for s in doc.sentences]
    forms = standalone_forms(raw, "en")
    flags = dangling_flags(raw, "en", forms)
    ref = rouge_tokens(record.summary)
    out: dict[str, Any] = {
        "doc": doc,
        "summary": record.summary,
        "val": cl.is_validation(record.id),
        "forms": forms,
        "flags": np.asarray(flags, dtype=np.float64),
    }
    for key, texts in (("v3", raw), ("dl", scored_texts(raw))):
        toks = [rouge_tokens(t) for t in texts]
        stoks = [
            rouge_tokens(f) if f and i else t
            for i, (f, t) in enumerate(zip(forms, toks, strict=True))
        ]
        y = np.zeros(len(toks))
        y[greedy_oracle_tokens(toks, ref, max_sentences=ORACLE_MAX_SENTENCES)] = 1
        cy = np.zeros(len(toks))
        cy[cl.coherent_oracle(stoks, ref, flags)] = 1
        out[f"x_{key}"] = sentence_features(texts, language="en")[:, :V3]
        out[f"y_{key}"], out[f"cy_{key}"] = y, cy
        out[f"soft_{key}"] = sentence_rouge(toks, ref)
    return out


def bbc_example(record: Record) -> dict[str, Any] | None:
    """Featurise and label one BBC News Summary article (its summary is extractive)."""
    try:
        doc = prepare(Article(text=record.article, title=record.title), language="en")
    except NewsbriefError:
        return None
    texts = scored_texts([s.text for s in doc.sentences])
    toks = [rouge_tokens(t) for t in texts]
    y = np.zeros(len(toks))
    y[greedy_oracle_tokens(toks, rouge_tokens(record.summary), max_sentences=5)] = 1
    return {
        "x_titles": sentence_features(texts, language="en", title=doc.title)[:, :V3],
        "x": sentence_features(texts, language="en")[:, :V3],
        "y": y,
    }


def columns(x: Any, flags: Any, spec: str) -> Any:
    """The feature matrix of one article for a variant's features ``spec``."""
    cols = [x]
    if "lede" in spec:
        n = len(x)
        c = x[:, FEATURES.index("centroid_similarity")]
        pagerank = x[0, FEATURES.index("pagerank")]
        words = x[0, FEATURES.index("words")]
        cols.append(
            np.column_stack([np.full(n, c[0]), c - c[0], np.full(n, pagerank), np.full(n, words)])
        )
    if "dangles" in spec:
        cols.append(np.column_stack([flags, np.append(flags[1:], 0.0)]))
    return np.hstack(cols)


def features(e: dict[str, Any], spec: str) -> Any:
    return columns(e["x_dl" if "dl" in spec else "x_v3"], e["flags"], spec)


def score(
    val: Sequence[dict[str, Any]], scores: Sequence[Any], penalty: float, dateline: bool
) -> str:
    """R1, R2, dangling %, lede % and lede-best-left-out % of 3-sentence summaries."""
    trained.DANGLING_PENALTY = penalty
    rouge = Rouge("en")
    min_score = trained.min_score()
    r1 = r2 = 0.0
    dangling = shown = lede = best = missed = 0
    for e, s in zip(val, scores, strict=True):
        doc = e["doc"]
        chosen = trained.choose(doc, s, Length(sentences=3), min_score=min_score)
        forms = e["forms"] if dateline else [None, *e["forms"][1:]]
        texts = summary_texts(chosen, [x.text for x in doc.sentences], forms)
        result = rouge.score(texts, e["summary"])
        r1 += result["rouge1"].fmeasure
        r2 += result["rouge2"].fmeasure
        dangling += dangling_count(zip(chosen, texts, strict=True), "en")
        shown += len(texts)
        lede += 0 in chosen
        if int(np.argmax(e["soft_dl"])) == 0:
            best += 1
            missed += 0 not in chosen
    n = len(val)
    return (
        f"R1 {100 * r1 / n:.2f} R2 {100 * r2 / n:.2f} dangling {100 * dangling / shown:.1f} % "
        f"lede {100 * lede / n:.1f} % lede-best-left-out {100 * missed / max(best, 1):.1f} %"
    )


def exhaustive(e: dict[str, Any], s: Any, threshold: float, top: int = 8) -> list[int]:
    """The best subset of up to 3 sentences under the law, by summed probability.

    Candidates are the ``top`` best sentences of 4+ words (prose first, as ``choose`` ranks
    them) and the predecessors they need; no two chosen sentences share a word trigram (as in
    ``choose``), no chosen sentence dangles; the subset maximises the sum of (p - threshold).
    """
    doc = e["doc"]
    texts = [x.text for x in doc.sentences]
    flags = dangling_flags(texts, "en", e["forms"])
    order, n_words = best_first(doc.sentences, s, min_words=4)
    candidates = {i for i in order if n_words[i] >= 4}
    candidates = set([i for i in order if i in candidates][:top])
    pool = sorted(candidates | {i - 1 for i in candidates if i > 0 and flags[i]})
    p = 1 / (1 + np.exp(-np.asarray(s)))
    grams = {i: trained._trigrams(texts[i]) for i in pool}
    best, value = [order[0]], -math.inf
    for r in (1, 2, 3):
        for combo in itertools.combinations(pool, r):
            chosen = set(combo)
            if any(i not in candidates and i + 1 not in chosen for i in combo):
                continue  # an antecedent without the sentence that needs it
            if any(flags[i] and i - 1 not in chosen for i in combo):
                continue
            if any(grams[a] & grams[b] for a, b in itertools.combinations(combo, 2)):
                continue
            v = float((p[list(combo)] - threshold).sum())
            if v > value:
                best, value = list(combo), v
    return best


def score_exhaustive(val: Sequence[dict[str, Any]], scores: Sequence[Any], threshold: float) -> str:
    """R1 and R2 of the summaries ``exhaustive`` picks (lede shown without its dateline)."""
    rouge = Rouge("en")
    r1 = r2 = 0.0
    for e, s in zip(val, scores, strict=True):
        chosen = exhaustive(e, s, threshold)
        texts = summary_texts(chosen, [x.text for x in e["doc"].sentences], e["forms"])
        result = rouge.score(texts, e["summary"])
        r1 += result["rouge1"].fmeasure
        r2 += result["rouge2"].fmeasure
    return f"R1 {100 * r1 / len(val):.2f} R2 {100 * r2 / len(val):.2f}"


def demo_choices(model: Any, spec: str, demos: Sequence[Document]) -> list[list[int]]:
    """The Medium (3-sentence) choice of the English demos under ``model``."""
    out = []
    for doc in demos:
        raw = [s.text for s in doc.sentences]
        texts = scored_texts(raw) if "dl" in spec else raw
        x = sentence_features(texts, language="en", title=doc.title)[:, :V3]
        flags = np.asarray(dangling_flags(raw, "en", standalone_forms(raw, "en")), dtype=float)
        s = model.decision_function(columns(x, flags, spec))
        min_score = trained.min_score()
        out.append(trained.choose(doc, s, Length(sentences=3), min_score=min_score))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(VARIANTS), help="labels:features variants")
    parser.add_argument("--limit", type=int, help="first N TRAIN articles (a quick look)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--exhaustive",
        action="store_true",
        help="also pick each summary by exhaustive search (idea 4 of #14; slow)",
    )
    args = parser.parse_args(argv)
    from sklearn.ensemble import HistGradientBoostingClassifier

    records = [r for r in iter_records(cl.DATA / CNN_DM) if split_of(r.id) == "train"]
    if args.limit:
        records = records[: args.limit]
    with ProcessPoolExecutor(args.workers) as pool:
        data = [e for e in pool.map(example, records, chunksize=20) if e is not None]
        variants = args.only.split(",")
        bbc = []
        if any("bbc" in v for v in variants):
            bbc_records = list(iter_records(cl.DATA / BBC))
            bbc = [e for e in pool.map(bbc_example, bbc_records, chunksize=20) if e is not None]
    fit = [e for e in data if not e["val"]]
    val = [e for e in data if e["val"]]
    demos = [prepare(a) for a in demo_articles() if a.language == "en"]
    with_dateline = sum(e["forms"][0] is not None for e in data)
    print(
        f"CNN/DM TRAIN: {len(fit)} fitted, {len(val)} validation; {with_dateline} ledes carry a "
        "dateline or credit",
        flush=True,
    )
    for variant in variants:
        labels, spec = variant.split(":")
        key = "dl" if "dl" in spec else "v3"
        x = np.vstack([features(e, spec) for e in fit])
        y = np.concatenate([e[f"{labels}_{key}"] for e in fit])
        if "bbc" in spec:
            x = np.vstack([x, *[b["x_titles" if "titles" in spec else "x"] for b in bbc]])
            y = np.concatenate([y, *[b["y"] for b in bbc]])
        model = HistGradientBoostingClassifier(**GBDT_PARAMS, random_state=0)
        model.fit(x, y)
        scores = [model.decision_function(features(e, spec)) for e in val]
        for penalty in (0.0, 0.3):
            for dateline in (False, True) if key == "v3" else (True,):
                row = score(val, scores, penalty, dateline)
                shown = "lede shown without dateline" if dateline else "lede shown as is"
                print(f"{variant} penalty {penalty}, {shown}: {row}", flush=True)
        print(f"{variant} English demos, Medium: {demo_choices(model, spec, demos)}", flush=True)
        if args.exhaustive:
            for threshold in (0.0, trained.MIN_PROBABILITY):
                row = score_exhaustive(val, scores, threshold)
                print(f"{variant} exhaustive, sum of (p - {threshold}): {row}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
