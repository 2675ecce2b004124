"""The cost curve of one summary: time and peak memory from 10 KB to 10 MB of text.

Each (method, size) runs in a fresh subprocess that builds the text, summarizes it once and
reports its wall time and peak RSS (``resource.getrusage``), so one measurement cannot inherit
another's memory. The text is the worst case for the sentence-by-sentence parts: short
sentences (8 words from a 5,000-word vocabulary), five to a paragraph, so 1 MB holds ~21,000
sentences. ``--ratio 1.0`` asks for every sentence (the most selection work).

    python benchmarks/cost.py                      # the table in docs/benchmarks.md
    python benchmarks/cost.py --sizes 100000 1000000 --method trained
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000)
METHODS = ("trained", "centrality", "lead")

_CHILD = """
import json, random, resource, sys, time
size, method = int(sys.argv[1]), sys.argv[2]
random.seed(0)
vocabulary = [f"w{i}" for i in range(5000)]
paragraphs, total = [], 0
while total < size:
    sentences = [
        " ".join(random.choice(vocabulary) for _ in range(8)).capitalize() + "."
        for _ in range(5)
    ]
    paragraphs.append(" ".join(sentences))
    total += len(paragraphs[-1]) + 1
text = "\\n".join(paragraphs)[:size]
import newsbrief
newsbrief.summarize("A first sentence to load the models. And a second one.", method=method)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
summary = newsbrief.summarize(text, method=method, ratio=1.0, language="en")
seconds = time.perf_counter() - t0
print(json.dumps({
    "chars": len(text),
    "seconds": seconds,
    "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "rss_before_mb": before / 1024,
    "cut": summary.info.get("cut"),
    "timings": summary.timings,
}))
"""


def measure(size: int, method: str, timeout: float) -> dict[str, object]:
    """Summarize ``size`` characters with ``method`` in a subprocess; return its figures."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "OPENBLAS_NUM_THREADS": "1",
    }
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(size), method],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--method", nargs="+", default=list(METHODS))
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    parser.add_argument("--json", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()

    load = os.getloadavg()[0]
    rows = []
    print(f"cost curve, load average (1 min) {load:.1f} at the start")
    print("| method | text | sentences read | cut | seconds | peak RSS MB |")
    print("|---|---:|---:|---|---:|---:|")
    for method in args.method:
        for size in args.sizes:
            started = time.perf_counter()
            try:
                r = measure(size, method, args.timeout)
            except subprocess.TimeoutExpired:
                print(f"| {method} | {size:,} | – | – | > {args.timeout:.0f} | – |", flush=True)
                continue
            cut = r["cut"] if isinstance(r["cut"], dict) else None
            kept = cut["kept_sentences"] if cut else "all"
            print(
                f"| {method} | {size / 1e6:g} MB | {kept} | {cut['limit'] if cut else '–'} "
                f"| {r['seconds']:.2f} | {r['rss_mb']:.0f} |",
                flush=True,
            )
            rows.append(
                {"method": method, "size": size, **r, "wall": time.perf_counter() - started}
            )
    print(f"load average (1 min) {os.getloadavg()[0]:.1f} at the end")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"load": load, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
