"""How often the faithfulness check flags real reference summaries versus corrupted ones.

A perturbation test, sentence by sentence: every reference-summary sentence is checked against
its own article as written (it should pass), and again after one of three corruptions (it
should be flagged):

* ``number``: one number that the article states is replaced by a number it does not state;
* ``name``: one capitalised name is replaced by a name taken from another article;
* ``foreign``: the sentence is replaced by a reference sentence of a different article.

Flag rates, recall, precision (in a pool of each original and its corrupted twin) are printed
per dataset. ``--calibrate`` sweeps SUPPORT_THRESHOLD on the calibration half of CNN/DM dev
(sha1(id) second hex digit < 8) separating original from ``foreign`` sentences; every other
number is reported on the held-out half (second hex digit >= 8) and on XSum, never tuned on.

    python benchmarks/faithfulness.py [--n 600] [--calibrate]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsbrief import faithfulness
from newsbrief.models import Article
from newsbrief.pipeline import prepare

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
_NUM = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")
_CAP = re.compile(r"(?<=[a-z,;] )([A-Z][a-z]{2,})\b")


@dataclass
class Item:
    id: str
    article: str
    sentences: list[str]


def _records(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            yield json.loads(line)


def _half(id_: str) -> str:
    return "calibration" if hashlib.sha1(id_.encode()).hexdigest()[1] < "8" else "report"


def load(name: str, n: int) -> list[Item]:
    """Return up to ``n`` items of a dataset in a fixed order (sha1 of the id)."""
    if name == "cnn_dailymail":
        path, split = DATA / "cnn_dailymail" / "dev.jsonl.gz", "\n"
    else:
        path, split = DATA / "xsum" / "test_subset.dev.jsonl", None
    # A fixed pseudo-random order (a salted hash), independent of the calibration split.
    records = sorted(
        _records(path), key=lambda r: hashlib.sha1(f"sample:{r['id']}".encode()).hexdigest()
    )
    items = []
    for r in records[:n]:
        sents = [s.strip() for s in r["summary"].split(split)] if split else [r["summary"].strip()]
        items.append(Item(r["id"], r["article"], [s for s in sents if s]))
    return items


def perturb_number(sentence: str, article_numbers: set[str], rng: random.Random) -> str | None:
    """Replace one number the article states with one it does not."""
    matches = [m for m in _NUM.finditer(sentence) if m.group(0).replace(",", "") in article_numbers]
    if not matches:
        return None
    m = rng.choice(matches)
    value = int(float(m.group(0).replace(",", "")))
    for delta in (1, 2, 3, 5, 7, 10, 11, 13):
        candidate = str(value + delta if rng.random() < 0.5 else max(0, value - delta))
        if candidate not in article_numbers:
            return sentence[: m.start()] + candidate + sentence[m.end() :]
    return None


def perturb_name(
    sentence: str, article_words: set[str], pool: list[str], rng: random.Random, lowercase: bool
) -> str | None:
    """Replace one capitalised name with a name from another article."""
    if lowercase:  # XSum references are lowercased: find the article's names in them
        candidates = [w for w in re.findall(r"\b[a-z]{3,}\b", sentence) if w in article_words]
    else:
        candidates = [m.group(1) for m in _CAP.finditer(sentence)]
    if not candidates:
        return None
    target = rng.choice(candidates)
    options = [p for p in pool if p.lower() not in article_words]
    if not options:
        return None
    new = rng.choice(options)
    new = new.lower() if lowercase else new
    return re.sub(rf"\b{re.escape(target)}\b", new, sentence, count=1)


def run(name: str, items: list[Item], threshold: float, rng: random.Random) -> dict[str, object]:
    names_pool = sorted({m.group(1) for it in items for m in _CAP.finditer(it.article)})
    lowercase = name == "xsum"
    counts = {k: [0, 0] for k in ("original", "number", "name", "foreign")}  # [flagged, total]
    paired = {k: [0, 0, 0] for k in ("number", "name", "foreign")}  # [tp, fp, n] per pair pool
    support_orig: list[float] = []
    support_foreign: list[float] = []
    t0 = time.perf_counter()
    for k, item in enumerate(items):
        doc = prepare(Article(text=item.article))
        index = faithfulness.ArticleIndex.of(doc)
        names_here = {w for w in index.words}
        capital_names = {
            m.group(1).lower() for m in _CAP.finditer(item.article)
        }  # for lowercase references
        other = items[(k + 1 + rng.randrange(len(items) - 1)) % len(items)]
        for sentence in item.sentences:
            orig = index.check(sentence, threshold=threshold)
            counts["original"][0] += not orig.supported
            counts["original"][1] += 1
            support_orig.append(orig.support)
            variants = {
                "number": perturb_number(sentence, index.numbers, rng),
                "name": perturb_name(
                    sentence,
                    capital_names if lowercase else names_here,
                    names_pool,
                    rng,
                    lowercase,
                ),
                "foreign": rng.choice(other.sentences) if other.sentences else None,
            }
            for kind, variant in variants.items():
                if variant is None or variant == sentence:
                    continue
                verdict = index.check(variant, threshold=threshold)
                counts[kind][0] += not verdict.supported
                counts[kind][1] += 1
                if kind == "foreign":
                    support_foreign.append(verdict.support)
                pool = paired[kind]
                pool[0] += not verdict.supported
                pool[1] += not orig.supported
                pool[2] += 1
    seconds = time.perf_counter() - t0
    return {
        "counts": counts,
        "paired": paired,
        "support_orig": support_orig,
        "support_foreign": support_foreign,
        "seconds": seconds,
        "articles": len(items),
    }


def calibrate(items: list[Item], rng: random.Random) -> float:
    """Return the threshold with the best balanced accuracy (original vs foreign sentences)."""
    result = run("cnn_dailymail", items, 0.0, rng)
    orig = result["support_orig"]
    foreign = result["support_foreign"]
    assert isinstance(orig, list) and isinstance(foreign, list)
    print(f"calibration: {len(orig)} original and {len(foreign)} foreign sentences")
    print("threshold  orig-pass  foreign-flag  balanced-acc")
    best, best_acc = 0.0, -1.0
    for step in range(2, 10):
        t = step / 10
        passed = sum(s >= t for s in orig) / len(orig)
        flagged = sum(s < t for s in foreign) / len(foreign)
        acc = (passed + flagged) / 2
        print(f"{t:9.1f}  {passed:9.3f}  {flagged:12.3f}  {acc:12.3f}")
        if acc > best_acc:
            best, best_acc = t, acc
    print(f"best threshold: {best:.1f} (balanced accuracy {best_acc:.3f})\n")
    return best


def report(name: str, result: dict[str, object]) -> None:
    counts = result["counts"]
    paired = result["paired"]
    assert isinstance(counts, dict) and isinstance(paired, dict)
    print(f"## {name}: {result['articles']} articles, {result['seconds']:.1f} s")
    print("| summary sentences | n | flagged |")
    print("|---|---:|---:|")
    for kind, (flagged, total) in counts.items():
        label = "reference, as written" if kind == "original" else f"reference, {kind} corrupted"
        rate = flagged / total if total else float("nan")
        print(f"| {label} | {total} | {rate:.1%} |")
    print()
    print("| corruption | recall | precision (pool: originals + their corrupted twins) |")
    print("|---|---:|---:|")
    for kind, (tp, fp, n) in paired.items():
        recall = tp / n if n else float("nan")
        precision = tp / (tp + fp) if tp + fp else float("nan")
        print(f"| {kind} | {recall:.1%} | {precision:.1%} |")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=600, help="CNN/DM articles to read (both halves)")
    parser.add_argument("--calibrate", action="store_true", help="sweep the support threshold")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    cnn = load("cnn_dailymail", args.n)
    halves = {h: [it for it in cnn if _half(it.id) == h] for h in ("calibration", "report")}
    threshold = faithfulness.SUPPORT_THRESHOLD
    if args.calibrate:
        chosen = calibrate(halves["calibration"], rng)
        print(f"(SUPPORT_THRESHOLD in the code is {threshold}; chosen here: {chosen})\n")
    print(f"threshold {threshold}, seed {args.seed}\n")
    report("CNN/DM dev, held-out half", run("cnn_dailymail", halves["report"], threshold, rng))
    report("XSum dev", run("xsum", load("xsum", 10_000), threshold, rng))
    return 0


if __name__ == "__main__":
    sys.exit(main())
