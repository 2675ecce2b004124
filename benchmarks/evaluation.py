"""ROUGE of each offline extractive method and the greedy oracle on the dev data; batch speed.

Runs the real command line, so every number in the report comes with the exact command that
produced it. Usage::

    python benchmarks/evaluation.py                  # everything (~10 min on 1 free core)
    python benchmarks/evaluation.py --only rouge     # ROUGE table only
    python benchmarks/evaluation.py --only batch     # batch throughput only
    python benchmarks/evaluation.py --methods lead   # just these methods (+ oracle)

Data comes from ../shared/data (or $NEWSBRIEF_DATA); missing datasets are skipped.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("NEWSBRIEF_DATA", ROOT.parent / "shared" / "data"))

#: (label, path relative to DATA, length arguments). "heldout" in the path: only the records
#: newsbrief.train.split_of() keeps out of training (the trained method learns on the rest).
DATASETS: list[tuple[str, str, list[str]]] = [
    ("CNN/DM dev, all (3 sentences)", "cnn_dailymail/dev.jsonl.gz", []),
    ("CNN/DM dev, held-out part (3 sentences)", "cnn_dailymail/dev.jsonl.gz#heldout", []),
    ("XSum dev (1 sentence)", "xsum/test_subset.dev.jsonl", ["--sentences", "1"]),
    (
        "OrangeSum abstract dev, fr (1 sentence)",
        "orangesum/test_abstract.dev.jsonl",
        ["--sentences", "1"],
    ),
    (
        "OrangeSum abstract dev, fr (2 sentences)",
        "orangesum/test_abstract.dev.jsonl",
        ["--sentences", "2"],
    ),
]
BATCH_ARTICLES = 1000


def offline_extractive_methods() -> list[str]:
    """Return the registered methods that run offline with no extra install (aliases excluded)."""
    from newsbrief import summarizers

    names = []
    for name in summarizers.available():
        info = summarizers.describe(name)
        if info.name == name and info.offline and info.kind == "extractive":
            names.append(name)
    return names


def display(cmd: list[str]) -> str:
    text = shlex.join(cmd)
    text = re.sub(r"/\S*/cnndm-heldout\.jsonl", "$TMP/cnndm-heldout.jsonl", text)
    return text.replace(str(DATA), "../shared/data")


def run_evaluate(path: Path, method: str, length: list[str]) -> tuple[str, dict[str, Any]]:
    cmd = ["newsbrief", "evaluate", str(path), "--method", method, *length]
    out = subprocess.run(
        [*cmd, "--format", "json", "--quiet"], check=True, capture_output=True, text=True
    )
    return display(cmd), json.loads(out.stdout)


def heldout_copy(source: Path, tmp: Path) -> Path:
    """Write the held-out records of ``source`` (never trained on) to a JSONL file in ``tmp``."""
    from newsbrief.train import split_of

    dst = tmp / "cnndm-heldout.jsonl"
    with gzip.open(source, "rt", encoding="utf-8") as fh, dst.open("w", encoding="utf-8") as out:
        for line in fh:
            if line.strip() and split_of(str(json.loads(line)["id"])) == "heldout":
                out.write(line)
    return dst


def rouge_table(methods: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _rouge_table(methods, Path(tmp))


def _rouge_table(methods: list[str], tmp: Path) -> None:
    print("## ROUGE (F1 x100, 95% bootstrap interval)\n")
    for label, rel, length in DATASETS:
        rel, _, subset = rel.partition("#")
        path = DATA / rel
        if not path.exists():
            print(f"(skipped {label}: {path} not found)\n")
            continue
        print(f"### {label}\n")
        if subset == "heldout":
            path = heldout_copy(path, tmp)
            print(
                f"`$TMP/cnndm-heldout.jsonl`: the records of {rel} whose "
                "`newsbrief.train.split_of(id)` is `heldout` (never trained or tuned on).\n"
            )
        print(
            "| method | n | failed | R1 | R2 | RLsum | summary words | ref words "
            "| articles/s | art/CPU-s |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        commands = []
        protocol = ""
        for method in [*methods, "oracle"]:
            command, r = run_evaluate(path, method, length)
            commands.append(command)
            protocol = r["protocol"]

            def cell(name: str, r: dict[str, Any] = r) -> str:
                f = r["rouge"][name]["f1"]
                return f"{f['mean']:.2f} [{f['low']:.2f}, {f['high']:.2f}]"

            print(
                f"| {method} | {r['n']} | {r['failed']} | {cell('rouge1')} | {cell('rouge2')} | "
                f"{cell('rougeLsum')} | {r['summary_words']:.1f} | {r['reference_words']:.1f} | "
                f"{r['articles_per_second']:.0f} | {r['articles_per_cpu_second']:.0f} |"
            )
        print("\nCommands:\n")
        for command in commands:
            print(f"    {command}")
        print(f"\nProtocol: {protocol}\n", flush=True)


def batch_speed(methods: list[str]) -> None:
    source = DATA / "cnn_dailymail" / "dev.jsonl.gz"
    if not source.exists():
        print(f"(skipped batch speed: {source} not found)")
        return
    print(f"## Batch throughput ({BATCH_ARTICLES} CNN/DM dev articles)\n")
    print("| method | workers | records | wall s | records/s | load avg |")
    print("|---|---|---|---|---|---|")
    commands = []
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"cnndm-{BATCH_ARTICLES}.jsonl"
        with gzip.open(source, "rt", encoding="utf-8") as fh, src.open("w") as out:
            for i, line in enumerate(fh):
                if i >= BATCH_ARTICLES:
                    break
                out.write(line)
        for method in methods:
            for workers in (1, 2):
                dst = Path(tmp) / f"out-{method}-{workers}.jsonl"
                cmd = [
                    "newsbrief", "batch", str(src), "-o", str(dst),
                    "--method", method, "--workers", str(workers), "--quiet",
                ]  # fmt: skip
                load = os.getloadavg()[0]
                t0 = time.perf_counter()
                subprocess.run(cmd, check=True)
                wall = time.perf_counter() - t0
                n = sum(1 for _ in dst.open())
                commands.append(shlex.join(cmd).replace(tmp, "$TMP"))
                print(
                    f"| {method} | {workers} | {n} | {wall:.2f} | {n / wall:.0f} | {load:.1f} |",
                    flush=True,
                )
    print(
        f"\nInput: `zcat ../shared/data/cnn_dailymail/dev.jsonl.gz | head -{BATCH_ARTICLES} "
        f"> $TMP/cnndm-{BATCH_ARTICLES}.jsonl`; wall time includes process start-up.\n"
    )
    print("Commands:\n")
    for command in commands:
        print(f"    {command}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["rouge", "batch"])
    parser.add_argument("--methods", nargs="*", help="methods to run (default: all offline)")
    args = parser.parse_args()
    methods = args.methods or offline_extractive_methods()
    print(
        f"# newsbrief evaluation benchmark\n\nmachine: {os.cpu_count()} CPUs (load average "
        f"{os.getloadavg()[0]:.1f} at start), python {sys.version.split()[0]}; "
        f"methods: {', '.join(methods)}\n"
    )
    if args.only in (None, "rouge"):
        rouge_table(methods)
    if args.only in (None, "batch"):
        batch_speed(methods)


if __name__ == "__main__":
    main()
