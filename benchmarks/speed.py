"""Speed and memory of newsbrief's methods on CNN/DM text, against sumy's LexRank in the same run.

For every registered offline newsbrief method, a fresh single-threaded process
(``OMP_NUM_THREADS=1``) measures:

- **import s**: ``import newsbrief.pipeline``; **load s**: ``summarizers.get(method)`` (where
  a model file is read) plus one warm-up call (lazy loading: Punkt model, language identifier);
- **articles/s**: ``newsbrief.summarize(text, method=..., sentences=3)`` over the held-out
  CNN/DM sample of ``benchmarks/compare.py`` (text in, sentences out: normalising, language
  detection and sentence splitting included), ``--repeat`` passes; the median pass is reported
  with the best beside it (the machine is shared, so the best is the less disturbed one);
- **per CPU-s**: articles per second of the process's CPU time (``time.process_time``), the
  steadier number on a shared machine;
- **split %**: the share of that time spent preparing (language + sentences) rather than scoring;
- **peak RSS MB**: the process's peak resident set (``resource.getrusage``), interpreter included;
- for the default method also **tracemalloc peak MB**: Python and numpy allocations during one
  extra pass (traced separately because tracing slows the code down), and **where the time
  goes**: each stage of the pipeline (normalising, language identification, sentence splitting,
  features, tree walk, choosing) timed on its own over the same articles, best of the passes.

sumy's LexRank runs on the same articles in the peer virtualenv (``benchmarks/peers/setup.sh``),
timed the same way (summarizing only, one thread), so the ratio is measured, not quoted.

Usage::

    python benchmarks/speed.py                      # 500 articles, 3 passes
    python benchmarks/speed.py --limit 200 --repeat 5 --method lead
    python benchmarks/speed.py --no-peer            # without sumy (no peer venv needed)
    python benchmarks/speed.py --blas-threads default   # as a library user without
                                                    # OPENBLAS_NUM_THREADS=1 gets it
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import compare  # benchmarks/ is not a package: compare.py sits beside this file

#: Goals from issue 3, articles per second on one core. The default must also stay at least
#: ~10x sumy LexRank per CPU-second (the owner withdrew the 50x goal: DEVELOPERS.md).
GOALS = {"lead": 1000.0, "centrality": 300.0, "default": 500.0}
RATIO_GOAL = 10.0
MEMORY_GOAL_MB = 300.0


def worker(method: str, sample_path: Path, repeat: int, trace: bool) -> dict[str, Any]:
    """Time ``method`` on the articles of ``sample_path`` in this (fresh) process."""
    t0 = time.perf_counter()
    from newsbrief import summarizers
    from newsbrief.pipeline import summarize

    import_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    summarizers.get(method)
    get_s = time.perf_counter() - t1
    summarize(compare.WARMUP_TEXT, method=method, sentences=compare.N_SENTENCES)
    load_s = time.perf_counter() - t1
    texts = [json.loads(line)["article"] for line in sample_path.open(encoding="utf-8")]

    passes: list[float] = []
    cpu_passes: list[float] = []
    prepare_s = summarize_s = 0.0
    for _ in range(repeat):
        prepare_s = summarize_s = 0.0
        start, cpu_start = time.perf_counter(), time.process_time()
        for text in texts:
            summary = summarize(text, method=method, sentences=compare.N_SENTENCES)
            prepare_s += summary.timings["prepare_s"]
            summarize_s += summary.timings["summarize_s"]
        passes.append(time.perf_counter() - start)
        cpu_passes.append(time.process_time() - cpu_start)
    result: dict[str, Any] = {
        "method": method,
        "articles": len(texts),
        "import_s": import_s,
        "get_s": get_s,
        "load_s": load_s,
        "passes_s": passes,
        "cpu_passes_s": cpu_passes,
        "prepare_share": prepare_s / (prepare_s + summarize_s),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if trace:
        result["stages_ms"] = stage_times(method, texts, repeat)
        import tracemalloc

        tracemalloc.start()
        for text in texts:
            summarize(text, method=method, sentences=compare.N_SENTENCES)
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result


def stage_times(method: str, texts: list[str], repeat: int) -> dict[str, float]:
    """Return the CPU milliseconds per article of each pipeline stage, each timed on its own."""
    from newsbrief import summarizers
    from newsbrief.features import document_features
    from newsbrief.language import detect_language
    from newsbrief.models import Document, Length
    from newsbrief.sentences import split_sentences
    from newsbrief.summarizers.trained import TrainedSummarizer, choose, min_score
    from newsbrief.textutil import article_from_text

    articles = [article_from_text(t) for t in texts]
    languages = [detect_language(a.text) for a in articles]
    docs = [
        Document(article=a, sentences=tuple(split_sentences(a.text, lang)), language=lang)
        for a, lang in zip(articles, languages, strict=True)
    ]
    pairs = list(zip(articles, languages, strict=True))
    stages: list[tuple[str, Any]] = [
        ("normalise", lambda: [article_from_text(t) for t in texts]),
        ("language", lambda: [detect_language(a.text) for a in articles]),
        ("sentences", lambda: [split_sentences(a.text, lang) for a, lang in pairs]),
    ]
    model = summarizers.get(method)
    if isinstance(model, TrainedSummarizer):
        feats = [document_features(d) for d in docs]
        scored = list(zip(docs, [model.scorer.score(x) for x in feats], strict=True))
        length = Length(sentences=compare.N_SENTENCES)
        cut = min_score()
        stages += [
            ("features", lambda: [document_features(d) for d in docs]),
            ("trees", lambda: [model.scorer.score(x) for x in feats]),
            ("choose", lambda: [choose(d, s, length, min_score=cut) for d, s in scored]),
        ]
    out: dict[str, float] = {}
    for name, run in stages:
        best = math.inf
        for _ in range(repeat):
            start = time.process_time()
            run()
            best = min(best, time.process_time() - start)
        out[name] = best / len(texts) * 1000
    return out


def run_method(
    method: str, sample_path: Path, repeat: int, trace: bool, *, single_thread: bool = True
) -> dict[str, Any]:
    """Run :func:`worker` for ``method`` in a fresh process, single-threaded unless told not.

    ``single_thread=False`` leaves the BLAS thread settings out of the environment: what a
    Python program that imports newsbrief without setting them gets.
    """
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", method, str(sample_path)]
    cmd += ["--repeat", str(repeat)] + (["--trace"] if trace else [])
    if single_thread:
        env = {**os.environ, **compare.SINGLE_THREAD_ENV}
    else:
        env = {k: v for k, v in os.environ.items() if k not in compare.SINGLE_THREAD_ENV}
    done = subprocess.run(cmd, check=True, env=env, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run_sumy_lexrank(
    sample: compare.Sample, ids: list[str], work: Path, python: Path
) -> tuple[float, float]:
    """Return sumy LexRank's articles per wall second and per CPU second on ``ids``."""
    run = compare.run_peer("sumy-lexrank", sample, ids, work, python)
    return len(ids) / sum(run.seconds.values()), len(ids) / sum(run.cpu_seconds.values())


def _rate(result: dict[str, Any], which: str) -> float:
    passes = result["cpu_passes_s" if which == "cpu" else "passes_s"]
    seconds = min(passes) if which == "best" else statistics.median(passes)
    return float(result["articles"] / seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=compare.DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=compare.DEFAULT_LIMIT)
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per method")
    parser.add_argument("--method", action="append", help="newsbrief method(s) (default: all)")
    parser.add_argument("--no-peer", action="store_true", help="skip sumy LexRank")
    parser.add_argument("--peers-python", type=Path, default=compare.PEERS_PYTHON)
    parser.add_argument("--work-dir", type=Path, default=compare.WORK_DIR / "speed")
    parser.add_argument("--json", type=Path, help="write the numbers as JSON here")
    parser.add_argument(
        "--blas-threads",
        choices=["1", "default"],
        default="1",
        help="BLAS threads in newsbrief's processes: 1 (what the newsbrief command sets), or "
        "numpy's default (a Python program that does not set OPENBLAS_NUM_THREADS)",
    )
    parser.add_argument("--worker", nargs=2, metavar=("METHOD", "SAMPLE"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.limit < 1:
        parser.error("--repeat and --limit must be at least 1")
    if args.worker:
        method, sample_path = args.worker
        print(json.dumps(worker(method, Path(sample_path), args.repeat, args.trace)))
        return 0

    load_before = os.getloadavg()[0]
    sample = compare.held_out_sample(args.data, args.limit)
    work: Path = args.work_dir
    sample_path = work / "sample.jsonl"
    compare._write_sample(sample, sample.ids, sample_path)
    methods, default = compare.newsbrief_methods()
    results = []
    for method in args.method or methods:
        print(f"speed: {method}", file=sys.stderr)
        results.append(
            run_method(
                method,
                sample_path,
                args.repeat,
                trace=method == default,
                single_thread=args.blas_threads == "1",
            )
        )
    sumy_rate = sumy_cpu_rate = None
    if not args.no_peer:
        print("speed: sumy-lexrank", file=sys.stderr)
        sumy_rate, sumy_cpu_rate = run_sumy_lexrank(sample, sample.ids, work, args.peers_python)
    load_after = os.getloadavg()[0]

    words = sum(len(sample.articles[i].split()) for i in sample.ids) / len(sample.ids)
    threads = (
        "one thread"
        if args.blas_threads == "1"
        else "BLAS threads at numpy's default for newsbrief (sumy: one thread)"
    )
    lines = [
        f"Articles: {sample.description}; mean {words:.0f} words per article.",
        f"One process, {threads}; {args.repeat} timed passes per method (median, best); "
        f"{compare.N_SENTENCES} sentences; text in, sentences out. Load average (1 min) "
        f"{load_before:.1f} before, {load_after:.1f} after: on a shared machine the wall rate "
        "drops with load, the per-CPU-second rate much less.",
        "",
        "| method | articles/s (median) | best | per CPU-s | goal (per CPU-s) | vs sumy LexRank "
        "| ms/article | split % | import s | load s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rate, best, cpu_rate = _rate(r, "median"), _rate(r, "best"), _rate(r, "cpu")
        name = r["method"] + (" (default)" if r["method"] == default else "")
        goal = GOALS.get(r["method"]) or (GOALS["default"] if r["method"] == default else None)
        # Goals are per core: judged on the CPU-time rate, which other jobs do not deflate.
        goal_text = "–" if goal is None else f"≥ {goal:,.0f} {'✓' if cpu_rate >= goal else '✗'}"
        ratio = "–"
        if sumy_rate is not None and sumy_cpu_rate is not None:
            ratio = f"{rate / sumy_rate:,.0f}× ({cpu_rate / sumy_cpu_rate:,.0f}× CPU)"
        lines.append(
            f"| {name} | {rate:,.0f} | {best:,.0f} | {cpu_rate:,.0f} | {goal_text} | {ratio} "
            f"| {1000 / rate:.2f} | {r['prepare_share'] * 100:.0f} | {r['import_s']:.2f} "
            f"| {r['load_s']:.3f} | {r['peak_rss_mb']:.0f} |"
        )
    if sumy_rate is not None and sumy_cpu_rate is not None:
        lines.append(
            f"| sumy LexRank (peer venv) | {sumy_rate:,.1f} | – | {sumy_cpu_rate:,.1f} | – | 1× "
            f"| {1000 / sumy_rate:.1f} | – | – | – | – |"
        )
    default_result = next((r for r in results if r["method"] == default), None)
    if default_result is not None:
        rate, cpu_rate = _rate(default_result, "median"), _rate(default_result, "cpu")
        lines.append("")
        lines.append(
            f"Default method ({default}): {rate:,.0f} articles/s wall, {cpu_rate:,.0f} per CPU-s"
            + (
                f", {cpu_rate / sumy_cpu_rate:,.0f}× sumy LexRank per CPU-s "
                f"(goal ≥ {RATIO_GOAL:.0f}×)"
                if sumy_cpu_rate
                else ""
            )
            + f"; peak RSS {default_result['peak_rss_mb']:.0f} MB (goal < {MEMORY_GOAL_MB:.0f} MB)"
            + f"; tracemalloc peak {default_result['tracemalloc_peak_mb']:.1f} MB"
            + f"; model load (get) {default_result['get_s'] * 1000:.0f} ms"
            + f", load + warm-up {default_result['load_s'] * 1000:.0f} ms."
        )
        stages = default_result.get("stages_ms") or {}
        if stages:
            parts = ", ".join(f"{k} {v:.3f}" for k, v in stages.items())
            lines.append("")
            lines.append(
                f"Where the default's time goes, ms per article (each stage alone, CPU time, best "
                f"of {args.repeat}): {parts}; sum {sum(stages.values()):.3f}."
            )
    print("\n".join(lines))
    if args.json:
        payload: dict[str, Any] = {
            "sample": sample.description,
            "default": default,
            "methods": results,
            "sumy_lexrank_articles_per_s": sumy_rate,
            "sumy_lexrank_articles_per_cpu_s": sumy_cpu_rate,
            "load_average": [load_before, load_after],
        }
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
