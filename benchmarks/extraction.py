"""Measure article extraction against the article-extraction benchmark's ground truth.

Scores are computed as the benchmark's own ``evaluate.py`` defines them (scrapinghub/
article-extraction-benchmark): texts are tokenized with ``\\w+``, compared as multisets of
4-token shingles, each page's TP/FP/FN are normalised to sum to 1, precision and recall are
averaged over pages, F1 is the harmonic mean of those averages, and the ± is 1.96 standard
deviations of 1,000 bootstrap resamples of the pages.

The furniture table and the extraction limits were tuned on all 85 pages until 2026-12-02, so
the "all pages" figures are in-sample. From then on a fixed quarter of the pages (``is_heldout``:
first hex digit of sha1("newsbrief-extraction:" + page id) in 0-3) is kept out of tuning: the
report gives F1 on the tuning part and on the held-out part separately, and ``--per-page``
(what one tunes from) lists the tuning part only unless ``--show-heldout`` is given.

Rows: plain trafilatura (default settings); trafilatura as newsbrief configures it, without
and then with newsbrief's fix of the words precision mode deletes from sentences, both without
the furniture removal (ablations); and ``newsbrief.extract``. Then speed: pages per second for
extraction alone and for extraction + a ``lead`` summary, from the HTML bytes.

Usage::

    python benchmarks/extraction.py [--data DIR] [--per-page [--show-heldout]] [--repeat N]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

TOKEN = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)
SHINGLE = 4
N_BOOTSTRAP = 1000

Triple = tuple[float, float, float]


def shingles(text: str) -> Counter[tuple[str, ...]]:
    """Return the multiset of 4-token shingles of ``text`` (one shingle for shorter texts)."""
    tokens = TOKEN.findall(text or "")
    grams = (tuple(tokens[i : i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1)))
    return Counter(g for g in grams if g)


def tp_fp_fn(true: str, pred: str) -> Triple:
    """Return one page's true/false positives and false negatives, normalised to sum to 1."""
    t, p = shingles(true), shingles(pred)
    tp = fp = fn = 0.0
    for key in t.keys() | p.keys():
        a, b = t.get(key, 0), p.get(key, 0)
        tp += min(a, b)
        fp += max(0, b - a)
        fn += max(0, a - b)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (tp, fp, fn)


def precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def metrics(triples: list[Triple]) -> dict[str, float]:
    """Return precision, recall and F1 averaged over pages, as the benchmark does."""
    p = statistics.mean(precision(*x) for x in triples if x[0] + x[1] > 0)
    r = statistics.mean(recall(*x) for x in triples if x[0] + x[2] > 0)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def with_bootstrap(triples: list[Triple], seed: int = 0) -> dict[str, float]:
    """Return the metrics plus 95% bootstrap half-widths (``<name>_ci``)."""
    rng = random.Random(seed)
    out = metrics(triples)
    samples: dict[str, list[float]] = {k: [] for k in out}
    n = len(triples)
    for _ in range(N_BOOTSTRAP):
        m = metrics([triples[rng.randrange(n)] for _ in range(n)])
        for k, v in m.items():
            samples[k].append(v)
    for k, values in samples.items():
        out[f"{k}_ci"] = 1.96 * statistics.stdev(values)
    return out


#: Salt of the held-out split of the pages (see the module docstring).
HELDOUT_SALT = "newsbrief-extraction:"


def is_heldout(page_id: str) -> bool:
    """Return whether a page belongs to the part kept out of tuning since 2026-12-02."""
    return hashlib.sha1((HELDOUT_SALT + page_id).encode("utf-8")).hexdigest()[0] in "0123"


def load_pages(data: Path) -> tuple[dict[str, str], dict[str, bytes], dict[str, str | None]]:
    """Return (ground-truth articleBody, HTML bytes, URL) keyed by page id."""
    root = data / "article_extraction_benchmark"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    bodies = {k: v.get("articleBody", "") for k, v in truth.items()}
    html = {k: gzip.decompress((root / "html" / f"{k}.html.gz").read_bytes()) for k in truth}
    urls = {k: v.get("url") for k, v in truth.items()}
    return bodies, html, urls


def plain_trafilatura(html: bytes, url: str | None) -> str:
    import trafilatura

    return str(trafilatura.extract(html.decode("utf-8"), url=url) or "")


def trafilatura_as_configured(html: bytes, url: str | None, keep_inline: bool = False) -> str:
    import trafilatura

    page: Any = html.decode("utf-8")
    if keep_inline:
        from newsbrief.extract import _keep_inline_text

        page = trafilatura.load_html(page)
        _keep_inline_text(page)
    doc: Any = trafilatura.bare_extraction(
        page,
        url=url,
        favor_precision=True,
        include_comments=False,
        with_metadata=True,
    )
    return str(doc.text or "") if doc is not None else ""


def trafilatura_inline_kept(html: bytes, url: str | None) -> str:
    return trafilatura_as_configured(html, url, keep_inline=True)


def newsbrief_extract(html: bytes, url: str | None) -> str:
    from newsbrief.errors import NoArticleText
    from newsbrief.extract import extract

    try:
        return extract(html, url=url).text
    except NoArticleText:
        return ""


SYSTEMS: dict[str, Callable[[bytes, str | None], str]] = {
    "trafilatura (defaults)": plain_trafilatura,
    "trafilatura (precision, no comments)": trafilatura_as_configured,
    "  + inline text kept": trafilatura_inline_kept,
    "newsbrief.extract": newsbrief_extract,
}


def main(argv: list[str] | None = None) -> int:
    default_data = Path(
        os.environ.get("NEWSBRIEF_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
    )
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=default_data, help="the shared data folder")
    parser.add_argument(
        "--per-page", action="store_true", help="print each tuning page's precision and recall"
    )
    parser.add_argument(
        "--show-heldout",
        action="store_true",
        help="with --per-page, list the held-out pages too (do not tune on them)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="timing passes (best is kept)")
    args = parser.parse_args(argv)
    if not (args.data / "article_extraction_benchmark").exists():
        print(f"no article_extraction_benchmark under {args.data}", file=sys.stderr)
        return 1

    import trafilatura

    import newsbrief
    from newsbrief.errors import NewsbriefError

    bodies, pages, urls = load_pages(args.data)
    print(
        f"article-extraction benchmark: {len(pages)} pages; trafilatura {trafilatura.__version__}"
    )
    print("token-shingle (n=4) precision / recall / F1 as the benchmark's evaluate.py defines")
    print(f"them; ± = 1.96 sd over {N_BOOTSTRAP} bootstrap resamples of the pages\n")
    heldout = {k for k in pages if is_heldout(k)}
    print(
        f"all pages: in-sample (tuned on until 2026-12-02); tuning part {len(pages) - len(heldout)}"
        f" pages, held-out part {len(heldout)} pages (kept out of tuning since then)\n"
    )
    print(
        f"{'system':<40} {'F1 all':>14} {'precision all':>14} {'recall all':>14}"
        f" {'F1 tuning':>14} {'F1 held-out':>14}"
    )
    per_page: dict[str, dict[str, Triple]] = {}
    for name, system in SYSTEMS.items():
        triples = {k: tp_fp_fn(bodies[k], system(pages[k], urls[k])) for k in pages}
        per_page[name] = triples
        m = with_bootstrap(list(triples.values()))
        tuned = with_bootstrap([t for k, t in triples.items() if k not in heldout])
        held = with_bootstrap([t for k, t in triples.items() if k in heldout])
        print(
            f"{name:<40} {m['f1']:.3f} ± {m['f1_ci']:.3f}  {m['precision']:.3f} ± "
            f"{m['precision_ci']:.3f}  {m['recall']:.3f} ± {m['recall_ci']:.3f}  "
            f"{tuned['f1']:.3f} ± {tuned['f1_ci']:.3f}  {held['f1']:.3f} ± {held['f1_ci']:.3f}"
        )
    if args.per_page:
        print(f"\n{'page':<16} {'plain P':>8} {'plain R':>8} {'ours P':>8} {'ours R':>8}")
        for k in sorted(pages):
            if k in heldout and not args.show_heldout:
                continue
            a = per_page["trafilatura (defaults)"][k]
            b = per_page["newsbrief.extract"][k]
            print(
                f"{k[:16]:<16} {precision(*a):8.3f} {recall(*a):8.3f} "
                f"{precision(*b):8.3f} {recall(*b):8.3f}"
            )

    def run(summarize: bool) -> tuple[float, float]:
        """Return (pages per wall-clock second, pages per CPU second), best of the passes."""
        best_wall = best_cpu = float("inf")
        for _ in range(args.repeat):
            w0, c0 = time.perf_counter(), time.process_time()
            for k, html in pages.items():
                try:
                    article = newsbrief.extract(html, url=urls[k])
                    if summarize:
                        newsbrief.summarize(article, method="lead", sentences=3)
                except NewsbriefError:
                    pass
            best_wall = min(best_wall, time.perf_counter() - w0)
            best_cpu = min(best_cpu, time.process_time() - c0)
        return len(pages) / best_wall, len(pages) / best_cpu

    run(True)  # warm up: imports, language model, Punkt models
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nspeed, single process, best of {args.repeat} passes over the {len(pages)} pages")
    print(f"(load average {load:.1f} on {os.cpu_count()} CPUs; CPU-time rates are what one")
    print("free core would do, wall-clock rates include waiting for a busy machine):")
    for label, summarize in (("extraction only", False), ("extraction + lead summary", True)):
        wall, cpu = run(summarize)
        print(f"  {label:<27} {wall:6.1f} pages/s wall-clock, {cpu:6.1f} pages/CPU-second")
    return 0


if __name__ == "__main__":
    sys.exit(main())
