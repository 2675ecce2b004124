"""Throughput and memory of `newsbrief batch` on the local engine and on Ray, and a projection.

Builds an input of ``--records`` records (default 50,000) from the CNN/DM dev articles
repeated under new ids (``r000000``...), then runs, each in a fresh process:

- the local engine with ``--workers`` 1 and 2,
- the Ray engine (a local Ray runtime started for the run) with ``--num-cpus`` 1 and 2,

all with the ``default`` method, and reports for each: wall seconds (Ray's start and stop
included), Ray's start, the seconds until the first shard was written (the Ray engine reads
its input as it summarizes), records/s over the whole run and without Ray's start, CPU-seconds
of the whole process tree per record, and the peak of the
summed resident memory of the process and all its descendants (Ray's daemons and actors, the
local engine's forkserver and workers), sampled every 0.25 s (shared pages, such as Ray's
object store, are counted once per process mapping them, so this is an upper bound).

Before the runs it measures, in this process, how fast the reader alone reads and checks the
input on one core (the local engine's reader; the Ray engine's read tasks run the same
checks, one task per input file).

Then: the Ray engine's throughput against the local engine's on the same CPUs (goal >= 85%),
2 CPUs against 1 (goal >= 1.8x, for both engines), and, from the 1-CPU Ray rate, the
CPU-hours and wall time for 10 million articles on a 10-node, 16-core cluster — a
**projection**, not a measurement.

The four default runs on 50,000 records take about 6 minutes on an idle 2-core machine
(~640 records/s per core with the default method). Figures taken while other work runs
on the machine (``uptime`` load above the number of cores) say little: the report prints the
load average before and after.

Usage::

    python benchmarks/scale.py                          # 50,000 records, all four runs
    python benchmarks/scale.py --records 5000           # a shorter run on a busy machine
    python benchmarks/scale.py --records 4000 --runs ray:2 --batch-sizes 256,1024,4096
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "cnn_dailymail" / "dev.jsonl.gz"
GOAL_SAME_CPUS = 0.85
GOAL_SCALING = 1.8
#: The cluster of the projection.
NODES, CORES = 10, 16
ARTICLES = 10_000_000


def build_input(path: Path, records: int, data: Path) -> None:
    """Write ``records`` records: the dev articles in order, repeated under new ids."""
    with gzip.open(data, "rt", encoding="utf-8") as fh:
        articles = [json.loads(line)["article"] for line in fh if line.strip()]
    with path.open("w", encoding="utf-8") as out:
        for i in range(records):
            out.write(json.dumps({"id": f"r{i:06d}", "article": articles[i % len(articles)]}))
            out.write("\n")


def _tree(root: int) -> list[int]:
    """Return ``root`` and every descendant process id (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            continue
    return total / 1024


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    seconds = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime, stime, cutime, cstime: fields 14-17 of stat, 12-15 after the ")" split
        seconds[pid] = sum(int(f) for f in fields[11:15]) / ticks
    return seconds


def measure(command: list[str]) -> dict[str, Any]:
    """Run ``command``; return wall seconds, peak tree RSS (MB) and tree CPU-seconds."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, cpu, done = 0.0, {}, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.25):
            pids = _tree(proc.pid)
            peak = max(peak, _rss_mb(pids))
            cpu.update(_cpu_seconds(pids))  # the last reading of each process counts

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode not in (0, 3):
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{err[-3000:]}")
    report = json.loads(out.strip().splitlines()[-1])
    return {"wall_s": wall, "peak_rss_mb": peak, "cpu_s": sum(cpu.values()), **report}


def reader_rate(path: Path) -> float:
    """Return the records/s at which the driver alone reads and checks ``path`` (one core)."""
    from newsbrief.batch import BatchReport, read_items

    start = time.process_time()
    items = read_items(path, report=BatchReport(), done_ids=set(), strict=False, stop=[])
    n = sum(1 for _ in items)
    return n / max(time.process_time() - start, 1e-9)


def child(args: argparse.Namespace) -> None:
    """Run one batch in this process (the library call the CLI makes) and print its report."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from newsbrief.models import SummaryOptions

    options = SummaryOptions(method=args.method)
    if args.engine == "local":
        from newsbrief.batch import run_batch

        with open(args.output, "w", encoding="utf-8") as fh:
            report = run_batch(args.input, fh, options=options, workers=args.cpus)
        shards, start, first = 0, 0.0, None
    else:
        from newsbrief.batch_ray import open_output_dir, run_ray_batch

        state = open_output_dir(args.output, inputs=[args.input], resume=False, overwrite=True)
        ray_report = run_ray_batch(
            [args.input],
            args.output,
            options=options,
            state=state,
            num_cpus=args.cpus,
            batch_size=args.batch_size,
        )
        report, shards = ray_report, ray_report.shards
        start, first = ray_report.start_seconds, ray_report.first_shard_seconds
    print(
        json.dumps(
            {
                "done": report.done,
                "failed": report.failed,
                "inner_s": report.seconds,
                "start_s": start,
                "first_shard_s": first,
                "shards": shards,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--records", type=int, default=50_000, help="records in the input (default: 50000)"
    )
    parser.add_argument(
        "--data", type=Path, default=DATA, help="JSONL(.gz) of articles to repeat (CNN/DM dev)"
    )
    parser.add_argument("--method", default="default", help="summarization method")
    parser.add_argument(
        "--runs",
        default="local:1,ray:1,local:2,ray:2",
        help="ENGINE:CPUS pairs, comma-separated, run in this order "
        "(default: local:1,ray:1,local:2,ray:2)",
    )
    parser.add_argument(
        "--batch-sizes",
        default="",
        help="also run ray:2 with each of these map_batches batch sizes (rows per read block "
        "and per actor call), comma-separated (the others use batch_ray.BATCH_SIZE)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--cpus", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--batch-size", type=int, default=256, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    from newsbrief.batch_ray import BATCH_SIZE

    runs = [(e, int(c), BATCH_SIZE) for e, c in (r.split(":") for r in args.runs.split(",") if r)]
    runs += [("ray", 2, int(s)) for s in args.batch_sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="newsbrief-scale-") as tmp:
        src = Path(tmp) / "in.jsonl"
        build_input(src, args.records, args.data)
        print(f"{args.records} records ({src.stat().st_size / 1e6:.0f} MB), method {args.method}")
        print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        read_rate = reader_rate(src)
        print(f"the reader alone reads and checks {read_rate:,.0f} records/s (one core)\n")
        results: dict[tuple[str, int, int], dict[str, Any]] = {}
        header = (
            f"{'run':<17}{'batch':>6}{'wall s':>8}{'start s':>8}{'1st shard s':>12}"
            f"{'records/s':>10}{'w/o start':>10}{'CPU-ms/rec':>11}{'peak MB':>9}"
        )
        print(header)
        for engine, cpus, batch_size in runs:
            out = Path(tmp) / f"out-{engine}-{cpus}-{batch_size}"
            command = [
                sys.executable, __file__, "--child", "--engine", engine, "--cpus", str(cpus),
                "--input", str(src), "--output", str(out), "--method", args.method,
                "--batch-size", str(batch_size),
            ]  # fmt: skip
            r = measure(command)
            n = r["done"] + r["failed"]
            r["rate"] = n / r["wall_s"]
            # Without Ray's start (connecting to or starting a runtime): the rate once running.
            r["summarize_rate"] = n / (r["inner_s"] - r["start_s"])
            results[(engine, cpus, batch_size)] = r
            name = f"{engine} {'--num-cpus' if engine == 'ray' else '--workers'} {cpus}"
            size = str(batch_size) if engine == "ray" else "-"
            first = "-" if r["first_shard_s"] is None else f"{r['first_shard_s']:.1f}"
            print(
                f"{name:<17}{size:>6}{r['wall_s']:>8.1f}{r['start_s']:>8.1f}{first:>12}"
                f"{r['rate']:>10.1f}{r['summarize_rate']:>10.1f}"
                f"{1000 * r['cpu_s'] / args.records:>11.2f}{r['peak_rss_mb']:>9.0f}",
                flush=True,
            )
        print(f"\nload average after: {os.getloadavg()[0]:.2f}")
        summarize_results(results, args.records, read_rate)


def _verdict(ratio: float, goal: float) -> str:
    return "meets" if ratio >= goal else "misses"


def summarize_results(
    results: dict[tuple[str, int, int], dict[str, Any]], records: int, read_rate: float
) -> None:
    """Print the goals' ratios and the 10-million-article projection."""
    from newsbrief.batch_ray import BATCH_SIZE

    def get(engine: str, cpus: int) -> dict[str, Any] | None:
        return results.get((engine, cpus, BATCH_SIZE))

    print("\nGOALS (#13)")
    for cpus in (1, 2):
        local, ray = get("local", cpus), get("ray", cpus)
        if local and ray:
            for label, key in [("whole run", "rate"), ("without Ray's start", "summarize_rate")]:
                ratio = ray[key] / local[key]
                print(
                    f"  ray / local on {cpus} CPU(s), {label}: {ratio:.2f} "
                    f"({_verdict(ratio, GOAL_SAME_CPUS)} the {GOAL_SAME_CPUS:.0%} goal)"
                )
    for engine in ("ray", "local"):
        one, two = get(engine, 1), get(engine, 2)
        if one and two:
            for label, key in [("whole run", "rate"), ("without Ray's start", "summarize_rate")]:
                if engine == "local" and key != "rate":
                    continue
                ratio = two[key] / one[key]
                print(
                    f"  {engine} 2 CPUs / 1 CPU, {label}: {ratio:.2f}x "
                    f"({_verdict(ratio, GOAL_SCALING)} the {GOAL_SCALING}x goal)"
                )
    one, two = get("ray", 1), get("ray", 2)
    if one:
        per_cpu = one["summarize_rate"]
        cpus = NODES * CORES
        scaling = min(two["summarize_rate"] / per_cpu / 2, 1.0) if two else 1.0
        summarize_min = ARTICLES / (per_cpu * cpus * scaling) / 60
        read_min = ARTICLES / read_rate / 60
        print(
            f"\nPROJECTION (not measured) for {ARTICLES:,} articles on {NODES} nodes x {CORES} "
            f"cores, from the 1-CPU Ray run here ({records:,} records, {per_cpu:.0f} records/s "
            f"per actor) and the reading ({read_rate:,.0f} records/s a core, per input file):\n"
            f"  CPU-hours of summarizing: {ARTICLES / per_cpu / 3600:.1f}\n"
            f"  wall time: {max(summarize_min, read_min):.0f} min — {summarize_min:.0f} min of "
            f"summarizing on {cpus} actors ({scaling:.0%} of linear scaling, as measured from 1 "
            f"to 2 CPUs here), while one read task reads and checks a single input file in "
            f"{read_min:.0f} min (the two overlap; the longer bounds the run: split the input "
            "into files, read side by side)"
        )


if __name__ == "__main__":
    main()
